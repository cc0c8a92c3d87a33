// The job-side helper: what an engine or provider does inside an ASYNC job
// to hand work to the device and pause until it is done.
#pragma once

#include <functional>
#include <string_view>
#include <utility>

#include "asyncconf/accel/device.hpp"
#include "asyncconf/async_abi.h"

namespace asyncconf::accel {

struct OffloadResult {
  enum class Status {
    Ok,              ///< value is what the work returned
    DeviceError,     ///< the device failed the request (error fault, or the work threw)
    Cancelled,       ///< the device was destroyed before serving it
    RingFull,        ///< the ring stayed full: Fail policy, or retry_limit retries spent
    Timeout,         ///< no completion within give_up_after (a lost one)
    PauseFailed,     ///< ASYNC_pause_job returned 0
    NotifierFailed,  ///< no wait fd: the device refused one (fd_fail) or set_wait_fd failed
  };
  Status status = Status::Ok;
  int value = 0;

  bool ok() const noexcept { return status == Status::Ok; }
};

/// "ok", "device_error", "cancelled", "ring_full", "timeout",
/// "pause_failed", "notifier_failed".
std::string_view to_string(OffloadResult::Status status) noexcept;

namespace detail {

/// The ASYNC functions the helper calls, from any table that names them as
/// the C functions. get_callback and set_status are null without OpenSSL
/// 3.0's callbacks.
struct AsyncCalls {
  decltype(&::ASYNC_get_current_job) get_current_job = nullptr;
  decltype(&::ASYNC_get_wait_ctx) get_wait_ctx = nullptr;
  decltype(&::ASYNC_pause_job) pause_job = nullptr;
  decltype(&::ASYNC_WAIT_CTX_set_wait_fd) set_wait_fd = nullptr;
  decltype(&::ASYNC_WAIT_CTX_get_fd) get_fd = nullptr;
  decltype(&::ASYNC_WAIT_CTX_get_callback) get_callback = nullptr;
  decltype(&::ASYNC_WAIT_CTX_set_status) set_status = nullptr;
};

template <class Api>
AsyncCalls async_calls(const Api& api) noexcept {
  AsyncCalls calls;
  calls.get_current_job = api.ASYNC_get_current_job;
  calls.get_wait_ctx = api.ASYNC_get_wait_ctx;
  calls.pause_job = api.ASYNC_pause_job;
  calls.set_wait_fd = api.ASYNC_WAIT_CTX_set_wait_fd;
  calls.get_fd = api.ASYNC_WAIT_CTX_get_fd;
  // A table written for OpenSSL 1.1.1 has no callback members at all.
  if constexpr (requires { api.ASYNC_WAIT_CTX_get_callback; api.ASYNC_WAIT_CTX_set_status; }) {
    calls.get_callback = api.ASYNC_WAIT_CTX_get_callback;
    calls.set_status = api.ASYNC_WAIT_CTX_set_status;
  }
  if constexpr (requires { bool(api.has_callbacks); }) {
    if (!api.has_callbacks) {
      calls.get_callback = nullptr;
      calls.set_status = nullptr;
    }
  }
  return calls;
}

OffloadResult offload(const AsyncCalls& calls, Device& device, std::function<int()> work);

}  // namespace detail

/// Runs `work` on `device` from inside an ASYNC job, pausing the job until
/// the result is in. `api` is any table of function pointers named like
/// the C functions (harness::AsyncApi, a provider's table of libcrypto's).
///
/// Outside a job, or in a job without a WAIT_CTX (nothing could wake it),
/// the work runs here, synchronously. Inside one:
/// - the wake: callback mode with a callback set on the WAIT_CTX wakes
///   through it (status ASYNC_STATUS_OK before each wait); otherwise one
///   eventfd per (WAIT_CTX, device), created on first use and registered
///   with ASYNC_WAIT_CTX_set_wait_fd under device.wait_key(); its cleanup
///   (at ASYNC_WAIT_CTX_free) closes it. No fd: NotifierFailed.
/// - RingFull: Fail policy gives up; otherwise the job asks to be resumed
///   at once (writes its own fd, or sets ASYNC_STATUS_EAGAIN and leaves the
///   callback uncalled), pauses, and resubmits, up to retry_limit times.
/// - then it pauses until the completion is done, counting each resume
///   that finds it not done as a spurious resume, and gives up with Timeout
///   once give_up_after has passed since the first submission (the device
///   wakes it then). The fd is drained once the wait is over.
/// Under ASYNC_block_pause the pauses return at once and the job spins
/// until the result is in or the deadline passes.
template <class Api>
OffloadResult offload(const Api& api, Device& device, std::function<int()> work) {
  return detail::offload(detail::async_calls(api), device, std::move(work));
}

}  // namespace asyncconf::accel
