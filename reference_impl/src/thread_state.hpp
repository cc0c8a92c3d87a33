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

}  // namespace asyncconf::ref
