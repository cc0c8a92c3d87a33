// Long runs do not leak: the pool reuses one stack for sequential jobs, and
// the heap (job objects, argument copies, wait-ctx entries all come from
// operator new) returns to its level. The executable (reference_leak_test)
// links counting_new.cpp, which replaces the global operator new/delete.
#include <gtest/gtest.h>

#include "asyncconf/async_abi.h"
#include "counting_new.hpp"
#include "test_support.hpp"

using asyncref_test::LiveNews;
using asyncref_test::TotalNews;

namespace {

using asyncref_test::CountingStacks;

const int kKey = 0;

// Publishes a wait fd, pauses, clears it and returns its argument: one of
// each allocation the library makes per job (argument copy, wait-ctx entry).
int SetFdPauseClear(void* arg) {
  ASYNC_WAIT_CTX* ctx = ASYNC_get_wait_ctx(ASYNC_get_current_job());
  ASYNC_WAIT_CTX_set_wait_fd(ctx, &kKey, 5, nullptr, nullptr);
  ASYNC_pause_job();
  ASYNC_WAIT_CTX_clear_fd(ctx, &kKey);
  return static_cast<int>(static_cast<unsigned char*>(arg)[0]);
}

// Runs `n` jobs one after the other; returns how many went wrong.
int RunSequentialJobs(ASYNC_WAIT_CTX* ctx, int n) {
  int failures = 0;
  unsigned char args[24] = {};
  for (int i = 0; i < n; ++i) {
    args[0] = static_cast<unsigned char>(i);
    ASYNC_JOB* job = nullptr;
    int ret = -1;
    if (ASYNC_start_job(&job, ctx, &ret, SetFdPauseClear, args, sizeof args) != ASYNC_PAUSE ||
        ASYNC_start_job(&job, ctx, &ret, SetFdPauseClear, args, sizeof args) != ASYNC_FINISH ||
        ret != static_cast<unsigned char>(i)) {
      ++failures;
    }
  }
  return failures;
}

TEST(LeakTest, OperatorNewIsReallyCounted) {
  // Guards the other tests against a replacement that is silently not used
  // (for the library's own allocations as much as for this file's).
  const long before = TotalNews();
  ASYNC_WAIT_CTX* ctx = ASYNC_WAIT_CTX_new();
  EXPECT_GT(TotalNews(), before);
  ASYNC_WAIT_CTX_free(ctx);
}

TEST(LeakTest, HundredThousandSequentialJobsReuseOneStackAndDoNotGrowTheHeap) {
  ASSERT_TRUE(CountingStacks::Install());
  ASYNC_WAIT_CTX* ctx = ASYNC_WAIT_CTX_new();
  ASSERT_NE(ctx, nullptr);
  // Warm-up: the pool, thread state, registry and ctx reach their size.
  ASSERT_EQ(RunSequentialJobs(ctx, 100), 0);
  const long warm = LiveNews();
  const long news_before = TotalNews();

  ASSERT_EQ(RunSequentialJobs(ctx, 100000), 0);
  EXPECT_EQ(LiveNews(), warm);
  // Each job did allocate (its argument copy), so the count is meaningful.
  EXPECT_GE(TotalNews() - news_before, 100000);
  EXPECT_EQ(CountingStacks::allocs, 1);

  ASYNC_WAIT_CTX_free(ctx);
  ASYNC_cleanup_thread();
  EXPECT_EQ(CountingStacks::frees, 1);
}

// Sequential jobs, then one left paused, then both freed.
void JobsThenCleanup() {
  ASYNC_WAIT_CTX* ctx = ASYNC_WAIT_CTX_new();
  ASSERT_EQ(RunSequentialJobs(ctx, 10), 0);
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  unsigned char args[8] = {};
  ASSERT_EQ(ASYNC_start_job(&job, ctx, &ret, SetFdPauseClear, args, sizeof args), ASYNC_PAUSE);
  ASYNC_WAIT_CTX_free(ctx);
  ASYNC_cleanup_thread();
}

TEST(LeakTest, CleanupThreadWithAPausedJobReturnsTheHeapToItsLevel) {
  // A first round lets process-wide tables (the job registry) reach their
  // size; a second round must then leave nothing behind.
  ASSERT_NO_FATAL_FAILURE(JobsThenCleanup());
  const long before = LiveNews();
  ASSERT_NO_FATAL_FAILURE(JobsThenCleanup());
  EXPECT_EQ(LiveNews(), before);
  for (int i = 0; i < 100; ++i) ASSERT_NO_FATAL_FAILURE(JobsThenCleanup());
  EXPECT_EQ(LiveNews(), before);
}

int g_cleanups = 0;
void CountCleanup(ASYNC_WAIT_CTX*, const void*, OSSL_ASYNC_FD, void*) { ++g_cleanups; }

TEST(LeakTest, WaitCtxWithThousandFdsSetAndClearedReturnsToBaseline) {
  static int keys[1000];
  const long before = LiveNews();
  ASYNC_WAIT_CTX* ctx = ASYNC_WAIT_CTX_new();
  ASSERT_NE(ctx, nullptr);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(ASYNC_WAIT_CTX_set_wait_fd(ctx, &keys[i], i, nullptr, CountCleanup), 1);
  }
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(ASYNC_WAIT_CTX_clear_fd(ctx, &keys[i]), 1);
  ASYNC_WAIT_CTX_free(ctx);
  EXPECT_EQ(LiveNews(), before);
  EXPECT_EQ(g_cleanups, 0);
}

TEST(LeakTest, WaitCtxFreedWithThousandFdsSetReturnsToBaseline) {
  static int keys[1000];
  const long before = LiveNews();
  ASYNC_WAIT_CTX* ctx = ASYNC_WAIT_CTX_new();
  ASSERT_NE(ctx, nullptr);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(ASYNC_WAIT_CTX_set_wait_fd(ctx, &keys[i], i, nullptr, CountCleanup), 1);
  }
  ASYNC_WAIT_CTX_free(ctx);
  EXPECT_EQ(LiveNews(), before);
  EXPECT_EQ(g_cleanups, 1000);
}

}  // namespace
