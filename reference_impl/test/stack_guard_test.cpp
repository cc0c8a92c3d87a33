// ASYNCREF_STACK_GUARD=1: default stacks get a PROT_NONE guard page below
// them. The variable is read once, at the first stack allocation, so every
// TEST sets it before any job exists (each TEST is its own process).
// Overflow without the guard is undefined behaviour and not tested.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "asyncconf/async_abi.h"
#include "test_support.hpp"

namespace {

using asyncref_test::NewWaitCtx;
using asyncref_test::PauseOnceReturnThree;

class StackGuardTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_EQ(setenv("ASYNCREF_STACK_GUARD", "1", 1), 0);
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    page_ = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  }
  size_t page_ = 0;
};

// 1 KiB per frame, each frame reading its caller's buffer so that no frame
// can be folded into another: 200 frames need ~200 KiB of stack.
__attribute__((noinline)) int Recurse(int depth, const volatile char* parent) {
  volatile char buf[1024];
  for (size_t i = 0; i < sizeof buf; ++i) buf[i] = static_cast<char>(depth);
  const int below = depth == 0 ? 0 : Recurse(depth - 1, buf);
  asm volatile("" ::: "memory");
  return below + buf[0] + (parent != nullptr ? parent[0] : 0);
}

int OverflowTheStack(void*) { return Recurse(200, nullptr); }

void RunOverflowingJob() {
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  ASYNC_start_job(&job, ctx.get(), &ret, OverflowTheStack, nullptr, 0);
}

TEST_F(StackGuardTest, JobOverflowingItsStackDies) { EXPECT_DEATH(RunOverflowingJob(), ""); }

TEST_F(StackGuardTest, NormalJobStillWorks) {
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, PauseOnceReturnThree, nullptr, 0),
              ASYNC_PAUSE);
    ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, PauseOnceReturnThree, nullptr, 0),
              ASYNC_FINISH);
    EXPECT_EQ(ret, 3);
  }
  ASYNC_cleanup_thread();
}

TEST_F(StackGuardTest, DefaultAllocatorRoundsUpToWholePages) {
  ASYNC_stack_alloc_fn alloc_fn = nullptr;
  ASYNC_stack_free_fn free_fn = nullptr;
  ASYNC_get_mem_functions(&alloc_fn, &free_fn);
  // The guard choice is made at the first stack a job allocates.
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, PauseOnceReturnThree, nullptr, 0),
            ASYNC_PAUSE);

  size_t num = page_ + 1;
  void* p = alloc_fn(&num);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(num, 2 * page_);
  std::memset(p, 0xCD, num);  // all of it is usable
  free_fn(p);

  num = 2 * page_;
  p = alloc_fn(&num);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(num, 2 * page_);
  free_fn(p);
}

// Wraps the default allocator, asking it for a size that is not a whole
// number of pages.
ASYNC_stack_alloc_fn g_default_alloc = nullptr;
size_t g_reported = 0;
void* AskForAnOddSize(size_t* num) {
  *num += 100;  // 32 KiB + 100 bytes
  void* p = g_default_alloc(num);
  g_reported = *num;
  return p;
}

TEST_F(StackGuardTest, OddSizedStackIsReportedPageRounded) {
  ASYNC_get_mem_functions(&g_default_alloc, nullptr);
  ASSERT_EQ(ASYNC_set_mem_functions(AskForAnOddSize, nullptr), 1);
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, PauseOnceReturnThree, nullptr, 0),
            ASYNC_PAUSE);
  EXPECT_EQ(g_reported, (32 * 1024 + 100 + page_ - 1) / page_ * page_);
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, PauseOnceReturnThree, nullptr, 0),
            ASYNC_FINISH);
  ASYNC_cleanup_thread();
}

TEST_F(StackGuardTest, ByteJustBelowAGuardedStackFaults) {
  ASYNC_stack_alloc_fn alloc_fn = nullptr;
  ASYNC_stack_free_fn free_fn = nullptr;
  ASYNC_get_mem_functions(&alloc_fn, &free_fn);
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, PauseOnceReturnThree, nullptr, 0),
            ASYNC_PAUSE);

  size_t num = 32 * 1024;
  auto* p = static_cast<volatile char*>(alloc_fn(&num));
  ASSERT_NE(p, nullptr);
  p[0] = 1;  // the stack's lowest byte is fine...
  EXPECT_DEATH(p[-1] = 1, "");  // ...the one below it is the guard
  free_fn(const_cast<char*>(p));
}

}  // namespace
