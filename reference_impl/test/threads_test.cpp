// Threads: per-thread pools, per-thread current job, pools released at
// thread exit, and the cross-thread uses of a handle (ASYNC_get_wait_ctx
// from a polling thread; resuming on a foreign thread, which must fail).
// Built as its own executable, labelled `threads`, which the TSan preset runs.
#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <functional>
#include <latch>
#include <thread>
#include <vector>

#include "asyncconf/async_abi.h"
#include "test_support.hpp"

namespace {

using asyncref_test::CountingStacks;
using asyncref_test::NewWaitCtx;
using asyncref_test::PauseOnceReturnThree;
using asyncref_test::ReturnSeven;
using asyncref_test::WaitCtxPtr;

constexpr int kThreads = 4;
constexpr int kJobsPerThread = 3000;
constexpr int kPausesPerJob = 3;

// Returns its int argument after kPausesPerJob pauses, or -1 if the current
// job changed under it (another thread's job leaking into this one).
int PauseSeveralTimesReturnArg(void* arg) {
  ASYNC_JOB* const self = ASYNC_get_current_job();
  if (self == nullptr) return -1;
  for (int i = 0; i < kPausesPerJob; ++i) {
    if (ASYNC_pause_job() != 1 || ASYNC_get_current_job() != self) return -1;
  }
  return *static_cast<int*>(arg);
}

struct PoolReport {
  int init_rc = -1;
  int paused_up_to_max = 0;
  int no_jobs_before_barrier = -1;
  int no_jobs_after_barrier = -1;
  int finished = 0;
  int wrong_results = 0;
  int errors = 0;
};

void RunPoolThread(int max_size, std::barrier<>& all_full, PoolReport& r) {
  r.init_rc = ASYNC_init_thread(max_size, 0);
  std::vector<WaitCtxPtr> ctxs;
  std::vector<ASYNC_JOB*> jobs(max_size, nullptr);
  std::vector<int> ids(max_size, -1);
  int ret = 0;
  for (int i = 0; i < max_size; ++i) {
    ctxs.push_back(NewWaitCtx());
    if (ASYNC_start_job(&jobs[i], ctxs[i].get(), &ret, PauseOnceReturnThree, nullptr, 0) ==
        ASYNC_PAUSE) {
      ++r.paused_up_to_max;
    }
  }
  auto extra = NewWaitCtx();
  ASYNC_JOB* none = nullptr;
  r.no_jobs_before_barrier =
      ASYNC_start_job(&none, extra.get(), &ret, ReturnSeven, nullptr, 0) == ASYNC_NO_JOBS;
  // Every thread's pool is full at once: the limits are not shared.
  all_full.arrive_and_wait();
  r.no_jobs_after_barrier =
      ASYNC_start_job(&none, extra.get(), &ret, ReturnSeven, nullptr, 0) == ASYNC_NO_JOBS;
  for (int i = 0; i < max_size; ++i) {
    if (ASYNC_start_job(&jobs[i], ctxs[i].get(), &ret, nullptr, nullptr, 0) != ASYNC_FINISH ||
        ret != 3) {
      ++r.errors;
    }
  }

  // Keep max_size jobs in flight, resuming them round-robin.
  int next_id = 0;
  auto start = [&](int slot) {
    ids[slot] = next_id++;
    jobs[slot] = nullptr;
    if (ASYNC_start_job(&jobs[slot], ctxs[slot].get(), &ret, PauseSeveralTimesReturnArg,
                        &ids[slot], sizeof ids[slot]) != ASYNC_PAUSE) {
      ++r.errors;
    }
  };
  for (int slot = 0; slot < max_size; ++slot) start(slot);
  int in_flight = max_size;
  while (in_flight > 0) {
    for (int slot = 0; slot < max_size; ++slot) {
      if (jobs[slot] == nullptr) continue;
      ret = -2;
      const int rc = ASYNC_start_job(&jobs[slot], ctxs[slot].get(), &ret, nullptr, nullptr, 0);
      if (rc == ASYNC_PAUSE) continue;
      if (rc != ASYNC_FINISH) {
        ++r.errors;
        jobs[slot] = nullptr;
        --in_flight;
        continue;
      }
      ++r.finished;
      if (ret != ids[slot]) ++r.wrong_results;
      if (next_id < kJobsPerThread) {
        start(slot);
      } else {
        --in_flight;
      }
    }
  }
  ASYNC_cleanup_thread();
}

TEST(ThreadsTest, EachThreadHasItsOwnPoolAndLimits) {
  std::barrier all_full(kThreads);
  std::vector<PoolReport> reports(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back(RunPoolThread, 2 + t, std::ref(all_full), std::ref(reports[t]));
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    SCOPED_TRACE(testing::Message() << "thread " << t << ", max_size " << 2 + t);
    const PoolReport& r = reports[t];
    EXPECT_EQ(r.init_rc, 1);
    EXPECT_EQ(r.paused_up_to_max, 2 + t);
    EXPECT_EQ(r.no_jobs_before_barrier, 1);
    EXPECT_EQ(r.no_jobs_after_barrier, 1);
    EXPECT_EQ(r.errors, 0);
    EXPECT_EQ(r.finished, kJobsPerThread);
    EXPECT_EQ(r.wrong_results, 0);
  }
}

std::latch* g_a_inside = nullptr;
std::latch* g_b_done = nullptr;
ASYNC_JOB* g_a_seen_before = nullptr;
ASYNC_JOB* g_a_seen_after = nullptr;
ASYNC_JOB* g_b_seen_inside = nullptr;
std::atomic<bool> g_a_body_ran{false};

int ThreadABody(void*) {
  g_a_body_ran = true;
  g_a_seen_before = ASYNC_get_current_job();
  g_a_inside->count_down();
  g_b_done->wait();  // thread B runs while this job is current on A
  g_a_seen_after = ASYNC_get_current_job();
  return 0;
}

int ThreadBBody(void*) {
  g_b_seen_inside = ASYNC_get_current_job();
  return 0;
}

TEST(ThreadsTest, CurrentJobIsPerThread) {
  std::latch a_inside(1);
  std::latch b_done(1);
  g_a_inside = &a_inside;
  g_b_done = &b_done;

  std::thread a([] {
    auto ctx = NewWaitCtx();
    ASYNC_JOB* job = nullptr;
    int ret = -1;
    ASYNC_start_job(&job, ctx.get(), &ret, ThreadABody, nullptr, 0);
    if (!g_a_body_ran) g_a_inside->count_down();  // no hang when the start fails
  });
  a_inside.wait();
  // Thread A is inside a job right now; this thread is not.
  ASYNC_JOB* const b_outside = ASYNC_get_current_job();
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = -1;
  const int rc = ASYNC_start_job(&job, ctx.get(), &ret, ThreadBBody, nullptr, 0);
  ASYNC_JOB* const b_after = ASYNC_get_current_job();
  b_done.count_down();
  a.join();

  EXPECT_EQ(b_outside, nullptr);
  EXPECT_EQ(rc, ASYNC_FINISH);
  EXPECT_EQ(b_after, nullptr);
  ASSERT_TRUE(g_a_body_ran);
  ASSERT_NE(g_a_seen_before, nullptr);
  EXPECT_EQ(g_a_seen_after, g_a_seen_before);
  ASSERT_NE(g_b_seen_inside, nullptr);
  EXPECT_NE(g_b_seen_inside, g_a_seen_before);
}

TEST(ThreadsTest, ThreadExitWithoutCleanupReleasesItsPool) {
  ASSERT_TRUE(CountingStacks::Install());
  std::vector<std::thread> threads;
  std::atomic<int> errors{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &errors] {
      if (ASYNC_init_thread(8, t) != 1) ++errors;  // some stacks only pre-allocated
      auto ctx = NewWaitCtx();
      std::vector<ASYNC_JOB*> jobs(3, nullptr);
      int ret = 0;
      for (ASYNC_JOB*& job : jobs) {
        if (ASYNC_start_job(&job, ctx.get(), &ret, PauseOnceReturnThree, nullptr, 0) !=
            ASYNC_PAUSE) {
          ++errors;
        }
      }
      // Finish all but the last one on odd threads: those exit with a job
      // still paused.
      const size_t keep_paused = t % 2;
      for (size_t i = 0; i + keep_paused < jobs.size(); ++i) {
        if (ASYNC_start_job(&jobs[i], ctx.get(), &ret, nullptr, nullptr, 0) != ASYNC_FINISH) {
          ++errors;
        }
      }
      // No ASYNC_cleanup_thread.
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(errors, 0);
  EXPECT_GE(CountingStacks::allocs, 3 * kThreads);
  EXPECT_EQ(CountingStacks::frees, CountingStacks::allocs);
}

TEST(ThreadsTest, WaitCtxOfPausedJobFromAnotherThread) {
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, PauseOnceReturnThree, nullptr, 0),
            ASYNC_PAUSE);
  ASYNC_WAIT_CTX* seen = nullptr;
  ASYNC_WAIT_CTX* seen_garbage = reinterpret_cast<ASYNC_WAIT_CTX*>(0x1);
  int not_a_job = 0;
  std::thread poller([&] {
    seen = ASYNC_get_wait_ctx(job);
    seen_garbage = ASYNC_get_wait_ctx(reinterpret_cast<ASYNC_JOB*>(&not_a_job));
  });
  poller.join();
  EXPECT_EQ(seen, ctx.get());
  EXPECT_EQ(seen_garbage, nullptr);
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, nullptr, nullptr, 0), ASYNC_FINISH);
}

