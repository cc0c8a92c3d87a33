// One forked child with a result pipe and a stderr pipe: the primitive under
// run_in_children and the explorer's long-lived child. The caller owns the
// poll loop; this owns the fork, the pipes, the stderr tail and the reaping.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>

#include "asyncconf/harness/sandbox.hpp"

namespace asyncconf::harness {

class ForkedChild {
 public:
  using Clock = std::chrono::steady_clock;
  /// Runs in the child with the write end of the result pipe; the child
  /// then `_exit(0)`s (an exception escaping it aborts the child).
  using Body = std::function<void(int result_fd)>;

  ForkedChild() = default;
  /// Kills and reaps a child still running, so that none is left behind.
  ~ForkedChild();
  ForkedChild(ForkedChild&& other) noexcept;
  ForkedChild& operator=(ForkedChild&& other) noexcept;
  ForkedChild(const ForkedChild&) = delete;
  ForkedChild& operator=(const ForkedChild&) = delete;

  /// Forks a child running `body`. Its stdout goes to /dev/null, its stderr
  /// to the stderr pipe; SIGINT, SIGTERM and SIGPIPE are back to default.
  /// `close_in_child`: the parent's other children's pipe ends, which the
  /// child would otherwise hold open, hiding their EOF. On failure returns
  /// false with `error()` ("pipe: ..." / "fork: ...") and errno kept.
  bool start(const Body& body, std::span<const int> close_in_child = {});

  /// The read ends for the caller's poll; -1 once closed (EOF, or reaped).
  int result_fd() const noexcept { return result_fd_; }
  int stderr_fd() const noexcept { return stderr_fd_; }
  pid_t pid() const noexcept { return pid_; }
  /// Taken just before the fork: time limits count from here.
  Clock::time_point started() const noexcept { return started_; }
  const std::string& error() const noexcept { return error_; }

  /// One read of at most `max` bytes from the result pipe, appended to
  /// `into`. Returns read's result; closes the fd at EOF or on an error
  /// other than EINTR/EAGAIN.
  ssize_t read_result(std::string& into, std::size_t max = 4096);
  /// One read from the stderr pipe into the tail, keeping only its last
  /// `limit` bytes (all when 0); closes the fd as read_result does.
  void drain_stderr(std::size_t limit);
  const std::string& stderr_tail() const noexcept { return stderr_tail_; }

  /// SIGKILL. The harness kills only a child it gave up on, so wait() then
  /// reports TimedOut whatever the status.
  void kill();

  enum class Wait { Poll, Block };
  /// Reaps the child (retrying on EINTR): nullopt while it is still running
  /// (Poll only). Closes both pipes. The outcome has the kind, exit code or
  /// signal, the stderr tail and the duration; its payload is the caller's.
  /// A failed waitpid gives HarnessError.
  std::optional<ChildOutcome> wait(Wait mode = Wait::Block);

 private:
  void close_pipes() noexcept;
  void reset() noexcept;  // kill and reap a running child, close the pipes

  pid_t pid_ = -1;
  int result_fd_ = -1;
  int stderr_fd_ = -1;
  bool killed_ = false;
  Clock::time_point started_{};
  std::string stderr_tail_;
  std::string error_;
};

}  // namespace asyncconf::harness
