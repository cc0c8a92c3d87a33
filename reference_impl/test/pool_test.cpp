// ASYNC_init_thread / ASYNC_cleanup_thread and the per-thread job pool:
// limits, pre-allocation, reuse. Stacks are counted with a custom allocator,
// which has to be installed before this process allocates its first stack.
#include <gtest/gtest.h>

#include <climits>
#include <cstddef>
#include <vector>

#include "asyncconf/async_abi.h"
#include "test_support.hpp"

namespace {

using asyncref_test::CountingStacks;
using asyncref_test::NewWaitCtx;
using asyncref_test::PauseOnceReturnThree;
using asyncref_test::ReturnSeven;
using asyncref_test::WaitCtxPtr;

class PoolTest : public ::testing::Test {
protected:
  void SetUp() override { ASSERT_TRUE(CountingStacks::Install()); }

  // Starts a job that pauses once; its handle is kept in `paused_`.
  int StartPaused() {
    ctxs_.push_back(NewWaitCtx());
    ASYNC_JOB* job = nullptr;
    int ret = 0;
    const int rc =
        ASYNC_start_job(&job, ctxs_.back().get(), &ret, PauseOnceReturnThree, nullptr, 0);
    if (rc == ASYNC_PAUSE) paused_.push_back({job, ctxs_.back().get()});
    return rc;
  }

  // Resumes the i-th paused job to its end.
  int Finish(std::size_t i) {
    int ret = 0;
    const int rc = ASYNC_start_job(&paused_[i].job, paused_[i].ctx, &ret, nullptr, nullptr, 0);
    return rc == ASYNC_FINISH ? ret : -rc - 100;
  }

  struct Paused {
    ASYNC_JOB* job;
    ASYNC_WAIT_CTX* ctx;
  };
  std::vector<WaitCtxPtr> ctxs_;
  std::vector<Paused> paused_;
};

TEST_F(PoolTest, InitThreadRejectsBadSizes) {
  struct Case {
    std::size_t max_size, init_size;
    int expected;
  };
  const Case cases[] = {
      {0, 0, 1},
      {4, 4, 1},
      {4, 5, 0},
      {0, 5, 0},  // 0 means unlimited, yet init_size > max_size still fails
      {static_cast<std::size_t>(INT_MAX) + 1, 0, 0},
      {SIZE_MAX, 0, 0},
      {static_cast<std::size_t>(INT_MAX), 0, 1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(testing::Message() << "max " << c.max_size << " init " << c.init_size);
    EXPECT_EQ(ASYNC_init_thread(c.max_size, c.init_size), c.expected);
  }
}

TEST_F(PoolTest, FailedInitThreadLeavesThePoolAsItWas) {
  ASSERT_EQ(ASYNC_init_thread(2, 1), 1);
  ASSERT_EQ(ASYNC_init_thread(1, 5), 0);
  EXPECT_EQ(CountingStacks::allocs, 1);
  EXPECT_EQ(CountingStacks::frees, 0);
  EXPECT_EQ(StartPaused(), ASYNC_PAUSE);
  EXPECT_EQ(StartPaused(), ASYNC_PAUSE);
  EXPECT_EQ(StartPaused(), ASYNC_NO_JOBS);
}

TEST_F(PoolTest, InitSizePreAllocatesExactlyThatManyStacks) {
  ASSERT_EQ(ASYNC_init_thread(10, 4), 1);
  EXPECT_EQ(CountingStacks::allocs, 4);
  for (int i = 0; i < 4; ++i) ASSERT_EQ(StartPaused(), ASYNC_PAUSE);
  EXPECT_EQ(CountingStacks::allocs, 4);
  ASSERT_EQ(StartPaused(), ASYNC_PAUSE);
  EXPECT_EQ(CountingStacks::allocs, 5);
}

TEST_F(PoolTest, InitZeroZeroAllocatesNothing) {
  ASSERT_EQ(ASYNC_init_thread(0, 0), 1);
  EXPECT_EQ(CountingStacks::allocs, 0);
}

TEST_F(PoolTest, MaxSizeJobsInUseThenNoJobsUntilOneFinishes) {
  constexpr int kMax = 3;
  ASSERT_EQ(ASYNC_init_thread(kMax, 0), 1);
  for (int i = 0; i < kMax; ++i) ASSERT_EQ(StartPaused(), ASYNC_PAUSE);

  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = -1;
  EXPECT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, ReturnSeven, nullptr, 0), ASYNC_NO_JOBS);
  EXPECT_EQ(job, nullptr);
  EXPECT_EQ(ret, -1);
  EXPECT_EQ(CountingStacks::allocs, kMax);

  EXPECT_EQ(Finish(1), 3);
  EXPECT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, ReturnSeven, nullptr, 0), ASYNC_FINISH);
  EXPECT_EQ(ret, 7);
  EXPECT_EQ(CountingStacks::allocs, kMax);
}

TEST_F(PoolTest, MaxSizeZeroIsUnlimited) {
  ASSERT_EQ(ASYNC_init_thread(0, 0), 1);
  for (int i = 0; i < 200; ++i) ASSERT_EQ(StartPaused(), ASYNC_PAUSE) << "job " << i;
  EXPECT_EQ(CountingStacks::allocs, 200);
  for (std::size_t i = 0; i < paused_.size(); ++i) EXPECT_EQ(Finish(i), 3);
}

