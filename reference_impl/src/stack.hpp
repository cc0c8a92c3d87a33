// Job stacks: the process-wide allocator pair of ASYNC_set_mem_functions and
// the default allocators behind it.
#pragma once

#include <cstddef>

#include "asyncconf/async_abi.h"

namespace asyncconf::ref {

/// OpenSSL's default job stack size, asked of the allocator in `*num`.
inline constexpr std::size_t kDefaultStackSize = 32 * 1024;

/// Environment variable that switches the default allocator to mmap'd stacks
/// with a PROT_NONE guard page below each (read once, at the first stack).
inline constexpr const char* kStackGuardEnv = "ASYNCREF_STACK_GUARD";

/// A job stack from the current allocator, given back to it on destruction.
/// `size()` is the `*num` the allocator returned.
class Stack {
public:
  /// Allocates through the current allocator; the first call freezes the
  /// allocator pair for the life of the process. Empty when the allocator
  /// fails or reports a size of 0.
  static Stack allocate() noexcept;

  ~Stack();
  Stack(Stack&& other) noexcept;
  Stack& operator=(Stack&& other) = delete;

  explicit operator bool() const noexcept { return low_ != nullptr; }
  void* low() const noexcept { return low_; }
  std::size_t size() const noexcept { return size_; }

private:
  Stack() = default;  // empty: a failed allocation
  Stack(void* low, std::size_t size) noexcept : low_(low), size_(size) {}

  void* low_ = nullptr;
  std::size_t size_ = 0;
};

/// ASYNC_set_mem_functions: false once any stack was allocated. A null
/// function keeps the current one.
bool set_stack_allocator(ASYNC_stack_alloc_fn alloc_fn, ASYNC_stack_free_fn free_fn) noexcept;

/// ASYNC_get_mem_functions: the current pair (the defaults when none was set).
void get_stack_allocator(ASYNC_stack_alloc_fn* alloc_fn, ASYNC_stack_free_fn* free_fn) noexcept;

}  // namespace asyncconf::ref
