// Helpers shared by the unit tests of libasyncref.so.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <memory>

#include "asyncconf/async_abi.h"

namespace asyncref_test {

struct WaitCtxFree {
  void operator()(ASYNC_WAIT_CTX* ctx) const noexcept { ASYNC_WAIT_CTX_free(ctx); }
};
using WaitCtxPtr = std::unique_ptr<ASYNC_WAIT_CTX, WaitCtxFree>;

inline WaitCtxPtr NewWaitCtx() { return WaitCtxPtr(ASYNC_WAIT_CTX_new()); }

// A malloc-backed stack allocator that counts its calls. Process-wide, like
// the allocator pair it stands for; atomics because pools on other threads
// call it too. Install() must run before the process allocates any stack.
struct CountingStacks {
  static inline std::atomic<int> allocs{0};
  static inline std::atomic<int> frees{0};
  static inline std::atomic<std::size_t> requested{0};  // *num as the library asked
  static inline std::atomic<std::size_t> grant{0};      // when not 0, written back to *num
  static inline std::atomic<bool> fail{false};          // return NULL
  static inline std::atomic<void*> last_alloc{nullptr};
  static inline std::atomic<void*> last_free{nullptr};

  static void* Alloc(std::size_t* num) {
    requested = *num;
    if (fail) return nullptr;
    if (grant != 0) *num = grant;
    void* p = std::malloc(*num);
    if (p != nullptr) {
      ++allocs;
      last_alloc = p;
    }
    return p;
  }
  static void Free(void* p) {
    if (p == nullptr) return;
    ++frees;
    last_free = p;
    std::free(p);
  }
  static bool Install() { return ASYNC_set_mem_functions(&Alloc, &Free) == 1; }
  static int Live() { return allocs - frees; }
};

// Job bodies used by several files.
inline int ReturnSeven(void*) { return 7; }
inline int PauseOnceReturnThree(void*) {
  ASYNC_pause_job();
  return 3;
}
// Returns the int its argument points to, after one pause.
inline int PauseThenReturnArg(void* arg) {
  ASYNC_pause_job();
  return *static_cast<int*>(arg);
}

// Starts (or resumes) `job` until it no longer pauses; returns the last
// ASYNC_start_job result and counts the pauses.
inline int RunToEnd(ASYNC_JOB** job, ASYNC_WAIT_CTX* ctx, int* ret, int (*func)(void*),
                    void* args = nullptr, std::size_t size = 0, int* pauses = nullptr) {
  int rc;
  while ((rc = ASYNC_start_job(job, ctx, ret, func, args, size)) == ASYNC_PAUSE) {
    if (pauses != nullptr) ++*pauses;
  }
  return rc;
}

}  // namespace asyncref_test
