// ASYNC_set_mem_functions / ASYNC_get_mem_functions: the process-wide job
// stack allocator. Every rule here is one-way per process (the pair freezes
// at the first stack allocation), hence one process per TEST.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>

#include "asyncconf/async_abi.h"
#include "test_support.hpp"

namespace {

using asyncref_test::CountingStacks;
using asyncref_test::NewWaitCtx;
using asyncref_test::ReturnSeven;

int StartReturnSeven() {
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  const int rc = ASYNC_start_job(&job, ctx.get(), &ret, ReturnSeven, nullptr, 0);
  return rc == ASYNC_FINISH ? ret : -rc - 100;
}

TEST(MemFunctionsTest, GetReturnsNonNullDefaultsBeforeAnySet) {
  ASYNC_stack_alloc_fn alloc_fn = nullptr;
  ASYNC_stack_free_fn free_fn = nullptr;
  ASYNC_get_mem_functions(&alloc_fn, &free_fn);
  EXPECT_NE(alloc_fn, nullptr);
  EXPECT_NE(free_fn, nullptr);
  // The defaults are usable stack allocators.
  size_t num = 4096;
  void* p = alloc_fn(&num);
  ASSERT_NE(p, nullptr);
  EXPECT_GE(num, 4096u);
  std::memset(p, 0xAB, num);
  free_fn(p);
}

TEST(MemFunctionsTest, CustomPairIsAcceptedBeforeAnyJobAndAskedFor32KiB) {
  ASSERT_EQ(ASYNC_set_mem_functions(CountingStacks::Alloc, CountingStacks::Free), 1);
  ASYNC_stack_alloc_fn alloc_fn = nullptr;
  ASYNC_stack_free_fn free_fn = nullptr;
  ASYNC_get_mem_functions(&alloc_fn, &free_fn);
  EXPECT_EQ(alloc_fn, CountingStacks::Alloc);
  EXPECT_EQ(free_fn, CountingStacks::Free);

  EXPECT_EQ(StartReturnSeven(), 7);
  EXPECT_EQ(CountingStacks::allocs, 1);
  EXPECT_EQ(CountingStacks::requested, 32768u);
  ASYNC_cleanup_thread();
  EXPECT_EQ(CountingStacks::frees, 1);
  EXPECT_EQ(CountingStacks::last_free.load(), CountingStacks::last_alloc.load());
}

constexpr size_t kBigStack = 64 * 1024;
constexpr size_t kBigLocal = 40 * 1024;
std::uintptr_t g_local_low = 0;
std::uintptr_t g_local_high = 0;

// Needs more than the default 32 KiB of stack.
int UseFortyKiBOfStack(void*) {
  volatile unsigned char local[kBigLocal];
  std::memset(const_cast<unsigned char*>(local), 0x5A, sizeof local);
  g_local_low = reinterpret_cast<std::uintptr_t>(&local[0]);
  g_local_high = reinterpret_cast<std::uintptr_t>(&local[kBigLocal - 1]) + 1;
  return local[0] + local[kBigLocal - 1];
}

TEST(MemFunctionsTest, AllocatorMayEnlargeTheStackThroughNum) {
  CountingStacks::grant = kBigStack;
  ASSERT_TRUE(CountingStacks::Install());
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, UseFortyKiBOfStack, nullptr, 0),
            ASYNC_FINISH);
  EXPECT_EQ(ret, 2 * 0x5A);
  // The local lay inside the 64 KiB the allocator handed out: the job used
  // the size written back in *num, not the 32 KiB it asked for.
  const auto stack_low = reinterpret_cast<std::uintptr_t>(CountingStacks::last_alloc.load());
  EXPECT_GE(g_local_low, stack_low);
  EXPECT_LE(g_local_high, stack_low + kBigStack);
  EXPECT_EQ(CountingStacks::allocs, 1);

  ASYNC_cleanup_thread();
  EXPECT_EQ(CountingStacks::frees, 1);
  EXPECT_EQ(CountingStacks::last_free.load(), CountingStacks::last_alloc.load());
}

TEST(MemFunctionsTest, SetAfterFirstStackAllocationReturnsZeroEvenAfterCleanup) {
  ASYNC_stack_alloc_fn default_alloc = nullptr;
  ASYNC_stack_free_fn default_free = nullptr;
  ASYNC_get_mem_functions(&default_alloc, &default_free);

  ASSERT_EQ(StartReturnSeven(), 7);
  EXPECT_EQ(ASYNC_set_mem_functions(CountingStacks::Alloc, CountingStacks::Free), 0);
  ASYNC_cleanup_thread();
  EXPECT_EQ(ASYNC_set_mem_functions(CountingStacks::Alloc, CountingStacks::Free), 0);

  ASYNC_stack_alloc_fn alloc_fn = nullptr;
  ASYNC_stack_free_fn free_fn = nullptr;
  ASYNC_get_mem_functions(&alloc_fn, &free_fn);
  EXPECT_EQ(alloc_fn, default_alloc);
  EXPECT_EQ(free_fn, default_free);
  EXPECT_EQ(StartReturnSeven(), 7);
  EXPECT_EQ(CountingStacks::allocs, 0);
}

