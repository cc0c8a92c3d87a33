#include "asyncconf/harness/child_process.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace asyncconf::harness {
namespace {

using Kind = ChildOutcome::Kind;

void write_all(int fd, const std::string& data) {
  std::size_t off = 0;
  while (off < data.size()) {
    const ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // in a child: the parent's check on the bytes fails
    off += static_cast<std::size_t>(n);
  }
}

// Reads both pipes to EOF, as a caller's poll loop would, then reaps.
ChildOutcome run_to_end(ForkedChild& c, std::string& payload, std::size_t stderr_limit = 4096) {
  while (c.result_fd() >= 0 || c.stderr_fd() >= 0) {
    pollfd fds[2] = {{c.result_fd(), POLLIN, 0}, {c.stderr_fd(), POLLIN, 0}};
    if (::poll(fds, 2, 10000) <= 0) break;  // a test that hangs here fails below
    if (fds[0].revents != 0) c.read_result(payload);
    if (fds[1].revents != 0) c.drain_stderr(stderr_limit);
  }
  return *c.wait();
}

TEST(ChildProcessTest, ExitCodeComesBack) {
  ForkedChild c;
  ASSERT_TRUE(c.start([](int) { ::_exit(3); })) << c.error();
  std::string payload;
  const ChildOutcome o = run_to_end(c, payload);
  EXPECT_EQ(o.kind, Kind::Exited);
  EXPECT_EQ(o.exit_code, 3);
  EXPECT_GE(o.duration_ms, 0);
  EXPECT_EQ(c.result_fd(), -1);  // wait closed the pipes
  EXPECT_EQ(c.stderr_fd(), -1);
}

TEST(ChildProcessTest, ReturningBodyExitsZero) {
  ForkedChild c;
  ASSERT_TRUE(c.start([](int out) { write_all(out, "done"); }));
  std::string payload;
  const ChildOutcome o = run_to_end(c, payload);
  EXPECT_EQ(o.kind, Kind::Exited);
  EXPECT_EQ(o.exit_code, 0);
  EXPECT_EQ(payload, "done");
}

TEST(ChildProcessTest, CrashIsSignaledWithTheSignal) {
  ForkedChild c;
  ASSERT_TRUE(c.start([](int) {
    std::fputs("about to crash\n", stderr);
    std::fflush(stderr);
    ::raise(SIGSEGV);
  }));
  std::string payload;
  const ChildOutcome o = run_to_end(c, payload, 1 << 20);
  EXPECT_EQ(o.kind, Kind::Signaled);
  // Under ASan (abort_on_error=1) its SEGV handler reports, then aborts.
  const bool asan_report = o.signal == SIGABRT && o.stderr_tail.find("SEGV") != std::string::npos;
  EXPECT_TRUE(o.signal == SIGSEGV || asan_report) << signal_name(o.signal);
  EXPECT_NE(o.stderr_tail.find("about to crash"), std::string::npos);
}

TEST(ChildProcessTest, ExceptionInBodyAbortsTheChild) {
  ForkedChild c;
  ASSERT_TRUE(c.start([](int) { throw std::runtime_error("escaped"); }));
  std::string payload;
  const ChildOutcome o = run_to_end(c, payload);
  EXPECT_EQ(o.kind, Kind::Signaled);
  EXPECT_EQ(o.signal, SIGABRT);
}

TEST(ChildProcessTest, HangingChildIsKilledAndTimedOut) {
  ForkedChild c;
  ASSERT_TRUE(c.start([](int) {
    for (;;) ::pause();
  }));
  EXPECT_FALSE(c.wait(ForkedChild::Wait::Poll).has_value());  // still running
  c.kill();
  const std::optional<ChildOutcome> o = c.wait(ForkedChild::Wait::Block);
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(o->kind, Kind::TimedOut);
  EXPECT_LT(o->duration_ms, 5000);
}

TEST(ChildProcessTest, PollWaitReapsOnceExited) {
  ForkedChild c;
  ASSERT_TRUE(c.start([](int) { ::_exit(7); }));
  std::string payload;
  while (c.result_fd() >= 0) c.read_result(payload);  // EOF: the child is exiting
  std::optional<ChildOutcome> o;
  for (int i = 0; i < 5000 && !o; ++i) {
    o = c.wait(ForkedChild::Wait::Poll);
    if (!o) ::usleep(1000);
  }
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(o->kind, Kind::Exited);
  EXPECT_EQ(o->exit_code, 7);
}

TEST(ChildProcessTest, StderrTailIsBoundedAndKeepsTheEnd) {
  ForkedChild c;
  ASSERT_TRUE(c.start([](int) {
    const std::string chunk(1000, 'x');
    for (int i = 0; i < 100; ++i) write_all(STDERR_FILENO, chunk);
    write_all(STDERR_FILENO, "THE END");
  }));
  std::string payload;
  const ChildOutcome o = run_to_end(c, payload, 512);
  EXPECT_EQ(o.kind, Kind::Exited);
  EXPECT_EQ(o.stderr_tail.size(), 512u);
  EXPECT_EQ(o.stderr_tail.substr(o.stderr_tail.size() - 7), "THE END");
  EXPECT_EQ(o.stderr_tail.find_first_not_of('x'), 512u - 7);
}

TEST(ChildProcessTest, ResultBytesArriveInOrder) {
  // More than a pipe holds, in uneven writes, read in small pieces.
  std::string expected(3 << 20, '\0');
  for (std::size_t i = 0; i < expected.size(); ++i) expected[i] = static_cast<char>((i * 7 + i / 251) & 0xff);
  ForkedChild c;
  ASSERT_TRUE(c.start([&](int out) {
    std::size_t off = 0;
    for (std::size_t step = 1; off < expected.size(); step = step * 3 % 10007 + 1) {
      const std::size_t n = std::min(step, expected.size() - off);
      write_all(out, expected.substr(off, n));
      off += n;
    }
  }));
  std::string payload;
  while (c.result_fd() >= 0) c.read_result(payload, 777);
  const ChildOutcome o = *c.wait();
  EXPECT_EQ(o.kind, Kind::Exited);
  ASSERT_EQ(payload.size(), expected.size());
  EXPECT_TRUE(payload == expected);
}

TEST(ChildProcessTest, StdoutGoesToDevNull) {
  ForkedChild c;
  ASSERT_TRUE(c.start([](int out) {
    char target[256] = {};
    const ssize_t n = ::readlink("/proc/self/fd/1", target, sizeof target - 1);
    write_all(out, n > 0 ? std::string(target, static_cast<std::size_t>(n)) : "?");
  }));
  std::string payload;
  run_to_end(c, payload);
  EXPECT_EQ(payload, "/dev/null");
}

TEST(ChildProcessTest, ChildClosesTheFdsItIsGiven) {
  ForkedChild sibling;
  ASSERT_TRUE(sibling.start([](int) {
    for (;;) ::pause();
  }));
  const std::vector<int> inherited{sibling.result_fd(), sibling.stderr_fd()};
  const auto states = [](const std::vector<int>& fds) {
    std::string s;
    for (const int fd : fds) s += ::fcntl(fd, F_GETFD) < 0 ? "closed " : "open ";
    return s;
  };
  ForkedChild told;
  ASSERT_TRUE(told.start([&](int out) { write_all(out, states(inherited)); }, inherited));
  ForkedChild untold;  // the control: without the list they stay open
  ASSERT_TRUE(untold.start([&](int out) { write_all(out, states(inherited)); }));
  std::string a;
  std::string b;
  run_to_end(told, a);
  run_to_end(untold, b);
  EXPECT_EQ(a, "closed closed ");
  EXPECT_EQ(b, "open open ");
  sibling.kill();
  EXPECT_EQ(sibling.wait()->kind, Kind::TimedOut);
}

TEST(ChildProcessTest, DestructorKillsAndReapsARunningChild) {
  pid_t pid = -1;
  {
    ForkedChild c;
    ASSERT_TRUE(c.start([](int) {
      for (;;) ::pause();
    }));
    pid = c.pid();
    ASSERT_GT(pid, 0);
  }
  // Reaped: no zombie left to signal.
  EXPECT_EQ(::kill(pid, 0), -1);
  EXPECT_EQ(errno, ESRCH);
}

// Runs `attempt` in a helper child under a resource limit; returns what it wrote.
std::string in_limited_helper(int resource, rlim_t limit, const std::function<std::string()>& attempt) {
  ForkedChild helper;
  if (!helper.start([&](int out) {
        const rlimit r{limit, limit};
        if (::setrlimit(resource, &r) != 0) {
          write_all(out, "setrlimit failed");
          return;
        }
        write_all(out, attempt());
      })) {
    return "helper: " + helper.error();
  }
  std::string payload;
  run_to_end(helper, payload);
  return payload;
}

TEST(ChildProcessTest, PipeFailureIsReported) {
  const std::string got = in_limited_helper(RLIMIT_NOFILE, 4, [] {
    ForkedChild c;
    const bool started = c.start([](int) {});
    const int error = errno;
    return (started ? "started " : "failed ") + c.error() + (error == EMFILE ? " EMFILE" : "");
  });
  EXPECT_EQ(got.rfind("failed pipe: ", 0), 0u) << got;
  EXPECT_NE(got.find(" EMFILE"), std::string::npos) << got;  // errno kept for the caller
}

TEST(ChildProcessTest, ForkFailureIsReported) {
  const std::string got = in_limited_helper(RLIMIT_NPROC, 0, [] {
    // RLIMIT_NPROC does not bind root: become nobody first.
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) return std::string("skip: setuid");
    ForkedChild c;
    const bool started = c.start([](int) {});
    const int error = errno;
    return (started ? "started " : "failed ") + c.error() + (error == EAGAIN ? " EAGAIN" : "");
  });
  if (got.rfind("skip", 0) == 0 || got.rfind("started", 0) == 0) GTEST_SKIP() << "no fork failure here: " << got;
  EXPECT_EQ(got.rfind("failed fork: ", 0), 0u) << got;
  EXPECT_NE(got.find(" EAGAIN"), std::string::npos) << got;
}

}  // namespace
}  // namespace asyncconf::harness
