// The job-side helper in jobs of the reference implementation: how a job
// waits for the device, in each notification mode.
#include "asyncconf/accel/offload.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "device_test_support.hpp"
#include "job_driver.hpp"

namespace asyncconf::accel {
namespace {

using testing::after_pauses;
using testing::config_from;
using testing::JobDriver;
using testing::open_fd_count;
using testing::reference_api;
using Status = OffloadResult::Status;

// Work items that return only once `n` of them run at the same time:
// proof that n requests were in flight at once. -1 if they never were.
class Rendezvous {
public:
  explicit Rendezvous(int n) : remaining_(n) {}
  int arrive(int value) {
    std::unique_lock lock(mutex_);
    if (--remaining_ == 0) cv_.notify_all();
    return cv_.wait_for(lock, testing::kWaitLimit, [&] { return remaining_ <= 0; }) ? value : -1;
  }

private:
  std::mutex mutex_;
  std::condition_variable cv_;
  int remaining_;
};

TEST(OffloadTest, OutsideAJobTheWorkRunsHere) {
  Device device(config_from("latency=fixed:100s"));
  const OffloadResult r = offload(reference_api(), device, [] { return 7; });
  EXPECT_EQ(r.status, Status::Ok);
  EXPECT_EQ(r.value, 7);
  EXPECT_EQ(device.counters().submitted, 0u);
}

int offload_without_ctx(void* arg) {
  auto* device = *static_cast<Device**>(arg);
  const OffloadResult r = offload(reference_api(), *device, [] { return 8; });
  return r.ok() && r.value == 8 ? 1 : 0;
}

TEST(OffloadTest, JobWithoutAWaitCtxRunsTheWorkHere) {
  const harness::AsyncApi& api = reference_api();
  Device device(config_from("latency=fixed:100s"));
  Device* arg = &device;
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  ASSERT_EQ(api.ASYNC_start_job(&job, nullptr, &ret, offload_without_ctx, &arg, sizeof arg), ASYNC_FINISH);
  EXPECT_EQ(ret, 1);
  EXPECT_EQ(device.counters().submitted, 0u);
  api.ASYNC_cleanup_thread();
}

TEST(OffloadTest, JobPausesUntilTheDeviceIsDone) {
  Device device(config_from("latency=fixed:5ms"));
  JobDriver driver(reference_api(), device);
  driver.start(driver.add_context(), after_pauses(device, 1, 42));
  EXPECT_FALSE(driver.job(0).finished);
  ASSERT_TRUE(driver.run());
  EXPECT_EQ(driver.job(0).result.status, Status::Ok);
  EXPECT_EQ(driver.job(0).result.value, 42);
  EXPECT_EQ(driver.job(0).ret, 1);
  EXPECT_GE(driver.job(0).resumes, 1);
  const DeviceCounters c = device.counters();
  EXPECT_GE(c.paused, 1u);
  EXPECT_EQ(c.completed, 1u);
  EXPECT_EQ(c.timeouts, 0u);
}

TEST(OffloadTest, SixteenJobsInFlightAtOnceEachGetTheirValue) {
  constexpr int kJobs = 16;
  Rendezvous all_in_flight(kJobs);
  Device device(config_from("workers=16;queue_depth=16;latency=uniform:0..1ms"));
  JobDriver driver(reference_api(), device);
  for (int i = 0; i < kJobs; ++i) {
    driver.start(driver.add_context(), [&all_in_flight, &device, i] {
      return all_in_flight.arrive(after_pauses(device, kJobs, i * 3)());
    });
  }
  ASSERT_TRUE(driver.run());
  for (int i = 0; i < kJobs; ++i) {
    EXPECT_EQ(driver.job(i).result.status, Status::Ok) << i;
    EXPECT_EQ(driver.job(i).result.value, i * 3) << i;
  }
  EXPECT_EQ(device.counters().completed, static_cast<std::uint64_t>(kJobs));
  EXPECT_GE(device.counters().paused, static_cast<std::uint64_t>(kJobs));
  // Each helper dropped its deadline watch when it returned: nothing of a
  // request outlives its offload (the watches would hold its control blocks).
  EXPECT_EQ(device.watches(), 0u);
}

TEST(OffloadTest, FreeingTheWaitCtxsClosesEveryDeviceFd) {
  constexpr int kJobs = 16;
  const harness::AsyncApi& api = reference_api();
  Rendezvous all_in_flight(kJobs);
  Device device(config_from("workers=16;queue_depth=16;latency=uniform:0..2ms"));
  const int fds_before = open_fd_count();
  {
    JobDriver driver(api, device);
    for (int i = 0; i < kJobs; ++i) {
      driver.start(driver.add_context(), [&all_in_flight, i] { return all_in_flight.arrive(i); });
    }
    ASSERT_TRUE(driver.run());
    for (int i = 0; i < kJobs; ++i) EXPECT_EQ(driver.job(i).result.value, i) << i;
    EXPECT_EQ(device.counters().open_fds, kJobs);
    driver.free_contexts();
    EXPECT_EQ(device.counters().open_fds, 0);
  }
  EXPECT_EQ(open_fd_count(), fds_before);
}

TEST(OffloadTest, JobsOnOneWaitCtxShareOneFd) {
  Device device(config_from("latency=fixed:1ms"));
  JobDriver driver(reference_api(), device);
  const int ctx = driver.add_context();
  for (int i = 0; i < 3; ++i) {
    driver.start(ctx, [i] { return i; });
    ASSERT_TRUE(driver.run());
    EXPECT_EQ(driver.job(i).result.value, i);
  }
  EXPECT_EQ(driver.fds_of(ctx), 1u);
  EXPECT_EQ(device.counters().open_fds, 1);
  // Each job read the fd empty: the next one saw no wake that was not its own.
  EXPECT_EQ(device.counters().spurious_resumes, 0u);
}

TEST(OffloadTest, CallbackModeWakesThroughTheWaitCtxCallback) {
  Device device(config_from("notify=callback;latency=fixed:2ms"));
  JobDriver driver(reference_api(), device, JobDriver::WakeBy::Callback);
  const int ctx = driver.add_context();
  driver.start(ctx, after_pauses(device, 1, 11));
  ASSERT_TRUE(driver.run());
  EXPECT_EQ(driver.job(0).result.value, 11);
  EXPECT_EQ(driver.job(0).status_at_pause, std::vector<int>{ASYNC_STATUS_OK});
  EXPECT_EQ(driver.fds_of(ctx), 0u);
  EXPECT_EQ(device.counters().open_fds, 0);
  EXPECT_EQ(device.counters().notifications, 1u);
}

TEST(OffloadTest, CallbackModeWithoutACallbackFallsBackToAnFd) {
  Device device(config_from("notify=callback;latency=fixed:2ms"));
  JobDriver driver(reference_api(), device, JobDriver::WakeBy::Fds);
  const int ctx = driver.add_context();
  driver.start(ctx, [] { return 12; });
  ASSERT_TRUE(driver.run());
  EXPECT_EQ(driver.job(0).result.value, 12);
  EXPECT_EQ(driver.fds_of(ctx), 1u);
}

TEST(OffloadTest, PollModeCompletesWhenTheApplicationPolls) {
  Device device(config_from("notify=poll;latency=fixed:1ms"));
  JobDriver driver(reference_api(), device);
  driver.poll_device(true);
  for (int i = 0; i < 4; ++i) driver.start(driver.add_context(), [i] { return i + 100; });
  ASSERT_TRUE(driver.run());
  for (int i = 0; i < 4; ++i) EXPECT_EQ(driver.job(i).result.value, i + 100) << i;
}

TEST(OffloadTest, PollThreadCompletesWithoutTheApplication) {
  Device device(config_from("notify=poll;poll_interval=1ms;latency=fixed:1ms"));
  JobDriver driver(reference_api(), device);
  driver.start(driver.add_context(), [] { return 13; });
  ASSERT_TRUE(driver.run());
  EXPECT_EQ(driver.job(0).result.value, 13);
}

int offload_while_blocked(void* arg) {
  auto* device = *static_cast<Device**>(arg);
  const harness::AsyncApi& api = reference_api();
  api.ASYNC_block_pause();
  const OffloadResult r = offload(api, *device, [] { return 9; });
  api.ASYNC_unblock_pause();
  return r.ok() && r.value == 9 ? 1 : 0;
}

TEST(OffloadTest, UnderBlockPauseTheJobWaitsWithoutPausing) {
  const harness::AsyncApi& api = reference_api();
  Device device(config_from("latency=fixed:2ms"));
  ASYNC_WAIT_CTX* ctx = api.ASYNC_WAIT_CTX_new();
  Device* arg = &device;
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  ASSERT_EQ(api.ASYNC_start_job(&job, ctx, &ret, offload_while_blocked, &arg, sizeof arg), ASYNC_FINISH);
  EXPECT_EQ(ret, 1);
  EXPECT_EQ(device.counters().completed, 1u);
  api.ASYNC_WAIT_CTX_free(ctx);
  api.ASYNC_cleanup_thread();
}

// The functions a provider built against OpenSSL 1.1.1 might keep: no
// callbacks, no capability flags.
struct ProviderAsyncTable {
  decltype(&::ASYNC_get_current_job) ASYNC_get_current_job;
  decltype(&::ASYNC_get_wait_ctx) ASYNC_get_wait_ctx;
  decltype(&::ASYNC_pause_job) ASYNC_pause_job;
  decltype(&::ASYNC_WAIT_CTX_set_wait_fd) ASYNC_WAIT_CTX_set_wait_fd;
  decltype(&::ASYNC_WAIT_CTX_get_fd) ASYNC_WAIT_CTX_get_fd;
};

TEST(OffloadTest, AnyTableNamingTheFunctionsWillDo) {
  const harness::AsyncApi& api = reference_api();
  const ProviderAsyncTable table{api.ASYNC_get_current_job, api.ASYNC_get_wait_ctx, api.ASYNC_pause_job,
                                 api.ASYNC_WAIT_CTX_set_wait_fd, api.ASYNC_WAIT_CTX_get_fd};
  // Callback mode with a callback set: without callback functions the table falls back to an fd.
  Device device(config_from("notify=callback;latency=fixed:1ms"));
  JobDriver driver(api, device, JobDriver::WakeBy::Callback);
  const int ctx = driver.add_context();
  driver.start_body(ctx, [&] { return offload(table, device, [] { return 14; }); });
  ASSERT_TRUE(driver.run());
  EXPECT_EQ(driver.job(0).result.value, 14);
  EXPECT_EQ(driver.fds_of(ctx), 1u);
}

}  // namespace
}  // namespace asyncconf::accel
