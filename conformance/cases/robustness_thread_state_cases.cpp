// Robustness: misuse of a thread's ASYNC state that must not crash: a
// second ASYNC_init_thread, ASYNC_cleanup_thread inside a job, unblocking
// with no block, a failing stack allocator. Each case checks what its
// requirement allows, not the reference's own choice among the safe
// outcomes (reference_impl/README.md, "Deliberate differences").
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "asyncconf/conformance/catalogue.hpp"
#include "asyncconf/harness/probes.hpp"
#include "case_support.hpp"

namespace asyncconf::conformance {

namespace {

namespace probes = harness::probes;
using support::check_jobs_still_work;
using support::start;
using support::WaitCtx;

// What a body saw, for checks made after it ran.
struct Seen {
  int runs = 0;            // times counting_body was entered
  bool continued = false;  // the body ran past the misuse
  ASYNC_JOB* current_before = nullptr;
  ASYNC_JOB* current_after = nullptr;
};
Seen g_seen;

int counting_body(void*) {
  ++g_seen.runs;
  return 50;
}

void init_thread_twice_keeps_paused_job(CaseContext& c) {
  if (!c.expect_eq(api().ASYNC_init_thread(4, 2), 1, "ASYNC_init_thread(4, 2)")) return;
  WaitCtx ctx;
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  if (!c.expect_start(start(&job, ctx.get(), &ret, support::pause_once), ASYNC_PAUSE,
                      "starting a job"))
    return;
  c.note("second ASYNC_init_thread(8, 1) returned " +
         std::to_string(api().ASYNC_init_thread(8, 1)));
  c.expect_start(start(&job, ctx.get(), &ret, support::pause_once), ASYNC_FINISH,
                 "resuming the job paused before the second ASYNC_init_thread");
  c.expect_eq(ret, 3, "*ret of the job");
  check_jobs_still_work(c, ctx.get());
}

// Heap blocks left by init_thread(n, n), init_thread(16, 1), one job,
// cleanup_thread.
std::int64_t residue_of_reinit(CaseContext& c, int n) {
  const std::int64_t before = probes::live_allocations();
  c.expect_eq(api().ASYNC_init_thread(n, n), 1,
              "first ASYNC_init_thread(" + std::to_string(n) + ", same)");
  api().ASYNC_init_thread(16, 1);
  {
    WaitCtx ctx;
    ASYNC_JOB* job = nullptr;
    int ret = 0;
    c.expect_start(start(&job, ctx.get(), &ret, support::pause_once), ASYNC_PAUSE,
                   "a job after the second init");
    c.expect_start(start(&job, ctx.get(), &ret, support::pause_once), ASYNC_FINISH, "resuming it");
  }
  api().ASYNC_cleanup_thread();
  return probes::live_allocations() - before;
}

void init_thread_twice_leaks_nothing(CaseContext& c) {
  if (!c.expect(
          probes::allocation_counting(),
          "this process does not count heap blocks (not linked with asyncconf::alloc_probe)")) {
    return;
  }
  residue_of_reinit(c, 1);  // warm-up
  const std::int64_t one = residue_of_reinit(c, 1);
  const std::int64_t sixteen = residue_of_reinit(c, 16);
  c.note("heap blocks left when the first pool had 1 job: " + std::to_string(one) +
         "; 16 jobs: " + std::to_string(sixteen));
  c.expect_eq(sixteen, one,
              "heap blocks left after re-initialising a pool of 16 jobs vs a pool of 1 "
              "(equal when the old pool's jobs are not leaked)");
}

void init_thread_twice_applies_new_limits(CaseContext& c) {
  if (!c.expect_eq(api().ASYNC_init_thread(1, 0), 1, "ASYNC_init_thread(1, 0)")) return;
  WaitCtx ctx;
  ASYNC_JOB* jobs[4] = {};
  int ret = 0;
  c.expect_start(start(&jobs[0], ctx.get(), &ret, support::return_seven), ASYNC_FINISH,
                 "a first job");
  // The requirement allows either answer: the new limits apply (the
  // reference), or the call is refused and the old pool stays as it was.
  const int second = api().ASYNC_init_thread(3, 0);
  if (!c.expect(second == 1 || second == 0,
                "the second call, ASYNC_init_thread(3, 0): returned " + std::to_string(second) +
                    ", expected 1 (applied) or 0 (refused)"))
    return;
  const int limit = second == 1 ? 3 : 1;
  const std::string which = second == 1 ? "the new max_size 3" : "the old max_size 1 (the second call was refused)";
  for (int i = 0; i < limit; ++i) {
    c.expect_start(start(&jobs[i], ctx.get(), &ret, support::pause_once), ASYNC_PAUSE,
                   "job " + std::to_string(i) + " of " + which);
  }
  c.expect_start(start(&jobs[limit], ctx.get(), &ret, support::pause_once), ASYNC_NO_JOBS,
                 "one job more than " + which);
  for (int i = 0; i < limit; ++i) {
    if (jobs[i] != nullptr) start(&jobs[i], ctx.get(), &ret, support::pause_once);
  }
}

int cleanup_inside_body(void*) {
  g_seen.current_before = api().ASYNC_get_current_job();
  api().ASYNC_cleanup_thread();
  g_seen.current_after = api().ASYNC_get_current_job();
  char scratch[8 * 1024];  // the stack must still be ours
  std::memset(scratch, 0x5A, sizeof scratch);
  asm volatile("" : : "r"(scratch) : "memory");
  api().ASYNC_pause_job();
  g_seen.continued = true;
  return 53;
}

void cleanup_thread_inside_job_is_harmless(CaseContext& c) {
  g_seen = {};
  WaitCtx ctx;
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  const int first = start(&job, ctx.get(), &ret, cleanup_inside_body);
  c.expect(g_seen.current_before != nullptr && g_seen.current_after == g_seen.current_before,
           "the current job after ASYNC_cleanup_thread inside it: " +
               describe(g_seen.current_after) + ", before: " + describe(g_seen.current_before));
  if (!c.expect_start(first, ASYNC_PAUSE, "the job pausing after its ASYNC_cleanup_thread")) return;
  c.expect_start(start(&job, ctx.get(), &ret, cleanup_inside_body), ASYNC_FINISH, "resuming it");
  c.expect(g_seen.continued, "the body did not run to its end");
  c.expect_eq(ret, 53, "*ret of the job");
  check_jobs_still_work(c, ctx.get());
}

int unblock_below_zero_body(void*) {
  api().ASYNC_unblock_pause();
  api().ASYNC_unblock_pause();
  api().ASYNC_block_pause();
  api().ASYNC_pause_job();  // blocked: must not pause
  g_seen.continued = true;
  api().ASYNC_unblock_pause();
  api().ASYNC_pause_job();  // unblocked: pauses
  return 54;
}

void unblock_below_zero_does_nothing(CaseContext& c) {
  g_seen = {};
  WaitCtx ctx;
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  const int first = start(&job, ctx.get(), &ret, unblock_below_zero_body);
  c.expect(g_seen.continued, "two unblocks at zero, then one block: ASYNC_pause_job paused anyway");
  if (!c.expect_start(first, ASYNC_PAUSE, "the job, at its pause after the block was lifted"))
    return;
  c.expect_start(start(&job, ctx.get(), &ret, unblock_below_zero_body), ASYNC_FINISH,
                 "resuming it");
  c.expect_eq(ret, 54, "*ret of the job");
}

bool g_alloc_fails = false;
int g_alloc_calls = 0;
void* failing_alloc(std::size_t* num) {
  ++g_alloc_calls;
  return g_alloc_fails ? nullptr : std::malloc(*num);
}
void plain_free(void* addr) { std::free(addr); }

void stack_alloc_failure_is_an_error(CaseContext& c) {
  g_seen = {};
  g_alloc_fails = true;
  g_alloc_calls = 0;
  if (!c.expect_eq(api().ASYNC_set_mem_functions(failing_alloc, plain_free), 1,
                   "ASYNC_set_mem_functions before any job")) {
    return;
  }
  WaitCtx ctx;
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  const int result = start(&job, ctx.get(), &ret, counting_body);
  c.expect(result == ASYNC_ERR || result == ASYNC_NO_JOBS,
           "ASYNC_start_job while the stack allocator returns NULL: observed " +
               start_result_name(result) + ", expected ASYNC_ERR or ASYNC_NO_JOBS");
  c.expect(g_alloc_calls >= 1, "the stack alloc function was never called");
  c.expect_eq(g_seen.runs, 0, "times func ran without a stack");
  g_alloc_fails = false;
  job = nullptr;
  ret = 0;
  c.expect_start(start(&job, ctx.get(), &ret, counting_body), ASYNC_FINISH,
                 "a job once the allocator succeeds again");
  c.expect_eq(ret, 50, "*ret of that job");
}

}  // namespace

void add_robustness_thread_state_cases(std::vector<Case>& out) {
  out.push_back({"robustness/init-thread-twice-keeps-paused-job",
                 "A second ASYNC_init_thread leaves a paused job resumable and the pool working",
                 {"ROBUST-INIT-THREAD-TWICE"},
                 {},
                 init_thread_twice_keeps_paused_job});
  out.push_back({"robustness/init-thread-twice-leaks-nothing",
                 "Re-initialising a pool of 16 jobs leaves no more heap blocks than "
                 "re-initialising a pool of 1",
                 {"ROBUST-INIT-THREAD-TWICE"},
                 {},
                 init_thread_twice_leaks_nothing});
  out.push_back(
      {"robustness/init-thread-twice-applies-new-limits",
       "A second ASYNC_init_thread(3, 0) applies (3 jobs, then ASYNC_NO_JOBS) or is refused with 0 "
       "(the old max_size 1 holds)",
       {"ROBUST-INIT-THREAD-TWICE", "POOL-MAX-SIZE-LIMITS"},
       {},
       init_thread_twice_applies_new_limits});
  out.push_back(
      {"robustness/cleanup-thread-inside-job-is-harmless",
       "ASYNC_cleanup_thread inside a job: the job stays current, pauses, resumes and finishes",
       {"ROBUST-CLEANUP-THREAD-INSIDE-JOB", "CURRENT-INSIDE-JOB"},
       {},
       cleanup_thread_inside_job_is_harmless});
  out.push_back({"robustness/unblock-below-zero-does-nothing",
                 "Two unblocks with no block, then one block: pausing is still blocked",
                 {"ROBUST-UNBLOCK-BELOW-ZERO"},
                 {},
                 unblock_below_zero_does_nothing});
  out.push_back({"robustness/stack-alloc-failure-is-an-error",
                 "A stack allocator returning NULL gives ASYNC_ERR or ASYNC_NO_JOBS, runs nothing; "
                 "jobs work after",
                 {"ROBUST-STACK-ALLOC-FAILS"},
                 {Capability::MemFunctions},
                 stack_alloc_failure_is_an_error});
}

}  // namespace asyncconf::conformance
