// Misuse that crashes or corrupts OpenSSL and that the reference answers with
// an error, staying usable afterwards (README.md, "Deliberate differences").
// (A paused handle used from another thread: threads_test.cpp.)
#include <gtest/gtest.h>

#include "asyncconf/async_abi.h"
#include "test_support.hpp"

namespace {

using asyncref_test::CountingStacks;
using asyncref_test::NewWaitCtx;
using asyncref_test::PauseOnceReturnThree;
using asyncref_test::ReturnSeven;

int g_inner_calls = 0;
int CountInner(void*) { return ++g_inner_calls; }

int g_nested_rc = 0;
ASYNC_JOB* g_nested_job = reinterpret_cast<ASYNC_JOB*>(0x1);
ASYNC_JOB* g_current_after_nested = nullptr;
ASYNC_JOB* g_current_before_nested = nullptr;

int StartsANestedJobThenPauses(void*) {
  g_current_before_nested = ASYNC_get_current_job();
  ASYNC_JOB* inner = nullptr;
  int inner_ret = -1;
  g_nested_rc = ASYNC_start_job(&inner, ASYNC_get_wait_ctx(g_current_before_nested), &inner_ret,
                                CountInner, nullptr, 0);
  g_nested_job = inner;
  g_current_after_nested = ASYNC_get_current_job();
  ASYNC_pause_job();
  return 5;
}

TEST(MisuseTest, StartJobInsideARunningJobIsErrorAndTheOuterJobCarriesOn) {
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, StartsANestedJobThenPauses, nullptr, 0),
            ASYNC_PAUSE);
  EXPECT_EQ(g_nested_rc, ASYNC_ERR);
  EXPECT_EQ(g_nested_job, nullptr);
  EXPECT_EQ(g_inner_calls, 0);
  EXPECT_EQ(g_current_after_nested, g_current_before_nested);
  EXPECT_EQ(g_current_before_nested, job);
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, nullptr, nullptr, 0), ASYNC_FINISH);
  EXPECT_EQ(ret, 5);
  EXPECT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, ReturnSeven, nullptr, 0), ASYNC_FINISH);
  EXPECT_EQ(ret, 7);
}

int g_pause_rc = -1;

int PauseWithoutWaitCtx(void*) {
  g_pause_rc = ASYNC_pause_job();
  return 9;
}

TEST(MisuseTest, PauseInJobWithNullWaitCtxReturnsZeroAndKeepsRunning) {
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  EXPECT_EQ(ASYNC_start_job(&job, nullptr, &ret, PauseWithoutWaitCtx, nullptr, 0), ASYNC_FINISH);
  EXPECT_EQ(g_pause_rc, 0);
  EXPECT_EQ(ret, 9);
  EXPECT_EQ(job, nullptr);
}

TEST(MisuseTest, StaleHandleOfAFinishedJobIsErrorAndThePoolStaysIntact) {
  ASSERT_TRUE(CountingStacks::Install());
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, PauseOnceReturnThree, nullptr, 0),
            ASYNC_PAUSE);
  ASYNC_JOB* const stale = job;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, nullptr, nullptr, 0), ASYNC_FINISH);

  job = stale;
  ret = -1;
  EXPECT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, ReturnSeven, nullptr, 0), ASYNC_ERR);
  EXPECT_EQ(job, stale);  // untouched
  EXPECT_EQ(ret, -1);
  // Twice, to be sure the first one did not push the job into the pool again.
  EXPECT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, ReturnSeven, nullptr, 0), ASYNC_ERR);

  // The pool holds the one idle job exactly once: two jobs in flight need
  // two different stacks.
  ASYNC_JOB* a = nullptr;
  ASYNC_JOB* b = nullptr;
  auto ctx_b = NewWaitCtx();
  ASSERT_EQ(ASYNC_start_job(&a, ctx.get(), &ret, PauseOnceReturnThree, nullptr, 0), ASYNC_PAUSE);
  ASSERT_EQ(ASYNC_start_job(&b, ctx_b.get(), &ret, PauseOnceReturnThree, nullptr, 0),
            ASYNC_PAUSE);
  EXPECT_EQ(a, stale);
  EXPECT_NE(b, a);
  EXPECT_EQ(CountingStacks::allocs, 2);
  EXPECT_EQ(ASYNC_start_job(&a, ctx.get(), &ret, nullptr, nullptr, 0), ASYNC_FINISH);
  EXPECT_EQ(ASYNC_start_job(&b, ctx_b.get(), &ret, nullptr, nullptr, 0), ASYNC_FINISH);
}

