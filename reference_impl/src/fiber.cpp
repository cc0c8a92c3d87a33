#include "fiber.hpp"

#ifdef ASYNCCONF_ASAN
#include <sanitizer/asan_interface.h>
#endif

namespace ctx = boost::context::detail;

namespace asyncconf::ref {

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

void Fiber::trampoline(ctx::transfer_t from) noexcept {
  auto* self = static_cast<Fiber*>(from.data);
  self->arrived(from);
  self->entry_(self->arg_);
  // Returning from an fcontext entry function ends the thread.
  __builtin_trap();
}

}  // namespace asyncconf::ref
