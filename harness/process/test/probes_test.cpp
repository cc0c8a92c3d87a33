#include "asyncconf/harness/probes.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>

#include "asyncconf/harness/sandbox.hpp"

namespace asyncconf::harness::probes {
namespace {

TEST(ProbesTest, AllocationCountingIsLinkedIn) { EXPECT_TRUE(allocation_counting()); }

TEST(ProbesTest, MallocAndFreeMoveTheCount) {
  const auto before = live_allocations();
  void* volatile p = std::malloc(64);
  EXPECT_EQ(live_allocations(), before + 1);
  std::free(p);
  EXPECT_EQ(live_allocations(), before);
}

TEST(ProbesTest, ReallocAndCallocAndAlignedAreCounted) {
  const auto before = live_allocations();
  void* volatile a = std::calloc(4, 16);
  void* volatile b = std::realloc(nullptr, 32);
  b = std::realloc(b, 4096);
  void* c = nullptr;
  ASSERT_EQ(::posix_memalign(&c, 64, 128), 0);
  void* volatile d = std::aligned_alloc(64, 128);
  EXPECT_EQ(live_allocations(), before + 4);
  std::free(a);
  std::free(b);
  std::free(c);
  std::free(d);
  EXPECT_EQ(live_allocations(), before);
}

TEST(ProbesTest, OperatorNewIsCounted) {
  const auto before = live_allocations();
  auto p = std::make_unique<int[]>(100);
  EXPECT_EQ(live_allocations(), before + 1);
  p.reset();
  EXPECT_EQ(live_allocations(), before);
}

TEST(ProbesTest, OpenFdsSeesAPipe) {
  const int before = open_fds();
  ASSERT_GE(before, 3);
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  EXPECT_EQ(open_fds(), before + 2);
  ::close(fds[0]);
  ::close(fds[1]);
  EXPECT_EQ(open_fds(), before);
}

// The stack counter changes process-wide state (the implementation's
// allocator): run it in a child.
std::string in_child(const std::function<std::string()>& work) {
  std::string payload;
  run_in_children(
      1, [&](std::size_t) { return work(); },
      [&](std::size_t, ChildOutcome o) { payload = o.payload; }, {});
  return payload;
}

int pause_once(void*);
const AsyncApi* g_api = nullptr;
int pause_once(void*) { return g_api->ASYNC_pause_job(); }

TEST(ProbesTest, StackCounterCountsTheReferencesStacks) {
  const std::string result = in_child([] {
    auto loaded = LoadedImpl::load(ASYNCCONF_TEST_REFERENCE);
    if (!loaded) return std::string("load failed");
    const AsyncApi& api = loaded.impl().api();
    g_api = &api;
    if (!StackCounter::install(api)) return std::string("install failed");
    ASYNC_WAIT_CTX* ctx = api.ASYNC_WAIT_CTX_new();
    ASYNC_JOB* a = nullptr;
    ASYNC_JOB* b = nullptr;
    int ret = 0;
    api.ASYNC_start_job(&a, ctx, &ret, pause_once, nullptr, 0);
    api.ASYNC_start_job(&b, ctx, &ret, pause_once, nullptr, 0);
    const std::string while_paused = std::to_string(StackCounter::live());
    api.ASYNC_start_job(&a, ctx, &ret, pause_once, nullptr, 0);
    api.ASYNC_start_job(&b, ctx, &ret, pause_once, nullptr, 0);
    api.ASYNC_cleanup_thread();
    api.ASYNC_WAIT_CTX_free(ctx);
    return while_paused + " " + std::to_string(StackCounter::live()) + " " +
           std::to_string(StackCounter::last_requested_size());
  });
  EXPECT_EQ(result, "2 0 32768");
}

TEST(ProbesTest, StackCounterRefusesWithoutMemFunctions) {
  const std::string result = in_child([] {
    auto loaded = LoadedImpl::load(ASYNCCONF_TEST_OPENSSL);
    if (!loaded) return std::string("load failed");
    return std::string(StackCounter::install(loaded.impl().api()) ? "installed" : "refused");
  });
  EXPECT_EQ(result, "refused");
}

TEST(ProbesTest, CountingCleanupRecordsEachCall) {
  const std::string result = in_child([] {
    auto loaded = LoadedImpl::load(ASYNCCONF_TEST_REFERENCE);
    if (!loaded) return std::string("load failed");
    const AsyncApi& api = loaded.impl().api();
    static int key1, key2;
    ASYNC_WAIT_CTX* ctx = api.ASYNC_WAIT_CTX_new();
    api.ASYNC_WAIT_CTX_set_wait_fd(ctx, &key1, 5, &key2, counting_cleanup);
    api.ASYNC_WAIT_CTX_set_wait_fd(ctx, &key2, 6, nullptr, counting_cleanup);
    api.ASYNC_WAIT_CTX_free(ctx);
    const auto& calls = cleanup_calls();
    if (calls.size() != 2) return "calls: " + std::to_string(calls.size());
    const bool first_ok = calls[1].key == &key1 && calls[1].fd == 5 && calls[1].custom_data == &key2;
    return std::string(first_ok && calls[0].fd == 6 ? "ok" : "wrong arguments");
  });
  EXPECT_EQ(result, "ok");
}

}  // namespace
}  // namespace asyncconf::harness::probes
