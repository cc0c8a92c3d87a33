#include "asyncconf/accel/offload.hpp"

#include <chrono>
#include <memory>

namespace asyncconf::accel {
namespace {

using Clock = std::chrono::steady_clock;
using Status = OffloadResult::Status;

// How this offload's job is woken.
struct Wake {
  std::shared_ptr<Notifier> notifier;  // null: none could be had
  bool through_callback = false;       // the WAIT_CTX's callback, with its status
};

OffloadResult run_here(const std::function<int()>& work) {
  try {
    return {Status::Ok, work()};
  } catch (...) {
    return {Status::DeviceError, 0};
  }
}

// The wait fd's cleanup: ASYNC_WAIT_CTX_free hands back the custom data set
// with the fd. After this no completion can write to the fd's number.
void release_fd_notifier(ASYNC_WAIT_CTX*, const void*, OSSL_ASYNC_FD, void* custom_data) {
  auto* holder = static_cast<std::shared_ptr<Notifier>*>(custom_data);
  (*holder)->detach();
  delete holder;
}

// The WAIT_CTX's notifier for this device, created and registered on first use.
std::shared_ptr<Notifier> fd_notifier(const detail::AsyncCalls& calls, Device& device,
                                      ASYNC_WAIT_CTX* ctx) {
  OSSL_ASYNC_FD fd = -1;
  void* custom_data = nullptr;
  if (calls.get_fd(ctx, device.wait_key(), &fd, &custom_data) == 1) {
    // Someone else's fd under this device's key: not ours to write.
    if (custom_data == nullptr) return nullptr;
    return *static_cast<std::shared_ptr<Notifier>*>(custom_data);
  }
  std::shared_ptr<Notifier> notifier = device.open_fd_notifier();
  if (!notifier) return nullptr;
  auto* holder = new std::shared_ptr<Notifier>(notifier);
  if (calls.set_wait_fd(ctx, device.wait_key(), notifier->fd(), holder, &release_fd_notifier) != 1) {
    notifier->detach();
    delete holder;
    return nullptr;
  }
  return notifier;
}

Wake make_wake(const detail::AsyncCalls& calls, Device& device, ASYNC_WAIT_CTX* ctx) {
  if (device.config().notify == NotifyMode::Callback && calls.get_callback != nullptr &&
      calls.set_status != nullptr) {
    ASYNC_callback_fn callback = nullptr;
    void* arg = nullptr;
    if (calls.get_callback(ctx, &callback, &arg) == 1 && callback != nullptr) {
      return {Notifier::for_callback(callback, arg), true};
    }
  }
  return {fd_notifier(calls, device, ctx), false};
}

class Waiter {
public:
  Waiter(const detail::AsyncCalls& calls, Device& device, ASYNC_WAIT_CTX* ctx, Wake wake)
      : calls_(calls), device_(device), ctx_(ctx), wake_(std::move(wake)),
        deadline_(Clock::now() + device.config().give_up_after) {}

  // The fd is read empty (every wake of this wait is spent); a callback
  // notifier is detached, so that a late wake cannot call into a job
  // that stopped waiting.
  ~Waiter() {
    if (watching_) device_.forget_wake(watched_);
    if (wake_.through_callback) {
      wake_.notifier->detach();
    } else {
      wake_.notifier->drain();
    }
  }

  OffloadResult run(const std::function<int()>& work) {
    const DeviceConfig& config = device_.config();
    std::shared_ptr<const Completion> completion;
    for (unsigned retries = 0;; ++retries) {
      Device::Submission submission = device_.submit(work, wake_.notifier);
      if (submission.accepted()) {
        completion = std::move(submission.completion);
        break;
      }
      if (config.ring_full == RingFullPolicy::Fail || retries >= config.retry_limit ||
          Clock::now() >= deadline_) {
        return {Status::RingFull, 0};
      }
      device_.count_retry();
      // Yield: ask to be resumed at once, then try again.
      if (wake_.through_callback) {
        calls_.set_status(ctx_, ASYNC_STATUS_EAGAIN);
      } else {
        wake_.notifier->notify();
      }
      if (!pause()) return {Status::PauseFailed, 0};
      if (!wake_.through_callback) wake_.notifier->drain();
    }
    if (wake_.through_callback) calls_.set_status(ctx_, ASYNC_STATUS_OK);
    device_.wake_at(deadline_, wake_.notifier, completion);
    watched_ = completion;
    watching_ = true;
    while (!completion->done()) {
      if (Clock::now() >= deadline_) {
        device_.count_timeout();
        return {Status::Timeout, 0};
      }
      if (!pause()) return {Status::PauseFailed, 0};
      if (!completion->done() && Clock::now() < deadline_) device_.count_spurious_resume();
    }
    switch (completion->status()) {
      case CompletionStatus::Ok: return {Status::Ok, completion->value()};
      case CompletionStatus::DeviceError: return {Status::DeviceError, 0};
      case CompletionStatus::Cancelled: return {Status::Cancelled, 0};
    }
    return {Status::DeviceError, 0};
  }

private:
  bool pause() {
    device_.count_pause();
    return calls_.pause_job() == 1;
  }

  const detail::AsyncCalls& calls_;
  Device& device_;
  ASYNC_WAIT_CTX* const ctx_;
  Wake wake_;
  const Clock::time_point deadline_;
  std::weak_ptr<const Completion> watched_;  // the completion wake_at() watches for this wait
  bool watching_ = false;
};

}  // namespace

std::string_view to_string(OffloadResult::Status status) noexcept {
  switch (status) {
    case Status::Ok: return "ok";
    case Status::DeviceError: return "device_error";
    case Status::Cancelled: return "cancelled";
    case Status::RingFull: return "ring_full";
    case Status::Timeout: return "timeout";
    case Status::PauseFailed: return "pause_failed";
    case Status::NotifierFailed: return "notifier_failed";
  }
  return "?";
}

OffloadResult detail::offload(const AsyncCalls& calls, Device& device, std::function<int()> work) {
  ASYNC_JOB* job = calls.get_current_job();
  ASYNC_WAIT_CTX* ctx = job == nullptr ? nullptr : calls.get_wait_ctx(job);
  if (ctx == nullptr) return run_here(work);
  Wake wake = make_wake(calls, device, ctx);
  if (!wake.notifier) return {Status::NotifierFailed, 0};
  return Waiter(calls, device, ctx, std::move(wake)).run(work);
}

}  // namespace asyncconf::accel
