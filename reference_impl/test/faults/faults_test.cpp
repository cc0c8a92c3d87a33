// libasyncref-faulty.so: each deliberate fault of src/faults.def has the
// observable effect it claims, and none of them is there when ASYNCREF_FAULT
// is unset.
//
// One TEST(Fault, <Enumerator>) per fault. It observes the fault's rule
// through the public API and expects the broken answer when ASYNCREF_FAULT
// names this fault, the correct one when it is unset (so each observation is
// shown to tell the two apart), and skips when another fault is active.
// CMake runs each of them twice, in a process of its own: as fault.<name>
// with ASYNCREF_FAULT=<name>, and as fault_none.Fault.<Enumerator> without.
//
// This program replaces the global operator new/delete with counting
// versions (counting_new.cpp, for arg-copy-leaks).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "asyncconf/async_abi.h"
#include "counting_new.hpp"
#include "fault.hpp"
#include "test_support.hpp"

namespace {

using asyncconf::ref::all_faults;
using asyncconf::ref::kFaultEnv;
using asyncref_test::CountingStacks;
using asyncref_test::LiveNews;
using asyncref_test::NewWaitCtx;
using asyncref_test::PauseOnceReturnThree;
using asyncref_test::PauseThenReturnArg;
using asyncref_test::ReturnSeven;
using asyncref_test::RunToEnd;
using asyncref_test::WaitCtxPtr;

// --- Which fault is active ----------------------------------------------------

const char* ActiveFault() {
  const char* v = std::getenv(kFaultEnv);
  return v == nullptr ? "" : v;
}

// In a TEST(Fault, ...) body: defines `broken` (whether `name` is the active
// fault, i.e. the broken answer is expected); skips when another fault is
// (after a first library call, so that a misspelt name aborts, not skips).
#define FAULT_MODE(name)                                                            \
  const bool broken = std::strcmp(ActiveFault(), name) == 0;                        \
  if (!broken && *ActiveFault() != '\0') {                                          \
    ASYNC_WAIT_CTX_free(ASYNC_WAIT_CTX_new());                                      \
    GTEST_SKIP() << "this test is for " << name << "; active: " << ActiveFault();   \
  }

// --- Job bodies ------------------------------------------------------------------

// Returns whether it got a non-NULL argument.
int ReturnArgIsNonNull(void* arg) { return arg != nullptr ? 1 : 0; }

// Returns whether ASYNC_get_current_job() names a job.
int ReturnInsideJob(void*) { return ASYNC_get_current_job() != nullptr ? 1 : 0; }

// Its argument is the wait ctx it was started with; returns whether
// ASYNC_get_wait_ctx of the current job gives it back.
int ReturnWaitCtxMatches(void* arg) {
  ASYNC_WAIT_CTX* expected = *static_cast<ASYNC_WAIT_CTX**>(arg);
  return ASYNC_get_wait_ctx(ASYNC_get_current_job()) == expected ? 1 : 0;
}

// Calls ASYNC_start_job from inside this job; returns what it returned.
int ReturnNestedStartResult(void*) {
  ASYNC_JOB* inner = nullptr;
  int inner_ret = 0;
  return ASYNC_start_job(&inner, nullptr, &inner_ret, ReturnSeven, nullptr, 0);
}

int BlockTwiceUnblockOncePause(void*) {
  ASYNC_block_pause();
  ASYNC_block_pause();
  ASYNC_unblock_pause();
  ASYNC_pause_job();  // still blocked once: must not pause
  ASYNC_unblock_pause();
  return 1;
}

int BlockedPause(void*) {
  ASYNC_block_pause();
  ASYNC_pause_job();  // blocked: must not pause
  ASYNC_unblock_pause();
  return 1;
}

ASYNC_WAIT_CTX* CurrentCtx() { return ASYNC_get_wait_ctx(ASYNC_get_current_job()); }

const int kKey = 1;
const int kKey2 = 2;

// Sets wait fd 5, pauses twice (the second pause changes no fd), returns.
int SetFdPauseTwice(void*) {
  ASYNC_WAIT_CTX_set_wait_fd(CurrentCtx(), &kKey, 5, nullptr, nullptr);
  ASYNC_pause_job();
  ASYNC_pause_job();
  return 1;
}

// Sets wait fd 5, pauses, clears it, pauses, returns.
int SetPauseClearPause(void*) {
  ASYNC_WAIT_CTX_set_wait_fd(CurrentCtx(), &kKey, 5, nullptr, nullptr);
  ASYNC_pause_job();
  ASYNC_WAIT_CTX_clear_fd(CurrentCtx(), &kKey);
  ASYNC_pause_job();
  return 1;
}

struct FdChanges {
  size_t added = 0;
  size_t deleted = 0;
};
FdChanges ChangedFds(ASYNC_WAIT_CTX* ctx) {
  FdChanges c;
  EXPECT_EQ(ASYNC_WAIT_CTX_get_changed_fds(ctx, nullptr, &c.added, nullptr, &c.deleted), 1);
  return c;
}

int g_cleanups = 0;
void CountCleanup(ASYNC_WAIT_CTX*, const void*, OSSL_ASYNC_FD, void*) { ++g_cleanups; }

int Callback(void*) { return 1; }

// --- The fault list --------------------------------------------------------------

// Every fault of faults.def has its TEST(Fault, <Enumerator>): CMake runs
// exactly those names.
TEST(FaultList, EveryFaultHasATest) {
  std::vector<std::string> tests;
  const testing::UnitTest& unit = *testing::UnitTest::GetInstance();
  for (int i = 0; i < unit.total_test_suite_count(); ++i) {
    const testing::TestSuite& suite = *unit.GetTestSuite(i);
    if (std::string(suite.name()) != "Fault") continue;
    for (int j = 0; j < suite.total_test_count(); ++j) {
      tests.push_back(suite.GetTestInfo(j)->name());
    }
  }
  static const char* const kEnumerators[] = {
#define ASYNCREF_FAULT(id, name, rule) #id,
#include "faults.def"
#undef ASYNCREF_FAULT
  };
  ASSERT_EQ(std::size(kEnumerators), all_faults().size());
  EXPECT_EQ(tests.size(), all_faults().size());
  for (const char* id : kEnumerators) {
    EXPECT_NE(std::find(tests.begin(), tests.end(), id), tests.end())
        << "no TEST(Fault, " << id << ")";
  }
  EXPECT_GE(all_faults().size(), 18u);
}

// --- No fault: the faulty library is the reference --------------------------------

TEST(FaultFree, StartPauseResumeFinishAndWaitCtxRoundTrip) {
  if (*ActiveFault() != '\0') GTEST_SKIP() << "a fault is active: " << ActiveFault();
  auto ctx = NewWaitCtx();
  ASSERT_NE(ctx, nullptr);
  EXPECT_EQ(ASYNC_WAIT_CTX_get_status(ctx.get()), ASYNC_STATUS_UNSUPPORTED);

  int value = 11;
  ASYNC_JOB* job = nullptr;
  int ret = -1;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, SetFdPauseTwice, &value, sizeof value),
            ASYNC_PAUSE);
  EXPECT_NE(job, nullptr);
  EXPECT_EQ(ret, -1);
  EXPECT_EQ(ASYNC_get_current_job(), nullptr);
  EXPECT_EQ(ASYNC_get_wait_ctx(job), ctx.get());
  OSSL_ASYNC_FD fd = -1;
  size_t n = 0;
  EXPECT_EQ(ASYNC_WAIT_CTX_get_all_fds(ctx.get(), &fd, &n), 1);
  EXPECT_EQ(n, 1u);
  EXPECT_EQ(fd, 5);
  EXPECT_EQ(ChangedFds(ctx.get()).added, 1u);

  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, nullptr, nullptr, 0), ASYNC_PAUSE);
  EXPECT_EQ(ChangedFds(ctx.get()).added, 0u);
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, nullptr, nullptr, 0), ASYNC_FINISH);
  EXPECT_EQ(job, nullptr);
  EXPECT_EQ(ret, 1);

  EXPECT_EQ(RunToEnd(&job, ctx.get(), &ret, PauseThenReturnArg, &value, sizeof value),
            ASYNC_FINISH);
  EXPECT_EQ(ret, 11);

  EXPECT_EQ(ASYNC_WAIT_CTX_set_callback(ctx.get(), Callback, &value), 1);
  ASYNC_callback_fn cb = nullptr;
  void* arg = nullptr;
  EXPECT_EQ(ASYNC_WAIT_CTX_get_callback(ctx.get(), &cb, &arg), 1);
  EXPECT_EQ(cb, Callback);
  EXPECT_EQ(arg, &value);
  EXPECT_EQ(ASYNC_WAIT_CTX_set_status(ctx.get(), ASYNC_STATUS_OK), 1);
  EXPECT_EQ(ASYNC_WAIT_CTX_get_status(ctx.get()), ASYNC_STATUS_OK);

  g_cleanups = 0;
  ASSERT_EQ(ASYNC_WAIT_CTX_set_wait_fd(ctx.get(), &kKey2, 6, nullptr, CountCleanup), 1);
  ctx.reset();
  EXPECT_EQ(g_cleanups, 1);
  ASYNC_cleanup_thread();
}

