// ASYNC_WAIT_CTX wait fds: set/get/clear, listing, cleanup on free, and the
// added/deleted bookkeeping of ASYNC_WAIT_CTX_get_changed_fds across pauses.
// The fds are plain numbers: the library never touches them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <ostream>
#include <tuple>
#include <vector>

#include "asyncconf/async_abi.h"
#include "test_support.hpp"

namespace {

using asyncref_test::NewWaitCtx;

const int kKeyA = 1;
const int kKeyB = 2;
const int kKeyC = 3;
int g_data_a = 0;
int g_data_b = 0;

std::vector<OSSL_ASYNC_FD> AllFds(ASYNC_WAIT_CTX* ctx) {
  size_t n = 0;
  if (ASYNC_WAIT_CTX_get_all_fds(ctx, nullptr, &n) != 1) return {-1};
  std::vector<OSSL_ASYNC_FD> fds(n, -1);
  if (n > 0 && ASYNC_WAIT_CTX_get_all_fds(ctx, fds.data(), &n) != 1) return {-1};
  fds.resize(n);
  return fds;
}

struct Changes {
  std::vector<OSSL_ASYNC_FD> added;
  std::vector<OSSL_ASYNC_FD> deleted;
  bool operator==(const Changes&) const = default;
};

void PrintTo(const Changes& c, std::ostream* os) {
  *os << "added " << testing::PrintToString(c.added) << " deleted "
      << testing::PrintToString(c.deleted);
}

Changes ChangedFds(ASYNC_WAIT_CTX* ctx) {
  size_t na = 0;
  size_t nd = 0;
  if (ASYNC_WAIT_CTX_get_changed_fds(ctx, nullptr, &na, nullptr, &nd) != 1) return {{-1}, {-1}};
  Changes c{std::vector<OSSL_ASYNC_FD>(na, -1), std::vector<OSSL_ASYNC_FD>(nd, -1)};
  if (ASYNC_WAIT_CTX_get_changed_fds(ctx, c.added.data(), &na, c.deleted.data(), &nd) != 1) {
    return {{-1}, {-1}};
  }
  c.added.resize(na);
  c.deleted.resize(nd);
  return c;
}

const Changes kNoChanges{};

ASYNC_WAIT_CTX* CurrentCtx() { return ASYNC_get_wait_ctx(ASYNC_get_current_job()); }

// Every call of a cleanup function: (ctx, key, fd, custom_data).
using CleanupCall = std::tuple<ASYNC_WAIT_CTX*, const void*, OSSL_ASYNC_FD, void*>;
std::vector<CleanupCall> g_cleanups;

void RecordCleanup(ASYNC_WAIT_CTX* ctx, const void* key, OSSL_ASYNC_FD fd, void* data) {
  g_cleanups.emplace_back(ctx, key, fd, data);
}

TEST(WaitCtxFdsTest, NewCtxHasNoFdsUnsupportedStatusAndNoCallback) {
  auto ctx = NewWaitCtx();
  ASSERT_NE(ctx, nullptr);
  EXPECT_EQ(AllFds(ctx.get()), std::vector<OSSL_ASYNC_FD>{});
  EXPECT_EQ(ChangedFds(ctx.get()), kNoChanges);
  EXPECT_EQ(ASYNC_WAIT_CTX_get_status(ctx.get()), ASYNC_STATUS_UNSUPPORTED);
  ASYNC_callback_fn cb = nullptr;
  void* arg = nullptr;
  EXPECT_EQ(ASYNC_WAIT_CTX_get_callback(ctx.get(), &cb, &arg), 0);
}

TEST(WaitCtxFdsTest, GetFdReturnsWhatSetWaitFdStored) {
  auto ctx = NewWaitCtx();
  ASSERT_EQ(ASYNC_WAIT_CTX_set_wait_fd(ctx.get(), &kKeyA, 10, &g_data_a, nullptr), 1);
  ASSERT_EQ(ASYNC_WAIT_CTX_set_wait_fd(ctx.get(), &kKeyB, 11, &g_data_b, RecordCleanup), 1);
  OSSL_ASYNC_FD fd = -1;
  void* data = nullptr;
  EXPECT_EQ(ASYNC_WAIT_CTX_get_fd(ctx.get(), &kKeyA, &fd, &data), 1);
  EXPECT_EQ(fd, 10);
  EXPECT_EQ(data, &g_data_a);
  EXPECT_EQ(ASYNC_WAIT_CTX_get_fd(ctx.get(), &kKeyB, &fd, &data), 1);
  EXPECT_EQ(fd, 11);
  EXPECT_EQ(data, &g_data_b);
}

TEST(WaitCtxFdsTest, GetFdOfUnknownKeyReturnsZero) {
  auto ctx = NewWaitCtx();
  OSSL_ASYNC_FD fd = -1;
  void* data = nullptr;
  EXPECT_EQ(ASYNC_WAIT_CTX_get_fd(ctx.get(), &kKeyA, &fd, &data), 0);
  ASSERT_EQ(ASYNC_WAIT_CTX_set_wait_fd(ctx.get(), &kKeyA, 10, &g_data_a, nullptr), 1);
  EXPECT_EQ(ASYNC_WAIT_CTX_get_fd(ctx.get(), &kKeyB, &fd, &data), 0);
  EXPECT_EQ(ASYNC_WAIT_CTX_get_fd(ctx.get(), nullptr, &fd, &data), 0);
}

TEST(WaitCtxFdsTest, SameKeyTwiceListsBothAndGetFdReturnsNewest) {
  auto ctx = NewWaitCtx();
  ASSERT_EQ(ASYNC_WAIT_CTX_set_wait_fd(ctx.get(), &kKeyA, 10, &g_data_a, nullptr), 1);
  ASSERT_EQ(ASYNC_WAIT_CTX_set_wait_fd(ctx.get(), &kKeyA, 20, &g_data_b, nullptr), 1);
  EXPECT_EQ(AllFds(ctx.get()), (std::vector<OSSL_ASYNC_FD>{20, 10}));
  OSSL_ASYNC_FD fd = -1;
  void* data = nullptr;
  ASSERT_EQ(ASYNC_WAIT_CTX_get_fd(ctx.get(), &kKeyA, &fd, &data), 1);
  EXPECT_EQ(fd, 20);
  EXPECT_EQ(data, &g_data_b);
}

TEST(WaitCtxFdsTest, ClearingTheNewestOfTwoSameKeyEntriesExposesTheOlder) {
  auto ctx = NewWaitCtx();
  ASSERT_EQ(ASYNC_WAIT_CTX_set_wait_fd(ctx.get(), &kKeyA, 10, &g_data_a, nullptr), 1);
  ASSERT_EQ(ASYNC_WAIT_CTX_set_wait_fd(ctx.get(), &kKeyA, 20, &g_data_b, nullptr), 1);
  ASSERT_EQ(ASYNC_WAIT_CTX_clear_fd(ctx.get(), &kKeyA), 1);
  OSSL_ASYNC_FD fd = -1;
  ASSERT_EQ(ASYNC_WAIT_CTX_get_fd(ctx.get(), &kKeyA, &fd, nullptr), 1);
  EXPECT_EQ(fd, 10);
  EXPECT_EQ(AllFds(ctx.get()), std::vector<OSSL_ASYNC_FD>{10});
}

TEST(WaitCtxFdsTest, GetAllFdsCountsWithNullArrayThenFillsNewestFirst) {
  auto ctx = NewWaitCtx();
  ASSERT_EQ(ASYNC_WAIT_CTX_set_wait_fd(ctx.get(), &kKeyA, 10, nullptr, nullptr), 1);
  ASSERT_EQ(ASYNC_WAIT_CTX_set_wait_fd(ctx.get(), &kKeyB, 11, nullptr, nullptr), 1);
  ASSERT_EQ(ASYNC_WAIT_CTX_set_wait_fd(ctx.get(), &kKeyC, 12, nullptr, nullptr), 1);

  size_t n = 0;
  ASSERT_EQ(ASYNC_WAIT_CTX_get_all_fds(ctx.get(), nullptr, &n), 1);
  EXPECT_EQ(n, 3u);
  // One slot more than needed: the count says how many were written.
  OSSL_ASYNC_FD fds[4] = {-1, -1, -1, -1};
  ASSERT_EQ(ASYNC_WAIT_CTX_get_all_fds(ctx.get(), fds, &n), 1);
  EXPECT_EQ(n, 3u);
  EXPECT_EQ(fds[0], 12);
  EXPECT_EQ(fds[1], 11);
  EXPECT_EQ(fds[2], 10);
  EXPECT_EQ(fds[3], -1);
}

TEST(WaitCtxFdsTest, ClearFdReturnsOneThenZeroAndTheFdIsNoLongerListed) {
  auto ctx = NewWaitCtx();
  ASSERT_EQ(ASYNC_WAIT_CTX_set_wait_fd(ctx.get(), &kKeyA, 10, nullptr, nullptr), 1);
  ASSERT_EQ(ASYNC_WAIT_CTX_set_wait_fd(ctx.get(), &kKeyB, 11, nullptr, nullptr), 1);
  EXPECT_EQ(ASYNC_WAIT_CTX_clear_fd(ctx.get(), &kKeyA), 1);
  EXPECT_EQ(ASYNC_WAIT_CTX_clear_fd(ctx.get(), &kKeyA), 0);
  EXPECT_EQ(AllFds(ctx.get()), std::vector<OSSL_ASYNC_FD>{11});
  EXPECT_EQ(ASYNC_WAIT_CTX_get_fd(ctx.get(), &kKeyA, nullptr, nullptr), 0);
  EXPECT_EQ(ASYNC_WAIT_CTX_clear_fd(ctx.get(), &kKeyC), 0);
}

TEST(WaitCtxFdsTest, FreeCallsEachUnclearedCleanupOnceWithItsArguments) {
  ASYNC_WAIT_CTX* ctx = ASYNC_WAIT_CTX_new();
  ASSERT_NE(ctx, nullptr);
  ASSERT_EQ(ASYNC_WAIT_CTX_set_wait_fd(ctx, &kKeyA, 10, &g_data_a, RecordCleanup), 1);
  ASSERT_EQ(ASYNC_WAIT_CTX_set_wait_fd(ctx, &kKeyB, 11, &g_data_b, RecordCleanup), 1);
  ASSERT_EQ(ASYNC_WAIT_CTX_set_wait_fd(ctx, &kKeyC, 12, nullptr, RecordCleanup), 1);
  ASSERT_EQ(ASYNC_WAIT_CTX_set_wait_fd(ctx, &kKeyA, 13, nullptr, nullptr), 1);
  ASSERT_EQ(ASYNC_WAIT_CTX_clear_fd(ctx, &kKeyC), 1);
  ASYNC_WAIT_CTX_free(ctx);

  std::vector<CleanupCall> expected = {
      {ctx, &kKeyB, 11, &g_data_b},
      {ctx, &kKeyA, 10, &g_data_a},
  };
  // The order among entries is not a rule; only the set is.
  std::sort(g_cleanups.begin(), g_cleanups.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(g_cleanups, expected);
}

int SetPauseClear(void*) {
  ASYNC_WAIT_CTX* ctx = CurrentCtx();
  ASYNC_WAIT_CTX_set_wait_fd(ctx, &kKeyA, 10, &g_data_a, RecordCleanup);
  ASYNC_pause_job();
  return ASYNC_WAIT_CTX_clear_fd(ctx, &kKeyA);
}

TEST(WaitCtxFdsTest, ClearFdNeverCallsCleanup) {
  auto ctx = NewWaitCtx();
  // An fd added in this run...
  ASSERT_EQ(ASYNC_WAIT_CTX_set_wait_fd(ctx.get(), &kKeyB, 11, &g_data_b, RecordCleanup), 1);
  ASSERT_EQ(ASYNC_WAIT_CTX_clear_fd(ctx.get(), &kKeyB), 1);
  EXPECT_TRUE(g_cleanups.empty());
  // ...and one set before a pause and cleared after the resume.
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, SetPauseClear, nullptr, 0), ASYNC_PAUSE);
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, SetPauseClear, nullptr, 0), ASYNC_FINISH);
  ASSERT_EQ(ret, 1);
  EXPECT_TRUE(g_cleanups.empty());
}

