// Probes that observe leak invariants of any implementation: heap blocks,
// file descriptors, job stacks and wait-fd cleanup callbacks. Counts are
// process-wide; compare them before and after the work you measure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "asyncconf/harness/async_api.hpp"

namespace asyncconf::harness::probes {

/// True when this process counts heap blocks: it is linked with the
/// `asyncconf::alloc_probe` object library, which interposes the malloc
/// family (or, in sanitizer builds, installs the sanitizer's malloc hooks).
bool allocation_counting() noexcept;
/// Heap blocks allocated and not yet freed through malloc, calloc, realloc,
/// the aligned allocators (and operator new, which uses them), by any code in
/// the process, the implementation under test included, except the blocks
/// the dynamic linker allocates (link maps, DTVs, the TLS blocks of
/// dlopen'ed libraries' __thread variables, which glibc frees when a later
/// thread reuses the exited one's stack): they are neither counted nor
/// counted down. Sanitizer builds count those too (their hooks do not say
/// who called). 0 when not counting.
std::int64_t live_allocations() noexcept;

/// Open file descriptors of this process; -1 if /proc/self/fd is unreadable.
int open_fds() noexcept;

/// Job stacks, counted through ASYNC_set_mem_functions.
class StackCounter {
public:
  /// Replaces the implementation's stack allocator with counting wrappers
  /// around its current one. False when it has no mem functions or refuses
  /// (it already allocated a stack); the counters then stay at 0.
  static bool install(const AsyncApi& api) noexcept;
  static std::int64_t allocated() noexcept;
  static std::int64_t freed() noexcept;
  static std::int64_t live() noexcept { return allocated() - freed(); }
  /// The `*num` the implementation asked for in its last allocation.
  static std::size_t last_requested_size() noexcept;
};

/// One call of a wait-fd cleanup callback.
struct CleanupCall {
  ASYNC_WAIT_CTX* ctx;
  const void* key;
  OSSL_ASYNC_FD fd;
  void* custom_data;
};

/// A cleanup callback for ASYNC_WAIT_CTX_set_wait_fd that records its calls.
extern "C" void counting_cleanup(ASYNC_WAIT_CTX* ctx, const void* key, OSSL_ASYNC_FD fd,
                                 void* custom_data);
/// Every call of counting_cleanup so far, oldest first.
const std::vector<CleanupCall>& cleanup_calls() noexcept;

}  // namespace asyncconf::harness::probes
