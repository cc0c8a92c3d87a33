// ASYNC_WAIT_CTX_get_changed_fds: which wait fds were added or deleted since
// the last pause, as an engine sets and clears them inside a job.
#include <algorithm>
#include <string>
#include <vector>

#include "asyncconf/conformance/catalogue.hpp"
#include "case_support.hpp"

namespace asyncconf::conformance {

namespace {

using support::start;
using support::WaitCtx;

using Fds = std::vector<OSSL_ASYNC_FD>;
constexpr OSSL_ASYNC_FD kUnwritten = -7777;  // fills lists, to see what was written

std::string text(const Fds& fds) {
  std::string out = "[";
  for (std::size_t i = 0; i < fds.size(); ++i) out += (i ? ", " : "") + std::to_string(fds[i]);
  return out + "]";
}

// What get_changed_fds reports: counts, and the lists cut to the counts.
struct Changes {
  int rc = -1;
  std::size_t added = 999;
  std::size_t deleted = 999;
  Fds added_fds;
  Fds deleted_fds;
};

Changes changes(ASYNC_WAIT_CTX* ctx) {
  Changes ch;
  Fds add(8, kUnwritten);
  Fds del(8, kUnwritten);
  ch.rc = api().ASYNC_WAIT_CTX_get_changed_fds(ctx, add.data(), &ch.added, del.data(), &ch.deleted);
  add.resize(std::min<std::size_t>(ch.added, add.size()));
  del.resize(std::min<std::size_t>(ch.deleted, del.size()));
  ch.added_fds = add;
  ch.deleted_fds = del;
  return ch;
}

// Checks what get_changed_fds reports against the expected lists (in any order).
bool expect_changes(CaseContext& c, ASYNC_WAIT_CTX* ctx, Fds added, Fds deleted,
                    const std::string& when) {
  Changes ch = changes(ctx);
  bool ok = c.expect_eq(ch.rc, 1, "ASYNC_WAIT_CTX_get_changed_fds result " + when);
  ok = c.expect_eq(ch.added, added.size(), "*numaddfds " + when) && ok;
  ok = c.expect_eq(ch.deleted, deleted.size(), "*numdelfds " + when) && ok;
  std::sort(ch.added_fds.begin(), ch.added_fds.end());
  std::sort(ch.deleted_fds.begin(), ch.deleted_fds.end());
  std::sort(added.begin(), added.end());
  std::sort(deleted.begin(), deleted.end());
  ok = c.expect(ch.added_fds == added, "added fds " + when + ": observed " + text(ch.added_fds) +
                                           ", expected " + text(added)) &&
       ok;
  ok = c.expect(ch.deleted_fds == deleted, "deleted fds " + when + ": observed " +
                                               text(ch.deleted_fds) + ", expected " +
                                               text(deleted)) &&
       ok;
  return ok;
}

Fds all_fds(ASYNC_WAIT_CTX* ctx) {
  Fds fds(8, kUnwritten);
  std::size_t n = 0;
  if (api().ASYNC_WAIT_CTX_get_all_fds(ctx, fds.data(), &n) != 1) return {kUnwritten};
  fds.resize(std::min<std::size_t>(n, fds.size()));
  return fds;
}

// An engine, scripted: the job body runs these steps on its own wait ctx.
enum class Op { Set, Clear, Pause, RecordCounts, End };
struct Step {
  Op op;
  int key = 0;  // index into g_keys
  OSSL_ASYNC_FD fd = 0;
};
char g_keys[4];

struct Script {
  const Step* steps = nullptr;
  int failed_step = -1;                // the first Set/Clear that did not return 1
  std::size_t counts[2] = {999, 999};  // RecordCounts: numadd, numdel
};
Script g_script;

int run_script(void*) {
  ASYNC_WAIT_CTX* ctx = api().ASYNC_get_wait_ctx(api().ASYNC_get_current_job());
  for (int i = 0; g_script.steps[i].op != Op::End; ++i) {
    const Step& s = g_script.steps[i];
    int rc = 1;
    switch (s.op) {
      case Op::Set:
        rc = api().ASYNC_WAIT_CTX_set_wait_fd(ctx, &g_keys[s.key], s.fd, nullptr, nullptr);
        break;
      case Op::Clear:
        rc = api().ASYNC_WAIT_CTX_clear_fd(ctx, &g_keys[s.key]);
        break;
      case Op::Pause:
        api().ASYNC_pause_job();
        break;
      case Op::RecordCounts:
        api().ASYNC_WAIT_CTX_get_changed_fds(ctx, nullptr, &g_script.counts[0], nullptr,
                                             &g_script.counts[1]);
        break;
      case Op::End:
        break;
    }
    if (rc != 1 && g_script.failed_step < 0) g_script.failed_step = i;
  }
  return 0;
}

// Starts (or resumes) the scripted job; expects `expected`.
bool step_job(CaseContext& c, ASYNC_JOB** job, ASYNC_WAIT_CTX* ctx, int expected,
              const std::string& what) {
  int ret = 0;
  const bool ok = c.expect_start(start(job, ctx, &ret, run_script), expected, what);
  if (g_script.failed_step >= 0) {
    c.expect(false, "script step " + std::to_string(g_script.failed_step) +
                        " (set_wait_fd or clear_fd) did not return 1");
    g_script.failed_step = -1;  // reported once
  }
  return ok;
}

void fresh_ctx_reports_no_changes(CaseContext& c) {
  WaitCtx ctx;
  if (!c.expect(ctx.get() != nullptr, "ASYNC_WAIT_CTX_new returned NULL")) return;
  expect_changes(c, ctx.get(), {}, {}, "of a new ctx");
}

void counts_since_creation_without_pause(CaseContext& c) {
  WaitCtx ctx;
  api().ASYNC_WAIT_CTX_set_wait_fd(ctx.get(), &g_keys[0], 101, nullptr, nullptr);
  api().ASYNC_WAIT_CTX_set_wait_fd(ctx.get(), &g_keys[1], 102, nullptr, nullptr);
  expect_changes(c, ctx.get(), {101, 102}, {},
                 "after setting fds 101 and 102 on a ctx that never saw a pause");
}

void fd_set_before_pause_reported_added(CaseContext& c) {
  WaitCtx ctx;
  static constexpr Step kSteps[] = {{Op::Set, 0, 101}, {Op::Pause}, {Op::End}};
  g_script = {kSteps};
  ASYNC_JOB* job = nullptr;
  if (!step_job(c, &job, ctx.get(), ASYNC_PAUSE, "a job that sets fd 101, then pauses")) return;
  expect_changes(c, ctx.get(), {101}, {}, "after the job set fd 101 and paused");
  step_job(c, &job, ctx.get(), ASYNC_FINISH, "resuming the job");
}

void counts_reset_after_resume(CaseContext& c) {
  WaitCtx ctx;
  static constexpr Step kSteps[] = {{Op::Set, 0, 101}, {Op::Pause}, {Op::RecordCounts},
                                    {Op::Set, 1, 102}, {Op::Pause}, {Op::Pause},
                                    {Op::End}};
  g_script = {kSteps};
  ASYNC_JOB* job = nullptr;
  if (!step_job(c, &job, ctx.get(), ASYNC_PAUSE, "a job that sets fd 101 and pauses")) return;
  expect_changes(c, ctx.get(), {101}, {}, "at the first pause");
  if (!step_job(c, &job, ctx.get(), ASYNC_PAUSE, "resumed, it sets fd 102 and pauses")) return;
  c.expect_eq(g_script.counts[0], 0u, "*numaddfds the job saw right after its resume");
  c.expect_eq(g_script.counts[1], 0u, "*numdelfds the job saw right after its resume");
  expect_changes(c, ctx.get(), {102}, {}, "at the second pause (fd 101 was reported before)");
  if (!step_job(c, &job, ctx.get(), ASYNC_PAUSE, "resumed, it pauses with no change")) return;
  expect_changes(c, ctx.get(), {}, {}, "at a pause after a resume that changed nothing");
  step_job(c, &job, ctx.get(), ASYNC_FINISH, "resuming the job to its end");
}

void old_fd_cleared_reported_deleted(CaseContext& c) {
  WaitCtx ctx;
  static constexpr Step kSteps[] = {{Op::Set, 0, 101}, {Op::Pause}, {Op::Clear, 0},
                                    {Op::Pause},       {Op::Pause}, {Op::End}};
  g_script = {kSteps};
  ASYNC_JOB* job = nullptr;
  if (!step_job(c, &job, ctx.get(), ASYNC_PAUSE, "a job that sets fd 101 and pauses")) return;
  if (!step_job(c, &job, ctx.get(), ASYNC_PAUSE, "resumed, it clears fd 101 and pauses")) return;
  expect_changes(c, ctx.get(), {}, {101}, "after the job cleared fd 101 set before its resume");
  const Fds live = all_fds(ctx.get());
  c.expect(live.empty(), "get_all_fds after the clear: observed " + text(live) + ", expected []");
  OSSL_ASYNC_FD fd = kUnwritten;
  void* data = nullptr;
  c.expect_eq(api().ASYNC_WAIT_CTX_get_fd(ctx.get(), &g_keys[0], &fd, &data), 0,
              "ASYNC_WAIT_CTX_get_fd of the cleared key");
  if (!step_job(c, &job, ctx.get(), ASYNC_PAUSE, "resumed, it pauses with no change")) return;
  expect_changes(c, ctx.get(), {}, {}, "at the next pause (the delete was already reported)");
  step_job(c, &job, ctx.get(), ASYNC_FINISH, "resuming the job to its end");
}

void set_and_cleared_before_pause_is_neither(CaseContext& c) {
  WaitCtx ctx;
  static constexpr Step kSteps[] = {{Op::Set, 0, 100}, {Op::Pause}, {Op::Set, 1, 101},
                                    {Op::Clear, 1},    {Op::Pause}, {Op::End}};
  g_script = {kSteps};
  ASYNC_JOB* job = nullptr;
  if (!step_job(c, &job, ctx.get(), ASYNC_PAUSE, "a job that sets fd 100 and pauses")) return;
  if (!step_job(c, &job, ctx.get(), ASYNC_PAUSE,
                "resumed, it sets fd 101, clears it again, and pauses")) {
    return;
  }
  expect_changes(c, ctx.get(), {}, {}, "after fd 101 was set and cleared within one run");
  step_job(c, &job, ctx.get(), ASYNC_FINISH, "resuming the job to its end");

  WaitCtx fresh;  // the same without any job: set and cleared since creation
  api().ASYNC_WAIT_CTX_set_wait_fd(fresh.get(), &g_keys[0], 102, nullptr, nullptr);
  api().ASYNC_WAIT_CTX_clear_fd(fresh.get(), &g_keys[0]);
  expect_changes(c, fresh.get(), {}, {}, "of a new ctx after fd 102 was set and cleared");
}

void engine_replaces_fd(CaseContext& c) {
  WaitCtx ctx;
  static constexpr Step kSteps[] = {{Op::Set, 0, 101}, {Op::Pause}, {Op::Clear, 0},
                                    {Op::Set, 0, 102}, {Op::Pause}, {Op::End}};
  g_script = {kSteps};
  ASYNC_JOB* job = nullptr;
  if (!step_job(c, &job, ctx.get(), ASYNC_PAUSE, "a job that sets fd 101 and pauses")) return;
  if (!step_job(c, &job, ctx.get(), ASYNC_PAUSE,
                "resumed, it clears its key and sets fd 102 under it, then pauses")) {
    return;
  }
  expect_changes(c, ctx.get(), {102}, {101}, "after the job replaced fd 101 by fd 102");
  OSSL_ASYNC_FD fd = kUnwritten;
  void* data = nullptr;
  c.expect_eq(api().ASYNC_WAIT_CTX_get_fd(ctx.get(), &g_keys[0], &fd, &data), 1,
              "ASYNC_WAIT_CTX_get_fd of the key");
  c.expect_eq(fd, 102, "the key's fd");
  step_job(c, &job, ctx.get(), ASYNC_FINISH, "resuming the job to its end");
}

void null_lists_give_counts_only(CaseContext& c) {
  WaitCtx ctx;
  static constexpr Step kSteps[] = {{Op::Set, 0, 101}, {Op::Pause}, {Op::Clear, 0},
                                    {Op::Set, 1, 102}, {Op::Pause}, {Op::End}};
  g_script = {kSteps};
  ASYNC_JOB* job = nullptr;
  if (!step_job(c, &job, ctx.get(), ASYNC_PAUSE, "a job that sets fd 101 and pauses")) return;
  if (!step_job(c, &job, ctx.get(), ASYNC_PAUSE,
                "resumed, it clears fd 101, sets fd 102 and pauses")) {
    return;
  }
  std::size_t na = 999, nd = 999;
  c.expect_eq(api().ASYNC_WAIT_CTX_get_changed_fds(ctx.get(), nullptr, &na, nullptr, &nd), 1,
              "get_changed_fds with both lists NULL");
  c.expect_eq(na, 1u, "*numaddfds with both lists NULL");
  c.expect_eq(nd, 1u, "*numdelfds with both lists NULL");

  OSSL_ASYNC_FD add[2] = {kUnwritten, kUnwritten};
  na = nd = 999;
  c.expect_eq(api().ASYNC_WAIT_CTX_get_changed_fds(ctx.get(), add, &na, nullptr, &nd), 1,
              "get_changed_fds with delfd NULL");
  c.expect_eq(na, 1u, "*numaddfds with delfd NULL");
  c.expect_eq(nd, 1u, "*numdelfds with delfd NULL");
  c.expect_eq(add[0], 102, "addfd[0] with delfd NULL");

  OSSL_ASYNC_FD del[2] = {kUnwritten, kUnwritten};
  na = nd = 999;
  c.expect_eq(api().ASYNC_WAIT_CTX_get_changed_fds(ctx.get(), nullptr, &na, del, &nd), 1,
              "get_changed_fds with addfd NULL");
  c.expect_eq(na, 1u, "*numaddfds with addfd NULL");
  c.expect_eq(nd, 1u, "*numdelfds with addfd NULL");
  c.expect_eq(del[0], 101, "delfd[0] with addfd NULL");
  step_job(c, &job, ctx.get(), ASYNC_FINISH, "resuming the job to its end");
}

}  // namespace

void add_changed_fds_cases(std::vector<Case>& out) {
  out.push_back({"changed-fds/fresh-ctx-reports-no-changes",
                 "A new wait ctx reports 0 added and 0 deleted fds",
                 {"CHANGED-COUNTS", "CHANGED-RETURN-VALUE"},
                 {},
                 fresh_ctx_reports_no_changes});
  out.push_back({"changed-fds/counts-since-creation-without-pause",
                 "Without any pause, fds set since the ctx was created are reported added",
                 {"CHANGED-SINCE-LAST-PAUSE", "CHANGED-COUNTS", "CHANGED-LISTS"},
                 {},
                 counts_since_creation_without_pause});
  out.push_back(
      {"changed-fds/fd-set-before-pause-reported-added",
       "An fd a job sets before pausing is reported added at its ASYNC_PAUSE",
       {"CHANGED-SINCE-LAST-PAUSE", "CHANGED-COUNTS", "CHANGED-LISTS", "CHANGED-RETURN-VALUE"},
       {},
       fd_set_before_pause_reported_added});
  out.push_back({"changed-fds/counts-reset-after-resume",
                 "Changes are counted per pause: after a resume the counts start again from 0",
                 {"CHANGED-RESET-ON-RESUME", "CHANGED-SINCE-LAST-PAUSE", "CHANGED-COUNTS"},
                 {},
                 counts_reset_after_resume});
  out.push_back({"changed-fds/old-fd-cleared-reported-deleted",
                 "An fd set before a resume and cleared after it is reported deleted, once",
                 {"CHANGED-CLEAR-OLD-FD-DELETED", "CHANGED-COUNTS", "CHANGED-LISTS"},
                 {},
                 old_fd_cleared_reported_deleted});
  out.push_back({"changed-fds/set-and-cleared-before-pause-is-neither",
                 "An fd set and cleared between two pauses is neither added nor deleted",
                 {"CHANGED-CLEAR-NEW-FD-NEITHER", "CHANGED-COUNTS"},
                 {},
                 set_and_cleared_before_pause_is_neither});
  out.push_back(
      {"changed-fds/engine-replaces-fd",
       "Clearing a key and setting a new fd under it: old fd deleted, new fd added",
       {"CHANGED-COUNTS", "CHANGED-LISTS", "CHANGED-SINCE-LAST-PAUSE", "FD-GET-FD-OBTAINS"},
       {},
       engine_replaces_fd});
  out.push_back({"changed-fds/null-lists-give-counts-only",
                 "addfd and delfd may each be NULL; the counts are still written",
                 {"CHANGED-NULL-LISTS", "CHANGED-COUNTS", "CHANGED-LISTS"},
                 {},
                 null_lists_give_counts_only});
}

}  // namespace asyncconf::conformance