TEST_F(PoolTest, WithoutInitThreadFirstStartCreatesAnUnlimitedEmptyPool) {
  // The first start allocates only its own stack (init_size 0)...
  ASSERT_EQ(StartPaused(), ASYNC_PAUSE);
  EXPECT_EQ(CountingStacks::allocs, 1);
  // ...and there is no upper limit (max_size 0).
  for (int i = 1; i < 150; ++i) ASSERT_EQ(StartPaused(), ASYNC_PAUSE) << "job " << i;
  EXPECT_EQ(CountingStacks::allocs, 150);
}

TEST_F(PoolTest, SequentialJobsReuseOneStack) {
  auto ctx = NewWaitCtx();
  for (int i = 0; i < 20; ++i) {
    ASYNC_JOB* job = nullptr;
    int ret = 0;
    ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, PauseOnceReturnThree, nullptr, 0),
              ASYNC_PAUSE);
    ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, PauseOnceReturnThree, nullptr, 0),
              ASYNC_FINISH);
  }
  EXPECT_EQ(CountingStacks::allocs, 1);
  EXPECT_EQ(CountingStacks::frees, 0);
}

TEST_F(PoolTest, IdleJobsAreReusedLastInFirstOut) {
  ASSERT_EQ(StartPaused(), ASYNC_PAUSE);
  ASSERT_EQ(StartPaused(), ASYNC_PAUSE);
  ASYNC_JOB* const a = paused_[0].job;
  ASYNC_JOB* const b = paused_[1].job;
  ASSERT_NE(a, b);
  ASSERT_EQ(Finish(0), 3);  // a back to the pool first
  ASSERT_EQ(Finish(1), 3);  // then b

  ASSERT_EQ(StartPaused(), ASYNC_PAUSE);
  EXPECT_EQ(paused_[2].job, b);
  ASSERT_EQ(StartPaused(), ASYNC_PAUSE);
  EXPECT_EQ(paused_[3].job, a);
  EXPECT_EQ(CountingStacks::allocs, 2);
}

TEST_F(PoolTest, SecondInitThreadFreesIdleStacksAndAppliesNewLimits) {
  ASSERT_EQ(ASYNC_init_thread(0, 5), 0);  // sanity: (0, 5) is refused
  ASSERT_EQ(ASYNC_init_thread(8, 5), 1);
  ASSERT_EQ(CountingStacks::allocs, 5);

  EXPECT_EQ(ASYNC_init_thread(2, 1), 1);
  EXPECT_EQ(CountingStacks::frees, 5);
  EXPECT_EQ(CountingStacks::allocs, 6);

  EXPECT_EQ(StartPaused(), ASYNC_PAUSE);
  EXPECT_EQ(StartPaused(), ASYNC_PAUSE);
  EXPECT_EQ(StartPaused(), ASYNC_NO_JOBS);
  EXPECT_EQ(CountingStacks::allocs, 7);
}

TEST_F(PoolTest, SecondInitThreadKeepsJobsInUseAndCountsThem) {
  ASSERT_EQ(StartPaused(), ASYNC_PAUSE);
  ASSERT_EQ(StartPaused(), ASYNC_PAUSE);
  ASSERT_EQ(ASYNC_init_thread(2, 0), 1);
  EXPECT_EQ(CountingStacks::frees, 0);
  EXPECT_EQ(StartPaused(), ASYNC_NO_JOBS);
  EXPECT_EQ(Finish(0), 3);
  EXPECT_EQ(Finish(1), 3);
  EXPECT_EQ(StartPaused(), ASYNC_PAUSE);
}

TEST_F(PoolTest, CleanupThreadFreesEveryPooledStack) {
  ASSERT_EQ(ASYNC_init_thread(10, 3), 1);
  for (int i = 0; i < 5; ++i) ASSERT_EQ(StartPaused(), ASYNC_PAUSE);
  for (std::size_t i = 0; i < paused_.size(); ++i) ASSERT_EQ(Finish(i), 3);
  ASSERT_EQ(CountingStacks::allocs, 5);

  ASYNC_cleanup_thread();
  EXPECT_EQ(CountingStacks::frees, 5);
}

TEST_F(PoolTest, StartAfterCleanupThreadUsesAFreshUnlimitedPool) {
  ASSERT_EQ(ASYNC_init_thread(1, 1), 1);
  ASYNC_cleanup_thread();
  ASSERT_EQ(CountingStacks::frees, 1);

  // The old max_size of 1 is gone with the old pool.
  EXPECT_EQ(StartPaused(), ASYNC_PAUSE);
  EXPECT_EQ(StartPaused(), ASYNC_PAUSE);
  EXPECT_EQ(CountingStacks::allocs, 3);
  EXPECT_EQ(Finish(0), 3);
  EXPECT_EQ(Finish(1), 3);
}

TEST_F(PoolTest, CleanupThreadWithoutPoolIsHarmless) {
  ASYNC_cleanup_thread();
  ASYNC_cleanup_thread();
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  EXPECT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, ReturnSeven, nullptr, 0), ASYNC_FINISH);
  EXPECT_EQ(ret, 7);
}

}  // namespace
