#include "thread_state.hpp"

#include "fault.hpp"

#include <memory>
#include <new>

namespace asyncconf::ref {

namespace {

// The owner's destructor frees the state when the thread exits without
// ASYNC_cleanup_thread. The state itself is reached through a plain pointer
// (detail::t_state): no TLS init guard on the hot path.
struct Owner {
  bool armed = false;
  ~Owner() {
    if (armed && !fault_active(Fault::ThreadExitLeaks)) ThreadState::destroy();
  }
};

}  // namespace

namespace detail {
constinit thread_local ThreadState* t_state __attribute__((tls_model("initial-exec"))) = nullptr;

ThreadState* create_thread_state() noexcept {
  static thread_local Owner owner;
  owner.armed = true;
  t_state = new (std::nothrow) ThreadState();
  return t_state;
}
}  // namespace detail

using detail::t_state;

void ThreadState::destroy() noexcept {
  delete t_state;
  t_state = nullptr;
}

}  // namespace asyncconf::ref
