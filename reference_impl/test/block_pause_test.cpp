// ASYNC_block_pause / ASYNC_unblock_pause.
#include <gtest/gtest.h>

#include <vector>

#include "asyncconf/async_abi.h"
#include "test_support.hpp"

namespace {

using asyncref_test::NewWaitCtx;
using asyncref_test::PauseOnceReturnThree;

// Labels of the pause calls that really left the job, in order.
std::vector<int> g_paused_at;
int g_pausing_at = 0;

int PauseLabelled(int label) {
  g_pausing_at = label;
  return ASYNC_pause_job();
}

// Runs `body` to the end, recording the label of every pause that returned
// control here.
int Drive(int (*body)(void*), int* ret) {
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int rc;
  while ((rc = ASYNC_start_job(&job, ctx.get(), ret, body, nullptr, 0)) == ASYNC_PAUSE) {
    g_paused_at.push_back(g_pausing_at);
  }
  return rc;
}

int BlockThenPause(void*) {
  ASYNC_block_pause();
  const int r = PauseLabelled(1);
  ASYNC_unblock_pause();
  return r;
}

TEST(BlockPauseTest, BlockedPauseReturnsOneWithoutPausing) {
  int ret = -1;
  EXPECT_EQ(Drive(BlockThenPause, &ret), ASYNC_FINISH);
  EXPECT_EQ(ret, 1);
  EXPECT_TRUE(g_paused_at.empty());
}

int NestedBlocks(void*) {
  ASYNC_block_pause();
  ASYNC_block_pause();
  ASYNC_unblock_pause();
  PauseLabelled(1);  // still blocked once
  ASYNC_unblock_pause();
  PauseLabelled(2);  // unblocked
  return 0;
}

TEST(BlockPauseTest, BlocksNestAndNeedAsManyUnblocks) {
  int ret = -1;
  EXPECT_EQ(Drive(NestedBlocks, &ret), ASYNC_FINISH);
  EXPECT_EQ(g_paused_at, std::vector<int>{2});
}

TEST(BlockPauseTest, BlockOutsideJobHasNoEffect) {
  ASYNC_block_pause();
  ASYNC_block_pause();
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  EXPECT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, PauseOnceReturnThree, nullptr, 0),
            ASYNC_PAUSE);
  // Again once the thread has state (a pool) of its own.
  ASYNC_block_pause();
  EXPECT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, PauseOnceReturnThree, nullptr, 0),
            ASYNC_FINISH);
  EXPECT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, PauseOnceReturnThree, nullptr, 0),
            ASYNC_PAUSE);
}

int UnblockBelowZero(void*) {
  ASYNC_unblock_pause();
  ASYNC_unblock_pause();
  ASYNC_block_pause();
  PauseLabelled(1);  // blocked: the unblocks at zero did not go negative
  ASYNC_unblock_pause();
  PauseLabelled(2);
  return 0;
}

TEST(BlockPauseTest, UnblockAtZeroInsideJobIsClamped) {
  int ret = -1;
  EXPECT_EQ(Drive(UnblockBelowZero, &ret), ASYNC_FINISH);
  EXPECT_EQ(g_paused_at, std::vector<int>{2});
}

int BlockAndFinish(void*) {
  ASYNC_block_pause();
  return 0;
}

int PauseTwiceUnblockingBetween(void*) {
  PauseLabelled(1);  // inherits the block left by the previous job
  ASYNC_unblock_pause();
  PauseLabelled(2);
  return 0;
}

// De-facto OpenSSL behaviour: the block counter belongs to the thread, not
// to the job, so a job that finishes blocked leaves the next one blocked.
TEST(BlockPauseTest, DeFactoOpenSslCounterIsPerThreadSoFinishingBlockedBlocksNextJob) {
  int ret = -1;
  ASSERT_EQ(Drive(BlockAndFinish, &ret), ASYNC_FINISH);
  EXPECT_EQ(Drive(PauseTwiceUnblockingBetween, &ret), ASYNC_FINISH);
  EXPECT_EQ(g_paused_at, std::vector<int>{2});
}

// Same fact, seen from outside: unblocking outside a job is no cure either.
TEST(BlockPauseTest, DeFactoOpenSslUnblockOutsideJobDoesNotClearALeftoverBlock) {
  int ret = -1;
  ASSERT_EQ(Drive(BlockAndFinish, &ret), ASYNC_FINISH);
  ASYNC_unblock_pause();
  EXPECT_EQ(Drive(PauseTwiceUnblockingBetween, &ret), ASYNC_FINISH);
  EXPECT_EQ(g_paused_at, std::vector<int>{2});
}

}  // namespace
