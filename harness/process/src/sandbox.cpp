#include "asyncconf/harness/sandbox.hpp"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

#include "asyncconf/harness/child_process.hpp"

namespace asyncconf::harness {

namespace {

using Clock = std::chrono::steady_clock;

struct Running {
  std::size_t index = 0;
  ForkedChild child;
  std::string payload;
};

void write_all(int fd, const std::string& data) {
  std::size_t off = 0;
  while (off < data.size()) {
    const ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    off += static_cast<std::size_t>(n);
  }
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
  std::vector<Running> running;
  std::size_t next = 0;
  std::size_t ended = 0;
  const auto stopped = [&] { return options.stop != nullptr && options.stop->load(); };

  while ((next < count && !stopped()) || !running.empty()) {
    while (running.size() < parallel && next < count && !stopped()) {
      Running r;
      r.index = next++;
      // The running children's pipes were inherited: holding them open in
      // the new child would hide their EOF.
      std::vector<int> siblings;
      for (const Running& other : running) {
        siblings.push_back(other.child.result_fd());
        siblings.push_back(other.child.stderr_fd());
      }
      const std::size_t index = r.index;
      if (!r.child.start([&](int out) { write_all(out, work(index)); }, siblings)) {
        ChildOutcome failed;
        failed.kind = ChildOutcome::Kind::HarnessError;
        failed.error = r.child.error();
        done(r.index, std::move(failed));
        ++ended;
        continue;
      }
      running.push_back(std::move(r));
    }
    if (running.empty()) break;

    // Wait for output, an EOF, or the nearest deadline.
    std::vector<pollfd> fds;
    auto wait = options.timeout;
    const auto now = Clock::now();
    bool some_closed = false;
    for (const Running& r : running) {
      const ForkedChild& c = r.child;
      if (c.result_fd() >= 0) fds.push_back({c.result_fd(), POLLIN, 0});
      if (c.stderr_fd() >= 0) fds.push_back({c.stderr_fd(), POLLIN, 0});
      if (c.result_fd() < 0 && c.stderr_fd() < 0) some_closed = true;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          c.started() + options.timeout - now);
      wait = std::min(wait, std::max(left, std::chrono::milliseconds(0)));
    }
    // A child that closed both pipes is about to exit: poll its status soon.
    if (some_closed) wait = std::min(wait, std::chrono::milliseconds(1));
    if (stopped()) wait = std::chrono::milliseconds(0);
    ::poll(fds.data(), fds.size(), static_cast<int>(wait.count()));

    for (Running& r : running) {
      for (const pollfd& p : fds) {
        if (p.revents == 0) continue;
        if (p.fd == r.child.result_fd()) r.child.read_result(r.payload);
        if (p.fd == r.child.stderr_fd()) r.child.drain_stderr(options.stderr_tail_bytes);
      }
    }

    const auto after = Clock::now();
    for (auto it = running.begin(); it != running.end();) {
      ForkedChild& c = it->child;
      // Only a child that ended by itself, or ran out of time, has an
      // outcome: one killed because the run was stopped has none.
      std::optional<ChildOutcome> outcome;
      if (c.result_fd() < 0 && c.stderr_fd() < 0) outcome = c.wait(ForkedChild::Wait::Poll);
      bool report = outcome.has_value();
      if (!outcome && (stopped() || after >= c.started() + options.timeout)) {
        report = !stopped();
        c.kill();  // wait() reports it TimedOut
        outcome = c.wait(ForkedChild::Wait::Block);
      }
      if (!outcome) {
        ++it;
        continue;
      }
      const std::size_t index = it->index;
      outcome->payload = std::move(it->payload);
      it = running.erase(it);
      if (report) {
        done(index, std::move(*outcome));
        ++ended;
      }
    }
  }
  return ended;
}

}  // namespace asyncconf::harness
