// ASYNC_pause_job and resuming: which job resumes, how often a body may
// pause, and what pause does outside a job.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <vector>

#include "asyncconf/async_abi.h"
#include "test_support.hpp"

namespace {

using asyncref_test::NewWaitCtx;
using asyncref_test::ReturnSeven;
using asyncref_test::WaitCtxPtr;

std::vector<int> g_resumed_ids;

int RecordIdAfterPause(void* arg) {
  const int id = *static_cast<int*>(arg);
  ASYNC_pause_job();
  g_resumed_ids.push_back(id);
  return id;
}

TEST(PauseTest, ResumingAHandleResumesThatJobAmongManyPaused) {
  constexpr int kJobs = 50;
  std::vector<WaitCtxPtr> ctxs;
  std::vector<ASYNC_JOB*> jobs(kJobs, nullptr);
  for (int id = 0; id < kJobs; ++id) {
    ctxs.push_back(NewWaitCtx());
    int ret = -1;
    ASSERT_EQ(ASYNC_start_job(&jobs[id], ctxs[id].get(), &ret, RecordIdAfterPause, &id, sizeof id),
              ASYNC_PAUSE);
  }
  ASSERT_TRUE(g_resumed_ids.empty());

  std::vector<int> order(kJobs);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), std::mt19937(20240601));
  for (int id : order) {
    int ret = -1;
    ASSERT_EQ(ASYNC_start_job(&jobs[id], ctxs[id].get(), &ret, RecordIdAfterPause, nullptr, 0),
              ASYNC_FINISH);
    EXPECT_EQ(ret, id);
  }
  EXPECT_EQ(g_resumed_ids, order);
}

TEST(PauseTest, OutsideJobReturnsOneAndDoesNothing) {
  // Before the thread ever used the API, and after it ran a job.
  EXPECT_EQ(ASYNC_pause_job(), 1);
  EXPECT_EQ(ASYNC_get_current_job(), nullptr);

  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, ReturnSeven, nullptr, 0), ASYNC_FINISH);
  EXPECT_EQ(ASYNC_pause_job(), 1);
  EXPECT_EQ(ASYNC_get_current_job(), nullptr);

  // Nothing was left half-paused: the next job runs normally.
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, ReturnSeven, nullptr, 0), ASYNC_FINISH);
  EXPECT_EQ(ret, 7);
}

constexpr int kManyPauses = 1000;

int PauseManyTimes(void*) {
  int ok = 0;
  for (int i = 0; i < kManyPauses; ++i) ok += ASYNC_pause_job();
  return ok;
}

TEST(PauseTest, BodyMayPauseManyTimes) {
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = -1;
  int pauses = 0;
  int rc;
  while ((rc = ASYNC_start_job(&job, ctx.get(), &ret, PauseManyTimes, nullptr, 0)) ==
         ASYNC_PAUSE) {
    ++pauses;
    ASSERT_LE(pauses, kManyPauses);
  }
  EXPECT_EQ(rc, ASYNC_FINISH);
  EXPECT_EQ(pauses, kManyPauses);
  // Each pause returned 1 once the body was resumed.
  EXPECT_EQ(ret, kManyPauses);
}

int g_pause_result = -1;

int RecordPauseResult(void*) {
  g_pause_result = ASYNC_pause_job();
  return 0;
}

TEST(PauseTest, PauseReturnsOneInsideJobAfterResume) {
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = -1;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, RecordPauseResult, nullptr, 0), ASYNC_PAUSE);
  EXPECT_EQ(g_pause_result, -1);  // pause has not returned yet
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, RecordPauseResult, nullptr, 0), ASYNC_FINISH);
  EXPECT_EQ(g_pause_result, 1);
}

// Locals on the job's stack survive a pause.
int SumAcrossPauses(void*) {
  volatile int values[64];
  for (int i = 0; i < 64; ++i) values[i] = i;
  ASYNC_pause_job();
  int sum = 0;
  for (int i = 0; i < 64; ++i) sum += values[i];
  return sum;
}

TEST(PauseTest, JobStackSurvivesPauseWhileOtherJobsRun) {
  auto ctx_a = NewWaitCtx();
  auto ctx_b = NewWaitCtx();
  ASYNC_JOB* a = nullptr;
  ASYNC_JOB* b = nullptr;
  int ret_a = 0;
  int ret_b = 0;
  ASSERT_EQ(ASYNC_start_job(&a, ctx_a.get(), &ret_a, SumAcrossPauses, nullptr, 0), ASYNC_PAUSE);
  ASSERT_EQ(ASYNC_start_job(&b, ctx_b.get(), &ret_b, SumAcrossPauses, nullptr, 0), ASYNC_PAUSE);
  EXPECT_NE(a, b);
  ASSERT_EQ(ASYNC_start_job(&a, ctx_a.get(), &ret_a, nullptr, nullptr, 0), ASYNC_FINISH);
  ASSERT_EQ(ASYNC_start_job(&b, ctx_b.get(), &ret_b, nullptr, nullptr, 0), ASYNC_FINISH);
  EXPECT_EQ(ret_a, 63 * 64 / 2);
  EXPECT_EQ(ret_b, 63 * 64 / 2);
}

}  // namespace
