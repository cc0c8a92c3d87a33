// ASYNC_get_current_job, ASYNC_get_wait_ctx (the job's wait ctx, from inside,
// from the caller and from another thread) and ASYNC_is_capable.
#include <thread>

#include "asyncconf/conformance/catalogue.hpp"
#include "case_support.hpp"

namespace asyncconf::conformance {

namespace {

using support::start;
using support::WaitCtx;

// What bodies saw, indexed by the int id in their args (0 or 1).
struct Seen {
  ASYNC_JOB* current_at_start = nullptr;
  ASYNC_JOB* current_after_resume = nullptr;
  ASYNC_WAIT_CTX* ctx_at_start = nullptr;
  ASYNC_WAIT_CTX* ctx_after_resume = nullptr;
};
Seen g_seen[2];

int id_of(void* args) { return args != nullptr ? *static_cast<const int*>(args) : 0; }

ASYNC_WAIT_CTX* own_wait_ctx() {
  ASYNC_JOB* current = api().ASYNC_get_current_job();
  return current != nullptr ? api().ASYNC_get_wait_ctx(current) : nullptr;
}

// Records the current job and its wait ctx, pauses once, records them again.
int look_pause_look(void* args) {
  Seen& seen = g_seen[id_of(args)];
  seen.current_at_start = api().ASYNC_get_current_job();
  seen.ctx_at_start = own_wait_ctx();
  api().ASYNC_pause_job();
  seen.current_after_resume = api().ASYNC_get_current_job();
  seen.ctx_after_resume = own_wait_ctx();
  return 4;
}

ASYNC_JOB* current_from_helper() { return api().ASYNC_get_current_job(); }

// Records the current job directly and through a called function; no pause.
int look_and_return(void* args) {
  Seen& seen = g_seen[id_of(args)];
  seen.current_at_start = api().ASYNC_get_current_job();
  seen.current_after_resume = current_from_helper();
  seen.ctx_at_start = own_wait_ctx();
  return 6;
}

void reset_seen() {
  g_seen[0] = {};
  g_seen[1] = {};
}

void null_before_any_job(CaseContext& c) {
  c.expect_eq(api().ASYNC_get_current_job(), nullptr,
              "ASYNC_get_current_job on a thread that never ran a job");
}

void non_null_inside_job(CaseContext& c) {
  reset_seen();
  WaitCtx ctx;
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  if (!c.expect_start(start(&job, ctx.get(), &ret, look_and_return), ASYNC_FINISH,
                      "a job that looks at ASYNC_get_current_job")) {
    return;
  }
  c.expect(g_seen[0].current_at_start != nullptr,
           "ASYNC_get_current_job inside the job: observed NULL, expected the running job");
  c.expect_eq(g_seen[0].current_after_resume, g_seen[0].current_at_start,
              "ASYNC_get_current_job from a function the body called (vs the body's own call)");
}

void matches_handle_across_pauses(CaseContext& c) {
  reset_seen();
  WaitCtx ctx;
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  if (!c.expect_start(start(&job, ctx.get(), &ret, look_pause_look), ASYNC_PAUSE,
                      "a job that pauses")) {
    return;
  }
  c.expect_eq(g_seen[0].current_at_start, job,
              "ASYNC_get_current_job inside the job vs the handle ASYNC_PAUSE put in *job");
  ASYNC_JOB* const handle = job;
  if (!c.expect_start(start(&job, ctx.get(), &ret, look_pause_look), ASYNC_FINISH, "resuming it")) {
    return;
  }
  c.expect_eq(g_seen[0].current_after_resume, handle,
              "ASYNC_get_current_job inside the job after the resume vs its handle");
}

void null_after_pause_and_finish(CaseContext& c) {
  WaitCtx ctx;
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  if (!c.expect_start(start(&job, ctx.get(), &ret, look_pause_look), ASYNC_PAUSE,
                      "a job that pauses")) {
    return;
  }
  c.expect_eq(api().ASYNC_get_current_job(), nullptr,
              "ASYNC_get_current_job in the caller after ASYNC_PAUSE");
  if (!c.expect_start(start(&job, ctx.get(), &ret, look_pause_look), ASYNC_FINISH, "resuming it")) {
    return;
  }
  c.expect_eq(api().ASYNC_get_current_job(), nullptr,
              "ASYNC_get_current_job in the caller after ASYNC_FINISH");
  c.expect_start(start(&job, ctx.get(), &ret, support::return_seven), ASYNC_FINISH,
                 "a job that returns at once");
  c.expect_eq(api().ASYNC_get_current_job(), nullptr,
              "ASYNC_get_current_job in the caller after that job finished");
}

// Starts jobs 0 and 1 (look_pause_look, ids as args) on ctx[0] and ctx[1];
// false, with the failure recorded, unless both paused.
bool start_two_lookers(CaseContext& c, WaitCtx (&ctx)[2], ASYNC_JOB* (&job)[2]) {
  int ret = 0;
  for (int id = 0; id < 2; ++id) {
    if (!c.expect_start(start(&job[id], ctx[id].get(), &ret, look_pause_look, &id, sizeof id),
                        ASYNC_PAUSE, "starting job " + std::to_string(id))) {
      return false;
    }
  }
  return true;
}

void distinct_per_paused_job(CaseContext& c) {
  reset_seen();
  WaitCtx ctx[2];
  ASYNC_JOB* job[2] = {nullptr, nullptr};
  int ret = 0;
  if (!start_two_lookers(c, ctx, job)) return;
  c.expect(job[0] != job[1], "two paused jobs got the same handle");
  ASYNC_JOB* const handle[2] = {job[0], job[1]};
  for (int id : {1, 0}) {
    c.expect_start(start(&job[id], ctx[id].get(), &ret, look_pause_look), ASYNC_FINISH,
                   "resuming job " + std::to_string(id));
  }
  for (int id = 0; id < 2; ++id) {
    const std::string which = "job " + std::to_string(id);
    c.expect_eq(g_seen[id].current_at_start, handle[id],
                "ASYNC_get_current_job inside " + which + " vs its handle");
    c.expect_eq(g_seen[id].current_after_resume, handle[id],
                "ASYNC_get_current_job inside " + which + " after its resume vs its handle");
  }
}

void current_job_gives_start_ctx(CaseContext& c) {
  reset_seen();
  WaitCtx ctx;
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  if (!c.expect_start(start(&job, ctx.get(), &ret, look_and_return), ASYNC_FINISH,
                      "a job that looks up its wait ctx")) {
    return;
  }
  c.expect_eq(g_seen[0].ctx_at_start, ctx.get(),
              "ASYNC_get_wait_ctx(ASYNC_get_current_job()) inside the job vs the ctx given to "
              "ASYNC_start_job");
}

void two_jobs_two_ctxs(CaseContext& c) {
  reset_seen();
  WaitCtx ctx[2];
  ASYNC_JOB* job[2] = {nullptr, nullptr};
  int ret = 0;
  if (!start_two_lookers(c, ctx, job)) return;
  for (int id : {1, 0}) {
    c.expect_start(start(&job[id], ctx[id].get(), &ret, look_pause_look), ASYNC_FINISH,
                   "resuming job " + std::to_string(id));
  }
  for (int id = 0; id < 2; ++id) {
    const std::string which = "job " + std::to_string(id);
    c.expect_eq(g_seen[id].ctx_at_start, ctx[id].get(),
                "wait ctx " + which + " saw when it started vs the one it was started with");
    c.expect_eq(g_seen[id].ctx_after_resume, ctx[id].get(),
                "wait ctx " + which + " saw after its resume vs the one it was started with");
  }
}

void next_job_gets_its_own_ctx(CaseContext& c) {
  reset_seen();
  WaitCtx first;
  WaitCtx second;
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  c.expect_start(start(&job, first.get(), &ret, look_pause_look), ASYNC_PAUSE, "first job");
  c.expect_start(start(&job, first.get(), &ret, look_pause_look), ASYNC_FINISH,
                 "resuming the first job");
  // The second job most likely reuses the first one's pooled job.
  if (!c.expect_start(start(&job, second.get(), &ret, look_pause_look), ASYNC_PAUSE,
                      "second job, on another ctx")) {
    return;
  }
  c.expect_eq(api().ASYNC_get_wait_ctx(job), second.get(),
              "ASYNC_get_wait_ctx of the paused second job vs its own ctx");
  c.expect_start(start(&job, second.get(), &ret, look_pause_look), ASYNC_FINISH,
                 "resuming the second job");
  c.expect_eq(g_seen[0].ctx_at_start, second.get(), "wait ctx the second job saw when it started");
  c.expect_eq(g_seen[0].ctx_after_resume, second.get(), "wait ctx it saw after its resume");
}

void paused_handle_from_caller(CaseContext& c) {
  WaitCtx ctx[2];
  ASYNC_JOB* job[2] = {nullptr, nullptr};
  int ret = 0;
  if (!start_two_lookers(c, ctx, job)) return;
  for (int id = 0; id < 2; ++id) {
    c.expect_eq(api().ASYNC_get_wait_ctx(job[id]), ctx[id].get(),
                "ASYNC_get_wait_ctx(handle of paused job " + std::to_string(id) +
                    ") in the caller vs its ctx");
  }
  for (int id = 0; id < 2; ++id) {
    c.expect_start(start(&job[id], ctx[id].get(), &ret, look_pause_look), ASYNC_FINISH,
                   "resuming job " + std::to_string(id));
  }
}

void from_other_thread(CaseContext& c) {
  WaitCtx ctx[2];
  ASYNC_JOB* job[2] = {nullptr, nullptr};
  int ret = 0;
  if (!start_two_lookers(c, ctx, job)) return;
  ASYNC_WAIT_CTX* seen[2] = {nullptr, nullptr};
  std::thread poller([&] {
    for (int id = 0; id < 2; ++id) seen[id] = api().ASYNC_get_wait_ctx(job[id]);
  });
  poller.join();
  for (int id = 0; id < 2; ++id) {
    c.expect_eq(seen[id], ctx[id].get(),
                "ASYNC_get_wait_ctx(paused job " + std::to_string(id) +
                    ") on another thread vs the job's ctx");
  }
  for (int id = 0; id < 2; ++id) {
    c.expect_start(start(&job[id], ctx[id].get(), &ret, look_pause_look), ASYNC_FINISH,
                   "resuming job " + std::to_string(id) + " on its own thread");
  }
}

int g_capable_inside = -1;

int check_capable_then_pause(void*) {
  g_capable_inside = api().ASYNC_is_capable();
  api().ASYNC_pause_job();
  return 8;
}

void returns_1(CaseContext& c) {
  // Linux on x86-64 and aarch64 is async capable in OpenSSL (ucontext).
  c.expect_eq(api().ASYNC_is_capable(), 1, "ASYNC_is_capable on Linux");
}

void capable_means_jobs_pause(CaseContext& c) {
  const int capable = api().ASYNC_is_capable();
  if (!c.expect(capable == 0 || capable == 1,
                "ASYNC_is_capable returned " + std::to_string(capable) + ", expected 0 or 1")) {
    return;
  }
  if (capable == 0) {
    c.note("not capable: nothing more to check");
    return;
  }
  WaitCtx ctx;
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  g_capable_inside = -1;
  if (!c.expect_start(start(&job, ctx.get(), &ret, check_capable_then_pause), ASYNC_PAUSE,
                      "a job that pauses, on a capable platform")) {
    return;
  }
  c.expect_start(start(&job, ctx.get(), &ret, check_capable_then_pause), ASYNC_FINISH,
                 "resuming it");
  c.expect_eq(ret, 8, "*ret");
  c.expect_eq(g_capable_inside, capable, "ASYNC_is_capable inside the job vs outside");
}

}  // namespace

void add_current_job_cases(std::vector<Case>& out) {
  out.push_back({"current-job/null-before-any-job",
                 "ASYNC_get_current_job is NULL on a thread that never ran a job",
                 {"CURRENT-OUTSIDE-JOB-NULL", "CURRENT-RETURN-VALUE"}, {}, null_before_any_job});
  out.push_back({"current-job/non-null-inside-job",
                 "Inside a job ASYNC_get_current_job is non-NULL, also from a called function",
                 {"CURRENT-INSIDE-JOB", "CURRENT-RETURN-VALUE"}, {}, non_null_inside_job});
  out.push_back({"current-job/matches-handle-across-pauses",
                 "Inside a job ASYNC_get_current_job equals the handle ASYNC_PAUSE gives, before "
                 "and after the resume",
                 {"CURRENT-MATCHES-PAUSE-HANDLE", "CURRENT-INSIDE-JOB"},
                 {},
                 matches_handle_across_pauses});
  out.push_back({"current-job/null-after-pause-and-finish",
                 "ASYNC_get_current_job is NULL in the caller after ASYNC_PAUSE and ASYNC_FINISH",
                 {"CURRENT-OUTSIDE-JOB-NULL", "CURRENT-RETURN-VALUE"},
                 {},
                 null_after_pause_and_finish});
  out.push_back({"current-job/distinct-per-paused-job",
                 "Two paused jobs: each sees its own handle as the current job",
                 {"CURRENT-INSIDE-JOB", "CURRENT-MATCHES-PAUSE-HANDLE"},
                 {},
                 distinct_per_paused_job});
  out.push_back({"wait-ctx-lookup/current-job-gives-start-ctx",
                 "ASYNC_get_wait_ctx(ASYNC_get_current_job()) inside a job is its start ctx",
                 {"WAITCTX-LOOKUP-GET", "WAITCTX-LOOKUP-RETURN-VALUE"},
                 {},
                 current_job_gives_start_ctx});
  out.push_back({"wait-ctx-lookup/two-jobs-two-ctxs",
                 "Two paused jobs on two ctxs: each sees its own ctx, before and after its resume",
                 {"WAITCTX-LOOKUP-ASSOCIATED-FOR-JOB", "WAITCTX-LOOKUP-GET"},
                 {},
                 two_jobs_two_ctxs});
  out.push_back({"wait-ctx-lookup/next-job-gets-its-own-ctx",
                 "A job started after another finished sees its own ctx, not the previous one",
                 {"WAITCTX-LOOKUP-ASSOCIATED-FOR-JOB", "WAITCTX-LOOKUP-RETURN-VALUE"},
                 {},
                 next_job_gets_its_own_ctx});
  out.push_back({"wait-ctx-lookup/paused-handle-from-caller",
                 "ASYNC_get_wait_ctx of a paused job's handle, called by the caller, is its ctx",
                 {"WAITCTX-LOOKUP-RETURN-VALUE", "WAITCTX-LOOKUP-GET"},
                 {},
                 paused_handle_from_caller});
  out.push_back({"wait-ctx-lookup/from-other-thread",
                 "ASYNC_get_wait_ctx of paused jobs, called on another thread, gives their ctxs",
                 {"WAITCTX-LOOKUP-FROM-OTHER-THREAD"}, {}, from_other_thread});
  out.push_back({"capable/returns-1", "ASYNC_is_capable returns 1 on Linux",
                 {"CAPABLE-RETURN-VALUE", "CAPABLE-DETECTS"}, {}, returns_1});
  out.push_back({"capable/capable-means-jobs-pause",
                 "ASYNC_is_capable returns 0 or 1, the same inside a job; when 1, jobs pause",
                 {"CAPABLE-DETECTS", "CAPABLE-RETURN-VALUE"},
                 {},
                 capable_means_jobs_pause});
}

}  // namespace asyncconf::conformance