TEST(WaitCtxFdsTest, FreeSkipsAnFdClearedAfterAResume) {
  // Such an entry is still remembered, as deleted: free must not clean it up.
  ASYNC_WAIT_CTX* ctx = ASYNC_WAIT_CTX_new();
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  ASSERT_EQ(ASYNC_start_job(&job, ctx, &ret, SetPauseClear, nullptr, 0), ASYNC_PAUSE);
  ASSERT_EQ(ASYNC_start_job(&job, ctx, &ret, SetPauseClear, nullptr, 0), ASYNC_FINISH);
  ASSERT_EQ(ret, 1);
  ASSERT_EQ(ChangedFds(ctx), (Changes{{}, {10}}));
  ASYNC_WAIT_CTX_free(ctx);
  EXPECT_TRUE(g_cleanups.empty());
}

TEST(WaitCtxFdsTest, ChangedFdsCountFromCreationWhenNeverPaused) {
  auto ctx = NewWaitCtx();
  ASSERT_EQ(ASYNC_WAIT_CTX_set_wait_fd(ctx.get(), &kKeyA, 10, nullptr, nullptr), 1);
  ASSERT_EQ(ASYNC_WAIT_CTX_set_wait_fd(ctx.get(), &kKeyB, 11, nullptr, nullptr), 1);
  EXPECT_EQ(ChangedFds(ctx.get()), (Changes{{11, 10}, {}}));
  // Reading the changes does not consume them.
  EXPECT_EQ(ChangedFds(ctx.get()), (Changes{{11, 10}, {}}));
  ASSERT_EQ(ASYNC_WAIT_CTX_clear_fd(ctx.get(), &kKeyA), 1);
  EXPECT_EQ(ChangedFds(ctx.get()), (Changes{{11}, {}}));
}

