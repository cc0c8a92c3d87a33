// The job-side helper against each fault of the device: every offload
// ends, and ends as the fault says.
#include <gtest/gtest.h>

#include <memory>

#include "asyncconf/accel/offload.hpp"
#include "device_test_support.hpp"
#include "job_driver.hpp"

namespace asyncconf::accel {
namespace {

using testing::after_pauses;
using testing::config_from;
using testing::JobDriver;
using testing::reference_api;
using Status = OffloadResult::Status;

// Runs one job offloading `return 42` on a device configured by `text`.
struct OneJob {
  /// The job's work returns 42 once the helper has paused `pauses` times.
  explicit OneJob(const std::string& text, JobDriver::WakeBy wake = JobDriver::WakeBy::Fds, std::uint64_t pauses = 0)
      : device(config_from(text)), driver(reference_api(), device, wake) {
    driver.start(driver.add_context(), after_pauses(device, pauses, 42));
  }
  const OffloadResult& result() const { return driver.job(0).result; }

  Device device;
  JobDriver driver;
};

TEST(OffloadFaultsTest, SpuriousWakesAreResumedThroughAndCounted) {
  OneJob one("latency=fixed:100ms;faults=spurious=1");
  ASSERT_TRUE(one.driver.run());
  EXPECT_EQ(one.result().status, Status::Ok);
  EXPECT_EQ(one.result().value, 42);
  EXPECT_GE(one.device.counters().spurious_resumes, 1u);
}

TEST(OffloadFaultsTest, DuplicateWakesLeaveTheNextJobOnTheCtxUnharmed) {
  Device device(config_from("latency=fixed:1ms;faults=duplicate=first:1"));
  JobDriver driver(reference_api(), device);
  const int ctx = driver.add_context();
  driver.start(ctx, [] { return 1; });
  ASSERT_TRUE(driver.run());
  driver.start(ctx, [] { return 2; });
  ASSERT_TRUE(driver.run());
  EXPECT_EQ(driver.job(0).result.value, 1);
  EXPECT_EQ(driver.job(1).result.value, 2);
  EXPECT_EQ(device.counters().notifications, 3u);
}

TEST(OffloadFaultsTest, NotifyEarlyStillCompletes) {
  OneJob one("latency=fixed:1ms;faults=notify_early=1");
  ASSERT_TRUE(one.driver.run());
  EXPECT_EQ(one.result().status, Status::Ok);
  EXPECT_EQ(one.result().value, 42);
}

TEST(OffloadFaultsTest, NotifyEarlyInCallbackModeCompletesByTheDeadline) {
  // The callback comes before the result; no second one comes. The
  // deadline's wake finds the result in.
  OneJob one("notify=callback;latency=fixed:1ms;give_up_after=100ms;faults=notify_early=1",
             JobDriver::WakeBy::Callback);
  ASSERT_TRUE(one.driver.run());
  EXPECT_EQ(one.result().status, Status::Ok);
  EXPECT_EQ(one.device.counters().timeouts, 0u);
}

TEST(OffloadFaultsTest, LateCompletionStillCompletes) {
  OneJob one("latency=fixed:1ms;late_by=20ms;faults=late=1");
  ASSERT_TRUE(one.driver.run());
  EXPECT_EQ(one.result().status, Status::Ok);
  EXPECT_EQ(one.result().value, 42);
}

TEST(OffloadFaultsTest, LostCompletionEndsAsATimeout) {
  OneJob one("latency=0;give_up_after=50ms;faults=lost=1");
  ASSERT_TRUE(one.driver.run());
  EXPECT_EQ(one.result().status, Status::Timeout);
  EXPECT_EQ(one.driver.job(0).ret, 0);
  const DeviceCounters c = one.device.counters();
  EXPECT_EQ(c.lost, 1u);
  EXPECT_EQ(c.timeouts, 1u);
}

TEST(OffloadFaultsTest, LostCompletionInCallbackModeEndsAsATimeout) {
  OneJob one("notify=callback;latency=0;give_up_after=50ms;faults=lost=1", JobDriver::WakeBy::Callback);
  ASSERT_TRUE(one.driver.run());
  EXPECT_EQ(one.result().status, Status::Timeout);
}

TEST(OffloadFaultsTest, RingFullRetriesThenCompletes) {
  OneJob one("latency=fixed:5ms;retry_limit=3;faults=ring_full=first:3");
  ASSERT_TRUE(one.driver.run());
  EXPECT_EQ(one.result().status, Status::Ok);
  EXPECT_EQ(one.result().value, 42);
  const DeviceCounters c = one.device.counters();
  EXPECT_EQ(c.retries, 3u);
  EXPECT_EQ(c.rejected, 3u);
  EXPECT_EQ(c.submitted, 1u);
  // Each retry's own wake was read back: the wait that followed saw none of them.
  EXPECT_EQ(c.spurious_resumes, 0u);
}

TEST(OffloadFaultsTest, FreeingTheWaitCtxClosesAnFdALateRequestStillHolds) {
  const int fds_before = testing::open_fd_count();
  Device device(config_from("latency=0;late_by=100s;give_up_after=20ms;faults=late=1"));
  {
    JobDriver driver(reference_api(), device);
    driver.start(driver.add_context(), [] { return 1; });
    ASSERT_TRUE(driver.run());
    EXPECT_EQ(driver.job(0).result.status, Status::Timeout);
    EXPECT_EQ(device.counters().in_flight, 1);
    driver.free_contexts();
    EXPECT_EQ(device.counters().open_fds, 0);
  }
  EXPECT_EQ(testing::open_fd_count(), fds_before);
}

TEST(OffloadFaultsTest, CallbackIsNotCalledForARequestItsJobGaveUpOn) {
  auto device = std::make_unique<Device>(
      config_from("notify=callback;latency=0;late_by=100s;give_up_after=10ms;faults=late=1"));
  JobDriver driver(reference_api(), *device, JobDriver::WakeBy::Callback);
  driver.start(driver.add_context(), [] { return 1; });
  ASSERT_TRUE(driver.run());
  EXPECT_EQ(driver.job(0).result.status, Status::Timeout);
  const int callbacks = driver.callbacks();
  device.reset();  // fails the late request visibly: publishes it and wakes its notifier
  EXPECT_EQ(driver.callbacks(), callbacks);
}

TEST(OffloadFaultsTest, RingFullGivesUpAfterTheRetryLimit) {
  OneJob one("latency=0;retry_limit=2;faults=ring_full=first:3");
  ASSERT_TRUE(one.driver.run());
  EXPECT_EQ(one.result().status, Status::RingFull);
  EXPECT_EQ(one.device.counters().retries, 2u);
  EXPECT_EQ(one.device.counters().submitted, 0u);
}

TEST(OffloadFaultsTest, RingFullWithTheFailPolicyGivesUpAtOnce) {
  OneJob one("latency=0;ring_full=fail;faults=ring_full=first:1");
  EXPECT_TRUE(one.driver.job(0).finished);
  EXPECT_EQ(one.result().status, Status::RingFull);
  EXPECT_EQ(one.device.counters().retries, 0u);
  EXPECT_EQ(one.device.counters().paused, 0u);
}

TEST(OffloadFaultsTest, FullRingIsRetriedUntilThereIsRoom) {
  Device device(config_from("queue_depth=1;latency=fixed:20ms;retry_limit=1000000"));
  JobDriver driver(reference_api(), device);
  for (int i = 0; i < 3; ++i) driver.start(driver.add_context(), [i] { return i; });
  ASSERT_TRUE(driver.run());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(driver.job(i).result.value, i) << i;
  EXPECT_GE(device.counters().retries, 1u);
}

TEST(OffloadFaultsTest, CallbackModeRingFullAsksForAResumeWithEagain) {
  OneJob one("notify=callback;latency=fixed:1ms;faults=ring_full=first:2", JobDriver::WakeBy::Callback, 3);
  ASSERT_TRUE(one.driver.run());
  EXPECT_EQ(one.result().value, 42);
  EXPECT_EQ(one.driver.job(0).status_at_pause,
            (std::vector<int>{ASYNC_STATUS_EAGAIN, ASYNC_STATUS_EAGAIN, ASYNC_STATUS_OK}));
  EXPECT_EQ(one.device.counters().retries, 2u);
}

TEST(OffloadFaultsTest, ErrorResultIsReported) {
  OneJob one("latency=fixed:1ms;faults=error=1");
  ASSERT_TRUE(one.driver.run());
  EXPECT_EQ(one.result().status, Status::DeviceError);
  EXPECT_EQ(one.driver.job(0).ret, 0);
}

TEST(OffloadFaultsTest, FdCreationFailureIsReportedAndTheNextCtxWorks) {
  Device device(config_from("latency=fixed:1ms;faults=fd_fail=first:1"));
  JobDriver driver(reference_api(), device);
  driver.start(driver.add_context(), [] { return 1; });
  driver.start(driver.add_context(), [] { return 2; });
  ASSERT_TRUE(driver.run());
  EXPECT_EQ(driver.job(0).result.status, Status::NotifierFailed);
  EXPECT_EQ(driver.job(1).result.value, 2);
  EXPECT_EQ(device.counters().submitted, 1u);
}

TEST(OffloadFaultsTest, SlowPollStillCompletes) {
  OneJob one("notify=poll;latency=fixed:1ms;faults=slow_poll=1");
  one.driver.poll_device(true);
  ASSERT_TRUE(one.driver.run());
  EXPECT_EQ(one.result().value, 42);
}

TEST(OffloadFaultsTest, SixteenJobsUnderMixedFaultsEndAsThePlanSays) {
  constexpr int kJobs = 16;
  const DeviceConfig config = config_from(
      "workers=4;queue_depth=16;latency=uniform:0..2ms;late_by=3ms;give_up_after=500ms;seed=21;"
      "faults=spurious=0.3,duplicate=0.3,late=0.3,notify_early=0.2,error=every:5,lost=every:7");
  Device device(config);
  JobDriver driver(reference_api(), device);
  // Each job submits while it starts, so job i's request has index i.
  for (int i = 0; i < kJobs; ++i) driver.start(driver.add_context(), [i] { return i; });
  ASSERT_TRUE(driver.run());
  for (int i = 0; i < kJobs; ++i) {
    SCOPED_TRACE(i);
    const OffloadResult& r = driver.job(i).result;
    if (config.faults.fires(Fault::LostCompletion, i)) {
      EXPECT_EQ(r.status, Status::Timeout);
    } else if (config.faults.fires(Fault::ErrorResult, i)) {
      EXPECT_EQ(r.status, Status::DeviceError);
    } else {
      EXPECT_EQ(r.status, Status::Ok);
      EXPECT_EQ(r.value, i);
    }
  }
  EXPECT_EQ(device.counters().lost, 2u);
}

}  // namespace
}  // namespace asyncconf::accel