// An unknown name is never taken for "no fault".
TEST(FaultSelection, UnknownNameAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  ASSERT_EQ(setenv(kFaultEnv, "no-such-fault", 1), 0);
  EXPECT_DEATH(
      {
        ASYNC_WAIT_CTX_free(ASYNC_WAIT_CTX_new());
        ASYNC_JOB* job = nullptr;
        int ret = 0;
        ASYNC_start_job(&job, nullptr, &ret, ReturnSeven, nullptr, 0);
      },
      "unknown ASYNCREF_FAULT=\"no-such-fault\"; valid names: "
      "finish-keeps-job .*status-default-ok");
  unsetenv(kFaultEnv);
}

// --- ASYNC_start_job: results --------------------------------------------------------

TEST(Fault, FinishKeepsJob) {
  FAULT_MODE("finish-keeps-job");
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, ReturnSeven, nullptr, 0), ASYNC_FINISH);
  EXPECT_EQ(job != nullptr, broken) << "*job after ASYNC_FINISH: " << job;
}

TEST(Fault, FinishRetNotWritten) {
  FAULT_MODE("finish-ret-not-written");
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = -1;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, ReturnSeven, nullptr, 0), ASYNC_FINISH);
  EXPECT_EQ(ret, broken ? -1 : 7);
}

