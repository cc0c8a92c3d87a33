#include "thread_state.hpp"

#include <memory>
#include <new>

namespace asyncconf::ref {

namespace {

// Two thread-locals: a plain pointer read on every API call (no TLS init
// guard on the hot path), and an owner whose destructor frees the state when
// the thread exits without ASYNC_cleanup_thread.
thread_local ThreadState* t_state = nullptr;

struct Owner {
  bool armed = false;
  ~Owner() {
    if (armed) ThreadState::destroy();
  }
};

}  // namespace

ThreadState* ThreadState::peek() noexcept { return t_state; }

ThreadState* ThreadState::get() noexcept {
  if (t_state != nullptr) return t_state;
  static thread_local Owner owner;
  owner.armed = true;
  t_state = new (std::nothrow) ThreadState();
  return t_state;
}

void ThreadState::destroy() noexcept {
  delete t_state;
  t_state = nullptr;
}

}  // namespace asyncconf::ref
