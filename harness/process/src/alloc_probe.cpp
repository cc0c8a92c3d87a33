// Heap-block counting for the whole process, the implementation under test
// included: link this object into an executable (asyncconf::alloc_probe).
// Normal builds interpose the malloc family and forward to glibc's
// __libc_* entry points, leaving out what the dynamic linker allocates (see
// BlockSet below); sanitizer builds must leave malloc to the sanitizer, and
// count through its official malloc/free hooks instead, which do not say who
// called: there ld.so's blocks (TLS of dlopen'ed libraries) are counted too.
#include <elf.h>
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <unistd.h>

#include <atomic>
#include <cstddef>

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

// --- blocks the dynamic linker allocates -----------------------------------
// ld.so allocates through the interposed malloc once the program is
// relocated: link maps on dlopen, a thread's DTV, and the TLS block of every
// dlopen'ed library with __thread variables, on the thread's first use of
// them. glibc frees such a TLS block only when the exited thread's stack is
// reused by a later pthread_create, from libc, long after the code that
// touched it returned. None of these is the implementation's allocation, so
// none is counted: a block whose allocation was called from ld.so goes into
// this set, and its free (whoever calls it) is not counted either.

struct AddressRange {
  uintptr_t begin = 0;
  uintptr_t end = 0;
  bool contains(const void* p) const noexcept {
    const auto a = reinterpret_cast<uintptr_t>(p);
    return a >= begin && a < end;
  }
};

// ld.so's mapped image, from its ELF program headers (AT_BASE is where the
// kernel loaded it). Empty for a static program or one run as `ld.so prog`.
// Unused in the every-block variant, which counts ld.so's blocks too.
[[maybe_unused]] AddressRange find_dynamic_linker() noexcept {
  AddressRange r;
  const uintptr_t base = getauxval(AT_BASE);
  if (base == 0) return r;
  const auto* ehdr = reinterpret_cast<const ElfW(Ehdr)*>(base);
  const auto* phdr = reinterpret_cast<const ElfW(Phdr)*>(base + ehdr->e_phoff);
  uintptr_t lo = UINTPTR_MAX;
  uintptr_t hi = 0;
  for (int i = 0; i < ehdr->e_phnum; ++i) {
    if (phdr[i].p_type != PT_LOAD) continue;
    lo = phdr[i].p_vaddr < lo ? phdr[i].p_vaddr : lo;
    hi = phdr[i].p_vaddr + phdr[i].p_memsz > hi ? phdr[i].p_vaddr + phdr[i].p_memsz : hi;
  }
  if (hi > lo) r = {base + lo, base + hi};
  return r;
}

bool called_from_dynamic_linker(const void* caller) noexcept {
#ifdef ASYNCCONF_COUNT_EVERY_BLOCK
  // The tests' variant (asyncconf::alloc_probe_every_block): counts what the
  // sanitizer hooks count, so that glibc's own blocks show in every build.
  (void)caller;
  return false;
#else
  // getauxval allocates nothing and is valid before any constructor runs.
  static const AddressRange ld_so = find_dynamic_linker();
  return ld_so.contains(caller);
#endif
}

// An open-addressing set of pointers (linear probing, deletion by backward
// shift) in static storage: it is used inside malloc, so it cannot allocate.
class BlockSet {
public:
  // False when full: the block is then counted like any other.
  bool insert(void* p) noexcept {
    Lock lock(*this);
    if (size_ + 1 >= kSlots / 2) return false;
    std::size_t i = home(p);
    while (slots_[i] != nullptr) i = (i + 1) & kMask;
    slots_[i] = p;
    ++size_;
    return true;
  }
  // True when p was in the set (and is no longer).
  bool erase(void* p) noexcept {
    Lock lock(*this);
    std::size_t i = home(p);
    while (slots_[i] != p) {
      if (slots_[i] == nullptr) return false;
      i = (i + 1) & kMask;
    }
    slots_[i] = nullptr;
    --size_;
    // Move back every later entry of the run that the hole would hide.
    for (std::size_t j = (i + 1) & kMask; slots_[j] != nullptr; j = (j + 1) & kMask) {
      const std::size_t h = home(slots_[j]);
      const bool stays = i <= j ? (i < h && h <= j) : (i < h || h <= j);
      if (stays) continue;
      slots_[i] = slots_[j];
      slots_[j] = nullptr;
      i = j;
    }
    return true;
  }