TEST(Fault, RetWrittenOnPause) {
  FAULT_MODE("ret-written-on-pause");
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = 42;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, PauseOnceReturnThree, nullptr, 0),
            ASYNC_PAUSE);
  EXPECT_EQ(ret, broken ? 0 : 42);
  ASSERT_EQ(RunToEnd(&job, ctx.get(), &ret, nullptr), ASYNC_FINISH);
  EXPECT_EQ(ret, 3);
}

TEST(Fault, ArgsNotCopied) {
  FAULT_MODE("args-not-copied");
  auto ctx = NewWaitCtx();
  int value = 5;
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, PauseThenReturnArg, &value, sizeof value),
            ASYNC_PAUSE);
  value = 6;  // the job must still see its own copy: 5
  ASSERT_EQ(RunToEnd(&job, ctx.get(), &ret, nullptr), ASYNC_FINISH);
  EXPECT_EQ(ret, broken ? 6 : 5);
}

TEST(Fault, SizeZeroPassesArgs) {
  FAULT_MODE("size-zero-passes-args");
  auto ctx = NewWaitCtx();
  int value = 5;
  ASYNC_JOB* job = nullptr;
  int ret = -1;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, ReturnArgIsNonNull, &value, 0), ASYNC_FINISH);
  EXPECT_EQ(ret, broken ? 1 : 0) << "func got a non-NULL argument for size 0";
}

TEST(Fault, ArgCopyLeaks) {
  FAULT_MODE("arg-copy-leaks");
  auto ctx = NewWaitCtx();
  char args[64] = {};
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  // The first job creates the pool and its job; the second reuses them.
  ASSERT_EQ(RunToEnd(&job, ctx.get(), &ret, ReturnSeven, args, sizeof args), ASYNC_FINISH);
  const long before = LiveNews();
  ASSERT_EQ(RunToEnd(&job, ctx.get(), &ret, ReturnSeven, args, sizeof args), ASYNC_FINISH);
  EXPECT_EQ(LiveNews() - before, broken ? 1 : 0) << "heap blocks left by one job with args";
}

