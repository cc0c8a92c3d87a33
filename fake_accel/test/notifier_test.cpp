#include "asyncconf/accel/notifier.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <vector>

namespace asyncconf::accel {
namespace {

bool fd_readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, 0) == 1 && (p.revents & POLLIN) != 0;
}

bool fd_open(int fd) { return fcntl(fd, F_GETFD) != -1; }

int count_calls(void* arg) {
  ++*static_cast<int*>(arg);
  return 1;
}

TEST(NotifierTest, FdNotifierOwnsANonBlockingEventfd) {
  const std::shared_ptr<Notifier> n = Notifier::open_fd();
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->kind(), Notifier::Kind::Fd);
  ASSERT_GE(n->fd(), 0);
  EXPECT_NE(fcntl(n->fd(), F_GETFL) & O_NONBLOCK, 0);
  EXPECT_FALSE(fd_readable(n->fd()));
}

TEST(NotifierTest, FdFloorNumbersTheFdFromThereAndLeavesNoLowerOneOpen) {
  const int lowest_free = dup(0);
  ASSERT_GE(lowest_free, 0);
  close(lowest_free);
  const std::shared_ptr<Notifier> n = Notifier::open_fd(nullptr, 700);
  ASSERT_NE(n, nullptr);
  EXPECT_GE(n->fd(), 700);
  EXPECT_NE(fcntl(n->fd(), F_GETFD) & FD_CLOEXEC, 0);
  EXPECT_FALSE(fd_open(lowest_free)) << "the eventfd's first number was left open";
  EXPECT_TRUE(n->notify());
  EXPECT_TRUE(fd_readable(n->fd()));
}

TEST(NotifierTest, NotifyMakesTheFdReadable) {
  const std::shared_ptr<Notifier> n = Notifier::open_fd();
  ASSERT_NE(n, nullptr);
  EXPECT_TRUE(n->notify());
  EXPECT_TRUE(fd_readable(n->fd()));
}

TEST(NotifierTest, DrainReadsTheFdEmptyAndReturnsTheCount) {
  const std::shared_ptr<Notifier> n = Notifier::open_fd();
  ASSERT_NE(n, nullptr);
  n->notify();
  n->notify();
  EXPECT_EQ(n->drain(), 2u);
  EXPECT_FALSE(fd_readable(n->fd()));
  EXPECT_EQ(n->drain(), 0u);
}

TEST(NotifierTest, DetachClosesTheFd) {
  const std::shared_ptr<Notifier> n = Notifier::open_fd();
  ASSERT_NE(n, nullptr);
  const int fd = n->fd();
  n->detach();
  EXPECT_TRUE(n->detached());
  EXPECT_FALSE(fd_open(fd));
  EXPECT_EQ(n->fd(), -1);
  EXPECT_FALSE(n->notify());
  EXPECT_EQ(n->drain(), 0u);
}

TEST(NotifierTest, NotifyAfterDetachLeavesAReusedFdNumberAlone) {
  const std::shared_ptr<Notifier> n = Notifier::open_fd();
  ASSERT_NE(n, nullptr);
  const int old_fd = n->fd();
  n->detach();
  // The lowest free number comes back: the application's next fd.
  const int reused = eventfd(0, EFD_NONBLOCK);
  ASSERT_EQ(reused, old_fd);
  n->notify();
  EXPECT_FALSE(fd_readable(reused));
  close(reused);
}

TEST(NotifierTest, DetachTwiceClosesAndCountsOnce) {
  const auto gauge = std::make_shared<Notifier::FdGauge>(0);
  const std::shared_ptr<Notifier> n = Notifier::open_fd(gauge);
  ASSERT_NE(n, nullptr);
  n->detach();
  // The number is free now: the next fd takes it, and a second close must not.
  const int reused = eventfd(0, EFD_NONBLOCK);
  n->detach();
  EXPECT_TRUE(n->detached());
  EXPECT_TRUE(fd_open(reused));
  EXPECT_EQ(gauge->load(), 0);
  close(reused);
}

TEST(NotifierTest, DestructorClosesAnUndetachedFd) {
  int fd = -1;
  {
    const std::shared_ptr<Notifier> n = Notifier::open_fd();
    ASSERT_NE(n, nullptr);
    fd = n->fd();
    ASSERT_TRUE(fd_open(fd));
  }
  EXPECT_FALSE(fd_open(fd));
}

TEST(NotifierTest, GaugeCountsTheOpenFds) {
  const auto gauge = std::make_shared<Notifier::FdGauge>(0);
  std::vector<std::shared_ptr<Notifier>> ns;
  for (int i = 0; i < 3; ++i) ns.push_back(Notifier::open_fd(gauge));
  EXPECT_EQ(gauge->load(), 3);
  ns[0]->detach();
  EXPECT_EQ(gauge->load(), 2);
  ns.clear();
  EXPECT_EQ(gauge->load(), 0);
}

TEST(NotifierTest, CallbackNotifierCallsItsCallbackWithItsArg) {
  int calls = 0;
  const std::shared_ptr<Notifier> n = Notifier::for_callback(count_calls, &calls);
  EXPECT_EQ(n->kind(), Notifier::Kind::Callback);
  EXPECT_EQ(n->fd(), -1);
  EXPECT_TRUE(n->notify());
  EXPECT_TRUE(n->notify());
  EXPECT_EQ(calls, 2);
}

TEST(NotifierTest, CallbackIsNotCalledAfterDetach) {
  int calls = 0;
  const std::shared_ptr<Notifier> n = Notifier::for_callback(count_calls, &calls);
  n->detach();
  EXPECT_FALSE(n->notify());
  EXPECT_EQ(calls, 0);
}

}  // namespace
}  // namespace asyncconf::accel
