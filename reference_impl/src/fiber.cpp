#include "fiber.hpp"

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
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif
#ifdef ASYNCCONF_TSAN
#include <sanitizer/tsan_interface.h>
#endif

namespace ctx = boost::context::detail;

namespace asyncconf::ref {

namespace {

// ASan must be told which stack is about to run (start) and, once there,
// which one it came from (finish); otherwise it reports the switch as a
// stack-buffer overflow and poisons the wrong shadow memory.
inline void asan_start(void** fake_stack, const void* low, std::size_t size) {
#ifdef ASYNCCONF_ASAN
  __sanitizer_start_switch_fiber(fake_stack, low, size);
#else
  (void)fake_stack, (void)low, (void)size;
#endif
}

inline void asan_finish(void* fake_stack, const void** from_low, std::size_t* from_size) {
#ifdef ASYNCCONF_ASAN
  __sanitizer_finish_switch_fiber(fake_stack, from_low, from_size);
#else
  (void)fake_stack, (void)from_low, (void)from_size;
#endif
}

// TSan keeps a shadow call stack and happens-before clock per fibre.
inline void tsan_switch(void* to) {
#ifdef ASYNCCONF_TSAN
  __tsan_switch_to_fiber(to, 0);
#else
  (void)to;
#endif
}

}  // namespace

Fiber::Fiber(void* stack_low, std::size_t stack_size, Entry entry, void* arg) noexcept
    : stack_low_(stack_low), stack_size_(stack_size), entry_(entry), arg_(arg) {
  self_ = ctx::make_fcontext(static_cast<char*>(stack_low) + stack_size, stack_size,
                             &Fiber::trampoline);
#ifdef ASYNCCONF_TSAN
  tsan_fiber_ = __tsan_create_fiber(0);
#endif
}

Fiber::~Fiber() {
#ifdef ASYNCCONF_TSAN
  __tsan_destroy_fiber(tsan_fiber_);
#endif
#ifdef ASYNCCONF_ASAN
  // Frames abandoned on this stack leave poisoned redzones behind; the memory
  // goes back to an allocator that may hand it out again.
  __asan_unpoison_memory_region(stack_low_, stack_size_);
#endif
}

void Fiber::resume() noexcept {
  void* caller_fake_stack = nullptr;
#ifdef ASYNCCONF_TSAN
  tsan_caller_ = __tsan_get_current_fiber();
#endif
  asan_start(&caller_fake_stack, stack_low_, stack_size_);
  tsan_switch(tsan_fiber_);
  const ctx::transfer_t back = ctx::jump_fcontext(self_, this);
  asan_finish(caller_fake_stack, nullptr, nullptr);
  self_ = back.fctx;
}

void Fiber::suspend() noexcept {
  asan_start(&asan_fake_stack_, caller_stack_low_, caller_stack_size_);
  tsan_switch(tsan_caller_);
  arrived(ctx::jump_fcontext(caller_, nullptr));
}

void Fiber::arrived(ctx::transfer_t from) noexcept {
  asan_finish(asan_fake_stack_, &caller_stack_low_, &caller_stack_size_);
  caller_ = from.fctx;
}

void Fiber::trampoline(ctx::transfer_t from) noexcept {
  auto* self = static_cast<Fiber*>(from.data);
  self->arrived(from);
  self->entry_(self->arg_);
  // Returning from an fcontext entry function ends the thread.
  __builtin_trap();
}

}  // namespace asyncconf::ref
