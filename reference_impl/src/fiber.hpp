// One execution context on a stack of its own: the only place that switches
// stacks, and so the only place that talks to Boost.Context and to the
// sanitizers' fibre APIs.
#pragma once

#include <cstddef>

#include <boost/context/detail/fcontext.hpp>

#if defined(__SANITIZE_ADDRESS__)
#define ASYNCCONF_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ASYNCCONF_ASAN 1
#endif
#endif

#if defined(__SANITIZE_THREAD__)
#define ASYNCCONF_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define ASYNCCONF_TSAN 1
#endif
#endif

#ifdef ASYNCCONF_ASAN
#include <sanitizer/common_interface_defs.h>
#endif
#ifdef ASYNCCONF_TSAN
#include <sanitizer/tsan_interface.h>
#endif

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

  // ASan must be told which stack is about to run (start) and, once there,
  // which one it came from (finish); otherwise it reports the switch as a
  // stack-buffer overflow and poisons the wrong shadow memory. TSan keeps a
  // shadow call stack and happens-before clock per fibre.
  static void asan_start(void** fake_stack, const void* low, std::size_t size) noexcept;
  static void asan_finish(void* fake_stack, const void** from_low, std::size_t* from_size) noexcept;
  static void tsan_switch(void* to) noexcept;

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

// Inline: each extra call frame around a stack switch costs a mispredicted
// return on the way back, the largest cost of a pause/resume cycle.

inline void Fiber::asan_start(void** fake_stack, const void* low, std::size_t size) noexcept {
#ifdef ASYNCCONF_ASAN
  __sanitizer_start_switch_fiber(fake_stack, low, size);
#else
  (void)fake_stack, (void)low, (void)size;
#endif
}

inline void Fiber::asan_finish(void* fake_stack, const void** from_low,
                               std::size_t* from_size) noexcept {
#ifdef ASYNCCONF_ASAN
  __sanitizer_finish_switch_fiber(fake_stack, from_low, from_size);
#else
  (void)fake_stack, (void)from_low, (void)from_size;
#endif
}

inline void Fiber::tsan_switch(void* to) noexcept {
#ifdef ASYNCCONF_TSAN
  __tsan_switch_to_fiber(to, 0);
#else
  (void)to;
#endif
}

inline void Fiber::resume() noexcept {
  void* caller_fake_stack = nullptr;
#ifdef ASYNCCONF_TSAN
  tsan_caller_ = __tsan_get_current_fiber();
#endif
  asan_start(&caller_fake_stack, stack_low_, stack_size_);
  tsan_switch(tsan_fiber_);
  const boost::context::detail::transfer_t back =
      boost::context::detail::jump_fcontext(self_, this);
  asan_finish(caller_fake_stack, nullptr, nullptr);
  self_ = back.fctx;
}

inline void Fiber::suspend() noexcept {
  asan_start(&asan_fake_stack_, caller_stack_low_, caller_stack_size_);
  tsan_switch(tsan_caller_);
  arrived(boost::context::detail::jump_fcontext(caller_, nullptr));
}

inline void Fiber::arrived(boost::context::detail::transfer_t from) noexcept {
  asan_finish(asan_fake_stack_, &caller_stack_low_, &caller_stack_size_);
  caller_ = from.fctx;
}

}  // namespace asyncconf::ref
