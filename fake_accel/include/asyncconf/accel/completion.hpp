// The result slot one request shares between the device and its waiter.
#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>

namespace asyncconf::accel {

class Device;

enum class CompletionStatus {
  Ok,           ///< the work ran; value() is what it returned
  DeviceError,  ///< the device failed the request (the error fault, or the work threw)
  Cancelled,    ///< the device was destroyed before serving it
};

/// "ok", "device_error", "cancelled".
std::string_view to_string(CompletionStatus status) noexcept;

/// Written once by the device: status and value first, then the done flag
/// with a release store. A reader that sees done() (an acquire load) sees
/// both. A lost completion is never written.
class Completion {
public:
  explicit Completion(std::uint64_t index) noexcept : index_(index) {}
  Completion(const Completion&) = delete;
  Completion& operator=(const Completion&) = delete;

  bool done() const noexcept { return done_.load(std::memory_order_acquire); }
  /// Meaningful once done().
  CompletionStatus status() const noexcept { return status_; }
  /// The work's return value when status() is Ok, else 0.
  int value() const noexcept { return value_; }
  /// The request's index on its device.
  std::uint64_t index() const noexcept { return index_; }

private:
  friend class Device;
  void publish(CompletionStatus status, int value) noexcept {
    status_ = status;
    value_ = value;
    done_.store(true, std::memory_order_release);
  }

  const std::uint64_t index_;
  CompletionStatus status_ = CompletionStatus::Ok;
  int value_ = 0;
  std::atomic<bool> done_{false};
};

}  // namespace asyncconf::accel
