// The heap count charges an implementation with the blocks it allocates,
// and not with what glibc's dynamic linker allocates for it (the TLS blocks
// of a dlopen'ed library's __thread variables), nor with a count that went
// down. An implementation that keeps its thread state in __thread variables
// was reported leaking "-1 heap blocks" by explore (issue 8).
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <thread>

#include "asyncconf/harness/async_api.hpp"
#include "asyncconf/harness/interpreter.hpp"
#include "asyncconf/harness/model.hpp"
#include "asyncconf/harness/probes.hpp"
#include "asyncconf/harness/sequence_text.hpp"

namespace asyncconf::harness {
namespace {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitizerHooks = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kSanitizerHooks = true;
#else
constexpr bool kSanitizerHooks = false;
#endif
#else
constexpr bool kSanitizerHooks = false;
#endif
#define SKIP_UNDER_SANITIZER_HOOKS() \
  if (kSanitizerHooks) GTEST_SKIP() << "the sanitizers' malloc hooks do not say who allocated"

struct ThreadLocalLib {
  int (*touch)() = nullptr;
  void* (*lib_malloc)(std::size_t) = nullptr;
  void (*lib_free)(void*) = nullptr;
};

ThreadLocalLib load_thread_local_lib() {
  void* h = ::dlopen(ASYNCCONF_TEST_THREAD_LOCAL_LIB, RTLD_NOW | RTLD_LOCAL);
  if (h == nullptr) return {};
  ThreadLocalLib lib;
  lib.touch = reinterpret_cast<int (*)()>(::dlsym(h, "asyncconf_touch_thread_local"));
  lib.lib_malloc = reinterpret_cast<void* (*)(std::size_t)>(::dlsym(h, "asyncconf_library_malloc"));
  lib.lib_free = reinterpret_cast<void (*)(void*)>(::dlsym(h, "asyncconf_library_free"));
  return lib;
}

// glibc frees an exited thread's TLS blocks when a new thread takes its
// cached stack: counted, that is one block fewer than before, charged to
// whatever ran meanwhile.
TEST(HeapAttribution, ThreadLocalBlockFreedByALaterThreadIsNotCountedDown) {
  SKIP_UNDER_SANITIZER_HOOKS();
  const ThreadLocalLib lib = load_thread_local_lib();
  ASSERT_NE(lib.touch, nullptr) << ::dlerror();
  std::thread([&] { lib.touch(); }).join();
  const std::int64_t before = probes::live_allocations();
  std::thread([] {}).join();
  EXPECT_EQ(probes::live_allocations() - before, 0);
}

// Two threads at once: one of them gets a fresh stack, whose DTV and TLS
// block stay allocated after it exits (until the stack is reused).
TEST(HeapAttribution, ThreadLocalBlocksOfLiveStacksAreNotCounted) {
  SKIP_UNDER_SANITIZER_HOOKS();
  const ThreadLocalLib lib = load_thread_local_lib();
  ASSERT_NE(lib.touch, nullptr) << ::dlerror();
  const std::int64_t before = probes::live_allocations();
  std::thread a([&] { lib.touch(); });
  std::thread b([&] { lib.touch(); });
  a.join();
  b.join();
  EXPECT_EQ(probes::live_allocations() - before, 0);
}

// Leaving the dynamic linker out must not blind the count: a dlopen'ed
// library's own blocks count, on any thread.
TEST(HeapAttribution, ADlopenedLibrarysOwnBlocksAreCounted) {
  SKIP_UNDER_SANITIZER_HOOKS();
  const ThreadLocalLib lib = load_thread_local_lib();
  ASSERT_NE(lib.lib_malloc, nullptr) << ::dlerror();
  const std::int64_t before = probes::live_allocations();
  void* on_main = lib.lib_malloc(16);
  void* on_thread = nullptr;
  std::thread([&] {
    lib.touch();
    on_thread = lib.lib_malloc(32);
  }).join();
  EXPECT_EQ(probes::live_allocations() - before, 2);
  lib.lib_free(on_main);
  lib.lib_free(on_thread);
  EXPECT_EQ(probes::live_allocations() - before, 0);
}

// The reported run: after the warm-up, a one-op sequence on a thread of its
// own against an implementation with __thread state came out with "heap
// blocks gained -1" as a violation of LEAK-AUTO-CLEANUP-AT-THREAD-EXIT.
TEST(HeapAttribution, ThreadLocalStateImplementationPassesAOneOpSequence) {
  // libasyncalt switches stacks with swapcontext, which the sanitizers do not follow.
  SKIP_UNDER_SANITIZER_HOOKS();
  LoadResult loaded = LoadedImpl::load(ASYNCCONF_TEST_ALTIMPL);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  const AsyncApi& api = loaded.impl().api();
  ASSERT_TRUE(install_counting_stacks(api));
  warm_up(api);
  const Sequence s = parse_sequence_or_throw("wctx_new w0\n");
  ModelConfig config = model_config(api, Level::Must);
  config.fresh_process = false;
  ASSERT_TRUE(config.counting_heap);
  for (int i = 0; i < 20; ++i) {
    const Plan p = plan(s, config);
    const RunResult r = run_plan(api, p);
    ASSERT_FALSE(r.violation()) << "run " << i << ": heap blocks gained "
                                << (r.observed.empty() ? 0 : r.observed.back().heap);
    EXPECT_EQ(r.mismatch, RunResult::npos);
  }
}

// A count below the start is no leak; above the prediction is.
TEST(HeapAttribution, CompareTakesOnlyAGainAsALeak) {
  Expected e;
  e.want.end = true;
  e.want.op = OpKind::CleanupThread;
  e.check(Field::Heap) = {"LEAK-AUTO-CLEANUP-AT-THREAD-EXIT", Level::Must, nullptr, Level::DeFacto};
  e.check(Field::Fds) = {"LEAK-AUTO-CLEANUP-AT-THREAD-EXIT", Level::Must, nullptr, Level::DeFacto};
  Observation seen = e.want;
  seen.heap = -1;
  seen.fds = -2;
  EXPECT_FALSE(compare(e, seen).found);
  seen.heap = 1;
  const Difference heap = compare(e, seen);
  EXPECT_TRUE(heap.found);
  EXPECT_EQ(heap.field, Field::Heap);
  seen.heap = 0;
  seen.fds = 1;
  EXPECT_EQ(compare(e, seen).field, Field::Fds);
}

}  // namespace
}  // namespace asyncconf::harness
