// What the device tests share: a notifier that records its wakes, and a
// bounded wait for a condition the device will make true.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

#include "asyncconf/accel/config.hpp"
#include "asyncconf/accel/device.hpp"

namespace asyncconf::accel::testing {

// Only against a hang: no test expects to come near it.
inline constexpr auto kWaitLimit = std::chrono::seconds(30);

inline DeviceConfig config_from(std::string_view text) {
  Parsed<DeviceConfig> p = parse_device_config(text);
  if (!p.ok()) {
    ADD_FAILURE() << p.error();
    return {};
  }
  return std::move(p).value();
}

// A callback notifier for one request that records, at each wake, whether
// the request's completion was already done. Declare it before the Device,
// so that it outlives the device's last notify.
class WakeLog {
public:
  // The completion is recorded under the log's lock, so that even a wake
  // that comes before submit() returns sees it.
  Device::Submission submit(Device& device, std::function<int()> work) {
    const std::lock_guard lock(mutex_);
    Device::Submission s = device.submit(std::move(work), Notifier::for_callback(&WakeLog::on_wake, this));
    completion_ = s.completion;
    return s;
  }

  bool wait_for(std::size_t wakes) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, kWaitLimit, [&] { return done_at_wake_.size() >= wakes; });
  }

  std::size_t count() const {
    const std::lock_guard lock(mutex_);
    return done_at_wake_.size();
  }

  std::vector<bool> done_at_wake() const {
    const std::lock_guard lock(mutex_);
    return done_at_wake_;
  }

private:
  static int on_wake(void* arg) {
    auto* self = static_cast<WakeLog*>(arg);
    {
      const std::lock_guard lock(self->mutex_);
      self->done_at_wake_.push_back(self->completion_ != nullptr && self->completion_->done());
    }
    self->cv_.notify_all();
    return 1;
  }

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::shared_ptr<const Completion> completion_;
  std::vector<bool> done_at_wake_;
};

// Waits (bounded) for a state the device reaches by itself, such as quiescence.
template <class Predicate>
bool eventually(Predicate done) {
  const auto deadline = std::chrono::steady_clock::now() + kWaitLimit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace asyncconf::accel::testing
