#include "stack.hpp"

#include "fault.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <utility>

namespace asyncconf::ref {

namespace {

bool guard_pages_wanted() {
  static const bool wanted = [] {
    const char* v = std::getenv(kStackGuardEnv);
    return v != nullptr && std::strcmp(v, "") != 0 && std::strcmp(v, "0") != 0;
  }();
  return wanted;
}

std::size_t page_size() {
  static const std::size_t size = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  return size;
}

// Guarded layout: [header page: mapping size][guard page][stack pages].
// The guard sits between the stack and the header, so an overflow faults at
// once and cannot corrupt the size that free needs.
void* guarded_alloc(std::size_t* num) {
  const std::size_t page = page_size();
  const std::size_t usable = (*num + page - 1) / page * page;
  const std::size_t total = usable + 2 * page;
  void* base = mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) return nullptr;
  auto* bytes = static_cast<unsigned char*>(base);
  if (mprotect(bytes + page, page, PROT_NONE) != 0) {
    munmap(base, total);
    return nullptr;
  }
  std::memcpy(bytes, &total, sizeof total);
  *num = usable;
  return bytes + 2 * page;
}

void guarded_free(void* addr) {
  auto* base = static_cast<unsigned char*>(addr) - 2 * page_size();
  std::size_t total = 0;
  std::memcpy(&total, base, sizeof total);
  munmap(base, total);
}

extern "C" void* default_stack_alloc(std::size_t* num) {
  if (guard_pages_wanted()) return guarded_alloc(num);
  return std::malloc(*num);
}

extern "C" void default_stack_free(void* addr) {
  if (addr == nullptr) return;
  if (guard_pages_wanted()) return guarded_free(addr);
  std::free(addr);
}

std::mutex g_allocator_mutex;
std::atomic<bool> g_frozen{false};
std::atomic<ASYNC_stack_alloc_fn> g_alloc{&default_stack_alloc};
std::atomic<ASYNC_stack_free_fn> g_free{&default_stack_free};

}  // namespace

Stack Stack::allocate() noexcept {
  if (!g_frozen.load(std::memory_order_acquire)) {
    // Taken until the first stack exists, so a concurrent
    // set_stack_allocator() cannot swap the pair under this allocation.
    const std::lock_guard lock(g_allocator_mutex);
    g_frozen.store(true, std::memory_order_release);
  }
  std::size_t num = fault_active(Fault::StackNumHalved) ? kDefaultStackSize / 2 : kDefaultStackSize;
  void* low = g_alloc.load(std::memory_order_acquire)(&num);
  if (low == nullptr) return {};
  return Stack(low, num);
}

Stack::~Stack() {
  if (low_ != nullptr) g_free.load(std::memory_order_acquire)(low_);
}

Stack::Stack(Stack&& other) noexcept
    : low_(std::exchange(other.low_, nullptr)), size_(std::exchange(other.size_, 0)) {}


bool set_stack_allocator(ASYNC_stack_alloc_fn alloc_fn, ASYNC_stack_free_fn free_fn) noexcept {
  const std::lock_guard lock(g_allocator_mutex);
  // MemSetAfterAllocSucceeds: claims success, sets nothing.
  if (fault_active(Fault::MemSetAfterAllocSucceeds) && g_frozen.load()) return true;
  if (g_frozen.load(std::memory_order_acquire)) return false;
  if (alloc_fn != nullptr) g_alloc.store(alloc_fn, std::memory_order_release);
  if (free_fn != nullptr) g_free.store(free_fn, std::memory_order_release);
  return true;
}

void get_stack_allocator(ASYNC_stack_alloc_fn* alloc_fn, ASYNC_stack_free_fn* free_fn) noexcept {
  if (alloc_fn != nullptr) *alloc_fn = g_alloc.load(std::memory_order_acquire);
  if (free_fn != nullptr) *free_fn = g_free.load(std::memory_order_acquire);
}

}  // namespace asyncconf::ref