TEST(Fault, ResumeRunsRecentJob) {
  FAULT_MODE("resume-runs-recent-job");
  auto ctx_a = NewWaitCtx();
  auto ctx_b = NewWaitCtx();
  int one = 1;
  int two = 2;
  ASYNC_JOB* a = nullptr;
  ASYNC_JOB* b = nullptr;
  int ret = 0;
  ASSERT_EQ(ASYNC_start_job(&a, ctx_a.get(), &ret, PauseThenReturnArg, &one, sizeof one),
            ASYNC_PAUSE);
  ASSERT_EQ(ASYNC_start_job(&b, ctx_b.get(), &ret, PauseThenReturnArg, &two, sizeof two),
            ASYNC_PAUSE);
  ASSERT_EQ(ASYNC_start_job(&a, ctx_a.get(), &ret, nullptr, nullptr, 0), ASYNC_FINISH);
  EXPECT_EQ(ret, broken ? 2 : 1) << "resuming job A ran job " << (ret == 2 ? "B" : "A");
  if (!broken) {
    EXPECT_EQ(ASYNC_start_job(&b, ctx_b.get(), &ret, nullptr, nullptr, 0), ASYNC_FINISH);
    EXPECT_EQ(ret, 2);
  }
}

TEST(Fault, NestedStartAllowed) {
  FAULT_MODE("nested-start-allowed");
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = -100;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, ReturnNestedStartResult, nullptr, 0),
            ASYNC_FINISH);
  EXPECT_EQ(ret, broken ? ASYNC_FINISH : ASYNC_ERR) << "nested ASYNC_start_job returned " << ret;
}

// --- Pool ------------------------------------------------------------------------------

TEST(Fault, PoolMaxOffByOne) {
  FAULT_MODE("pool-max-off-by-one");
  ASSERT_EQ(ASYNC_init_thread(2, 0), 1);
  std::vector<WaitCtxPtr> ctxs;
  std::vector<ASYNC_JOB*> jobs(3, nullptr);
  int rc[3];
  int ret = 0;
  for (int i = 0; i < 3; ++i) {
    ctxs.push_back(NewWaitCtx());
    rc[i] = ASYNC_start_job(&jobs[i], ctxs[i].get(), &ret, PauseOnceReturnThree, nullptr, 0);
  }
  EXPECT_EQ(rc[0], ASYNC_PAUSE);
  EXPECT_EQ(rc[1], ASYNC_PAUSE);
  EXPECT_EQ(rc[2], broken ? ASYNC_PAUSE : ASYNC_NO_JOBS) << "third job with max_size 2";
  for (int i = 0; i < 3; ++i) {
    if (rc[i] == ASYNC_PAUSE) {
      EXPECT_EQ(RunToEnd(&jobs[i], ctxs[i].get(), &ret, nullptr), ASYNC_FINISH);
    }
  }
}

TEST(Fault, PoolFullReturnsErr) {
  FAULT_MODE("pool-full-returns-err");
  ASSERT_EQ(ASYNC_init_thread(1, 0), 1);
  auto ctx_a = NewWaitCtx();
  auto ctx_b = NewWaitCtx();
  ASYNC_JOB* a = nullptr;
  ASYNC_JOB* b = nullptr;
  int ret = 0;
  ASSERT_EQ(ASYNC_start_job(&a, ctx_a.get(), &ret, PauseOnceReturnThree, nullptr, 0),
            ASYNC_PAUSE);
  EXPECT_EQ(ASYNC_start_job(&b, ctx_b.get(), &ret, PauseOnceReturnThree, nullptr, 0),
            broken ? ASYNC_ERR : ASYNC_NO_JOBS);
  EXPECT_EQ(RunToEnd(&a, ctx_a.get(), &ret, nullptr), ASYNC_FINISH);
}

TEST(Fault, InitSizeIgnored) {
  FAULT_MODE("init-size-ignored");
  ASSERT_TRUE(CountingStacks::Install());
  ASSERT_EQ(ASYNC_init_thread(4, 4), 1);
  EXPECT_EQ(CountingStacks::allocs.load(), broken ? 0 : 4) << "stacks after init_thread(4, 4)";
}

TEST(Fault, InitAcceptsInitAboveMax) {
  FAULT_MODE("init-accepts-init-above-max");
  EXPECT_EQ(ASYNC_init_thread(1, 2), broken ? 1 : 0);
}

TEST(Fault, CleanupThreadKeepsStacks) {
  FAULT_MODE("cleanup-thread-keeps-stacks");
  ASSERT_TRUE(CountingStacks::Install());
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  ASSERT_EQ(RunToEnd(&job, ctx.get(), &ret, ReturnSeven), ASYNC_FINISH);
  ASSERT_EQ(CountingStacks::allocs.load(), 1);
  ASYNC_cleanup_thread();
  EXPECT_EQ(CountingStacks::frees.load(), broken ? 0 : 1) << "stacks freed by cleanup_thread";
}

