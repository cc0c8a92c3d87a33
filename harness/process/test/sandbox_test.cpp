#include "asyncconf/harness/sandbox.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

namespace asyncconf::harness {
namespace {

using Kind = ChildOutcome::Kind;

std::map<std::size_t, ChildOutcome> run(std::size_t count,
                                        const std::function<std::string(std::size_t)>& work,
                                        SandboxOptions options = {}) {
  std::map<std::size_t, ChildOutcome> outcomes;
  run_in_children(count, work, [&](std::size_t i, ChildOutcome o) { outcomes[i] = std::move(o); },
                  options);
  return outcomes;
}

TEST(SandboxTest, PayloadComesBackFromEachChild) {
  const auto outcomes = run(5, [](std::size_t i) { return "child " + std::to_string(i); });
  ASSERT_EQ(outcomes.size(), 5u);
  for (const auto& [i, o] : outcomes) {
    EXPECT_EQ(o.kind, Kind::Exited);
    EXPECT_EQ(o.exit_code, 0);
    EXPECT_EQ(o.payload, "child " + std::to_string(i));
  }
}

TEST(SandboxTest, ChildRunsInAnotherProcess) {
  const pid_t parent = ::getpid();
  const auto outcomes = run(1, [](std::size_t) { return std::to_string(::getpid()); });
  EXPECT_NE(outcomes.at(0).payload, std::to_string(parent));
}

TEST(SandboxTest, CrashBecomesSignalOutcomeWithStderr) {
  SandboxOptions options;
  options.stderr_tail_bytes = 1 << 20;  // room for a sanitizer's report after our line
  const auto outcomes = run(1, [](std::size_t) -> std::string {
    std::fputs("about to crash\n", stderr);
    std::fflush(stderr);
    ::raise(SIGSEGV);
    return "unreachable";
  }, options);
  const ChildOutcome& o = outcomes.at(0);
  EXPECT_EQ(o.kind, Kind::Signaled);
  // Under ASan (abort_on_error=1) its SEGV handler reports, then aborts.
  const bool asan_report = o.signal == SIGABRT && o.stderr_tail.find("SEGV") != std::string::npos;
  EXPECT_TRUE(o.signal == SIGSEGV || asan_report) << signal_name(o.signal) << "\n" << o.stderr_tail;
  EXPECT_EQ(signal_name(SIGSEGV), "SIGSEGV");
  EXPECT_NE(o.stderr_tail.find("about to crash"), std::string::npos);
  EXPECT_EQ(o.payload, "");
}

TEST(SandboxTest, AbortIsSigabrt) {
  const auto outcomes = run(1, [](std::size_t) -> std::string { std::abort(); });
  EXPECT_EQ(outcomes.at(0).kind, Kind::Signaled);
  EXPECT_EQ(signal_name(outcomes.at(0).signal), "SIGABRT");
}

TEST(SandboxTest, HangIsKilledAtTheTimeLimit) {
  SandboxOptions options;
  options.timeout = std::chrono::milliseconds(200);
  const auto outcomes = run(
      1,
      [](std::size_t) -> std::string {
        for (;;) ::pause();
      },
      options);
  EXPECT_EQ(outcomes.at(0).kind, Kind::TimedOut);
  EXPECT_GE(outcomes.at(0).duration_ms, 200.0);
  EXPECT_LT(outcomes.at(0).duration_ms, 5000.0);
}

TEST(SandboxTest, HangThatClosedItsPipesIsStillKilled) {
  SandboxOptions options;
  options.timeout = std::chrono::milliseconds(200);
  const auto outcomes = run(
      1,
      [](std::size_t) -> std::string {
        ::close(STDERR_FILENO);
        for (int fd = 3; fd < 64; ++fd) ::close(fd);
        for (;;) ::pause();
      },
      options);
  EXPECT_EQ(outcomes.at(0).kind, Kind::TimedOut);
}

TEST(SandboxTest, ExitCodeIsReported) {
  const auto outcomes = run(1, [](std::size_t) -> std::string { ::_exit(7); });
  EXPECT_EQ(outcomes.at(0).kind, Kind::Exited);
  EXPECT_EQ(outcomes.at(0).exit_code, 7);
}

TEST(SandboxTest, RunsChildrenInParallelUpToTheLimit) {
  // Each child leaves a marker file while it runs and reports how many
  // markers it saw: never more than the limit, and more than one at a time.
  char dir_template[] = "/tmp/asyncconf-sandbox-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  const std::filesystem::path dir = dir_template;
  SandboxOptions options;
  options.parallel = 3;
  const auto outcomes = run(
      9,
      [&](std::size_t i) {
        const auto marker = dir / std::to_string(i);
        std::FILE* f = std::fopen(marker.c_str(), "w");
        if (f != nullptr) std::fclose(f);
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        const auto seen = std::distance(std::filesystem::directory_iterator(dir),
                                        std::filesystem::directory_iterator());
        std::filesystem::remove(marker);
        return std::to_string(seen);
      },
      options);
  std::filesystem::remove_all(dir);
  ASSERT_EQ(outcomes.size(), 9u);
  long most = 0;
  for (const auto& [i, o] : outcomes) most = std::max(most, std::stol(o.payload));
  EXPECT_LE(most, 3);
  EXPECT_GE(most, 2);
}

TEST(SandboxTest, StopFlagStartsNoMoreChildren) {
  std::atomic<bool> stop{true};
  SandboxOptions options;
  options.stop = &stop;
  const auto outcomes = run(4, [](std::size_t) { return std::string("ran"); }, options);
  EXPECT_TRUE(outcomes.empty());
}

TEST(SandboxTest, LargePayloadArrivesWhole) {
  const std::string big(1 << 20, 'x');
  const auto outcomes = run(1, [&](std::size_t) { return big; });
  EXPECT_EQ(outcomes.at(0).payload.size(), big.size());
}

TEST(SandboxTest, StderrTailKeepsTheEnd) {
  SandboxOptions options;
  options.stderr_tail_bytes = 16;
  const auto outcomes = run(
      1,
      [](std::size_t) {
        for (int i = 0; i < 1000; ++i) std::fputs("noise ", stderr);
        std::fputs("THE-END", stderr);
        std::fflush(stderr);
        return std::string();
      },
      options);
  const std::string& tail = outcomes.at(0).stderr_tail;
  EXPECT_LE(tail.size(), 16u);
  EXPECT_NE(tail.find("THE-END"), std::string::npos);
}

}  // namespace
}  // namespace asyncconf::harness