constexpr int kPollerPauses = 2000;

int PauseManyTimes(void*) {
  for (int i = 0; i < kPollerPauses; ++i) ASYNC_pause_job();
  return 0;
}

// QAT-style: a polling thread reads the wait ctx of a job that its owner
// keeps pausing and resuming.
TEST(ThreadsTest, WaitCtxReadConcurrentlyWithResumesFromAnotherThread) {
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, PauseManyTimes, nullptr, 0), ASYNC_PAUSE);
  ASYNC_JOB* const handle = job;

  std::atomic<bool> stop{false};
  std::atomic<int> reads{0};
  std::atomic<int> wrong{0};
  std::thread poller([&] {
    while (!stop.load() || reads.load() == 0) {
      if (ASYNC_get_wait_ctx(handle) != ctx.get()) ++wrong;
      ++reads;
    }
  });
  // All but the last pause: the job stays alive while the poller reads.
  for (int i = 1; i < kPollerPauses; ++i) {
    ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, nullptr, nullptr, 0), ASYNC_PAUSE);
    ASSERT_EQ(job, handle);
  }
  stop = true;
  poller.join();
  EXPECT_EQ(wrong, 0);
  EXPECT_GT(reads, 0);
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, nullptr, nullptr, 0), ASYNC_FINISH);
}