TEST(MemFunctionsTest, PreAllocationByInitThreadAlsoFreezesThePair) {
  ASSERT_EQ(ASYNC_init_thread(0, 0), 1);
  // No stack yet: still allowed.
  EXPECT_EQ(ASYNC_set_mem_functions(nullptr, nullptr), 1);
  ASSERT_EQ(ASYNC_init_thread(2, 1), 1);
  EXPECT_EQ(ASYNC_set_mem_functions(CountingStacks::Alloc, CountingStacks::Free), 0);
}

TEST(MemFunctionsTest, SetWithNullsKeepsTheCurrentFunctions) {
  ASYNC_stack_alloc_fn default_alloc = nullptr;
  ASYNC_stack_free_fn default_free = nullptr;
  ASYNC_get_mem_functions(&default_alloc, &default_free);
  ASYNC_stack_alloc_fn alloc_fn = nullptr;
  ASYNC_stack_free_fn free_fn = nullptr;

  EXPECT_EQ(ASYNC_set_mem_functions(nullptr, nullptr), 1);
  ASYNC_get_mem_functions(&alloc_fn, &free_fn);
  EXPECT_EQ(alloc_fn, default_alloc);
  EXPECT_EQ(free_fn, default_free);

  EXPECT_EQ(ASYNC_set_mem_functions(CountingStacks::Alloc, nullptr), 1);
  ASYNC_get_mem_functions(&alloc_fn, &free_fn);
  EXPECT_EQ(alloc_fn, CountingStacks::Alloc);
  EXPECT_EQ(free_fn, default_free);

  EXPECT_EQ(ASYNC_set_mem_functions(nullptr, CountingStacks::Free), 1);
  ASYNC_get_mem_functions(&alloc_fn, &free_fn);
  EXPECT_EQ(alloc_fn, CountingStacks::Alloc);
  EXPECT_EQ(free_fn, CountingStacks::Free);

  // And the pair put together this way is the one used.
  EXPECT_EQ(StartReturnSeven(), 7);
  ASYNC_cleanup_thread();
  EXPECT_EQ(CountingStacks::allocs, 1);
  EXPECT_EQ(CountingStacks::frees, 1);
}

TEST(MemFunctionsTest, GetAcceptsNullOutputs) {
  ASYNC_stack_alloc_fn alloc_fn = nullptr;
  ASYNC_get_mem_functions(&alloc_fn, nullptr);
  EXPECT_NE(alloc_fn, nullptr);
  ASYNC_stack_free_fn free_fn = nullptr;
  ASYNC_get_mem_functions(nullptr, &free_fn);
  EXPECT_NE(free_fn, nullptr);
}

int g_body_calls = 0;
int CountCall(void*) { return ++g_body_calls; }

TEST(MemFunctionsTest, AllocatorReturningNullMakesStartReturnErr) {
  ASSERT_TRUE(CountingStacks::Install());
  CountingStacks::fail = true;
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = -1;
  EXPECT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, CountCall, nullptr, 0), ASYNC_ERR);
  EXPECT_EQ(job, nullptr);
  EXPECT_EQ(ret, -1);
  EXPECT_EQ(g_body_calls, 0);

  // Once memory is back, so are jobs.
  CountingStacks::fail = false;
  EXPECT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, CountCall, nullptr, 0), ASYNC_FINISH);
  EXPECT_EQ(ret, 1);
}

TEST(MemFunctionsTest, StackReportedUnder4KiBIsRefusedAndFreed) {
  ASSERT_TRUE(CountingStacks::Install());
  auto ctx = NewWaitCtx();
  for (size_t size : {size_t{1024}, size_t{4095}}) {
    SCOPED_TRACE(size);
    CountingStacks::grant = size;
    ASYNC_JOB* job = nullptr;
    int ret = -1;
    EXPECT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, CountCall, nullptr, 0), ASYNC_ERR);
    EXPECT_EQ(job, nullptr);
    EXPECT_EQ(g_body_calls, 0);
    EXPECT_EQ(CountingStacks::frees, CountingStacks::allocs);
  }
  // 4 KiB itself is enough.
  CountingStacks::grant = 4096;
  ASYNC_JOB* job = nullptr;
  int ret = -1;
  EXPECT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, CountCall, nullptr, 0), ASYNC_FINISH);
  EXPECT_EQ(ret, 1);
}

}  // namespace
