#include "asyncconf/harness/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace asyncconf::harness {

namespace {

constexpr std::size_t kChunk = 4096;

void close_fd(int& fd) noexcept {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// noexcept: an exception escaping the body must not unwind into the
// parent's code running in the child; it aborts the child instead.
[[noreturn]] void run_child(const ForkedChild::Body& body, int result_r, int result_w, int stderr_r,
                            int stderr_w, std::span<const int> close_in_child) noexcept {
  for (const int fd : close_in_child) {
    if (fd >= 0) ::close(fd);
  }
  ::close(result_r);
  ::close(stderr_r);
  const int devnull = ::open("/dev/null", O_WRONLY);
  if (devnull >= 0) ::dup2(devnull, STDOUT_FILENO);
  ::dup2(stderr_w, STDERR_FILENO);
  if (devnull >= 0) ::close(devnull);
  ::close(stderr_w);
  ::signal(SIGPIPE, SIG_DFL);
  ::signal(SIGINT, SIG_DFL);
  ::signal(SIGTERM, SIG_DFL);

  body(result_w);
  ::close(result_w);
  // _exit: atexit handlers of the implementation under test are not part of
  // what a case checks.
  ::_exit(0);
}

// One read; closes the fd at EOF or on a real error.
ssize_t read_once(int& fd, std::string& into, std::size_t max) {
  char buffer[kChunk];
  const ssize_t n = ::read(fd, buffer, std::min(max, sizeof buffer));
  if (n > 0) {
    into.append(buffer, static_cast<std::size_t>(n));
  } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
    close_fd(fd);
  }
  return n;
}

}  // namespace

ForkedChild::~ForkedChild() { reset(); }

void ForkedChild::reset() noexcept {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
  }
  close_pipes();
}

ForkedChild::ForkedChild(ForkedChild&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      result_fd_(std::exchange(other.result_fd_, -1)),
      stderr_fd_(std::exchange(other.stderr_fd_, -1)),
      killed_(other.killed_),
      started_(other.started_),
      stderr_tail_(std::move(other.stderr_tail_)),
      error_(std::move(other.error_)) {}

ForkedChild& ForkedChild::operator=(ForkedChild&& other) noexcept {
  if (this != &other) {
    reset();
    pid_ = std::exchange(other.pid_, -1);
    result_fd_ = std::exchange(other.result_fd_, -1);
    stderr_fd_ = std::exchange(other.stderr_fd_, -1);
    killed_ = other.killed_;
    started_ = other.started_;
    stderr_tail_ = std::move(other.stderr_tail_);
    error_ = std::move(other.error_);
  }
  return *this;
}

void ForkedChild::close_pipes() noexcept {
  close_fd(result_fd_);
  close_fd(stderr_fd_);
}

bool ForkedChild::start(const Body& body, std::span<const int> close_in_child) {
  reset();
  stderr_tail_.clear();
  error_.clear();
  int result_pipe[2];
  int stderr_pipe[2];
  if (::pipe2(result_pipe, O_CLOEXEC) != 0) {
    error_ = std::string("pipe: ") + std::strerror(errno);
    return false;
  }
  if (::pipe2(stderr_pipe, O_CLOEXEC) != 0) {
    const int saved = errno;
    error_ = std::string("pipe: ") + std::strerror(saved);
    ::close(result_pipe[0]);
    ::close(result_pipe[1]);
    errno = saved;
    return false;
  }
  started_ = Clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    run_child(body, result_pipe[0], result_pipe[1], stderr_pipe[0], stderr_pipe[1], close_in_child);
  }
  const int saved = errno;
  ::close(result_pipe[1]);
  ::close(stderr_pipe[1]);
  if (pid < 0) {
    error_ = std::string("fork: ") + std::strerror(saved);
    ::close(result_pipe[0]);
    ::close(stderr_pipe[0]);
    errno = saved;
    return false;
  }
  pid_ = pid;
  killed_ = false;
  result_fd_ = result_pipe[0];
  stderr_fd_ = stderr_pipe[0];
  return true;
}

ssize_t ForkedChild::read_result(std::string& into, std::size_t max) {
  return read_once(result_fd_, into, max);
}

void ForkedChild::drain_stderr(std::size_t limit) {
  read_once(stderr_fd_, stderr_tail_, kChunk);
  if (limit != 0 && stderr_tail_.size() > limit) stderr_tail_.erase(0, stderr_tail_.size() - limit);
}

void ForkedChild::kill() {
  if (pid_ <= 0) return;
  killed_ = true;
  ::kill(pid_, SIGKILL);
}

std::optional<ChildOutcome> ForkedChild::wait(Wait mode) {
  ChildOutcome outcome;
  if (pid_ <= 0) {
    outcome.kind = ChildOutcome::Kind::HarnessError;
    outcome.error = "wait: no child";
    return outcome;
  }
  int status = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &status, mode == Wait::Block ? 0 : WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == 0) return std::nullopt;  // still running
  if (r < 0) {
    outcome.kind = ChildOutcome::Kind::HarnessError;
    outcome.error = std::string("waitpid: ") + std::strerror(errno);
  } else if (killed_) {
    outcome.kind = ChildOutcome::Kind::TimedOut;
  } else if (WIFSIGNALED(status)) {
    outcome.kind = ChildOutcome::Kind::Signaled;
    outcome.signal = WTERMSIG(status);
  } else {
    outcome.kind = ChildOutcome::Kind::Exited;
    outcome.exit_code = WEXITSTATUS(status);
  }
  outcome.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - started_).count();
  outcome.stderr_tail = std::move(stderr_tail_);
  stderr_tail_.clear();
  pid_ = -1;
  close_pipes();
  return outcome;
}

}  // namespace asyncconf::harness
