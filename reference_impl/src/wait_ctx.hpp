// ASYNC_WAIT_CTX: the wait fds a job's async-aware code publishes, with what
// changed since the job last resumed, and the callback/status pair.
#pragma once

#include <cstddef>
#include <vector>

#include "asyncconf/async_abi.h"
#include "fault.hpp"

namespace asyncconf::ref {

class WaitCtx {
public:
  /// Adds an fd under `key`. The same key may be set twice: both entries
  /// live, and lookups see the newest (as OpenSSL does). Throws bad_alloc.
  void set_fd(const void* key, OSSL_ASYNC_FD fd, void* custom_data,
              ASYNC_WAIT_CTX_cleanup_fn cleanup);
  /// The newest live entry under `key`; false when there is none.
  bool get_fd(const void* key, OSSL_ASYNC_FD* fd, void** custom_data) const noexcept;
  /// Writes every live fd, newest first, to `out` (when not null); returns the count.
  std::size_t all_fds(OSSL_ASYNC_FD* out) const noexcept;
  /// Counts (and lists, for each non-null array) the fds added and deleted
  /// since the job last resumed.
  void changed_fds(OSSL_ASYNC_FD* added, std::size_t* num_added, OSSL_ASYNC_FD* deleted,
                   std::size_t* num_deleted) const noexcept;
  /// Removes the newest live entry under `key` without calling its cleanup.
  /// An entry added since the last resume disappears; an older one is
  /// reported as deleted until the next resume. False when there is none.
  bool clear_fd(const void* key) noexcept;
  /// A paused job resumed: the current fds become the baseline.
  void forget_changes() noexcept {
    if (changed_) forget_changes_slow();  // runs on every resume: keep it cheap
  }
  /// Calls the cleanup of every entry not cleared, newest first; `self` is
  /// what the callbacks receive.
  void run_cleanups(ASYNC_WAIT_CTX* self) noexcept;

  void set_callback(ASYNC_callback_fn callback, void* arg) noexcept;
  /// False when no callback is set (OpenSSL's answer), leaving the outputs.
  bool get_callback(ASYNC_callback_fn* callback, void** arg) const noexcept;
  void set_status(int status) noexcept { status_ = status; }
  int status() const noexcept { return status_; }

private:
  struct Entry {
    const void* key;
    OSSL_ASYNC_FD fd;
    void* custom_data;
    ASYNC_WAIT_CTX_cleanup_fn cleanup;
    bool added;    // set since the last resume
    bool deleted;  // cleared, but set before the last resume
  };
  Entry* newest_live(const void* key) noexcept;
  void forget_changes_slow() noexcept;

  std::vector<Entry> entries_;  // oldest first
  bool changed_ = false;        // some entry is added or deleted: a resume has work
  ASYNC_callback_fn callback_ = nullptr;
  void* callback_arg_ = nullptr;
  int status_ = fault_active(Fault::StatusDefaultOk) ? ASYNC_STATUS_OK : ASYNC_STATUS_UNSUPPORTED;
};

}  // namespace asyncconf::ref

/// The opaque ASYNC_WAIT_CTX of <openssl/async.h> is a WaitCtx.
struct async_wait_ctx_st : asyncconf::ref::WaitCtx {};
