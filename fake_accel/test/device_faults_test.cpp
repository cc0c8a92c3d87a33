// Each fault of the device, on exactly the requests its schedule names.
#include <gtest/gtest.h>

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <latch>
#include <vector>

#include "asyncconf/accel/device.hpp"
#include "device_test_support.hpp"

namespace asyncconf::accel {
namespace {

using testing::config_from;
using testing::eventually;
using testing::WakeLog;

// Submits n requests (work returning its index) and waits until each is
// published; returns their statuses.
std::vector<CompletionStatus> statuses_of(Device& device, int n) {
  std::vector<std::shared_ptr<const Completion>> completions;
  for (int i = 0; i < n; ++i) {
    Device::Submission s = device.submit([i] { return i; }, nullptr);
    EXPECT_TRUE(s.accepted()) << i;
    if (s.accepted()) completions.push_back(s.completion);
  }
  std::vector<CompletionStatus> out;
  for (const auto& c : completions) {
    EXPECT_TRUE(eventually([&] { return c->done(); })) << c->index();
    out.push_back(c->status());
  }
  return out;
}

TEST(DeviceFaultsTest, RingFullFaultRejectsExactlyTheFirstK) {
  Device device(config_from("latency=0;faults=ring_full=first:3"));
  for (std::uint64_t i = 0; i < 6; ++i) {
    const Device::Submission s = device.submit([] { return 1; }, nullptr);
    EXPECT_EQ(s.index, i);
    EXPECT_EQ(s.accepted(), i >= 3) << i;
  }
  EXPECT_EQ(device.counters().rejected, 3u);
  EXPECT_EQ(device.counters().submitted, 3u);
}

TEST(DeviceFaultsTest, EveryNthErrorHitsExactlyThoseRequests) {
  std::atomic<int> runs{0};
  Device device(config_from("latency=0;queue_depth=16;faults=error=every:3"));
  std::vector<std::shared_ptr<const Completion>> completions;
  for (int i = 0; i < 9; ++i) {
    completions.push_back(device.submit([&runs] { return ++runs; }, nullptr).completion);
  }
  for (int i = 0; i < 9; ++i) {
    ASSERT_TRUE(eventually([&] { return completions[i]->done(); }));
    const bool hit = i == 2 || i == 5 || i == 8;
    EXPECT_EQ(completions[i]->status(), hit ? CompletionStatus::DeviceError : CompletionStatus::Ok) << i;
  }
  EXPECT_EQ(runs.load(), 9);  // a failed request's work ran all the same
  for (int i = 0; i < 9; ++i) {
    if (completions[i]->status() != CompletionStatus::Ok) {
      EXPECT_EQ(completions[i]->value(), 0) << i;
    }
  }
}

TEST(DeviceFaultsTest, FirstKErrorHitsExactlyTheFirstK) {
  Device device(config_from("latency=0;faults=error=first:2"));
  EXPECT_EQ(statuses_of(device, 4),
            (std::vector<CompletionStatus>{CompletionStatus::DeviceError, CompletionStatus::DeviceError,
                                           CompletionStatus::Ok, CompletionStatus::Ok}));
}

TEST(DeviceFaultsTest, SameSeedGivesTheSameFaults) {
  const char* text = "latency=0;queue_depth=64;workers=3;faults=error=0.5;seed=";
  std::vector<CompletionStatus> runs[3];
  for (int i = 0; i < 3; ++i) {
    Device device(config_from(std::string(text) + (i < 2 ? "5" : "6")));
    runs[i] = statuses_of(device, 64);
  }
  EXPECT_EQ(runs[0], runs[1]);
  EXPECT_NE(runs[0], runs[2]);
}

TEST(DeviceFaultsTest, LostCompletionIsCountedAndNeverNotified) {
  WakeLog lost_log;
  WakeLog next_log;
  Device device(config_from("latency=0;faults=lost=first:1"));
  const Device::Submission lost = lost_log.submit(device, [] { return 1; });
  const Device::Submission next = next_log.submit(device, [] { return 2; });
  // One worker, in order: once the next one is delivered, the lost one was dropped.
  ASSERT_TRUE(next_log.wait_for(1));
  EXPECT_FALSE(lost.completion->done());
  EXPECT_EQ(lost_log.count(), 0u);
  const DeviceCounters c = device.counters();
  EXPECT_EQ(c.lost, 1u);
  EXPECT_EQ(c.in_flight, 0);
  EXPECT_EQ(c.notifications, 1u);
}

TEST(DeviceFaultsTest, LateCompletionAfterDetachWritesToNoFd) {
  WakeLog next_log;
  Device device(config_from("latency=0;late_by=50ms;faults=late=first:1"));
  std::shared_ptr<Notifier> notifier = device.open_fd_notifier();
  ASSERT_NE(notifier, nullptr);
  const int old_fd = notifier->fd();
  const Device::Submission late = device.submit([] { return 1; }, notifier);
  notifier->detach();  // the application freed its WAIT_CTX
  notifier.reset();
  // The application's next fds: the lowest numbers, the detached one's among them.
  std::vector<int> fresh;
  for (int i = 0; i < 8; ++i) fresh.push_back(eventfd(0, EFD_NONBLOCK));
  EXPECT_NE(std::find(fresh.begin(), fresh.end(), old_fd), fresh.end());
  next_log.submit(device, [] { return 2; });
  ASSERT_TRUE(next_log.wait_for(1));  // in order: the late one landed first
  EXPECT_TRUE(late.completion->done());
  for (int fd : fresh) {
    pollfd p{fd, POLLIN, 0};
    EXPECT_EQ(poll(&p, 1, 0), 0) << "fd " << fd << " was written";
    close(fd);
  }
  EXPECT_EQ(device.counters().open_fds, 0);
}

TEST(DeviceFaultsTest, LateCompletionLandsAfterALaterRequest) {
  WakeLog late_log;
  WakeLog next_log;
  Device device(config_from("workers=2;latency=0;late_by=100s;faults=late=first:1"));
  const Device::Submission late = late_log.submit(device, [] { return 1; });
  next_log.submit(device, [] { return 2; });
  ASSERT_TRUE(next_log.wait_for(1));
  EXPECT_FALSE(late.completion->done());
}

TEST(DeviceFaultsTest, DuplicateNotifiesTwiceAfterPublishing) {
  WakeLog log;
  Device device(config_from("latency=0;faults=duplicate=first:1"));
  log.submit(device, [] { return 1; });
  ASSERT_TRUE(log.wait_for(2));
  EXPECT_EQ(log.done_at_wake(), (std::vector<bool>{true, true}));
  EXPECT_EQ(device.counters().notifications, 2u);
}

TEST(DeviceFaultsTest, SpuriousWakeComesBeforeThePublish) {
  WakeLog log;
  Device device(config_from("latency=fixed:5ms;faults=spurious=first:1"));
  log.submit(device, [] { return 1; });
  ASSERT_TRUE(log.wait_for(2));
  EXPECT_EQ(log.done_at_wake(), (std::vector<bool>{false, true}));
}

TEST(DeviceFaultsTest, NotifyEarlyWakesBeforeThePublishAndNotAfter) {
  WakeLog early_log;
  WakeLog next_log;
  Device device(config_from("latency=0;faults=notify_early=first:1"));
  const Device::Submission early = early_log.submit(device, [] { return 1; });
  next_log.submit(device, [] { return 2; });
  ASSERT_TRUE(next_log.wait_for(1));  // in order: the early one is published by now
  EXPECT_TRUE(early.completion->done());
  EXPECT_EQ(early_log.done_at_wake(), std::vector<bool>{false});
}

TEST(DeviceFaultsTest, SlowPollIsDeliveredByTheSecondPoll) {
  Device device(config_from("notify=poll;latency=0;faults=slow_poll=first:1"));
  std::latch third_running(1);
  std::latch release_third(1);
  const Device::Submission slow = device.submit([] { return 1; }, nullptr);
  const Device::Submission normal = device.submit([] { return 2; }, nullptr);
  const Device::Submission third = device.submit(
      [&] {
        third_running.count_down();
        release_third.wait();
        return 3;
      },
      nullptr);
  third_running.wait();  // one worker, in order: the first two wait in the completion queue
  EXPECT_EQ(device.poll(), 1u);
  EXPECT_FALSE(slow.completion->done());
  EXPECT_TRUE(normal.completion->done());
  EXPECT_EQ(device.poll(), 1u);
  EXPECT_TRUE(slow.completion->done());
  release_third.count_down();
  EXPECT_TRUE(eventually([&] { return device.poll() == 1; }));
  EXPECT_TRUE(third.completion->done());
}

TEST(DeviceFaultsTest, FdFailRefusesExactlyThoseFdCreations) {
  Device device(config_from("faults=fd_fail=every:2"));
  for (int i = 0; i < 4; ++i) {
    errno = 0;
    const std::shared_ptr<Notifier> n = device.open_fd_notifier();
    EXPECT_EQ(n == nullptr, i % 2 == 1) << i;
    if (n == nullptr) {
      EXPECT_EQ(errno, EMFILE);
    }
  }
}

}  // namespace
}  // namespace asyncconf::accel