Changes g_after_first_resume;
Changes g_after_clear;
Changes g_after_second_resume;

// Sets an fd, pauses, clears it after the resume, pauses again.
int SetPauseClearPause(void*) {
  ASYNC_WAIT_CTX* ctx = CurrentCtx();
  ASYNC_WAIT_CTX_set_wait_fd(ctx, &kKeyA, 42, nullptr, nullptr);
  ASYNC_pause_job();
  g_after_first_resume = ChangedFds(ctx);
  ASYNC_WAIT_CTX_clear_fd(ctx, &kKeyA);
  g_after_clear = ChangedFds(ctx);
  ASYNC_pause_job();
  g_after_second_resume = ChangedFds(ctx);
  return 0;
}

TEST(WaitCtxFdsTest, FdSetInsideJobIsReportedAddedAfterThePause) {
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, SetPauseClearPause, nullptr, 0), ASYNC_PAUSE);
  EXPECT_EQ(ChangedFds(ctx.get()), (Changes{{42}, {}}));
  EXPECT_EQ(AllFds(ctx.get()), std::vector<OSSL_ASYNC_FD>{42});
}

TEST(WaitCtxFdsTest, ChangedFdsResetWhenThePausedJobResumes) {
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, SetPauseClearPause, nullptr, 0), ASYNC_PAUSE);
  ASSERT_EQ(ChangedFds(ctx.get()), (Changes{{42}, {}}));
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, SetPauseClearPause, nullptr, 0), ASYNC_PAUSE);
  EXPECT_EQ(g_after_first_resume, kNoChanges);
}

