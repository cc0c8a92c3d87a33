// Everything the ASYNC API keeps per thread: the pool, the job running now,
// and the pause-block counter.
#pragma once

#include <cstddef>

#include "pool.hpp"

namespace asyncconf::ref {

class ThreadState {
public:
  /// This thread's state, or null if it has none (never used the API, or
  /// cleaned up since).
  static ThreadState* peek() noexcept;
  /// This thread's state, created on first use with an unlimited, empty
  /// pool; null only when that allocation fails.
  static ThreadState* get() noexcept;
  /// Frees this thread's state: the pool, and with it every job it created,
  /// idle or paused (paused frames are abandoned, not unwound). Also runs
  /// by itself when a thread exits.
  static void destroy() noexcept;

  Pool pool;
  Job* current = nullptr;  // the job whose body is running, if any
  int blocked = 0;         // ASYNC_block_pause depth; thread-wide, as in OpenSSL
};

namespace detail {
// Read on every API call. initial-exec: one %fs-relative load instead of a
// __tls_get_addr call; it takes 8 bytes of glibc's static TLS reserve for
// dlopen'ed libraries.
// constinit: no dynamic initialisation, so no TLS wrapper call either.
extern constinit thread_local ThreadState* t_state __attribute__((tls_model("initial-exec")));
ThreadState* create_thread_state() noexcept;
}  // namespace detail

inline ThreadState* ThreadState::peek() noexcept { return detail::t_state; }

inline ThreadState* ThreadState::get() noexcept {
  ThreadState* ts = detail::t_state;
  return ts != nullptr ? ts : detail::create_thread_state();
}

}  // namespace asyncconf::ref
