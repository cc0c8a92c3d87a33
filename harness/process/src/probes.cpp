#include "asyncconf/harness/probes.hpp"

#include <dirent.h>

#include <atomic>

// Defined by the alloc_probe object library when the process links it.
extern "C" std::int64_t asyncconf_live_allocations() __attribute__((weak));

namespace asyncconf::harness::probes {

bool allocation_counting() noexcept { return &asyncconf_live_allocations != nullptr; }

std::int64_t live_allocations() noexcept {
  return allocation_counting() ? asyncconf_live_allocations() : 0;
}

int open_fds() noexcept {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  int n = 0;
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] != '.') ++n;
  }
  ::closedir(dir);
  return n - 1;  // the directory stream's own fd
}

namespace {

std::atomic<std::int64_t> g_stacks_allocated{0};
std::atomic<std::int64_t> g_stacks_freed{0};
std::atomic<std::size_t> g_last_requested{0};
ASYNC_stack_alloc_fn g_inner_alloc = nullptr;
ASYNC_stack_free_fn g_inner_free = nullptr;

extern "C" void* counting_stack_alloc(std::size_t* num) {
  g_last_requested = *num;
  void* stack = g_inner_alloc(num);
  if (stack != nullptr) ++g_stacks_allocated;
  return stack;
}

extern "C" void counting_stack_free(void* addr) {
  if (addr != nullptr) ++g_stacks_freed;
  g_inner_free(addr);
}

std::vector<CleanupCall> g_cleanup_calls;

}  // namespace

bool StackCounter::install(const AsyncApi& api) noexcept {
  if (!api.has_mem_functions) return false;
  api.ASYNC_get_mem_functions(&g_inner_alloc, &g_inner_free);
  if (g_inner_alloc == nullptr || g_inner_free == nullptr) return false;
  return api.ASYNC_set_mem_functions(counting_stack_alloc, counting_stack_free) == 1;
}

std::int64_t StackCounter::allocated() noexcept { return g_stacks_allocated; }
std::int64_t StackCounter::freed() noexcept { return g_stacks_freed; }
std::size_t StackCounter::last_requested_size() noexcept { return g_last_requested; }

extern "C" void counting_cleanup(ASYNC_WAIT_CTX* ctx, const void* key, OSSL_ASYNC_FD fd,
                                 void* custom_data) {
  g_cleanup_calls.push_back({ctx, key, fd, custom_data});
}

const std::vector<CleanupCall>& cleanup_calls() noexcept { return g_cleanup_calls; }

}  // namespace asyncconf::harness::probes
