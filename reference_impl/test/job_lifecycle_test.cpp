// ASYNC_start_job: what it reports on FINISH and PAUSE, and what it does with
// func, args, size and ret.
#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <string>

#include "asyncconf/async_abi.h"
#include "test_support.hpp"

namespace {

using asyncref_test::NewWaitCtx;
using asyncref_test::PauseOnceReturnThree;
using asyncref_test::ReturnSeven;

TEST(StartJobTest, FinishSetsJobNullAndRetToFuncResult) {
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  EXPECT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, ReturnSeven, nullptr, 0), ASYNC_FINISH);
  EXPECT_EQ(ret, 7);
  EXPECT_EQ(job, nullptr);
}

TEST(StartJobTest, FinishAfterResumeSetsJobNull) {
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, PauseOnceReturnThree, nullptr, 0),
            ASYNC_PAUSE);
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, PauseOnceReturnThree, nullptr, 0),
            ASYNC_FINISH);
  EXPECT_EQ(job, nullptr);
  EXPECT_EQ(ret, 3);
}

TEST(StartJobTest, PauseReturnsHandleAndLeavesRetUntouched) {
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = -12345;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, PauseOnceReturnThree, nullptr, 0),
            ASYNC_PAUSE);
  EXPECT_NE(job, nullptr);
  EXPECT_EQ(ret, -12345);
  ASYNC_JOB* const handle = job;
  // Pausing again later must hand back the same handle.
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, PauseOnceReturnThree, nullptr, 0),
            ASYNC_FINISH);
  ret = -12345;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, PauseOnceReturnThree, nullptr, 0),
            ASYNC_PAUSE);
  EXPECT_EQ(job, handle);
  EXPECT_EQ(ret, -12345);
}

// What the body saw of its argument, before and after its pause.
const void* g_seen_ptr = nullptr;
std::string g_seen_before;
std::string g_seen_after;

int RecordArgAcrossPause(void* arg) {
  g_seen_ptr = arg;
  g_seen_before = static_cast<const char*>(arg);
  ASYNC_pause_job();
  g_seen_after = static_cast<const char*>(arg);
  return 1;
}

TEST(StartJobTest, ArgsAreCopiedAndTheCopyOutlivesTheCallersBuffer) {
  auto ctx = NewWaitCtx();
  // On the heap, so ASan also reports a read of the caller's freed buffer.
  auto* buffer = new char[16];
  std::strcpy(buffer, "original");
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, RecordArgAcrossPause, buffer, 16),
            ASYNC_PAUSE);
  EXPECT_NE(g_seen_ptr, buffer);
  EXPECT_EQ(g_seen_before, "original");
  std::strcpy(buffer, "mutated");
  delete[] buffer;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, RecordArgAcrossPause, nullptr, 0),
            ASYNC_FINISH);
  EXPECT_EQ(g_seen_after, "original");
}

const void* g_received = reinterpret_cast<const void*>(0x1);

int RecordReceivedPointer(void* arg) {
  g_received = arg;
  return 0;
}

TEST(StartJobTest, NullArgsOrZeroSizeRunFuncWithNull) {
  char buffer[16] = "data";
  struct Case {
    const char* name;
    void* args;
    size_t size;
  };
  const std::array<Case, 3> cases = {{
      {"args NULL, size 0", nullptr, 0},
      {"args NULL, size 16", nullptr, 16},
      {"args set, size 0", buffer, 0},
  }};
  auto ctx = NewWaitCtx();
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    g_received = reinterpret_cast<const void*>(0x1);
    ASYNC_JOB* job = nullptr;
    int ret = -1;
    ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, RecordReceivedPointer, c.args, c.size),
              ASYNC_FINISH);
    EXPECT_EQ(g_received, nullptr);
  }
}

int g_other_calls = 0;
int OtherBody(void*) {
  ++g_other_calls;
  return 99;
}

int PauseThenReturnFirstByte(void* arg) {
  ASYNC_pause_job();
  return *static_cast<unsigned char*>(arg);
}

TEST(StartJobTest, ResumeIgnoresFuncArgsAndSize) {
  auto ctx = NewWaitCtx();
  unsigned char first = 11;
  unsigned char second[4] = {22, 22, 22, 22};
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, PauseThenReturnFirstByte, &first, 1),
            ASYNC_PAUSE);
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, OtherBody, second, sizeof second),
            ASYNC_FINISH);
  EXPECT_EQ(ret, 11);
  EXPECT_EQ(g_other_calls, 0);
}

TEST(StartJobTest, ResumeWithNullFuncWorks) {
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, PauseOnceReturnThree, nullptr, 0),
            ASYNC_PAUSE);
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, nullptr, nullptr, 0), ASYNC_FINISH);
  EXPECT_EQ(ret, 3);
}

TEST(StartJobTest, NullFuncForNewJobIsError) {
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = -1;
  EXPECT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, nullptr, nullptr, 0), ASYNC_ERR);
  EXPECT_EQ(job, nullptr);
  EXPECT_EQ(ret, -1);
  // The thread can still run jobs.
  EXPECT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, ReturnSeven, nullptr, 0), ASYNC_FINISH);
  EXPECT_EQ(ret, 7);
}

TEST(StartJobTest, NullJobPointerIsErrorAndFuncIsNotCalled) {
  auto ctx = NewWaitCtx();
  int ret = -1;
  EXPECT_EQ(ASYNC_start_job(nullptr, ctx.get(), &ret, OtherBody, nullptr, 0), ASYNC_ERR);
  EXPECT_EQ(g_other_calls, 0);
  EXPECT_EQ(ret, -1);
}

TEST(StartJobTest, NullRetIsAcceptedAndResultDiscarded) {
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  EXPECT_EQ(ASYNC_start_job(&job, ctx.get(), nullptr, ReturnSeven, nullptr, 0), ASYNC_FINISH);
  EXPECT_EQ(job, nullptr);
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), nullptr, PauseOnceReturnThree, nullptr, 0),
            ASYNC_PAUSE);
  EXPECT_EQ(ASYNC_start_job(&job, ctx.get(), nullptr, PauseOnceReturnThree, nullptr, 0),
            ASYNC_FINISH);
  EXPECT_EQ(job, nullptr);
}

TEST(StartJobTest, IsCapableReturnsOne) { EXPECT_EQ(ASYNC_is_capable(), 1); }

}  // namespace