TEST(Fault, ThreadExitLeaks) {
  FAULT_MODE("thread-exit-leaks");
  ASSERT_TRUE(CountingStacks::Install());
  std::thread worker([] {
    auto ctx = NewWaitCtx();
    ASYNC_JOB* job = nullptr;
    int ret = 0;
    EXPECT_EQ(RunToEnd(&job, ctx.get(), &ret, ReturnSeven), ASYNC_FINISH);
  });  // exits without ASYNC_cleanup_thread
  worker.join();
  ASSERT_EQ(CountingStacks::allocs.load(), 1);
  EXPECT_EQ(CountingStacks::frees.load(), broken ? 0 : 1) << "stacks freed at thread exit";
}

// --- Pausing and the current job ----------------------------------------------------------

TEST(Fault, PauseOutsideJobReturns0) {
  FAULT_MODE("pause-outside-job-returns-0");
  EXPECT_EQ(ASYNC_pause_job(), broken ? 0 : 1);
}

TEST(Fault, CurrentJobKeptAfterPause) {
  FAULT_MODE("current-job-kept-after-pause");
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, PauseOnceReturnThree, nullptr, 0),
            ASYNC_PAUSE);
  EXPECT_EQ(ASYNC_get_current_job() != nullptr, broken) << "current job outside any job";
  // Broken, the thread still looks inside a job: a resume would be refused.
  if (!broken) {
    EXPECT_EQ(RunToEnd(&job, ctx.get(), &ret, nullptr), ASYNC_FINISH);
  }
}

TEST(Fault, CurrentJobNullInside) {
  FAULT_MODE("current-job-null-inside");
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = -1;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, ReturnInsideJob, nullptr, 0), ASYNC_FINISH);
  EXPECT_EQ(ret, broken ? 0 : 1) << "ASYNC_get_current_job() named a job inside the job";
}

TEST(Fault, GetWaitCtxNullInJob) {
  FAULT_MODE("get-wait-ctx-null-in-job");
  auto ctx = NewWaitCtx();
  ASYNC_WAIT_CTX* expected = ctx.get();
  ASYNC_JOB* job = nullptr;
  int ret = -1;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, ReturnWaitCtxMatches, &expected,
                            sizeof expected),
            ASYNC_FINISH);
  EXPECT_EQ(ret, broken ? 0 : 1) << "ASYNC_get_wait_ctx(current job) gave the job's ctx";
}

TEST(Fault, BlockNotNested) {
  FAULT_MODE("block-not-nested");
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  EXPECT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, BlockTwiceUnblockOncePause, nullptr, 0),
            broken ? ASYNC_PAUSE : ASYNC_FINISH);
  if (job != nullptr) {
    EXPECT_EQ(RunToEnd(&job, ctx.get(), &ret, nullptr), ASYNC_FINISH);
  }
}

TEST(Fault, BlockIgnored) {
  FAULT_MODE("block-ignored");
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  EXPECT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, BlockedPause, nullptr, 0),
            broken ? ASYNC_PAUSE : ASYNC_FINISH);
  if (job != nullptr) {
    EXPECT_EQ(RunToEnd(&job, ctx.get(), &ret, nullptr), ASYNC_FINISH);
  }
}

// --- Stack allocator --------------------------------------------------------------------------

TEST(Fault, MemSetAfterAllocSucceeds) {
  FAULT_MODE("mem-set-after-alloc-succeeds");
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  ASSERT_EQ(RunToEnd(&job, ctx.get(), &ret, ReturnSeven), ASYNC_FINISH);  // a stack exists
  EXPECT_EQ(ASYNC_set_mem_functions(CountingStacks::Alloc, CountingStacks::Free), broken ? 1 : 0);
}

TEST(Fault, StackNumHalved) {
  FAULT_MODE("stack-num-halved");
  ASSERT_TRUE(CountingStacks::Install());
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  ASSERT_EQ(RunToEnd(&job, ctx.get(), &ret, ReturnSeven), ASYNC_FINISH);
  EXPECT_EQ(CountingStacks::requested.load(), broken ? 16u * 1024 : 32u * 1024)
      << "*num asked of the stack allocator";
}

