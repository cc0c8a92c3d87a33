#include "asyncconf/accel/notifier.hpp"

#include <fcntl.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>

namespace asyncconf::accel {

std::shared_ptr<Notifier> Notifier::open_fd(std::shared_ptr<FdGauge> gauge, int floor) {
  int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0) return nullptr;
  if (floor > 0 && fd < floor) {
    const int high = fcntl(fd, F_DUPFD_CLOEXEC, floor);
    const int saved = errno;
    close(fd);
    if (high < 0) {
      errno = saved;
      return nullptr;
    }
    fd = high;
  }
  if (gauge) gauge->fetch_add(1, std::memory_order_relaxed);
  return std::shared_ptr<Notifier>(new Notifier(Kind::Fd, fd, nullptr, nullptr, std::move(gauge)));
}

std::shared_ptr<Notifier> Notifier::for_callback(ASYNC_callback_fn callback, void* arg) {
  return std::shared_ptr<Notifier>(new Notifier(Kind::Callback, -1, callback, arg, nullptr));
}

Notifier::Notifier(Kind kind, int fd, ASYNC_callback_fn callback, void* arg,
                   std::shared_ptr<FdGauge> gauge) noexcept
    : kind_(kind), fd_(fd), callback_(callback), arg_(arg), gauge_(std::move(gauge)) {}

Notifier::~Notifier() {
  const std::lock_guard lock(mutex_);
  close_locked();
}

int Notifier::fd() const noexcept {
  const std::lock_guard lock(mutex_);
  return fd_;
}

bool Notifier::notify() noexcept {
  const std::lock_guard lock(mutex_);
  if (detached_) return false;
  if (kind_ == Kind::Callback) {
    if (callback_ == nullptr) return false;
    callback_(arg_);
    return true;
  }
  const std::uint64_t one = 1;
  // EAGAIN only when the counter is near 2^64: the fd is readable already.
  return write(fd_, &one, sizeof one) == static_cast<ssize_t>(sizeof one) || errno == EAGAIN;
}

std::uint64_t Notifier::drain() noexcept {
  const std::lock_guard lock(mutex_);
  if (fd_ < 0) return 0;
  std::uint64_t count = 0;
  // Without EFD_SEMAPHORE one read takes the whole counter.
  return read(fd_, &count, sizeof count) == static_cast<ssize_t>(sizeof count) ? count : 0;
}

void Notifier::detach() noexcept {
  const std::lock_guard lock(mutex_);
  detached_ = true;
  callback_ = nullptr;
  close_locked();
}

bool Notifier::detached() const noexcept {
  const std::lock_guard lock(mutex_);
  return detached_;
}

void Notifier::close_locked() noexcept {
  if (fd_ < 0) return;
  close(fd_);
  fd_ = -1;
  if (gauge_) gauge_->fetch_sub(1, std::memory_order_relaxed);
}

}  // namespace asyncconf::accel
