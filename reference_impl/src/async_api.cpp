// The ASYNC_* job functions of the C ABI. Misuse that crashes OpenSSL is
// answered here with an error, before it can reach a Job (see README.md,
// "Deliberate differences").
#include "export.hpp"
#include "fault.hpp"
#include "lib_ctx.hpp"
#include "registry.hpp"
#include "stack.hpp"
#include "thread_state.hpp"

using asyncconf::ref::Fault;
using asyncconf::ref::fault_active;
using asyncconf::ref::Job;
using asyncconf::ref::JobState;
using asyncconf::ref::Pool;
using asyncconf::ref::ThreadState;

namespace {

constexpr std::size_t kMaxPoolSize = 2147483647;  // INT_MAX, OpenSSL's limit

// The job stopped running: report it as paused or finished.
int report(ThreadState& ts, Job* job, ASYNC_JOB** handle, int* ret) noexcept {
  ts.current = nullptr;
  if (job->state() == JobState::Paused) {
    if (fault_active(Fault::CurrentJobKeptAfterPause)) ts.current = job;
    if (fault_active(Fault::RetWrittenOnPause) && ret != nullptr) *ret = 0;
    *handle = asyncconf::ref::to_handle(job);
    return ASYNC_PAUSE;
  }
  const int result = job->take_result();
  if (ret != nullptr && !fault_active(Fault::FinishRetNotWritten)) *ret = result;
  *handle = fault_active(Fault::FinishKeepsJob) ? asyncconf::ref::to_handle(job) : nullptr;
  ts.pool.release(job);
  return ASYNC_FINISH;
}

}  // namespace

ASYNCREF_EXPORT int ASYNC_init_thread(size_t max_size, size_t init_size) {
  if (fault_active(Fault::InitAcceptsInitAboveMax) && init_size > max_size) init_size = max_size;
  if (init_size > max_size || max_size > kMaxPoolSize) return 0;
  ThreadState* ts = ThreadState::get();
  if (ts == nullptr) return 0;
  ts->pool.configure(max_size, init_size);
  return 1;
}

ASYNCREF_EXPORT void ASYNC_cleanup_thread(void) {
  const ThreadState* ts = ThreadState::peek();
  // From inside a job this would free the stack it runs on.
  if (ts != nullptr && ts->current != nullptr) return;
  if (fault_active(Fault::CleanupThreadKeepsStacks)) return;
  ThreadState::destroy();
}

ASYNCREF_EXPORT int ASYNC_start_job(ASYNC_JOB** job, ASYNC_WAIT_CTX* ctx, int* ret,
                                    int (*func)(void*), void* args, size_t size) {
  if (job == nullptr) return ASYNC_ERR;
  ThreadState* ts = ThreadState::get();
  if (ts == nullptr || (ts->current != nullptr && !fault_active(Fault::NestedStartAllowed))) {
    return ASYNC_ERR;  // nested start
  }

  if (*job != nullptr) {
    Job* paused = ts->pool.find(*job);
    if (paused == nullptr || paused->state() != JobState::Paused) return ASYNC_ERR;
    ts->current = paused;
    // The job gets back the default library context it had when it paused.
    const auto set0_default = asyncconf::ref::lib_ctx::set0_default();
    void* callers_lib_ctx = nullptr;
    if (set0_default != nullptr) callers_lib_ctx = set0_default(paused->lib_ctx());
    paused->resume();
    if (set0_default != nullptr) paused->set_lib_ctx(set0_default(callers_lib_ctx));
    return report(*ts, paused, job, ret);
  }

  if (func == nullptr) return ASYNC_ERR;
  Pool::Shortage why;
  Job* fresh = ts->pool.acquire(why);
  if (fresh == nullptr) {
    if (fault_active(Fault::PoolFullReturnsErr)) return ASYNC_ERR;
    return why == Pool::Shortage::AtMaxSize ? ASYNC_NO_JOBS : ASYNC_ERR;
  }
  ts->current = fresh;
  // A new job runs with its caller's default library context; whatever
  // default it sets is taken back from the caller when it stops.
  const auto set0_default = asyncconf::ref::lib_ctx::set0_default();
  void* callers_lib_ctx = nullptr;
  if (set0_default != nullptr) callers_lib_ctx = set0_default(nullptr);
  if (!fresh->start(func, args, size, ctx)) {
    ts->current = nullptr;
    ts->pool.release(fresh);
    return ASYNC_ERR;
  }
  if (set0_default != nullptr) fresh->set_lib_ctx(set0_default(callers_lib_ctx));
  return report(*ts, fresh, job, ret);
}

ASYNCREF_EXPORT int ASYNC_pause_job(void) {
  ThreadState* ts = ThreadState::peek();
  if (fault_active(Fault::PauseOutsideJobReturns0) && (ts == nullptr || ts->current == nullptr)) {
    return 0;
  }
  if (ts == nullptr || ts->current == nullptr ||
      (ts->blocked > 0 && !fault_active(Fault::BlockIgnored))) {
    return 1;
  }
  Job* job = ts->current;
  // Nobody could be told when to resume it (and OpenSSL crashes on resume).
  if (job->wait_ctx() == nullptr) return 0;
  job->pause();
  return 1;
}

ASYNCREF_EXPORT ASYNC_JOB* ASYNC_get_current_job(void) {
  const ThreadState* ts = ThreadState::peek();
  if (fault_active(Fault::CurrentJobNullInside)) return nullptr;
  return ts == nullptr ? nullptr : asyncconf::ref::to_handle(ts->current);
}

ASYNCREF_EXPORT ASYNC_WAIT_CTX* ASYNC_get_wait_ctx(ASYNC_JOB* job) {
  if (job == nullptr) return nullptr;
  const ThreadState* ts = ThreadState::peek();
  if (ts != nullptr && job == asyncconf::ref::to_handle(ts->current)) {
    return fault_active(Fault::GetWaitCtxNullInJob) ? nullptr : ts->current->wait_ctx();
  }
  return asyncconf::ref::registry::wait_ctx_of(job);
}

ASYNCREF_EXPORT void ASYNC_block_pause(void) {
  ThreadState* ts = ThreadState::peek();
  if (ts != nullptr && ts->current != nullptr) ++ts->blocked;
}

ASYNCREF_EXPORT void ASYNC_unblock_pause(void) {
  ThreadState* ts = ThreadState::peek();
  if (ts != nullptr && ts->current != nullptr && ts->blocked > 0) --ts->blocked;
  if (fault_active(Fault::BlockNotNested) && ts != nullptr) ts->blocked = 0;
}

ASYNCREF_EXPORT int ASYNC_is_capable(void) { return 1; }

ASYNCREF_EXPORT int ASYNC_set_mem_functions(ASYNC_stack_alloc_fn alloc_fn,
                                            ASYNC_stack_free_fn free_fn) {
  return asyncconf::ref::set_stack_allocator(alloc_fn, free_fn) ? 1 : 0;
}

ASYNCREF_EXPORT void ASYNC_get_mem_functions(ASYNC_stack_alloc_fn* alloc_fn,
                                             ASYNC_stack_free_fn* free_fn) {
  asyncconf::ref::get_stack_allocator(alloc_fn, free_fn);
}