// --- ASYNC_WAIT_CTX ------------------------------------------------------------------------------

TEST(Fault, ChangedFdsNotReset) {
  FAULT_MODE("changed-fds-not-reset");
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, SetFdPauseTwice, nullptr, 0), ASYNC_PAUSE);
  EXPECT_EQ(ChangedFds(ctx.get()).added, 1u);
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, nullptr, nullptr, 0), ASYNC_PAUSE);
  EXPECT_EQ(ChangedFds(ctx.get()).added, broken ? 1u : 0u) << "added since the last pause";
  ASSERT_EQ(RunToEnd(&job, ctx.get(), &ret, nullptr), ASYNC_FINISH);
}

TEST(Fault, ClearFdNotReportedDeleted) {
  FAULT_MODE("clear-fd-not-reported-deleted");
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, SetPauseClearPause, nullptr, 0), ASYNC_PAUSE);
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, nullptr, nullptr, 0), ASYNC_PAUSE);
  EXPECT_EQ(ChangedFds(ctx.get()).deleted, broken ? 0u : 1u) << "deleted since the last pause";
  ASSERT_EQ(RunToEnd(&job, ctx.get(), &ret, nullptr), ASYNC_FINISH);
}

TEST(Fault, ClearFdCallsCleanup) {
  FAULT_MODE("clear-fd-calls-cleanup");
  auto ctx = NewWaitCtx();
  g_cleanups = 0;
  ASSERT_EQ(ASYNC_WAIT_CTX_set_wait_fd(ctx.get(), &kKey, 5, nullptr, CountCleanup), 1);
  ASSERT_EQ(ASYNC_WAIT_CTX_clear_fd(ctx.get(), &kKey), 1);
  EXPECT_EQ(g_cleanups, broken ? 1 : 0) << "cleanups run by clear_fd";
}

TEST(Fault, FreeSkipsCleanup) {
  FAULT_MODE("free-skips-cleanup");
  auto ctx = NewWaitCtx();
  g_cleanups = 0;
  ASSERT_EQ(ASYNC_WAIT_CTX_set_wait_fd(ctx.get(), &kKey, 5, nullptr, CountCleanup), 1);
  ctx.reset();
  EXPECT_EQ(g_cleanups, broken ? 0 : 1) << "cleanups run by ASYNC_WAIT_CTX_free";
}

TEST(Fault, GetAllFdsMissesNewest) {
  FAULT_MODE("get-all-fds-misses-newest");
  auto ctx = NewWaitCtx();
  ASSERT_EQ(ASYNC_WAIT_CTX_set_wait_fd(ctx.get(), &kKey, 10, nullptr, nullptr), 1);
  ASSERT_EQ(ASYNC_WAIT_CTX_set_wait_fd(ctx.get(), &kKey2, 11, nullptr, nullptr), 1);
  size_t n = 0;
  ASSERT_EQ(ASYNC_WAIT_CTX_get_all_fds(ctx.get(), nullptr, &n), 1);
  EXPECT_EQ(n, broken ? 1u : 2u);
  std::vector<OSSL_ASYNC_FD> fds(2, -1);
  ASSERT_EQ(ASYNC_WAIT_CTX_get_all_fds(ctx.get(), fds.data(), &n), 1);
  EXPECT_EQ(std::count(fds.begin(), fds.end(), 11) == 1, !broken) << "the newest fd is listed";
}

TEST(Fault, CallbackArgLost) {
  FAULT_MODE("callback-arg-lost");
  auto ctx = NewWaitCtx();
  int data = 0;
  ASSERT_EQ(ASYNC_WAIT_CTX_set_callback(ctx.get(), Callback, &data), 1);
  ASYNC_callback_fn cb = nullptr;
  void* arg = nullptr;
  ASSERT_EQ(ASYNC_WAIT_CTX_get_callback(ctx.get(), &cb, &arg), 1);
  EXPECT_EQ(cb, Callback);
  EXPECT_EQ(arg, broken ? nullptr : static_cast<void*>(&data));
}

TEST(Fault, StatusDefaultOk) {
  FAULT_MODE("status-default-ok");
  auto ctx = NewWaitCtx();
  EXPECT_EQ(ASYNC_WAIT_CTX_get_status(ctx.get()),
            broken ? ASYNC_STATUS_OK : ASYNC_STATUS_UNSUPPORTED);
}

}  // namespace
