// Offload and await against real implementations: jobs paused on the
// simulated device are woken by it (select, epoll, callback, busy), the
// device's fd shows in the ctx's fd lists under its name, and freeing the
// ctx closes it. Each test runs in its own process (ctest).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <ostream>
#include <string>

#include "asyncconf/harness/interpreter.hpp"
#include "asyncconf/harness/sequence_text.hpp"
#include "asyncconf/harness/trace.hpp"
#include "../src/device_wait.hpp"
#include "loaded_impls.hpp"

namespace asyncconf::harness {
namespace {

// Several jobs paused on the device at once, each way of waiting, a job
// reused from the pool, many offloads of one job, a block and no ctx.
constexpr const char* kSequence = R"(wctx_new w0
wctx_new w1
wctx_new w2
set_fd w0 1 5
set_callback w2 on
init_thread 4 0
start j0 w0 arg=3 { offload; get_all_fds; pause; offload; get_changed_fds; return 7 }
start j1 w1 { offload; offload; offload; return 2 }
start j2 w2 { offload; get_status; offload; return 9 }
get_all_fds w0
get_changed_fds w1
await j1 epoll
await j0 select
await j2 callback
resume j0
get_all_fds w1
await j1 select
await j1 busy
await j2 busy
start j3 null { offload; return 4 }
wctx_new w3
start j4 w3 { block; offload; unblock; offload; return 5 }
get_all_fds w3
await j0 epoll
wctx_free w1
)";

std::string run(const AsyncApi& api, Level level) {
  const Sequence s = parse_sequence_or_throw(kSequence);
  ModelConfig c = model_config(api, level);
  const Plan p = plan(s, c);
  EXPECT_TRUE(p.config.device);
  const RunResult r = run_plan(api, p);
  if (r.mismatch == RunResult::npos) {
    EXPECT_EQ(r.observed.size(), p.expected.size());
    return "";
  }
  return format_trace(s, p, r);
}

TEST(Device, ReferenceAgreesWithTheModel) {
  const AsyncApi& api = testing::reference();
  for (const Level level : {Level::Must, Level::DeFacto, Level::Robustness}) {
    EXPECT_EQ(run(api, level), "") << to_string(level);
  }
}

TEST(Device, OpenSslAgreesWithTheModel) {
  const AsyncApi& api = testing::openssl();
  for (const Level level : {Level::Must, Level::DeFacto, Level::Robustness}) {
    EXPECT_EQ(run(api, level), "") << to_string(level);
  }
}

// libasyncalt (ucontext, its own fd table) chooses differently where the
// man pages allow it (it writes *ret on a pause: not OpenSSL's de-facto
// rule), so it is held to the must level.
TEST(Device, LibAsyncAltAgreesWithTheModelAtMust) {
  static LoadResult loaded = LoadedImpl::load(ASYNCCONF_TEST_ALTIMPL);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(run(loaded.impl().api(), Level::Must), "");
}

// With the device misbehaving (this test's process only): every fault fires
// on the sequence above, and the model, predicting only that each offload
// returned its result or a visible failure, agrees with both libraries.
TEST(Device, UnderFaultsEveryOffloadEndsVisibly) {
  ASSERT_EQ(set_device_faults("spurious=every:2,duplicate=every:3,late=every:4,notify_early=every:5,"
                              "error=every:6,lost=every:7",
                              1),
            "");
  for (const AsyncApi* api : {&testing::reference(), &testing::openssl()}) {
    const Sequence s = parse_sequence_or_throw(kSequence);
    ModelConfig c = model_config(*api, Level::DeFacto);
    c.device_faults = true;
    const Plan p = plan(s, c);
    const RunResult r = run_plan(*api, p);
    EXPECT_EQ(r.mismatch, RunResult::npos) << format_trace(s, p, r);
  }
  // By index, whatever the timing: the 6th request fails, the 7th is lost
  // (and times out), every 3rd is notified twice. (Whether a wake comes
  // before the result depends on how fast the driver gets to it.)
  const accel::DeviceCounters n = device_wait::plan_device().counters();
  EXPECT_GE(n.submitted, 7u);
  EXPECT_GT(n.failed, 0u);
  EXPECT_GT(n.lost, 0u);
  EXPECT_GT(n.timeouts, 0u);
  EXPECT_GT(n.notifications, n.completed + n.failed);
}

TEST(Device, FaultsTheHarnessDeviceCannotHaveAreRefused) {
  EXPECT_NE(set_device_faults("ring_full=0.1", 1).find("ring_full"), std::string::npos);
  EXPECT_NE(set_device_faults("fd_fail=first:1", 1).find("fd_fail"), std::string::npos);
  EXPECT_NE(set_device_faults("nonsense=1", 1).find("unknown fault"), std::string::npos);
  EXPECT_EQ(set_device_faults("spurious=0.5", 1), "");
  device_wait::plan_device();
  EXPECT_EQ(set_device_faults("spurious=0.5", 1), "the device is in use already");
}

// Broken variants of the reference (libasyncref-faulty): what the device's
// paths catch, and under which requirement.
struct Broken {
  const char* fault;
  const char* sequence;
  const char* requirement;
  Level level = Level::Must;
};
void PrintTo(const Broken& b, std::ostream* os) { *os << b.fault; }

class DeviceFinds : public ::testing::TestWithParam<Broken> {};

TEST_P(DeviceFinds, TheBrokenVariant) {
  const Broken& b = GetParam();
  ASSERT_EQ(setenv("ASYNCREF_FAULT", b.fault, 1), 0);
  static LoadResult loaded = LoadedImpl::load(ASYNCCONF_TEST_FAULTY);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  const Sequence s = parse_sequence_or_throw(b.sequence);
  const Plan p = plan(s, model_config(loaded.impl().api(), b.level));
  const RunResult r = run_plan(loaded.impl().api(), p);
  ASSERT_TRUE(r.violation()) << format_trace(s, p, r);
  ASSERT_NE(r.difference.requirement, nullptr);
  EXPECT_STREQ(r.difference.requirement, b.requirement) << format_trace(s, p, r);
}

INSTANTIATE_TEST_SUITE_P(
    Device, DeviceFinds,
    ::testing::Values(
        // The device's fd is never closed: the ctx's free skipped its cleanup.
        Broken{"free-skips-cleanup", "wctx_new w0\nstart j0 w0 { offload; return 1 }\nawait j0 epoll\nwctx_free w0\n",
               "LEAK-AUTO-CLEANUP-AT-THREAD-EXIT"},
        // select finds no fd to wait on: get_all_fds left out the newest, the device's.
        Broken{"get-all-fds-misses-newest", "wctx_new w0\nstart j0 w0 { offload; return 1 }\nawait j0 select\n",
               "FD-GET-ALL-RETURNS-FDS"},
        // The helper finds no wait ctx, so the job never pauses.
        Broken{"get-wait-ctx-null-in-job", "wctx_new w0\nstart j0 w0 { offload; return 1 }\nawait j0 busy\n",
               "START-PAUSE-STARTED-THEN-PAUSED"},
        // A pause under a block pauses anyway: the offload, blocked, should spin instead.
        Broken{"block-ignored", "wctx_new w0\nstart j0 w0 { block; offload; unblock; return 1 }\n",
               "BLOCK-PREVENTS-PAUSE"},
        // Changed fds are never reset: after the resume the device's fd is still "added".
        Broken{"changed-fds-not-reset",
               "wctx_new w0\nstart j0 w0 { offload; get_changed_fds; return 1 }\nawait j0 select\n",
               "CHANGED-RESET-ON-RESUME", Level::DeFacto}),
    [](const ::testing::TestParamInfo<Broken>& info) {
      std::string name = info.param.fault;
      std::replace(name.begin(), name.end(), '-', '_');
      return name;
    });

// Without the naming, the device's fd would show as its number and differ
// from the prediction: the check sees the fd lists, not only their sizes.
TEST(Device, TheDevicesFdIsNamedInTheListsOnly) {
  const AsyncApi& api = testing::reference();
  const Sequence s = parse_sequence_or_throw("wctx_new w0\nstart j0 w0 { offload; return 1 }\nget_all_fds w0\n");
  const Plan p = plan(s, model_config(api, Level::Must));
  InterpreterOptions o;
  o.check = false;
  const RunResult r = run_plan(api, p, o);
  bool seen = false;
  for (const Observation& obs : r.observed) {
    if (obs.op == OpKind::GetAllFds) {
      ASSERT_EQ(obs.list.size, 1);
      EXPECT_EQ(obs.list.fd[0], kDeviceFd);
      EXPECT_EQ(obs.extra, 1);
      seen = true;
    }
  }
  EXPECT_TRUE(seen);
}

}  // namespace
}  // namespace asyncconf::harness