  void lock() noexcept {
    while (busy_.test_and_set(std::memory_order_acquire)) {
    }
  }
  void unlock() noexcept { busy_.clear(std::memory_order_release); }

private:
  static constexpr std::size_t kSlots = std::size_t{1} << 14;
  static constexpr std::size_t kMask = kSlots - 1;
  static std::size_t home(const void* p) noexcept {
    return static_cast<std::size_t>((reinterpret_cast<uintptr_t>(p) >> 4) * 0x9E3779B97F4A7C15ull >> 50) & kMask;
  }
  struct Lock {
    explicit Lock(BlockSet& s) noexcept : set(s) { set.lock(); }
    ~Lock() { set.unlock(); }
    BlockSet& set;
  };
  std::atomic_flag busy_ = ATOMIC_FLAG_INIT;
  std::size_t size_ = 0;
  void* slots_[kSlots] = {};
};

// constinit: malloc may run before any constructor of this file.
constinit BlockSet g_not_counted;

// A fork while another thread holds the set's lock would leave it held in
// the child for good.
void lock_set_for_fork() { g_not_counted.lock(); }
void unlock_set_after_fork() { g_not_counted.unlock(); }
__attribute__((constructor)) void register_fork_handlers() {
  pthread_atfork(lock_set_for_fork, unlock_set_after_fork, unlock_set_after_fork);
}

// Counts a new block, or sets it aside when the dynamic linker asked for it.
void* counted(void* p, const void* caller) {
  if (p == nullptr) return p;
  if (called_from_dynamic_linker(caller) && g_not_counted.insert(p)) return p;
  g_live.fetch_add(1, std::memory_order_relaxed);
  return p;
}

// A block goes: counted down unless it was set aside.
void uncount(void* p) {
  if (p == nullptr || g_not_counted.erase(p)) return;
  g_live.fetch_sub(1, std::memory_order_relaxed);
}

bool power_of_two(size_t n) { return n != 0 && (n & (n - 1)) == 0; }

}  // namespace

extern "C" {

void* malloc(size_t size) { return counted(__libc_malloc(size), __builtin_return_address(0)); }

void* calloc(size_t count, size_t size) {
  return counted(__libc_calloc(count, size), __builtin_return_address(0));
}

void free(void* ptr) {
  uncount(ptr);
  __libc_free(ptr);
}

void* realloc(void* ptr, size_t size) {
  const void* caller = __builtin_return_address(0);
  if (ptr == nullptr) return counted(__libc_realloc(nullptr, size), caller);
  const bool set_aside = g_not_counted.erase(ptr);
  void* moved = __libc_realloc(ptr, size);
  // glibc frees the block and returns NULL for a size of 0; on failure the
  // old block stays as it was.
  void* live = moved != nullptr ? moved : (size == 0 ? nullptr : ptr);
  if (set_aside) {
    if (live != nullptr && !g_not_counted.insert(live)) g_live.fetch_add(1, std::memory_order_relaxed);
  } else if (live == nullptr) {
    g_live.fetch_sub(1, std::memory_order_relaxed);
  }
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
  return counted(__libc_memalign(alignment, size), __builtin_return_address(0));
}

void* aligned_alloc(size_t alignment, size_t size) {
  return counted(__libc_memalign(alignment, size), __builtin_return_address(0));
}

int posix_memalign(void** out, size_t alignment, size_t size) {
  if (!power_of_two(alignment) || alignment % sizeof(void*) != 0) return EINVAL;
  void* p = counted(__libc_memalign(alignment, size), __builtin_return_address(0));
  if (p == nullptr) return ENOMEM;
  *out = p;
  return 0;
}

void* valloc(size_t size) {
  return counted(__libc_memalign(static_cast<size_t>(sysconf(_SC_PAGESIZE)), size),
                 __builtin_return_address(0));
}

void* pvalloc(size_t size) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return counted(__libc_memalign(page, (size + page - 1) / page * page), __builtin_return_address(0));
}

}  // extern "C"

#endif
