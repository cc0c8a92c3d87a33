// ASYNC_pause_job: returning control, resuming where the job paused, pausing
// outside a job, and many paused jobs with one running at a time.
#include <algorithm>
#include <deque>
#include <random>
#include <vector>

#include "asyncconf/conformance/catalogue.hpp"
#include "case_support.hpp"

namespace asyncconf::conformance {

namespace {

using support::start;
using support::WaitCtx;

// How far a body got: set just before and after each of its pauses.
int g_step = 0;
int g_pause_result = -1;

int step_pause_step(void*) {
  g_step = 1;
  api().ASYNC_pause_job();
  g_step = 2;
  api().ASYNC_pause_job();
  g_step = 3;
  return 5;
}

int record_pause_result(void*) {
  g_pause_result = api().ASYNC_pause_job();
  return 9;
}

void returns_control_at_pause_point(CaseContext& c) {
  WaitCtx ctx;
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  g_step = 0;
  if (!c.expect_start(start(&job, ctx.get(), &ret, step_pause_step), ASYNC_PAUSE,
                      "starting a body that pauses twice")) {
    return;
  }
  c.expect_eq(g_step, 1, "step reached when ASYNC_start_job returned (code after the pause ran?)");
  if (!c.expect_start(start(&job, ctx.get(), &ret, step_pause_step), ASYNC_PAUSE,
                      "first resume")) {
    return;
  }
  c.expect_eq(g_step, 2, "step reached after the first resume");
  c.expect_start(start(&job, ctx.get(), &ret, step_pause_step), ASYNC_FINISH, "second resume");
  c.expect_eq(g_step, 3, "step reached after the second resume");
  c.expect_eq(ret, 5, "*ret");
}

void returns_1_inside_job(CaseContext& c) {
  WaitCtx ctx;
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  g_pause_result = -1;
  if (!c.expect_start(start(&job, ctx.get(), &ret, record_pause_result), ASYNC_PAUSE,
                      "starting a body that pauses")) {
    return;
  }
  c.expect_start(start(&job, ctx.get(), &ret, record_pause_result), ASYNC_FINISH, "resuming it");
  c.expect_eq(g_pause_result, 1, "ASYNC_pause_job's result inside the job, seen after the resume");
}

void outside_job_as_first_call_returns_1(CaseContext& c) {
  // The first ASYNC call of this process (the case's child): no job ever ran.
  c.expect_eq(api().ASYNC_pause_job(), 1, "ASYNC_pause_job outside any job");
  c.expect_eq(api().ASYNC_get_current_job(), nullptr, "ASYNC_get_current_job after it");
  WaitCtx ctx;
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  g_step = 0;
  if (!c.expect_start(start(&job, ctx.get(), &ret, step_pause_step), ASYNC_PAUSE,
                      "a job started afterwards")) {
    return;
  }
  c.expect_eq(g_step, 1, "step reached by that job when it paused");
  c.expect_start(start(&job, ctx.get(), &ret, step_pause_step), ASYNC_PAUSE, "resuming it");
  c.expect_start(start(&job, ctx.get(), &ret, step_pause_step), ASYNC_FINISH, "resuming it again");
  c.expect_eq(ret, 5, "its *ret");
}

void outside_job_leaves_paused_job_alone(CaseContext& c) {
  WaitCtx ctx;
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  g_step = 0;
  if (!c.expect_start(start(&job, ctx.get(), &ret, step_pause_step), ASYNC_PAUSE,
                      "starting a job that pauses")) {
    return;
  }
  ASYNC_JOB* const handle = job;
  c.expect_eq(api().ASYNC_pause_job(), 1, "ASYNC_pause_job outside, with a job paused");
  c.expect_eq(g_step, 1, "the paused job's step after the outside pause (it must not run)");
  c.expect_eq(api().ASYNC_get_current_job(), nullptr, "ASYNC_get_current_job after it");
  WaitCtx other;
  ASYNC_JOB* other_job = nullptr;
  int other_ret = 0;
  c.expect_start(start(&other_job, other.get(), &other_ret, support::return_seven), ASYNC_FINISH,
                 "another job started meanwhile");
  c.expect_eq(other_ret, 7, "that job's *ret");
  c.expect_eq(api().ASYNC_pause_job(), 1, "ASYNC_pause_job outside, after that job finished");
  c.expect_eq(g_step, 1, "the paused job's step before it is resumed");
  job = handle;
  if (!c.expect_start(start(&job, ctx.get(), &ret, step_pause_step), ASYNC_PAUSE,
                      "resuming the paused job")) {
    return;
  }
  c.expect_eq(g_step, 2, "step reached after the resume (it continues from its own pause)");
  c.expect_start(start(&job, ctx.get(), &ret, step_pause_step), ASYNC_FINISH, "resuming it again");
}

int g_pause_failures = 0;

int thousand_pauses(void*) {
  long sum = 0;  // lives on the job's stack across every pause
  for (int i = 0; i < 1000; ++i) {
    sum += i;
    if (api().ASYNC_pause_job() != 1) ++g_pause_failures;
  }
  return sum == 499500 ? 1000 : -1;
}

void thousand_pauses_keep_locals(CaseContext& c) {
  WaitCtx ctx;
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  g_pause_failures = 0;
  int pauses = 0;
  int result = ASYNC_PAUSE;
  while (result == ASYNC_PAUSE && pauses <= 1000) {
    result = start(&job, ctx.get(), &ret, thousand_pauses);
    if (result == ASYNC_PAUSE) ++pauses;
  }
  c.expect_start(result, ASYNC_FINISH, "the last resume");
  c.expect_eq(pauses, 1000, "ASYNC_PAUSE results for a body that pauses 1000 times");
  c.expect_eq(ret, 1000, "*ret (-1: a local summed across the pauses came out wrong)");
  c.expect_eq(g_pause_failures, 0, "ASYNC_pause_job calls inside the job that did not return 1");
}

// Recurses `depth` frames, pauses in the deepest, and checks every frame's local afterwards.
int nested_pause(int depth) {
  if (depth == 0) {
    g_step = 1;
    api().ASYNC_pause_job();
    g_step = 2;
    return 0;
  }
  volatile int local = depth * 7;
  const int below = nested_pause(depth - 1);
  return below + local;
}

int pause_in_nested_call(void*) { return nested_pause(8); }

void from_nested_call(CaseContext& c) {
  WaitCtx ctx;
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  g_step = 0;
  if (!c.expect_start(start(&job, ctx.get(), &ret, pause_in_nested_call), ASYNC_PAUSE,
                      "a body that pauses 8 calls deep")) {
    return;
  }
  c.expect_eq(g_step, 1, "step reached when ASYNC_start_job returned");
  c.expect_start(start(&job, ctx.get(), &ret, pause_in_nested_call), ASYNC_FINISH, "resuming it");
  c.expect_eq(g_step, 2, "step reached after the resume");
  c.expect_eq(ret, 252, "*ret: the sum of the 8 frames' locals (7 * (1 + ... + 8))");
}

constexpr int kManyJobs = 50;
int g_entered[kManyJobs];
int g_resumed[kManyJobs];
int g_resume_count = 0;

int record_id(void* args) {
  const int id = *static_cast<const int*>(args);
  ++g_entered[id];
  api().ASYNC_pause_job();
  if (g_resume_count < kManyJobs) g_resumed[g_resume_count] = id;
  ++g_resume_count;
  return 1000 + id;
}

void fifty_paused_resume_in_shuffled_order(CaseContext& c) {
  std::fill(std::begin(g_entered), std::end(g_entered), 0);
  g_resume_count = 0;
  std::deque<WaitCtx> ctxs(kManyJobs);
  std::vector<ASYNC_JOB*> handles(kManyJobs, nullptr);
  for (int id = 0; id < kManyJobs; ++id) {
    int ret = 0;
    if (!c.expect_start(start(&handles[id], ctxs[id].get(), &ret, record_id, &id, sizeof id),
                        ASYNC_PAUSE, "starting job " + std::to_string(id))) {
      return;
    }
    c.expect_eq(g_entered[id], 1, "times job " + std::to_string(id) + " was entered");
  }
  std::vector<int> order(kManyJobs);
  for (int i = 0; i < kManyJobs; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937(20240611));
  for (int k = 0; k < kManyJobs; ++k) {
    const int id = order[k];
    const std::string what =
        "resume " + std::to_string(k + 1) + " (job " + std::to_string(id) + ")";
    int ret = 0;
    if (!c.expect_start(start(&handles[id], ctxs[id].get(), &ret, record_id, nullptr, 0),
                        ASYNC_FINISH, what)) {
      return;
    }
    if (!c.expect_eq(g_resume_count, k + 1, what + ": bodies resumed so far") ||
        !c.expect_eq(g_resumed[k], id, what + ": id of the body that continued") ||
        !c.expect_eq(ret, 1000 + id, what + ": *ret")) {
      return;
    }
  }
}

constexpr int kTurnJobs = 10;
constexpr int kTurnPauses = 3;
int g_active = 0;
int g_max_active = 0;
int g_turn_steps[kTurnJobs];

void now_active(int delta) {
  g_active += delta;
  g_max_active = std::max(g_max_active, g_active);
}

int take_turns(void* args) {
  const int id = *static_cast<const int*>(args);
  now_active(+1);
  for (int i = 0; i < kTurnPauses; ++i) {
    ++g_turn_steps[id];
    now_active(-1);
    api().ASYNC_pause_job();
    now_active(+1);
  }
  ++g_turn_steps[id];
  now_active(-1);
  return id;
}

int total_steps() {
  int total = 0;
  for (int steps : g_turn_steps) total += steps;
  return total;
}

void one_job_runs_at_a_time(CaseContext& c) {
  g_active = 0;
  g_max_active = 0;
  std::fill(std::begin(g_turn_steps), std::end(g_turn_steps), 0);
  std::deque<WaitCtx> ctxs(kTurnJobs);
  std::vector<ASYNC_JOB*> handles(kTurnJobs, nullptr);
  for (int id = 0; id < kTurnJobs; ++id) {
    int ret = 0;
    if (!c.expect_start(start(&handles[id], ctxs[id].get(), &ret, take_turns, &id, sizeof id),
                        ASYNC_PAUSE, "starting job " + std::to_string(id))) {
      return;
    }
  }
  c.expect_eq(total_steps(), kTurnJobs, "steps taken by 10 jobs that each paused after one");
  for (int round = 1; round <= kTurnPauses; ++round) {
    for (int id = kTurnJobs - 1; id >= 0; --id) {
      const std::string what = "round " + std::to_string(round) + ", job " + std::to_string(id);
      const int mine = g_turn_steps[id];
      const int all = total_steps();
      int ret = -1;
      const int expected = round < kTurnPauses ? ASYNC_PAUSE : ASYNC_FINISH;
      if (!c.expect_start(start(&handles[id], ctxs[id].get(), &ret, take_turns), expected, what)) {
        return;
      }
      c.expect_eq(g_turn_steps[id] - mine, 1, what + ": steps the resumed job took");
      c.expect_eq(total_steps() - all, 1, what + ": steps all jobs together took");
      c.expect_eq(g_active, 0, what + ": bodies still active after ASYNC_start_job returned");
    }
  }
  c.expect_eq(g_max_active, 1, "most bodies ever active at once");
}

}  // namespace

void add_pause_cases(std::vector<Case>& out) {
  out.push_back({"pause/returns-control-at-pause-point",
                 "ASYNC_pause_job returns to the caller at once; each resume continues after it",
                 {"PAUSE-RETURNS-CONTROL", "PAUSE-RESUME-CONTINUES"},
                 {},
                 returns_control_at_pause_point});
  out.push_back({"pause/returns-1-inside-job",
                 "ASYNC_pause_job inside a job returns 1 when the job is resumed",
                 {"PAUSE-RETURN-VALUE"}, {}, returns_1_inside_job});
  out.push_back({"pause/outside-job-as-first-call-returns-1",
                 "ASYNC_pause_job as the process's first ASYNC call returns 1 and changes nothing",
                 {"PAUSE-OUTSIDE-JOB-RETURNS-1", "PAUSE-OUTSIDE-JOB-NO-ACTION",
                  "PAUSE-RETURN-VALUE"},
                 {},
                 outside_job_as_first_call_returns_1});
  out.push_back({"pause/outside-job-leaves-paused-job-alone",
                 "ASYNC_pause_job outside a job returns 1 and neither runs nor harms a paused job",
                 {"PAUSE-OUTSIDE-JOB-NO-ACTION", "PAUSE-OUTSIDE-JOB-RETURNS-1"},
                 {},
                 outside_job_leaves_paused_job_alone});
  out.push_back({"pause/thousand-pauses-keep-locals",
                 "A body pausing 1000 times: 1000 ASYNC_PAUSE results, locals intact, then FINISH",
                 {"PAUSE-RESUME-CONTINUES", "PAUSE-RETURNS-CONTROL", "PAUSE-RETURN-VALUE"},
                 {},
                 thousand_pauses_keep_locals});
  out.push_back({"pause/from-nested-call",
                 "A pause 8 calls below func returns control, and the resume unwinds every frame",
                 {"PAUSE-RETURNS-CONTROL", "PAUSE-RESUME-CONTINUES"},
                 {},
                 from_nested_call});
  out.push_back({"pause/fifty-paused-resume-in-shuffled-order",
                 "50 paused jobs resumed in a shuffled order: each resume continues that job",
                 {"START-MANY-PAUSED", "PAUSE-RESUME-CONTINUES", "START-RESTART-WITH-HANDLE"},
                 {},
                 fifty_paused_resume_in_shuffled_order});
  out.push_back({"pause/one-job-runs-at-a-time",
                 "10 jobs taking turns: a resume runs only that job, never two bodies at once",
                 {"START-ONE-RUNNING-PER-THREAD", "START-MANY-PAUSED"},
                 {},
                 one_job_runs_at_a_time});
}

}  // namespace asyncconf::conformance
