#include "asyncconf/accel/device.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <vector>
#include <thread>
#include <latch>
#include <memory>
#include <optional>
#include <stdexcept>

#include "device_test_support.hpp"

namespace asyncconf::accel {
namespace {

using testing::config_from;
using testing::eventually;
using testing::WakeLog;

TEST(DeviceTest, CompletionCarriesTheWorkResult) {
  WakeLog log;
  Device device(config_from("latency=fixed:1ms"));
  const Device::Submission s = log.submit(device, [] { return 42; });
  ASSERT_TRUE(s.accepted());
  ASSERT_TRUE(log.wait_for(1));
  ASSERT_TRUE(s.completion->done());
  EXPECT_EQ(s.completion->status(), CompletionStatus::Ok);
  EXPECT_EQ(s.completion->value(), 42);
  EXPECT_EQ(device.counters().completed, 1u);
}

// With no workers nothing is served until the owner serves the queue on
// its own thread: in order, with the work run there, published, notified.
TEST(DeviceTest, ServeQueuedServesOnTheCallingThreadInOrder) {
  DeviceConfig config;
  config.workers = 0;
  config.latency = LatencyModel::fixed(std::chrono::microseconds(0));
  config.faults.rule(Fault::ErrorResult).every_nth = 2;
  Device device(config);
  WakeLog logs[3];
  std::vector<std::thread::id> ran_on;
  std::vector<Device::Submission> s;
  for (int i = 0; i < 3; ++i) {
    s.push_back(logs[i].submit(device, [&ran_on, i] {
      ran_on.push_back(std::this_thread::get_id());
      return 10 + i;
    }));
    ASSERT_TRUE(s.back().accepted());
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  for (const auto& sub : s) EXPECT_FALSE(sub.completion->done()) << "served with no worker";
  EXPECT_EQ(device.serve_queued(), 3u);
  EXPECT_EQ(ran_on, std::vector<std::thread::id>(3, std::this_thread::get_id()));
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(s[i].completion->done()) << i;
    EXPECT_EQ(logs[i].done_at_wake(), std::vector<bool>{true}) << i;
  }
  EXPECT_EQ(s[0].completion->value(), 10);
  EXPECT_EQ(s[1].completion->status(), CompletionStatus::DeviceError);  // the second: error every 2nd
  EXPECT_EQ(s[2].completion->value(), 12);
  EXPECT_EQ(device.serve_queued(), 0u);
  const DeviceCounters n = device.counters();
  EXPECT_EQ(n.completed, 2u);
  EXPECT_EQ(n.failed, 1u);
  EXPECT_EQ(n.in_flight, 0u);
}

TEST(DeviceTest, ResultIsPublishedBeforeTheNotification) {
  constexpr int kRequests = 32;
  WakeLog logs[kRequests];
  Device device(config_from("workers=4;latency=uniform:0..200us;queue_depth=32"));
  for (int i = 0; i < kRequests; ++i) ASSERT_TRUE(logs[i].submit(device, [i] { return i; }).accepted());
  for (int i = 0; i < kRequests; ++i) {
    ASSERT_TRUE(logs[i].wait_for(1));
    EXPECT_EQ(logs[i].done_at_wake(), std::vector<bool>{true}) << "request " << i;
  }
}

TEST(DeviceTest, RingIsFullAtQueueDepth) {
  Device device(config_from("queue_depth=3;latency=fixed:100s"));
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(device.submit([] { return 1; }, nullptr).accepted()) << i;
  const Device::Submission full = device.submit([] { return 1; }, nullptr);
  EXPECT_EQ(full.status, Device::SubmitStatus::RingFull);
  EXPECT_EQ(full.completion, nullptr);
  EXPECT_EQ(full.index, 3u);
  EXPECT_EQ(device.counters().rejected, 1u);
  EXPECT_EQ(device.counters().in_flight, 3);
}

TEST(DeviceTest, DeliveredRequestFreesItsSlot) {
  WakeLog first;
  Device device(config_from("queue_depth=1;latency=0"));
  ASSERT_TRUE(first.submit(device, [] { return 1; }).accepted());
  ASSERT_TRUE(first.wait_for(1));
  EXPECT_TRUE(eventually([&] { return device.submit([] { return 2; }, nullptr).accepted(); }));
}

TEST(DeviceTest, BlockPolicyWaitsForRoom) {
  Device device(config_from("queue_depth=1;ring_full=block;latency=fixed:20ms"));
  const Device::Submission first = device.submit([] { return 1; }, nullptr);
  ASSERT_TRUE(first.accepted());
  // Returns only once the first request left the ring.
  const Device::Submission second = device.submit([] { return 2; }, nullptr);
  EXPECT_TRUE(second.accepted());
  EXPECT_TRUE(first.completion->done());
  EXPECT_EQ(device.counters().rejected, 0u);
}

TEST(DeviceTest, WorkThatThrowsIsADeviceError) {
  WakeLog log;
  Device device(config_from("latency=0"));
  const Device::Submission s = log.submit(device, []() -> int { throw std::runtime_error("no"); });
  ASSERT_TRUE(log.wait_for(1));
  EXPECT_EQ(s.completion->status(), CompletionStatus::DeviceError);
  EXPECT_EQ(device.counters().failed, 1u);
}

TEST(DeviceTest, DestructorFailsPendingRequestsVisibly) {
  WakeLog logs[3];
  std::shared_ptr<const Completion> completions[3];
  {
    // The spurious wake says when the worker has taken request 0: one in
    // its latency wait, two still queued when the device goes.
    Device device(config_from("queue_depth=4;latency=fixed:100s;faults=spurious=first:1"));
    for (int i = 0; i < 3; ++i) completions[i] = logs[i].submit(device, [] { return 1; }).completion;
    ASSERT_TRUE(logs[0].wait_for(1));
  }
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(completions[i]->done()) << i;
    EXPECT_EQ(completions[i]->status(), CompletionStatus::Cancelled) << i;
  }
  EXPECT_EQ(logs[0].done_at_wake(), (std::vector<bool>{false, true}));
  EXPECT_EQ(logs[1].done_at_wake(), std::vector<bool>{true});
  EXPECT_EQ(logs[2].done_at_wake(), std::vector<bool>{true});
}

TEST(DeviceTest, CountersAddUpWhileRequestsAreInFlight) {
  Device device(config_from("queue_depth=8;workers=2;latency=fixed:100s"));
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(device.submit([] { return 1; }, nullptr).accepted());
  const DeviceCounters c = device.counters();
  EXPECT_EQ(c.submitted, 5u);
  EXPECT_EQ(c.in_flight, 5);
  EXPECT_EQ(c.submitted, c.completed + c.failed + c.lost + static_cast<std::uint64_t>(c.in_flight));
}

TEST(DeviceTest, CountersAddUpAtQuiescence) {
  constexpr std::uint64_t kRequests = 200;
  const DeviceConfig config =
      config_from("queue_depth=256;workers=3;latency=uniform:0..100us;faults=lost=0.2,error=0.2;seed=3");
  std::uint64_t lost = 0;
  std::uint64_t errors = 0;
  for (std::uint64_t i = 0; i < kRequests; ++i) {
    const bool is_lost = config.faults.fires(Fault::LostCompletion, i);
    lost += is_lost;
    errors += !is_lost && config.faults.fires(Fault::ErrorResult, i);
  }
  std::atomic<std::uint64_t> wakes{0};
  const auto count_wake = [](void* arg) {
    static_cast<std::atomic<std::uint64_t>*>(arg)->fetch_add(1);
    return 1;
  };
  Device device(config);
  for (std::uint64_t i = 0; i < kRequests; ++i) {
    ASSERT_TRUE(device.submit([] { return 1; }, Notifier::for_callback(count_wake, &wakes)).accepted());
  }
  // Quiet: every wake sent (each is counted before it is sent), every lost one dropped.
  ASSERT_TRUE(eventually([&] { return wakes == kRequests - lost && device.counters().in_flight == 0; }));
  const DeviceCounters c = device.counters();
  EXPECT_EQ(c.submitted, kRequests);
  EXPECT_EQ(c.lost, lost);
  EXPECT_EQ(c.failed, errors);
  EXPECT_EQ(c.completed, kRequests - lost - errors);
  EXPECT_EQ(c.submitted, c.completed + c.failed + c.lost);
  EXPECT_EQ(c.notifications, c.completed + c.failed);
}

TEST(DeviceTest, PollModePublishesOnlyWhenPolled) {
  Device device(config_from("notify=poll;latency=0"));
  const Device::Submission first = device.submit([] { return 1; }, nullptr);
  ASSERT_TRUE(first.accepted());
  // One worker serves in order: when the second request's work runs, the
  // first has been served and waits in the completion queue.
  std::atomic<bool> first_done_when_second_ran{true};
  std::latch second_ran(1);
  const Device::Submission second = device.submit(
      [&] {
        first_done_when_second_ran = first.completion->done();
        second_ran.count_down();
        return 2;
      },
      nullptr);
  second_ran.wait();  // nobody polled yet
  std::size_t delivered = 0;
  ASSERT_TRUE(eventually([&] { return (delivered += device.poll()) == 2; }));
  EXPECT_FALSE(first_done_when_second_ran);
  EXPECT_TRUE(first.completion->done());
  EXPECT_EQ(second.completion->value(), 2);
}

TEST(DeviceTest, PollThreadDeliversWithoutTheApplication) {
  WakeLog log;
  Device device(config_from("notify=poll;poll_interval=1ms;latency=0"));
  const Device::Submission s = log.submit(device, [] { return 5; });
  ASSERT_TRUE(log.wait_for(1));
  EXPECT_EQ(s.completion->value(), 5);
  EXPECT_EQ(log.done_at_wake(), std::vector<bool>{true});
}

TEST(DeviceTest, PollOutsidePollModeDeliversNothing) {
  WakeLog log;
  Device device(config_from("latency=0"));
  log.submit(device, [] { return 1; });
  ASSERT_TRUE(log.wait_for(1));
  EXPECT_EQ(device.poll(), 0u);
}

TEST(DeviceTest, OpenFdsCountsTheDevicesLiveFds) {
  Device device(config_from(""));
  std::shared_ptr<Notifier> a = device.open_fd_notifier();
  std::shared_ptr<Notifier> b = device.open_fd_notifier();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(device.counters().open_fds, 2);
  a->detach();
  EXPECT_EQ(device.counters().open_fds, 1);
  b.reset();
  EXPECT_EQ(device.counters().open_fds, 0);
}

TEST(DeviceTest, WatchdogWakesAWaiterStillHoldingItsCompletion) {
  Device device(config_from("latency=0;faults=lost=1"));
  const Device::Submission s = device.submit([] { return 1; }, nullptr);
  ASSERT_TRUE(s.accepted());
  const std::shared_ptr<Notifier> notifier = device.open_fd_notifier();
  ASSERT_NE(notifier, nullptr);
  device.wake_at(std::chrono::steady_clock::now() + std::chrono::milliseconds(5), notifier, s.completion);
  ASSERT_TRUE(eventually([&] { return notifier->drain() == 1; }));
  EXPECT_FALSE(s.completion->done());
}

TEST(DeviceTest, WatchdogSkipsAWaiterThatLetGo) {
  Device device(config_from("latency=0"));
  const std::shared_ptr<Notifier> gone = device.open_fd_notifier();
  const std::shared_ptr<Notifier> held = device.open_fd_notifier();
  ASSERT_NE(gone, nullptr);
  ASSERT_NE(held, nullptr);
  const auto now = std::chrono::steady_clock::now();
  {
    const auto released = std::make_shared<const Completion>(0);
    device.wake_at(now + std::chrono::milliseconds(1), gone, released);
  }
  const auto kept = std::make_shared<const Completion>(1);
  device.wake_at(now + std::chrono::milliseconds(2), held, kept);
  // Watches fire in deadline order: once the later one has, the earlier one was settled.
  ASSERT_TRUE(eventually([&] { return held->drain() == 1; }));
  EXPECT_EQ(gone->drain(), 0u);
}

}  // namespace
}  // namespace asyncconf::accel
