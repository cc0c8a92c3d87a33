// Helpers shared by the case files: a wait ctx that frees itself, a short
// way to call ASYNC_start_job, and job bodies most areas need. Everything
// goes through api(), the implementation under test.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "asyncconf/conformance/case.hpp"

namespace asyncconf::conformance::support {

/// An ASYNC_WAIT_CTX of the implementation under test, freed at scope exit.
class WaitCtx {
public:
  WaitCtx() : ctx_(api().ASYNC_WAIT_CTX_new()) {}
  ~WaitCtx() {
    if (ctx_ != nullptr) api().ASYNC_WAIT_CTX_free(ctx_);
  }
  WaitCtx(const WaitCtx&) = delete;
  WaitCtx& operator=(const WaitCtx&) = delete;

  ASYNC_WAIT_CTX* get() const noexcept { return ctx_; }
  /// Frees it now (to observe cleanup callbacks); get() is NULL afterwards.
  void free_now() {
    api().ASYNC_WAIT_CTX_free(ctx_);
    ctx_ = nullptr;
  }

private:
  ASYNC_WAIT_CTX* ctx_;
};

/// ASYNC_start_job with the usual arguments.
inline int start(ASYNC_JOB** job, ASYNC_WAIT_CTX* ctx, int* ret, int (*body)(void*),
                 void* args = nullptr, std::size_t size = 0) {
  return api().ASYNC_start_job(job, ctx, ret, body, args, size);
}

/// Returns 7 at once.
inline int return_seven(void*) { return 7; }
/// Pauses once, then returns 3.
inline int pause_once(void*) {
  api().ASYNC_pause_job();
  return 3;
}
/// Pauses `*static_cast<int*>(args)` times, then returns that count.
inline int pause_n_times(void* args) {
  const int n = *static_cast<const int*>(args);
  for (int i = 0; i < n; ++i) api().ASYNC_pause_job();
  return n;
}

/// After a misuse: starts two jobs paused at once and finishes both, so the
/// thread's jobs are shown to still work. Reports each step that went wrong.
inline void check_jobs_still_work(CaseContext& c, ASYNC_WAIT_CTX* ctx) {
  ASYNC_JOB* a = nullptr;
  ASYNC_JOB* b = nullptr;
  int ret = 0;
  c.expect_start(start(&a, ctx, &ret, pause_once), ASYNC_PAUSE, "a later job A");
  c.expect_start(start(&b, ctx, &ret, pause_once), ASYNC_PAUSE, "a later job B, with A paused");
  c.expect(a != b || a == nullptr, "later jobs A and B paused with the same handle " + describe(a));
  ret = 0;
  c.expect_start(start(&a, ctx, &ret, pause_once), ASYNC_FINISH, "resuming job A");
  c.expect_eq(ret, 3, "*ret of job A");
  ret = 0;
  c.expect_start(start(&b, ctx, &ret, pause_once), ASYNC_FINISH, "resuming job B");
  c.expect_eq(ret, 3, "*ret of job B");
}

// A leak check: heap blocks or fds gained over some work. Fewer than before
// is no leak (the C library frees blocks of its own meanwhile, such as an
// exited thread's TLS when a new thread reuses its stack).
inline bool expect_no_gain(CaseContext& c, std::int64_t gained, std::string_view what) {
  if (gained <= 0) return true;
  return c.expect(false, std::string(what) + ": gained " + std::to_string(gained) + ", expected none");
}

}  // namespace asyncconf::conformance::support
