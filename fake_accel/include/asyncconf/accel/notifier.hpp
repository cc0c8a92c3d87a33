// How the device wakes a paused job. Requests hold a Notifier through a
// std::shared_ptr, never a job pointer or an fd number, so that a
// completion arriving after the application freed its WAIT_CTX finds the
// notifier detached and touches nothing.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

#include "asyncconf/async_abi.h"

namespace asyncconf::accel {

class Notifier {
public:
  enum class Kind { Fd, Callback };
  /// A count of open notifier fds, shared with whoever wants to watch it
  /// (the device's open_fds counter).
  using FdGauge = std::atomic<std::int64_t>;

  /// A notifier owning a fresh non-blocking eventfd, counted in `gauge`
  /// while open, numbered `floor` or above (0: as eventfd() gives it).
  /// Null when eventfd() or the renumbering fails (errno says why).
  static std::shared_ptr<Notifier> open_fd(std::shared_ptr<FdGauge> gauge = nullptr, int floor = 0);
  /// A notifier that calls `callback(arg)` (a WAIT_CTX's callback pair).
  static std::shared_ptr<Notifier> for_callback(ASYNC_callback_fn callback, void* arg);

  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;
  /// Closes the fd if detach() has not.
  ~Notifier();

  Kind kind() const noexcept { return kind_; }
  /// The eventfd; -1 for a callback notifier or once detached.
  int fd() const noexcept;

  /// Wakes the job: writes 1 to the eventfd or calls the callback. Does
  /// nothing once detached. The callback runs under the notifier's lock, so
  /// detach() waits for a call in progress; it must not detach this
  /// notifier itself. True when the wake was delivered.
  bool notify() noexcept;
  /// Reads the eventfd empty. Returns the count it held (0 for a callback
  /// notifier, when detached, or when nothing was written).
  std::uint64_t drain() noexcept;
  /// Closes the fd (or forgets the callback) and makes every later call a
  /// no-op. Idempotent.
  void detach() noexcept;
  bool detached() const noexcept;

private:
  Notifier(Kind kind, int fd, ASYNC_callback_fn callback, void* arg,
           std::shared_ptr<FdGauge> gauge) noexcept;
  void close_locked() noexcept;

  const Kind kind_;
  mutable std::mutex mutex_;
  int fd_;                      // guarded by mutex_; -1 once closed
  ASYNC_callback_fn callback_;  // guarded by mutex_; null once detached
  void* arg_;
  bool detached_ = false;       // guarded by mutex_
  std::shared_ptr<FdGauge> gauge_;
};

}  // namespace asyncconf::accel
