// ASYNC_WAIT_CTX_free and the wait-fd cleanup routines: called once for
// every live entry, never by clear_fd, never for cleared entries.
#include <unistd.h>

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "asyncconf/conformance/catalogue.hpp"
#include "asyncconf/harness/probes.hpp"
#include "case_support.hpp"

namespace asyncconf::conformance {

namespace {

using harness::probes::cleanup_calls;
using harness::probes::counting_cleanup;
using support::start;
using support::WaitCtx;

char g_keys[4];  // distinct keys: &g_keys[i]

int set_fd(ASYNC_WAIT_CTX* ctx, int key, OSSL_ASYNC_FD fd, void* data = nullptr,
           ASYNC_WAIT_CTX_cleanup_fn cleanup = nullptr) {
  return api().ASYNC_WAIT_CTX_set_wait_fd(ctx, &g_keys[key], fd, data, cleanup);
}

// What the engine-like job body saw.
struct Seen {
  OSSL_ASYNC_FD fd = -1;  // the fd it sets
  int clear_rc = -1;      // clear_fd's result
};
Seen g_seen;

// Sets g_seen.fd under key 0 with the counting cleanup, pauses, clears it
// after the resume, and returns without pausing again.
int engine_set_pause_clear(void*) {
  ASYNC_WAIT_CTX* ctx = api().ASYNC_get_wait_ctx(api().ASYNC_get_current_job());
  set_fd(ctx, 0, g_seen.fd, nullptr, counting_cleanup);
  api().ASYNC_pause_job();
  g_seen.clear_rc = api().ASYNC_WAIT_CTX_clear_fd(ctx, &g_keys[0]);
  return 1;
}

using Call = std::tuple<ASYNC_WAIT_CTX*, const void*, OSSL_ASYNC_FD, void*>;

std::string text(const std::vector<Call>& calls) {
  std::string out = "[";
  for (const Call& call : calls) {
    out += (out.size() > 1 ? ", " : "") + std::string("(fd ") + std::to_string(std::get<2>(call)) +
           ")";
  }
  return out + "]";
}

std::vector<Call> calls_since(std::size_t first) {
  std::vector<Call> out;
  for (std::size_t i = first; i < cleanup_calls().size(); ++i) {
    const auto& call = cleanup_calls()[i];
    out.emplace_back(call.ctx, call.key, call.fd, call.custom_data);
  }
  std::sort(out.begin(), out.end());
  return out;
}

void free_calls_each_live_cleanup_once(CaseContext& c) {
  WaitCtx ctx;
  int data[3];
  set_fd(ctx.get(), 0, 100, &data[0], counting_cleanup);
  set_fd(ctx.get(), 1, 101, &data[1], counting_cleanup);
  set_fd(ctx.get(), 1, 102, &data[2], counting_cleanup);  // the same key again
  ASYNC_WAIT_CTX* const raw = ctx.get();
  const std::size_t before = cleanup_calls().size();
  ctx.free_now();
  std::vector<Call> expected = {{raw, &g_keys[0], 100, &data[0]},
                                {raw, &g_keys[1], 101, &data[1]},
                                {raw, &g_keys[1], 102, &data[2]}};
  std::sort(expected.begin(), expected.end());
  const std::vector<Call> observed = calls_since(before);
  c.expect(observed == expected,
           "cleanup calls made by ASYNC_WAIT_CTX_free for fds 100, 101 and 102 (key 1 twice): "
           "observed " +
               text(observed) + ", expected " + text(expected) +
               " (each once, with the ctx, key, fd and custom_data given)");
}

void free_skips_cleared_entries(CaseContext& c) {
  WaitCtx ctx;
  for (int k = 0; k < 3; ++k) set_fd(ctx.get(), k, 100 + k, nullptr, counting_cleanup);
  api().ASYNC_WAIT_CTX_clear_fd(ctx.get(), &g_keys[1]);
  ASYNC_WAIT_CTX* const raw = ctx.get();
  const std::size_t before = cleanup_calls().size();
  ctx.free_now();
  const std::vector<Call> observed = calls_since(before);
  std::vector<Call> expected = {{raw, &g_keys[0], 100, nullptr}, {raw, &g_keys[2], 102, nullptr}};
  std::sort(expected.begin(), expected.end());
  c.expect(observed == expected,
           "cleanup calls at free after fd 101 of 100, 101, 102 was "
           "cleared: observed " +
               text(observed) + ", expected " + text(expected));
}

void clear_fd_does_not_call_cleanup(CaseContext& c) {
  WaitCtx ctx;
  const std::size_t before = cleanup_calls().size();
  set_fd(ctx.get(), 1, 101, nullptr, counting_cleanup);
  api().ASYNC_WAIT_CTX_clear_fd(ctx.get(), &g_keys[1]);  // cleared as soon as set
  c.expect_eq(cleanup_calls().size() - before, 0u, "cleanup calls made by clear_fd of a new fd");
  // Set by a job before it paused, cleared by it after the resume.
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  g_seen = {};
  g_seen.fd = 100;
  if (!c.expect_start(start(&job, ctx.get(), &ret, engine_set_pause_clear), ASYNC_PAUSE,
                      "a job that sets fd 100 with a cleanup, then pauses")) {
    return;
  }
  c.expect_start(start(&job, ctx.get(), &ret, engine_set_pause_clear), ASYNC_FINISH,
                 "resuming it: it clears fd 100 and finishes");
  c.expect_eq(g_seen.clear_rc, 1, "clear_fd result inside the job");
  c.expect_eq(cleanup_calls().size() - before, 0u,
              "cleanup calls made by clear_fd of an fd set before the job's resume");
}

void free_skips_fd_cleared_after_resume(CaseContext& c) {
  WaitCtx ctx;
  set_fd(ctx.get(), 1, 101, nullptr, counting_cleanup);  // stays live
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  g_seen = {};
  g_seen.fd = 100;
  if (!c.expect_start(start(&job, ctx.get(), &ret, engine_set_pause_clear), ASYNC_PAUSE,
                      "a job that sets fd 100 with a cleanup, then pauses") ||
      !c.expect_start(start(&job, ctx.get(), &ret, engine_set_pause_clear), ASYNC_FINISH,
                      "resuming it: it clears fd 100 and finishes without pausing again")) {
    return;
  }
  ASYNC_WAIT_CTX* const raw = ctx.get();
  const std::size_t before = cleanup_calls().size();
  ctx.free_now();  // fd 100 is still reported deleted: no resume since its clear
  const std::vector<Call> observed = calls_since(before);
  const std::vector<Call> expected = {{raw, &g_keys[1], 101, nullptr}};
  c.expect(observed == expected,
           "cleanup calls at free (fd 100 cleared by the job, fd 101 "
           "live): observed " +
               text(observed) + ", expected " + text(expected));
}

void null_cleanup_allowed(CaseContext& c) {
  WaitCtx ctx;
  c.expect_eq(set_fd(ctx.get(), 0, 100, nullptr, nullptr), 1, "set_wait_fd with a NULL cleanup");
  set_fd(ctx.get(), 1, 101, nullptr, counting_cleanup);
  ASYNC_WAIT_CTX* const raw = ctx.get();
  const std::size_t before = cleanup_calls().size();
  ctx.free_now();
  const std::vector<Call> observed = calls_since(before);
  const std::vector<Call> expected = {{raw, &g_keys[1], 101, nullptr}};
  c.expect(observed == expected, "cleanup calls at free (fd 100 has no cleanup): observed " +
                                     text(observed) + ", expected " + text(expected));
}

// A cleanup that closes the fd, as an engine's would.
int g_closed = 0;
void closing_cleanup(ASYNC_WAIT_CTX*, const void*, OSSL_ASYNC_FD fd, void*) {
  if (close(fd) == 0) ++g_closed;
}

void cleanup_can_close_fd(CaseContext& c) {
  const int open_before = harness::probes::open_fds();
  int pipe_fds[2];
  if (!c.expect(pipe(pipe_fds) == 0, "pipe() failed")) return;
  g_closed = 0;
  WaitCtx ctx;
  set_fd(ctx.get(), 0, pipe_fds[0], nullptr, closing_cleanup);
  set_fd(ctx.get(), 1, pipe_fds[1], nullptr, closing_cleanup);
  ctx.free_now();
  c.expect_eq(g_closed, 2, "pipe fds the cleanups closed when the ctx was freed");
  const int open_after = harness::probes::open_fds();
  c.expect_eq(open_after, open_before, "open fds after ASYNC_WAIT_CTX_free vs before the pipe()");
  if (g_closed == 0) {  // not ours to leave open
    close(pipe_fds[0]);
    close(pipe_fds[1]);
  }
}

}  // namespace

void add_cleanup_cases(std::vector<Case>& out) {
  out.push_back({"cleanup/free-calls-each-live-cleanup-once",
                 "ASYNC_WAIT_CTX_free calls every entry's cleanup once with (ctx, key, fd, data)",
                 {"CLEANUP-CALLED-ON-FREE", "CLEANUP-ONCE-PER-LIVE-ENTRY"},
                 {},
                 free_calls_each_live_cleanup_once});
  out.push_back({"cleanup/free-skips-cleared-entries",
                 "ASYNC_WAIT_CTX_free calls no cleanup for an entry that was cleared",
                 {"CLEANUP-ONCE-PER-LIVE-ENTRY", "CLEANUP-CALLED-ON-FREE"},
                 {},
                 free_skips_cleared_entries});
  out.push_back({"cleanup/clear-fd-does-not-call-cleanup",
                 "clear_fd never calls the cleanup, for a new fd or one set before a resume",
                 {"CLEANUP-NOT-CALLED-ON-CLEAR"},
                 {},
                 clear_fd_does_not_call_cleanup});
  out.push_back({"cleanup/free-skips-fd-cleared-after-resume",
                 "An fd a job cleared after its resume gets no cleanup at free; a live one does",
                 {"CLEANUP-ONCE-PER-LIVE-ENTRY"},
                 {},
                 free_skips_fd_cleared_after_resume});
  out.push_back({"cleanup/null-cleanup-allowed",
                 "An entry with a NULL cleanup is accepted; free calls the other entries' cleanups",
                 {"CLEANUP-CALLED-ON-FREE"},
                 {},
                 null_cleanup_allowed});
  out.push_back({"cleanup/cleanup-can-close-fd",
                 "A cleanup that closes its pipe fd leaves no fd open after ASYNC_WAIT_CTX_free",
                 {"CLEANUP-CALLED-ON-FREE"},
                 {},
                 cleanup_can_close_fd});
}

}  // namespace asyncconf::conformance
