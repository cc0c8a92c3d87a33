// The benchmark's loop against the reference implementation: every request
// finishes, the numbers are coherent, nothing is left open. No timing is
// asserted.
#include "asyncconf/accel/bench.hpp"

#include <gtest/gtest.h>

#include "device_test_support.hpp"
#include "job_driver.hpp"

namespace asyncconf::accel {
namespace {

using testing::config_from;
using testing::open_fd_count;
using testing::reference_api;

BenchOptions small(const std::string& device) {
  BenchOptions o;
  o.device = config_from(device);
  o.in_flight = 4;
  o.requests = 40;
  return o;
}

void expect_coherent(const BenchRun& run, std::uint64_t requests, std::size_t in_flight) {
  EXPECT_EQ(run.error, "");
  EXPECT_EQ(run.requests, requests);
  EXPECT_EQ(run.failed, 0u);
  EXPECT_GT(run.seconds, 0);
  EXPECT_GT(run.throughput, 0);
  EXPECT_GT(run.latency.p50_us, 0);
  EXPECT_LE(run.latency.p50_us, run.latency.p90_us);
  EXPECT_LE(run.latency.p90_us, run.latency.p99_us);
  EXPECT_LE(run.latency.p99_us, run.latency.max_us);
  // The warm-up's requests too: one per slot.
  EXPECT_EQ(run.counters.completed, requests + in_flight);
  EXPECT_EQ(run.counters.submitted, requests + in_flight);
  EXPECT_EQ(run.counters.in_flight, 0);
  EXPECT_EQ(run.counters.timeouts, 0u);
  EXPECT_EQ(run.counters.open_fds, 0);
}

class BenchRunTest : public ::testing::TestWithParam<const char*> {};

TEST_P(BenchRunTest, EveryRequestCompletesAndNothingIsLeftOpen) {
  const int fds_before = open_fd_count();
  const BenchOptions o = small(std::string("workers=4;latency=fixed:50us;notify=") + GetParam());
  const BenchResult r = run_bench(reference_api(), o);
  ASSERT_TRUE(r.ok()) << r.error();
  expect_coherent(r.run, o.requests, o.in_flight);
  EXPECT_GT(r.run.cpu_seconds, 0);
  EXPECT_GE(r.cpus, 1u);
  EXPECT_GT(r.run.loop_cpu_seconds, 0);
  EXPECT_LE(r.run.loop_cpu_seconds, r.run.cpu_seconds);
  const double n = static_cast<double>(r.run.requests);
  EXPECT_NEAR(r.cpu_bound, std::min(static_cast<double>(r.cpus) * n / r.run.cpu_seconds, n / r.run.loop_cpu_seconds),
              1e-6 * r.cpu_bound);
  EXPECT_NEAR(r.latency_mean_us, 50, 1e-6);
  EXPECT_GT(r.ideal, 0);
  EXPECT_LE(r.ideal, r.cpu_bound);
  EXPECT_GT(r.pct_of_ideal, 0);
  EXPECT_EQ(open_fd_count(), fds_before);
}

INSTANTIATE_TEST_SUITE_P(Modes, BenchRunTest, ::testing::Values("fd", "callback", "poll"));

// The one slot stays taken for 500 us while the other jobs submit, so the
// ring is full for them (with no latency the worker could empty it between
// two submits on a slow machine, and nothing was retried).
TEST(BenchLoopTest, MoreJobsThanWorkersAndARingOfOne) {
  BenchOptions o = small("workers=1;queue_depth=1;latency=fixed:500us;notify=fd;retry_limit=1000000");
  o.in_flight = 8;
  const BenchResult r = run_bench(reference_api(), o);
  ASSERT_TRUE(r.ok()) << r.error();
  expect_coherent(r.run, o.requests, o.in_flight);
  EXPECT_GT(r.run.counters.retries, 0u);
}

TEST(BenchLoopTest, ARunForATimeCountsWhatFinished) {
  BenchOptions o = small("workers=2;latency=fixed:20us;notify=callback");
  o.seconds = 0.05;
  const BenchResult r = run_bench(reference_api(), o);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_GT(r.run.requests, 0u);
  EXPECT_EQ(r.run.counters.completed, r.run.requests + o.in_flight);
  EXPECT_EQ(r.run.counters.open_fds, 0);
}

TEST(BenchLoopTest, FailedRequestsAreAnError) {
  const BenchResult r = run_bench(reference_api(), small("workers=2;latency=fixed:0;faults=error=every:5"));
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error().find("did not end ok"), std::string::npos) << r.error();
  EXPECT_EQ(r.run.counters.open_fds, 0);
}

}  // namespace
}  // namespace asyncconf::accel
