#include <gtest/gtest.h>

#include "asyncconf/async_abi.h"

namespace {

int returns_seven(void*) { return 7; }
int pauses_once(void*) {
  ASYNC_pause_job();
  return 3;
}

TEST(JobLifecycle, FinishesWithoutPause) {
  ASYNC_WAIT_CTX* ctx = ASYNC_WAIT_CTX_new();
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  EXPECT_EQ(ASYNC_start_job(&job, ctx, &ret, returns_seven, nullptr, 0), ASYNC_FINISH);
  EXPECT_EQ(ret, 7);
  EXPECT_EQ(job, nullptr);
  ASYNC_WAIT_CTX_free(ctx);
}

TEST(JobLifecycle, PausesAndResumes) {
  ASYNC_WAIT_CTX* ctx = ASYNC_WAIT_CTX_new();
  ASYNC_JOB* job = nullptr;
  int ret = -1;
  ASSERT_EQ(ASYNC_start_job(&job, ctx, &ret, pauses_once, nullptr, 0), ASYNC_PAUSE);
  EXPECT_NE(job, nullptr);
  EXPECT_EQ(ret, -1);
  ASSERT_EQ(ASYNC_start_job(&job, ctx, &ret, pauses_once, nullptr, 0), ASYNC_FINISH);
  EXPECT_EQ(ret, 3);
  ASYNC_WAIT_CTX_free(ctx);
  ASYNC_cleanup_thread();
}

}  // namespace
