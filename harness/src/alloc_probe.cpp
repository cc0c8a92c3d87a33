// Heap-block counting for the whole process, the implementation under test
// included: link this object into an executable (asyncconf::alloc_probe).
// Normal builds interpose the malloc family and forward to glibc's
// __libc_* entry points; sanitizer builds must leave malloc to the
// sanitizer, and count through its official malloc/free hooks instead.
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <atomic>

namespace {
std::atomic<int64_t> g_live{0};
}

extern "C" int64_t asyncconf_live_allocations() { return g_live.load(std::memory_order_relaxed); }

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define ASYNCCONF_SANITIZER_HOOKS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define ASYNCCONF_SANITIZER_HOOKS 1
#endif
#endif

#ifdef ASYNCCONF_SANITIZER_HOOKS

// Declared here: gcc ships no <sanitizer/allocator_interface.h>, but both
// its and clang's sanitizer runtimes define the function.
extern "C" int __sanitizer_install_malloc_and_free_hooks(
    void (*malloc_hook)(const volatile void*, size_t), void (*free_hook)(const volatile void*));

namespace {
void on_malloc(const volatile void* p, size_t) {
  if (p != nullptr) g_live.fetch_add(1, std::memory_order_relaxed);
}
void on_free(const volatile void* p) {
  if (p != nullptr) g_live.fetch_sub(1, std::memory_order_relaxed);
}
__attribute__((constructor)) void install_hooks() {
  __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);
}
}  // namespace

#else

extern "C" {
void* __libc_malloc(size_t size);
void* __libc_calloc(size_t count, size_t size);
void* __libc_realloc(void* ptr, size_t size);
void* __libc_memalign(size_t alignment, size_t size);
void __libc_free(void* ptr);
}

namespace {
void* counted(void* p) {
  if (p != nullptr) g_live.fetch_add(1, std::memory_order_relaxed);
  return p;
}
bool power_of_two(size_t n) { return n != 0 && (n & (n - 1)) == 0; }
}  // namespace

extern "C" {

void* malloc(size_t size) { return counted(__libc_malloc(size)); }

void* calloc(size_t count, size_t size) { return counted(__libc_calloc(count, size)); }

void free(void* ptr) {
  if (ptr != nullptr) g_live.fetch_sub(1, std::memory_order_relaxed);
  __libc_free(ptr);
}

void* realloc(void* ptr, size_t size) {
  void* moved = __libc_realloc(ptr, size);
  if (ptr == nullptr) return counted(moved);
  // glibc frees the block and returns NULL for a size of 0.
  if (size == 0 && moved == nullptr) g_live.fetch_sub(1, std::memory_order_relaxed);
  return moved;
}

void* reallocarray(void* ptr, size_t count, size_t size) {
  size_t bytes = 0;
  if (__builtin_mul_overflow(count, size, &bytes)) {
    errno = ENOMEM;
    return nullptr;
  }
  return realloc(ptr, bytes);
}

void* memalign(size_t alignment, size_t size) {
  return counted(__libc_memalign(alignment, size));
}

void* aligned_alloc(size_t alignment, size_t size) {
  return counted(__libc_memalign(alignment, size));
}

int posix_memalign(void** out, size_t alignment, size_t size) {
  if (!power_of_two(alignment) || alignment % sizeof(void*) != 0) return EINVAL;
  void* p = counted(__libc_memalign(alignment, size));
  if (p == nullptr) return ENOMEM;
  *out = p;
  return 0;
}

void* valloc(size_t size) {
  return counted(__libc_memalign(static_cast<size_t>(sysconf(_SC_PAGESIZE)), size));
}

void* pvalloc(size_t size) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return counted(__libc_memalign(page, (size + page - 1) / page * page));
}

}  // extern "C"

#endif
