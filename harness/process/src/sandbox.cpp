#include "asyncconf/harness/sandbox.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace asyncconf::harness {

namespace {

using Clock = std::chrono::steady_clock;

struct Child {
  std::size_t index = 0;
  pid_t pid = -1;
  int result_fd = -1;  // read end of the payload pipe
  int stderr_fd = -1;  // read end of the stderr pipe
  Clock::time_point started;
  ChildOutcome outcome;
};

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// Appends what is ready; closes the fd at EOF. Keeps only the last `limit`
// bytes when limit is not 0.
void drain(int& fd, std::string& into, std::size_t limit) {
  char buffer[4096];
  const ssize_t n = ::read(fd, buffer, sizeof buffer);
  if (n > 0) {
    into.append(buffer, static_cast<std::size_t>(n));
    if (limit != 0 && into.size() > limit) into.erase(0, into.size() - limit);
  } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
    close_fd(fd);
  }
}

void write_all(int fd, const std::string& data) {
  std::size_t off = 0;
  while (off < data.size()) {
    const ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    off += static_cast<std::size_t>(n);
  }
}

[[noreturn]] void run_child(const Child& self, int result_w, int stderr_w,
                            const std::vector<Child>& siblings,
                            const std::function<std::string(std::size_t)>& work) {
  // The siblings' pipes were inherited: holding them open would hide their EOF.
  for (const Child& other : siblings) {
    if (other.result_fd >= 0) ::close(other.result_fd);
    if (other.stderr_fd >= 0) ::close(other.stderr_fd);
  }
  ::close(self.result_fd);
  ::close(self.stderr_fd);
  const int devnull = ::open("/dev/null", O_WRONLY);
  if (devnull >= 0) ::dup2(devnull, STDOUT_FILENO);
  ::dup2(stderr_w, STDERR_FILENO);
  if (devnull >= 0) ::close(devnull);
  ::close(stderr_w);
  ::signal(SIGPIPE, SIG_DFL);
  ::signal(SIGINT, SIG_DFL);
  ::signal(SIGTERM, SIG_DFL);

  write_all(result_w, work(self.index));
  ::close(result_w);
  // _exit: the work is done; atexit handlers of the implementation under
  // test are not part of what a case checks.
  ::_exit(0);
}

bool start_child(Child& child, const std::vector<Child>& running,
                 const std::function<std::string(std::size_t)>& work) {
  int result_pipe[2];
  int stderr_pipe[2];
  if (::pipe2(result_pipe, O_CLOEXEC) != 0) {
    child.outcome.error = std::string("pipe: ") + std::strerror(errno);
    return false;
  }
  if (::pipe2(stderr_pipe, O_CLOEXEC) != 0) {
    child.outcome.error = std::string("pipe: ") + std::strerror(errno);
    ::close(result_pipe[0]);
    ::close(result_pipe[1]);
    return false;
  }
  child.result_fd = result_pipe[0];
  child.stderr_fd = stderr_pipe[0];
  child.started = Clock::now();
  child.pid = ::fork();
  if (child.pid == 0) run_child(child, result_pipe[1], stderr_pipe[1], running, work);
  ::close(result_pipe[1]);
  ::close(stderr_pipe[1]);
  if (child.pid < 0) {
    child.outcome.error = std::string("fork: ") + std::strerror(errno);
    close_fd(child.result_fd);
    close_fd(child.stderr_fd);
    return false;
  }
  return true;
}

// Reaps the child if it has exited; true when it has.
bool try_reap(Child& child, bool block) {
  int status = 0;
  pid_t r;
  do {
    r = ::waitpid(child.pid, &status, block ? 0 : WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r != child.pid) return false;
  if (child.outcome.kind != ChildOutcome::Kind::TimedOut) {
    if (WIFSIGNALED(status)) {
      child.outcome.kind = ChildOutcome::Kind::Signaled;
      child.outcome.signal = WTERMSIG(status);
    } else {
      child.outcome.kind = ChildOutcome::Kind::Exited;
      child.outcome.exit_code = WEXITSTATUS(status);
    }
  }
  child.outcome.duration_ms =
      std::chrono::duration<double, std::milli>(Clock::now() - child.started).count();
  return true;
}

}  // namespace

std::string signal_name(int signal) {
  if (const char* abbrev = ::sigabbrev_np(signal)) return std::string("SIG") + abbrev;
  return "signal " + std::to_string(signal);
}

std::size_t run_in_children(std::size_t count, const std::function<std::string(std::size_t)>& work,
                            const std::function<void(std::size_t, ChildOutcome)>& done,
                            const SandboxOptions& options) {
  const std::size_t parallel = std::max<std::size_t>(1, options.parallel);
  std::vector<Child> running;
  std::size_t next = 0;
  std::size_t ended = 0;
  const auto stopped = [&] { return options.stop != nullptr && options.stop->load(); };

  while ((next < count && !stopped()) || !running.empty()) {
    while (running.size() < parallel && next < count && !stopped()) {
      Child child;
      child.index = next++;
      if (!start_child(child, running, work)) {
        child.outcome.kind = ChildOutcome::Kind::HarnessError;
        done(child.index, std::move(child.outcome));
        ++ended;
        continue;
      }
      running.push_back(std::move(child));
    }
    if (running.empty()) break;

    // Wait for output, an EOF, or the nearest deadline.
    std::vector<pollfd> fds;
    auto wait = options.timeout;
    const auto now = Clock::now();
    bool some_closed = false;
    for (const Child& c : running) {
      if (c.result_fd >= 0) fds.push_back({c.result_fd, POLLIN, 0});
      if (c.stderr_fd >= 0) fds.push_back({c.stderr_fd, POLLIN, 0});
      if (c.result_fd < 0 && c.stderr_fd < 0) some_closed = true;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          c.started + options.timeout - now);
      wait = std::min(wait, std::max(left, std::chrono::milliseconds(0)));
    }
    // A child that closed both pipes is about to exit: poll its status soon.
    if (some_closed) wait = std::min(wait, std::chrono::milliseconds(1));
    if (stopped()) wait = std::chrono::milliseconds(0);
    ::poll(fds.data(), fds.size(), static_cast<int>(wait.count()));

    for (Child& c : running) {
      for (const pollfd& p : fds) {
        if (p.revents == 0) continue;
        if (p.fd == c.result_fd) drain(c.result_fd, c.outcome.payload, 0);
        if (p.fd == c.stderr_fd) drain(c.stderr_fd, c.outcome.stderr_tail, options.stderr_tail_bytes);
      }
    }

    const auto after = Clock::now();
    for (auto it = running.begin(); it != running.end();) {
      Child& c = *it;
      // Only a child that ended by itself, or ran out of time, has an
      // outcome: one killed because the run was stopped has none.
      bool finished = c.result_fd < 0 && c.stderr_fd < 0 && try_reap(c, /*block=*/false);
      bool report = finished;
      if (!finished && (stopped() || after >= c.started + options.timeout)) {
        report = !stopped();
        if (report) c.outcome.kind = ChildOutcome::Kind::TimedOut;
        ::kill(c.pid, SIGKILL);
        finished = try_reap(c, /*block=*/true);
      }
      if (!finished) {
        ++it;
        continue;
      }
      close_fd(c.result_fd);
      close_fd(c.stderr_fd);
      const std::size_t index = c.index;
      ChildOutcome outcome = std::move(c.outcome);
      it = running.erase(it);
      if (report) {
        done(index, std::move(outcome));
        ++ended;
      }
    }
  }
  return ended;
}

}  // namespace asyncconf::harness