TEST(MisuseTest, ResumingAPausedHandleAfterCleanupThreadIsError) {
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = -1;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, PauseOnceReturnThree, nullptr, 0),
            ASYNC_PAUSE);
  ASYNC_JOB* const handle = job;
  ASYNC_cleanup_thread();
  EXPECT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, nullptr, nullptr, 0), ASYNC_ERR);
  EXPECT_EQ(job, handle);
  EXPECT_EQ(ret, -1);
  EXPECT_EQ(ASYNC_get_wait_ctx(handle), nullptr);
  // The thread still works.
  job = nullptr;
  EXPECT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, ReturnSeven, nullptr, 0), ASYNC_FINISH);
  EXPECT_EQ(ret, 7);
}

int CleanupInsideThenPause(void*) {
  ASYNC_cleanup_thread();
  ASYNC_pause_job();
  ASYNC_cleanup_thread();
  return 4;
}

TEST(MisuseTest, CleanupThreadInsideAJobIsIgnored) {
  ASSERT_TRUE(CountingStacks::Install());
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, CleanupInsideThenPause, nullptr, 0),
            ASYNC_PAUSE);
  ASYNC_JOB* const handle = job;
  EXPECT_EQ(ASYNC_get_wait_ctx(handle), ctx.get());
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, nullptr, nullptr, 0), ASYNC_FINISH);
  EXPECT_EQ(ret, 4);
  EXPECT_EQ(CountingStacks::frees, 0);
  // Same pool: the job went back to it and is reused.
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, PauseOnceReturnThree, nullptr, 0),
            ASYNC_PAUSE);
  EXPECT_EQ(job, handle);
  EXPECT_EQ(CountingStacks::allocs, 1);
}

TEST(MisuseTest, WaitCtxFunctionsWithNullCtxFail) {
  int key = 0;
  OSSL_ASYNC_FD fd = -1;
  void* data = nullptr;
  size_t n = 0;
  size_t m = 0;
  ASYNC_callback_fn cb = nullptr;
  EXPECT_EQ(ASYNC_WAIT_CTX_set_wait_fd(nullptr, &key, 3, nullptr, nullptr), 0);
  EXPECT_EQ(ASYNC_WAIT_CTX_get_fd(nullptr, &key, &fd, &data), 0);
  EXPECT_EQ(ASYNC_WAIT_CTX_get_all_fds(nullptr, &fd, &n), 0);
  EXPECT_EQ(ASYNC_WAIT_CTX_get_changed_fds(nullptr, &fd, &n, &fd, &m), 0);
  EXPECT_EQ(ASYNC_WAIT_CTX_clear_fd(nullptr, &key), 0);
  EXPECT_EQ(ASYNC_WAIT_CTX_set_callback(nullptr, ReturnSeven, nullptr), 0);
  EXPECT_EQ(ASYNC_WAIT_CTX_get_callback(nullptr, &cb, &data), 0);
  EXPECT_EQ(ASYNC_WAIT_CTX_set_status(nullptr, ASYNC_STATUS_OK), 0);
  EXPECT_EQ(ASYNC_WAIT_CTX_get_status(nullptr), ASYNC_STATUS_ERR);
  ASYNC_WAIT_CTX_free(nullptr);  // no-op, no crash
}

TEST(MisuseTest, WaitCtxCountQueriesWithNullCountPointersFail) {
  auto ctx = NewWaitCtx();
  size_t n = 0;
  EXPECT_EQ(ASYNC_WAIT_CTX_get_all_fds(ctx.get(), nullptr, nullptr), 0);
  EXPECT_EQ(ASYNC_WAIT_CTX_get_changed_fds(ctx.get(), nullptr, nullptr, nullptr, &n), 0);
  EXPECT_EQ(ASYNC_WAIT_CTX_get_changed_fds(ctx.get(), nullptr, &n, nullptr, nullptr), 0);
}

TEST(MisuseTest, GarbageHandleIsError) {
  auto ctx = NewWaitCtx();
  int not_a_job = 0x5A5A5A5A;
  auto* const garbage = reinterpret_cast<ASYNC_JOB*>(&not_a_job);
  ASYNC_JOB* job = garbage;
  int ret = -1;
  // Before the thread has a pool, and after.
  EXPECT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, ReturnSeven, nullptr, 0), ASYNC_ERR);
  ASSERT_EQ(ASYNC_init_thread(8, 2), 1);
  EXPECT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, ReturnSeven, nullptr, 0), ASYNC_ERR);
  EXPECT_EQ(job, garbage);
  EXPECT_EQ(ret, -1);
  EXPECT_EQ(not_a_job, 0x5A5A5A5A);
  EXPECT_EQ(ASYNC_get_wait_ctx(garbage), nullptr);
  job = nullptr;
  EXPECT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, ReturnSeven, nullptr, 0), ASYNC_FINISH);
}

}  // namespace