TEST(ThreadsTest, PausedHandleFromAnotherThreadIsErrorThere) {
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, PauseOnceReturnThree, nullptr, 0),
            ASYNC_PAUSE);
  ASYNC_JOB* const handle = job;

  int rc_without_pool = 0;
  int rc_with_pool = 0;
  ASYNC_JOB* job_after = nullptr;
  int ret_seen = -1;
  std::thread other([&] {
    ASYNC_JOB* foreign = handle;
    int other_ret = -1;
    rc_without_pool = ASYNC_start_job(&foreign, ctx.get(), &other_ret, nullptr, nullptr, 0);
    // Also once this thread has a pool (with paused jobs) of its own.
    auto own_ctx = NewWaitCtx();
    ASYNC_JOB* own = nullptr;
    ASYNC_start_job(&own, own_ctx.get(), &other_ret, PauseOnceReturnThree, nullptr, 0);
    rc_with_pool = ASYNC_start_job(&foreign, ctx.get(), &other_ret, nullptr, nullptr, 0);
    job_after = foreign;
    ret_seen = other_ret;
    ASYNC_start_job(&own, own_ctx.get(), &other_ret, nullptr, nullptr, 0);
  });
  other.join();
  EXPECT_EQ(rc_without_pool, ASYNC_ERR);
  EXPECT_EQ(rc_with_pool, ASYNC_ERR);
  EXPECT_EQ(job_after, handle);
  EXPECT_EQ(ret_seen, -1);
  // The owner can still resume it.
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, nullptr, nullptr, 0), ASYNC_FINISH);
  EXPECT_EQ(ret, 3);
}

}  // namespace
