// ASYNC_get_current_job and ASYNC_get_wait_ctx on the job's own thread.
// (ASYNC_get_wait_ctx from another thread: threads_test.cpp.)
#include <gtest/gtest.h>

#include "asyncconf/async_abi.h"
#include "test_support.hpp"

namespace {

using asyncref_test::NewWaitCtx;
using asyncref_test::ReturnSeven;

ASYNC_JOB* g_current_before_pause = nullptr;
ASYNC_JOB* g_current_after_pause = nullptr;
ASYNC_WAIT_CTX* g_ctx_before_pause = nullptr;
ASYNC_WAIT_CTX* g_ctx_after_pause = nullptr;

int RecordCurrentAcrossPause(void*) {
  g_current_before_pause = ASYNC_get_current_job();
  g_ctx_before_pause = ASYNC_get_wait_ctx(g_current_before_pause);
  ASYNC_pause_job();
  g_current_after_pause = ASYNC_get_current_job();
  g_ctx_after_pause = ASYNC_get_wait_ctx(g_current_after_pause);
  return 0;
}

TEST(CurrentJobTest, NullOutsideAnyJob) {
  EXPECT_EQ(ASYNC_get_current_job(), nullptr);
  ASSERT_EQ(ASYNC_init_thread(0, 0), 1);
  EXPECT_EQ(ASYNC_get_current_job(), nullptr);
}

TEST(CurrentJobTest, InsideJobEqualsTheHandleReturnedOnPause) {
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, RecordCurrentAcrossPause, nullptr, 0),
            ASYNC_PAUSE);
  ASSERT_NE(job, nullptr);
  EXPECT_EQ(g_current_before_pause, job);
  ASYNC_JOB* const handle = job;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, RecordCurrentAcrossPause, nullptr, 0),
            ASYNC_FINISH);
  EXPECT_EQ(g_current_after_pause, handle);
}

TEST(CurrentJobTest, NullAgainAfterPauseAndAfterFinish) {
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, RecordCurrentAcrossPause, nullptr, 0),
            ASYNC_PAUSE);
  EXPECT_EQ(ASYNC_get_current_job(), nullptr);
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, RecordCurrentAcrossPause, nullptr, 0),
            ASYNC_FINISH);
  EXPECT_EQ(ASYNC_get_current_job(), nullptr);
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, ReturnSeven, nullptr, 0), ASYNC_FINISH);
  EXPECT_EQ(ASYNC_get_current_job(), nullptr);
}

TEST(CurrentJobTest, WaitCtxOfCurrentJobIsTheCtxPassedToStart) {
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, RecordCurrentAcrossPause, nullptr, 0),
            ASYNC_PAUSE);
  EXPECT_EQ(g_ctx_before_pause, ctx.get());
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, RecordCurrentAcrossPause, nullptr, 0),
            ASYNC_FINISH);
  EXPECT_EQ(g_ctx_after_pause, ctx.get());
}

TEST(CurrentJobTest, EachJobSeesItsOwnWaitCtx) {
  auto ctx_a = NewWaitCtx();
  auto ctx_b = NewWaitCtx();
  ASYNC_JOB* a = nullptr;
  ASYNC_JOB* b = nullptr;
  int ret = 0;
  ASSERT_EQ(ASYNC_start_job(&a, ctx_a.get(), &ret, RecordCurrentAcrossPause, nullptr, 0),
            ASYNC_PAUSE);
  ASSERT_EQ(ASYNC_start_job(&b, ctx_b.get(), &ret, RecordCurrentAcrossPause, nullptr, 0),
            ASYNC_PAUSE);
  EXPECT_EQ(g_ctx_before_pause, ctx_b.get());
  ASSERT_EQ(ASYNC_start_job(&a, ctx_b.get(), &ret, nullptr, nullptr, 0), ASYNC_FINISH);
  // The ctx passed on resume is ignored, like func and args.
  EXPECT_EQ(g_ctx_after_pause, ctx_a.get());
  ASSERT_EQ(ASYNC_start_job(&b, ctx_b.get(), &ret, nullptr, nullptr, 0), ASYNC_FINISH);
  EXPECT_EQ(g_ctx_after_pause, ctx_b.get());
}

TEST(CurrentJobTest, WaitCtxOfNullJobIsNull) {
  EXPECT_EQ(ASYNC_get_wait_ctx(nullptr), nullptr);
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, RecordCurrentAcrossPause, nullptr, 0),
            ASYNC_PAUSE);
  EXPECT_EQ(ASYNC_get_wait_ctx(nullptr), nullptr);
}

TEST(CurrentJobTest, WaitCtxOfPausedHandleFromOutsideTheJob) {
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, RecordCurrentAcrossPause, nullptr, 0),
            ASYNC_PAUSE);
  EXPECT_EQ(ASYNC_get_wait_ctx(job), ctx.get());
}

}  // namespace
