// One execution context on a stack of its own: the only place that switches
// stacks, and so the only place that talks to Boost.Context and to the
// sanitizers' fibre APIs.
#pragma once

#include <cstddef>

#include <boost/context/detail/fcontext.hpp>

namespace asyncconf::ref {

/// An asymmetric coroutine over Boost.Context's fcontext. `resume()` runs it
/// from the caller until the fibre calls `suspend()`; the entry function never
/// returns (a job's fibre loops, running one job body after another).
///
/// Pinned in memory (not movable): the running fibre refers to itself.
/// Destroying a suspended fibre abandons its frames without unwinding them
/// (the owner frees the stack memory); that is what lets a pool free jobs
/// whose stacks hold C frames with no unwind information.
class Fiber {
public:
  using Entry = void (*)(void* arg);

  /// Prepares a fibre on [stack_low, stack_low + stack_size). Nothing runs
  /// until the first resume().
  Fiber(void* stack_low, std::size_t stack_size, Entry entry, void* arg) noexcept;
  ~Fiber();
  Fiber(const Fiber&) = delete;
  Fiber& operator=(const Fiber&) = delete;

  /// From outside: runs the fibre until it suspends.
  void resume() noexcept;
  /// From inside: returns control to the resume() that ran this fibre.
  void suspend() noexcept;

private:
  static void trampoline(boost::context::detail::transfer_t from) noexcept;
  void arrived(boost::context::detail::transfer_t from) noexcept;

  boost::context::detail::fcontext_t self_ = nullptr;    // this fibre, while suspended
  boost::context::detail::fcontext_t caller_ = nullptr;  // the resumer, while running
  void* stack_low_;
  std::size_t stack_size_;
  Entry entry_;
  void* arg_;

  // Sanitizer bookkeeping; unused (and optimised away) in normal builds.
  void* asan_fake_stack_ = nullptr;
  const void* caller_stack_low_ = nullptr;
  std::size_t caller_stack_size_ = 0;
  void* tsan_fiber_ = nullptr;
  void* tsan_caller_ = nullptr;
};

}  // namespace asyncconf::ref
