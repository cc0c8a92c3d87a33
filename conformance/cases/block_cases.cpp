// ASYNC_block_pause / ASYNC_unblock_pause: what a block prevents, nesting,
// calls outside a job, and the thread-wide counter.
#include <string>

#include "asyncconf/conformance/catalogue.hpp"
#include "case_support.hpp"

namespace asyncconf::conformance {

namespace {

using support::start;
using support::WaitCtx;

// What a body saw, for checks made after it ran.
struct Seen {
  int pause_results[4] = {-1, -1, -1, -1};  // ASYNC_pause_job's result, per attempt
  int attempts = 0;                         // pause attempts begun
  bool reached_end = false;                 // the body ran past its last pause attempt
};
Seen g_seen;

// ASYNC_pause_job, counted before the call (so an attempt that pauses is
// counted at the ASYNC_PAUSE) and its result recorded when it returns.
void try_pause() {
  const int attempt = g_seen.attempts++;
  const int result = api().ASYNC_pause_job();
  if (attempt < 4) g_seen.pause_results[attempt] = result;
}

int block_pause_unblock(void*) {
  api().ASYNC_block_pause();
  try_pause();
  g_seen.reached_end = true;
  api().ASYNC_unblock_pause();
  return 21;
}

int block_pause_twice_unblock_pause(void*) {
  api().ASYNC_block_pause();
  try_pause();
  try_pause();
  api().ASYNC_unblock_pause();
  try_pause();  // unblocked: pauses
  g_seen.reached_end = true;
  return 22;
}

int block_twice_unblock_once_pause(void*) {
  api().ASYNC_block_pause();
  api().ASYNC_block_pause();
  api().ASYNC_unblock_pause();
  try_pause();  // one block left: no pause
  api().ASYNC_unblock_pause();
  try_pause();  // none left: pauses
  g_seen.reached_end = true;
  return 23;
}

int unblock_at_zero_then_block(void*) {
  api().ASYNC_unblock_pause();
  api().ASYNC_unblock_pause();
  api().ASYNC_block_pause();
  try_pause();  // blocked, however many unblocks came before
  api().ASYNC_unblock_pause();
  try_pause();  // back at zero: pauses
  g_seen.reached_end = true;
  return 24;
}

int block_and_return(void*) {
  api().ASYNC_block_pause();
  return 25;
}

int pause_then_unblock_then_pause(void*) {
  try_pause();  // still blocked by the previous job: no pause
  api().ASYNC_unblock_pause();
  try_pause();  // pauses
  g_seen.reached_end = true;
  return 26;
}

int pause_twice(void*) {
  try_pause();
  try_pause();
  g_seen.reached_end = true;
  return 27;
}

void pause_while_blocked_does_not_pause(CaseContext& c) {
  WaitCtx ctx;
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  g_seen = {};
  c.expect_start(start(&job, ctx.get(), &ret, block_pause_unblock), ASYNC_FINISH,
                 "a job that blocks, then calls ASYNC_pause_job (it must not pause)");
  c.expect(g_seen.reached_end, "the job did not carry on after ASYNC_pause_job while blocked");
  c.expect_eq(ret, 21, "*ret of the job that never paused");
  c.expect_eq(job, nullptr, "*job after ASYNC_FINISH");
}

void pause_while_blocked_returns_1(CaseContext& c) {
  WaitCtx ctx;
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  g_seen = {};
  if (!c.expect_start(start(&job, ctx.get(), &ret, block_pause_unblock), ASYNC_FINISH,
                      "a job that blocks, then calls ASYNC_pause_job")) {
    return;
  }
  c.expect_eq(g_seen.pause_results[0], 1, "ASYNC_pause_job's result while blocked");
}

// Runs `body`, which tries to pause several times around blocks: the
// attempt numbered `pausing_attempt` (1-based) must be the one that pauses.
// `story` says what the body does, `rule` which attempt may pause and why.
// Then the resumed body must finish with `result`.
void expect_pause_on_attempt(CaseContext& c, int (*body)(void*), int pausing_attempt, int result,
                             const std::string& story, const std::string& rule) {
  WaitCtx ctx;
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  g_seen = {};
  if (!c.expect_start(start(&job, ctx.get(), &ret, body), ASYNC_PAUSE, story)) {
    c.note("pause attempts made: " + std::to_string(g_seen.attempts) + " (" + rule + ")");
    return;
  }
  c.expect_eq(g_seen.attempts, pausing_attempt, "pause attempts made before ASYNC_PAUSE (" + rule + ")");
  c.expect_start(start(&job, ctx.get(), &ret, body), ASYNC_FINISH, "resuming the job");
  c.expect_eq(ret, result, "*ret");
}

void block_stays_until_unblock(CaseContext& c) {
  expect_pause_on_attempt(c, block_pause_twice_unblock_pause, 3, 22,
                          "a job that blocks, tries to pause twice, unblocks, then pauses",
                          "the third pauses, after the unblock");
}

void nested_blocks_need_as_many_unblocks(CaseContext& c) {
  expect_pause_on_attempt(c, block_twice_unblock_once_pause, 2, 23,
                          "a job that blocks twice and unblocks twice, trying to pause after each "
                          "unblock",
                          "the one after the first of two unblocks must not pause");
}

void unblock_at_zero_does_not_weaken_block(CaseContext& c) {
  expect_pause_on_attempt(c, unblock_at_zero_then_block, 2, 24,
                          "a job that unblocks twice unblocked, then blocks, tries to pause, "
                          "unblocks and pauses",
                          "the first, while blocked, must not pause");
}

void block_outside_before_any_job_has_no_effect(CaseContext& c) {
  api().ASYNC_block_pause();  // no job has ever run on this thread
  api().ASYNC_block_pause();
  WaitCtx ctx;
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  if (!c.expect_start(start(&job, ctx.get(), &ret, support::pause_once), ASYNC_PAUSE,
                      "a job that pauses, after two ASYNC_block_pause calls outside any job")) {
    return;
  }
  c.expect_start(start(&job, ctx.get(), &ret, support::pause_once), ASYNC_FINISH,
                 "resuming the job");
  c.expect_eq(ret, 3, "*ret");
}

void block_outside_between_pauses_has_no_effect(CaseContext& c) {
  WaitCtx ctx;
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  g_seen = {};
  if (!c.expect_start(start(&job, ctx.get(), &ret, pause_twice), ASYNC_PAUSE,
                      "a job that pauses twice: start")) {
    return;
  }
  api().ASYNC_block_pause();  // the job is paused: there is no current job
  if (!c.expect_start(start(&job, ctx.get(), &ret, pause_twice), ASYNC_PAUSE,
                      "resuming it after ASYNC_block_pause was called while it was paused "
                      "(its second pause must still pause)")) {
    return;
  }
  api().ASYNC_block_pause();
  c.expect_start(start(&job, ctx.get(), &ret, pause_twice), ASYNC_FINISH, "resuming it again");
  c.expect_eq(ret, 27, "*ret");
  // A later job must not be blocked either.
  if (!c.expect_start(start(&job, ctx.get(), &ret, support::pause_once), ASYNC_PAUSE,
                      "a new job that pauses, after the outside ASYNC_block_pause calls")) {
    return;
  }
  c.expect_start(start(&job, ctx.get(), &ret, support::pause_once), ASYNC_FINISH,
                 "resuming the new job");
}

void finished_blocked_job_leaves_thread_blocked(CaseContext& c) {
  WaitCtx ctx;
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  g_seen = {};
  if (!c.expect_start(start(&job, ctx.get(), &ret, block_and_return), ASYNC_FINISH,
                      "a job that blocks and returns without unblocking")) {
    return;
  }
  if (!c.expect_start(start(&job, ctx.get(), &ret, pause_then_unblock_then_pause), ASYNC_PAUSE,
                      "a second job that tries to pause, unblocks once, then pauses")) {
    return;
  }
  c.expect_eq(g_seen.attempts, 2,
              "pause attempts the second job made before ASYNC_PAUSE (the first must not pause: "
              "the block is the thread's)");
  c.expect_eq(g_seen.pause_results[0], 1, "the second job's first ASYNC_pause_job result");
  c.expect_start(start(&job, ctx.get(), &ret, pause_then_unblock_then_pause), ASYNC_FINISH,
                 "resuming the second job");
  c.expect_eq(ret, 26, "*ret of the second job");
}

void unblock_outside_does_not_lift_block(CaseContext& c) {
  WaitCtx ctx;
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  g_seen = {};
  if (!c.expect_start(start(&job, ctx.get(), &ret, block_and_return), ASYNC_FINISH,
                      "a job that blocks and returns without unblocking")) {
    return;
  }
  api().ASYNC_unblock_pause();  // outside any job: no effect
  api().ASYNC_unblock_pause();
  c.expect_start(start(&job, ctx.get(), &ret, block_pause_unblock), ASYNC_FINISH,
                 "a second job that tries to pause after two unblocks outside any job (it must "
                 "still be blocked)");
  c.expect(g_seen.reached_end, "the second job did not run to its end");
}

void block_by_other_job_applies_to_resumed_job(CaseContext& c) {
  WaitCtx ctx_a;
  WaitCtx ctx_b;
  ASYNC_JOB* job_a = nullptr;
  ASYNC_JOB* job_b = nullptr;
  int ret = 0;
  g_seen = {};
  if (!c.expect_start(start(&job_a, ctx_a.get(), &ret, pause_twice), ASYNC_PAUSE,
                      "job A, which pauses twice: start")) {
    return;
  }
  if (!c.expect_start(start(&job_b, ctx_b.get(), &ret, block_and_return), ASYNC_FINISH,
                      "job B, which blocks and returns without unblocking")) {
    return;
  }
  c.expect_start(start(&job_a, ctx_a.get(), &ret, pause_twice), ASYNC_FINISH,
                 "resuming job A (its second pause must not pause: the thread is blocked)");
  c.expect(g_seen.reached_end, "job A did not run to its end");
}

}  // namespace

void add_block_cases(std::vector<Case>& out) {
  out.push_back({"block/pause-while-blocked-does-not-pause",
                 "ASYNC_pause_job after ASYNC_block_pause does not pause: the job runs to FINISH",
                 {"BLOCK-PREVENTS-PAUSE"},
                 {},
                 pause_while_blocked_does_not_pause});
  out.push_back({"block/pause-while-blocked-returns-1",
                 "ASYNC_pause_job while blocked returns 1",
                 {"BLOCK-PAUSE-WHILE-BLOCKED-RETURNS-1"},
                 {},
                 pause_while_blocked_returns_1});
  out.push_back({"block/block-stays-until-unblock",
                 "Repeated pause attempts stay blocked; after ASYNC_unblock_pause the job pauses",
                 {"BLOCK-UNTIL-UNBLOCK", "BLOCK-PREVENTS-PAUSE"},
                 {},
                 block_stays_until_unblock});
  out.push_back({"block/nested-blocks-need-as-many-unblocks",
                 "Two blocks and one unblock: still blocked; the second unblock re-enables pausing",
                 {"BLOCK-NESTED"},
                 {},
                 nested_blocks_need_as_many_unblocks});
  out.push_back({"block/unblock-at-zero-does-not-weaken-block",
                 "Unblocks with nothing blocked do not stop a later block, nor outlive its unblock",
                 {"BLOCK-PREVENTS-PAUSE", "BLOCK-NESTED"},
                 {},
                 unblock_at_zero_does_not_weaken_block});
  out.push_back({"block/outside-before-any-job-has-no-effect",
                 "ASYNC_block_pause before any job ran: a job can still pause",
                 {"BLOCK-OUTSIDE-JOB-NO-EFFECT"},
                 {},
                 block_outside_before_any_job_has_no_effect});
  out.push_back({"block/outside-between-pauses-has-no-effect",
                 "ASYNC_block_pause while a job is paused blocks neither it nor a later job",
                 {"BLOCK-OUTSIDE-JOB-NO-EFFECT"},
                 {},
                 block_outside_between_pauses_has_no_effect});
  out.push_back({"block/finished-blocked-job-leaves-thread-blocked",
                 "A job that finishes blocked leaves the next job blocked until it unblocks",
                 {"BLOCK-COUNTER-PER-THREAD", "BLOCK-PAUSE-WHILE-BLOCKED-RETURNS-1"},
                 {},
                 finished_blocked_job_leaves_thread_blocked});
  out.push_back({"block/unblock-outside-does-not-lift-block",
                 "ASYNC_unblock_pause outside a job does not lift a block a finished job left",
                 {"BLOCK-OUTSIDE-JOB-NO-EFFECT", "BLOCK-COUNTER-PER-THREAD"},
                 {},
                 unblock_outside_does_not_lift_block});
  out.push_back({"block/block-by-other-job-applies-to-resumed-job",
                 "A block left by job B stops paused job A from pausing again after its resume",
                 {"BLOCK-COUNTER-PER-THREAD"},
                 {},
                 block_by_other_job_applies_to_resumed_job});
}

}  // namespace asyncconf::conformance