int SetPausePause(void*) {
  ASYNC_WAIT_CTX_set_wait_fd(CurrentCtx(), &kKeyA, 42, nullptr, nullptr);
  ASYNC_pause_job();
  ASYNC_pause_job();
  return 0;
}

TEST(WaitCtxFdsTest, AnFdKeptAcrossAResumeIsNoLongerReportedAdded) {
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, SetPausePause, nullptr, 0), ASYNC_PAUSE);
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, SetPausePause, nullptr, 0), ASYNC_PAUSE);
  EXPECT_EQ(ChangedFds(ctx.get()), kNoChanges);
  EXPECT_EQ(AllFds(ctx.get()), std::vector<OSSL_ASYNC_FD>{42});
}

TEST(WaitCtxFdsTest, FdSetBeforePauseAndClearedAfterResumeIsDeletedUntilNextResume) {
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, SetPauseClearPause, nullptr, 0), ASYNC_PAUSE);
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, SetPauseClearPause, nullptr, 0), ASYNC_PAUSE);

  EXPECT_EQ(g_after_clear, (Changes{{}, {42}}));
  EXPECT_EQ(ChangedFds(ctx.get()), (Changes{{}, {42}}));
  EXPECT_EQ(ChangedFds(ctx.get()), (Changes{{}, {42}}));
  EXPECT_EQ(AllFds(ctx.get()), std::vector<OSSL_ASYNC_FD>{});
  EXPECT_EQ(ASYNC_WAIT_CTX_get_fd(ctx.get(), &kKeyA, nullptr, nullptr), 0);

  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, SetPauseClearPause, nullptr, 0),
            ASYNC_FINISH);
  EXPECT_EQ(g_after_second_resume, kNoChanges);
  EXPECT_EQ(ChangedFds(ctx.get()), kNoChanges);
}

