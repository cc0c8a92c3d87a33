// Robustness: misuse of ASYNC_start_job and of job handles that must not
// crash: nested starts, NULL arguments, stale, freed or foreign handles.
// Each case checks what its requirement allows, not the reference's own
// choice among the safe outcomes (reference_impl/README.md, "Deliberate
// differences"). A crash or a hang is this area's typical failure.
#include <string>
#include <thread>

#include "asyncconf/conformance/catalogue.hpp"
#include "case_support.hpp"

namespace asyncconf::conformance {

namespace {

using support::check_jobs_still_work;
using support::start;
using support::WaitCtx;

bool failed_start(int result) { return result != ASYNC_PAUSE && result != ASYNC_FINISH; }

// What a body saw, for checks made after it ran.
struct Seen {
  int inner_result = -12345;  // ASYNC_start_job called from inside the job
  int inner_runs = 0;         // times the nested job's body was entered
  int runs = 0;               // times counting_body was entered
  int pause_result = -12345;
  bool continued = false;  // the body ran past the misuse
  ASYNC_WAIT_CTX* inner_ctx = nullptr;
};
Seen g_seen;

int counting_body(void*) {
  ++g_seen.runs;
  return 50;
}

int inner_body(void*) {
  ++g_seen.inner_runs;
  return 99;
}

int nesting_body(void*) {
  ASYNC_JOB* inner = nullptr;
  int inner_ret = 0;
  g_seen.inner_result =
      api().ASYNC_start_job(&inner, g_seen.inner_ctx, &inner_ret, inner_body, nullptr, 0);
  g_seen.continued = true;
  return 51;
}

int pause_then_nest(void*) {
  api().ASYNC_pause_job();
  return nesting_body(nullptr);
}

// Runs `outer` (resuming it while it pauses) and checks what
// ROBUST-NESTED-START demands of the start it makes from inside.
void check_nested_start(CaseContext& c, int (*outer)(void*)) {
  g_seen = {};
  WaitCtx ctx, inner_ctx;
  g_seen.inner_ctx = inner_ctx.get();
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  int result = start(&job, ctx.get(), &ret, outer);
  for (int resumes = 0; result == ASYNC_PAUSE && resumes < 3; ++resumes) {
    result = start(&job, ctx.get(), &ret, outer);
  }
  c.expect(failed_start(g_seen.inner_result),
           "ASYNC_start_job from inside a running job: observed " +
               start_result_name(g_seen.inner_result) +
               ", expected ASYNC_ERR (or another failure)");
  c.expect_eq(g_seen.inner_runs, 0, "times the nested job's body ran");
  c.expect(g_seen.continued, "the outer body did not run past its nested ASYNC_start_job");
  c.expect_start(result, ASYNC_FINISH, "the outer job");
  c.expect_eq(ret, 51, "*ret of the outer job");
}

void nested_start_in_first_job_fails(CaseContext& c) { check_nested_start(c, nesting_body); }

void nested_start_in_reused_job_fails(CaseContext& c) {
  WaitCtx ctx;
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  if (!c.expect_start(start(&job, ctx.get(), &ret, support::return_seven), ASYNC_FINISH,
                      "a first job, whose finished job the pool then reuses")) {
    return;
  }
  check_nested_start(c, nesting_body);
}

void nested_start_in_resumed_job_fails(CaseContext& c) { check_nested_start(c, pause_then_nest); }

int pause_and_record(void*) {
  g_seen.pause_result = api().ASYNC_pause_job();
  g_seen.continued = true;
  return 52;
}

void pause_with_null_wait_ctx(CaseContext& c) {
  g_seen = {};
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  const int first = start(&job, nullptr, &ret, pause_and_record);
  if (first == ASYNC_FINISH) {
    c.expect_eq(g_seen.pause_result, 0,
                "ASYNC_pause_job that did not pause (the job ran to ASYNC_FINISH at once)");
  } else if (c.expect_start(first, ASYNC_PAUSE,
                            "a job with a NULL wait ctx that calls ASYNC_pause_job")) {
    c.expect_start(start(&job, nullptr, &ret, pause_and_record), ASYNC_FINISH,
                   "resuming the job paused with a NULL wait ctx");
  }
  c.expect(g_seen.continued, "the body did not run past ASYNC_pause_job");
  c.expect_eq(ret, 52, "*ret of the job");
}

void stale_handle_after_finish_fails(CaseContext& c) {
  WaitCtx ctx;
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  if (!c.expect_start(start(&job, ctx.get(), &ret, support::pause_once), ASYNC_PAUSE,
                      "starting a job"))
    return;
  ASYNC_JOB* const stale = job;
  if (!c.expect_start(start(&job, ctx.get(), &ret, support::pause_once), ASYNC_FINISH,
                      "resuming it"))
    return;
  ASYNC_JOB* again = stale;
  const int result = start(&again, ctx.get(), &ret, support::return_seven);
  // A stale handle taken for a live job leaves nothing worth checking.
  if (!c.expect_start(result, ASYNC_ERR, "the finished job's handle passed back in *job") &&
      !failed_start(result)) {
    return;
  }
  check_jobs_still_work(c, ctx.get());
}

void resume_after_cleanup_thread_fails(CaseContext& c) {
  WaitCtx ctx;
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  if (!c.expect_start(start(&job, ctx.get(), &ret, support::pause_once), ASYNC_PAUSE,
                      "starting a job"))
    return;
  api().ASYNC_cleanup_thread();
  ret = -7;
  c.expect_start(start(&job, ctx.get(), &ret, support::pause_once), ASYNC_ERR,
                 "resuming the paused handle after ASYNC_cleanup_thread");
}

void resume_on_other_thread_fails(CaseContext& c) {
  WaitCtx ctx;
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  if (!c.expect_start(start(&job, ctx.get(), &ret, support::pause_once), ASYNC_PAUSE,
                      "starting a job"))
    return;
  int other = -12345;
  std::thread t([&] {
    ASYNC_JOB* handle = job;
    int other_ret = 0;
    other = start(&handle, ctx.get(), &other_ret, support::pause_once);
  });
  t.join();
  c.expect_start(other, ASYNC_ERR, "the paused handle passed to ASYNC_start_job on another thread");
  ret = 0;
  c.expect_start(start(&job, ctx.get(), &ret, support::pause_once), ASYNC_FINISH,
                 "resuming the job on its own thread afterwards");
  c.expect_eq(ret, 3, "*ret of the job");
}

void null_job_pointer_fails(CaseContext& c) {
  WaitCtx ctx;
  int ret = 0;
  c.expect_start(api().ASYNC_start_job(nullptr, ctx.get(), &ret, support::return_seven, nullptr, 0),
                 ASYNC_ERR, "ASYNC_start_job with job == NULL");
}

void null_func_fails_without_using_a_slot(CaseContext& c) {
  if (!c.expect_eq(api().ASYNC_init_thread(1, 0), 1, "ASYNC_init_thread(1, 0)")) return;
  WaitCtx ctx;
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  c.expect_start(start(&job, ctx.get(), &ret, nullptr), ASYNC_ERR,
                 "ASYNC_start_job with func == NULL");
  job = nullptr;
  if (!c.expect_start(start(&job, ctx.get(), &ret, support::pause_once), ASYNC_PAUSE,
                      "a job in the pool's only slot, after the NULL func")) {
    return;
  }
  c.expect_start(start(&job, ctx.get(), &ret, support::pause_once), ASYNC_FINISH, "resuming it");
}

void null_ret_accepted_or_refused(CaseContext& c) {
  g_seen = {};
  WaitCtx ctx;
  ASYNC_JOB* job = nullptr;
  const int result = start(&job, ctx.get(), nullptr, counting_body);
  if (result == ASYNC_ERR) {
    c.expect_eq(g_seen.runs, 0, "times the body ran, although ASYNC_start_job returned ASYNC_ERR");
  } else if (c.expect(result == ASYNC_FINISH, "ASYNC_start_job with ret == NULL: observed " +
                                                  start_result_name(result) +
                                                  ", expected ASYNC_ERR or ASYNC_FINISH")) {
    c.expect_eq(g_seen.runs, 1, "times the body ran for ASYNC_FINISH");
    c.expect_eq(job, nullptr, "*job after ASYNC_FINISH");
  }
}

void get_wait_ctx_of_null_job(CaseContext& c) {
  c.expect_eq(api().ASYNC_get_wait_ctx(nullptr), nullptr, "ASYNC_get_wait_ctx(NULL)");
}

}  // namespace

void add_robustness_cases(std::vector<Case>& out) {
  out.push_back(
      {"robustness/nested-start-in-first-job-fails",
       "ASYNC_start_job inside the thread's first job fails; the outer job still finishes",
       {"ROBUST-NESTED-START"},
       {},
       nested_start_in_first_job_fails});
  out.push_back(
      {"robustness/nested-start-in-reused-job-fails",
       "ASYNC_start_job inside a job reused from the pool fails; the outer job still finishes",
       {"ROBUST-NESTED-START"},
       {},
       nested_start_in_reused_job_fails});
  out.push_back(
      {"robustness/nested-start-in-resumed-job-fails",
       "ASYNC_start_job inside a job resumed after a pause fails; the outer job still finishes",
       {"ROBUST-NESTED-START"},
       {},
       nested_start_in_resumed_job_fails});
  out.push_back({"robustness/pause-with-null-wait-ctx",
                 "A job started with a NULL wait ctx either does not pause (0) or pauses and "
                 "resumes to the end",
                 {"ROBUST-PAUSE-NULL-WAIT-CTX"},
                 {},
                 pause_with_null_wait_ctx});
  out.push_back({"robustness/stale-handle-after-finish-fails",
                 "A finished job's handle passed back gives ASYNC_ERR; later jobs still work",
                 {"ROBUST-STALE-HANDLE-AFTER-FINISH"},
                 {},
                 stale_handle_after_finish_fails});
  out.push_back({"robustness/resume-after-cleanup-thread-fails",
                 "A paused handle resumed after ASYNC_cleanup_thread gives ASYNC_ERR",
                 {"ROBUST-RESUME-AFTER-CLEANUP-THREAD"},
                 {},
                 resume_after_cleanup_thread_fails});
  out.push_back(
      {"robustness/resume-on-other-thread-fails",
       "A paused handle resumed on another thread gives ASYNC_ERR; its own thread then finishes it",
       {"ROBUST-RESUME-OTHER-THREAD"},
       {},
       resume_on_other_thread_fails});
  out.push_back({"robustness/null-job-pointer-fails",
                 "ASYNC_start_job with job == NULL gives ASYNC_ERR",
                 {"ROBUST-NULL-JOB-POINTER"},
                 {},
                 null_job_pointer_fails});
  out.push_back({"robustness/null-func-fails-without-using-a-slot",
                 "func == NULL gives ASYNC_ERR and leaves the only pool slot free",
                 {"ROBUST-NULL-FUNC"},
                 {},
                 null_func_fails_without_using_a_slot});
  out.push_back(
      {"robustness/null-ret-accepted-or-refused",
       "ret == NULL: ASYNC_ERR without running func, or ASYNC_FINISH with the result discarded",
       {"ROBUST-NULL-RET"},
       {},
       null_ret_accepted_or_refused});
  out.push_back({"robustness/get-wait-ctx-of-null-job",
                 "ASYNC_get_wait_ctx(NULL) returns NULL",
                 {"ROBUST-GET-WAIT-CTX-NULL-JOB"},
                 {},
                 get_wait_ctx_of_null_job});
}

}  // namespace asyncconf::conformance