int SetClearPause(void*) {
  ASYNC_WAIT_CTX* ctx = CurrentCtx();
  ASYNC_WAIT_CTX_set_wait_fd(ctx, &kKeyA, 42, nullptr, nullptr);
  ASYNC_WAIT_CTX_clear_fd(ctx, &kKeyA);
  ASYNC_pause_job();
  return 0;
}

TEST(WaitCtxFdsTest, FdSetAndClearedInOneRunIsNeitherAddedNorDeleted) {
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, SetClearPause, nullptr, 0), ASYNC_PAUSE);
  EXPECT_EQ(ChangedFds(ctx.get()), kNoChanges);
  EXPECT_EQ(AllFds(ctx.get()), std::vector<OSSL_ASYNC_FD>{});
}

TEST(WaitCtxFdsTest, ChangedFdsWithNullArraysGivesCountsOnly) {
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  ASSERT_EQ(ASYNC_WAIT_CTX_set_wait_fd(ctx.get(), &kKeyB, 7, nullptr, nullptr), 1);
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, SetPauseClearPause, nullptr, 0), ASYNC_PAUSE);
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, SetPauseClearPause, nullptr, 0), ASYNC_PAUSE);
  ASSERT_EQ(ASYNC_WAIT_CTX_set_wait_fd(ctx.get(), &kKeyC, 8, nullptr, nullptr), 1);
  // Now: 8 added, 42 deleted, 7 unchanged.
  size_t na = 99;
  size_t nd = 99;
  EXPECT_EQ(ASYNC_WAIT_CTX_get_changed_fds(ctx.get(), nullptr, &na, nullptr, &nd), 1);
  EXPECT_EQ(na, 1u);
  EXPECT_EQ(nd, 1u);
  // Either array alone may be NULL.
  OSSL_ASYNC_FD one = -1;
  na = nd = 99;
  EXPECT_EQ(ASYNC_WAIT_CTX_get_changed_fds(ctx.get(), &one, &na, nullptr, &nd), 1);
  EXPECT_EQ(one, 8);
  EXPECT_EQ(na, 1u);
  EXPECT_EQ(nd, 1u);
  one = -1;
  EXPECT_EQ(ASYNC_WAIT_CTX_get_changed_fds(ctx.get(), nullptr, &na, &one, &nd), 1);
  EXPECT_EQ(one, 42);
}

}  // namespace
