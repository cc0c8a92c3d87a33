// ASYNC_WAIT_CTX wait fds: new, set_wait_fd, get_fd, get_all_fds, clear_fd.
#include <unistd.h>

#include <algorithm>
#include <cstdint>
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
char g_keys[4];                              // distinct keys: &g_keys[i]

std::string text(const Fds& fds) {
  std::string out = "[";
  for (std::size_t i = 0; i < fds.size(); ++i) out += (i ? ", " : "") + std::to_string(fds[i]);
  return out + "]";
}

// get_all_fds as the man page suggests: count with fd NULL, then fill a list
// of that size (checking nothing is written past it).
Fds all_fds(CaseContext& c, ASYNC_WAIT_CTX* ctx, const std::string& when) {
  std::size_t count = 999;
  if (!c.expect_eq(api().ASYNC_WAIT_CTX_get_all_fds(ctx, nullptr, &count), 1,
                   "get_all_fds(ctx, NULL, &n) result " + when) ||
      !c.expect(count <= 64, "get_all_fds(ctx, NULL, &n) " + when + ": implausible *numfds " +
                                 std::to_string(count))) {
    return {kUnwritten};
  }
  Fds fds(count + 1, kUnwritten);
  std::size_t filled = 999;
  c.expect_eq(api().ASYNC_WAIT_CTX_get_all_fds(ctx, fds.data(), &filled), 1,
              "get_all_fds(ctx, fd, &n) result " + when);
  c.expect_eq(filled, count, "*numfds with a list vs with NULL " + when);
  c.expect_eq(fds[count], kUnwritten, "fd[*numfds] (written past the count) " + when);
  fds.resize(std::min(count, filled));
  return fds;
}

bool expect_fds(CaseContext& c, Fds observed, Fds expected, const std::string& what) {
  std::sort(observed.begin(), observed.end());
  std::sort(expected.begin(), expected.end());
  return c.expect(observed == expected,
                  what + ": observed " + text(observed) + ", expected " + text(expected));
}

// get_fd of key &g_keys[key].
int get_fd(ASYNC_WAIT_CTX* ctx, int key, OSSL_ASYNC_FD* fd, void** data) {
  return api().ASYNC_WAIT_CTX_get_fd(ctx, &g_keys[key], fd, data);
}

bool expect_key_fd(CaseContext& c, ASYNC_WAIT_CTX* ctx, int key, OSSL_ASYNC_FD expected,
                   const std::string& what) {
  OSSL_ASYNC_FD fd = kUnwritten;
  void* data = nullptr;
  return c.expect_eq(get_fd(ctx, key, &fd, &data), 1, "get_fd result for " + what) &&
         c.expect_eq(fd, expected, "fd get_fd returned for " + what);
}

int set_fd(ASYNC_WAIT_CTX* ctx, int key, OSSL_ASYNC_FD fd, void* data = nullptr,
           ASYNC_WAIT_CTX_cleanup_fn cleanup = nullptr) {
  return api().ASYNC_WAIT_CTX_set_wait_fd(ctx, &g_keys[key], fd, data, cleanup);
}

// What an engine-like job body saw.
struct Seen {
  OSSL_ASYNC_FD fd = -1;          // the fd it sets
  int set_rc = -1;                // set_wait_fd's result
  int clear_rc = -1;              // clear_fd's result
  ASYNC_WAIT_CTX* ctx = nullptr;  // ASYNC_get_wait_ctx of its own job
};
Seen g_seen;

ASYNC_WAIT_CTX* own_wait_ctx() { return api().ASYNC_get_wait_ctx(api().ASYNC_get_current_job()); }

// Sets g_seen.fd under key 0, pauses, clears it after the resume, and
// returns without pausing again.
int engine_set_pause_clear(void*) {
  g_seen.ctx = own_wait_ctx();
  g_seen.set_rc = set_fd(g_seen.ctx, 0, g_seen.fd);
  api().ASYNC_pause_job();
  g_seen.clear_rc = api().ASYNC_WAIT_CTX_clear_fd(g_seen.ctx, &g_keys[0]);
  return 1;
}

// Sets g_seen.fd under key 1, pauses, and returns.
int engine_set_pause(void*) {
  g_seen.ctx = own_wait_ctx();
  g_seen.set_rc = set_fd(g_seen.ctx, 1, g_seen.fd);
  api().ASYNC_pause_job();
  return 2;
}

void new_returns_ctx_with_no_fds(CaseContext& c) {
  WaitCtx a;
  WaitCtx b;
  if (!c.expect(a.get() != nullptr && b.get() != nullptr, "ASYNC_WAIT_CTX_new returned NULL")) {
    return;
  }
  c.expect(a.get() != b.get(), "two ASYNC_WAIT_CTX_new calls returned the same pointer");
  expect_fds(c, all_fds(c, a.get(), "of a new ctx"), {}, "wait fds of a new ctx");
}

void set_and_get_fd_round_trip(CaseContext& c) {
  int pipe_fds[2];
  if (!c.expect(pipe(pipe_fds) == 0, "pipe() failed")) return;
  {
    WaitCtx ctx;
    int engine_data = 0;
    c.expect_eq(set_fd(ctx.get(), 0, pipe_fds[0], &engine_data), 1, "set_wait_fd result");
    OSSL_ASYNC_FD fd = kUnwritten;
    void* data = nullptr;
    if (c.expect_eq(get_fd(ctx.get(), 0, &fd, &data), 1, "get_fd result for the key just set")) {
      c.expect_eq(fd, pipe_fds[0], "fd returned by get_fd");
      c.expect_eq(data, static_cast<void*>(&engine_data), "custom_data returned by get_fd");
    }
  }
  close(pipe_fds[0]);
  close(pipe_fds[1]);
}

void custom_data_any_value(CaseContext& c) {
  WaitCtx ctx;
  void* const values[3] = {nullptr, reinterpret_cast<void*>(~std::uintptr_t{0}), &g_seen};
  for (int k = 0; k < 3; ++k) set_fd(ctx.get(), k, 100 + k, values[k]);
  for (int k = 0; k < 3; ++k) {
    OSSL_ASYNC_FD fd = kUnwritten;
    void* data = &g_keys;  // anything but the expected values
    if (!c.expect_eq(get_fd(ctx.get(), k, &fd, &data), 1,
                     "get_fd result for key " + std::to_string(k))) {
      continue;
    }
    c.expect_eq(data, values[k], "custom_data of key " + std::to_string(k));
  }
}

void engine_sets_fd_inside_job(CaseContext& c) {
  int pipe_fds[2];
  if (!c.expect(pipe(pipe_fds) == 0, "pipe() failed")) return;
  {
    WaitCtx ctx;
    g_seen = {};
    g_seen.fd = pipe_fds[0];
    ASYNC_JOB* job = nullptr;
    int ret = 0;
    if (c.expect_start(start(&job, ctx.get(), &ret, engine_set_pause_clear), ASYNC_PAUSE,
                       "a job that sets a wait fd on its wait ctx, then pauses")) {
      c.expect_eq(g_seen.ctx, ctx.get(), "ASYNC_get_wait_ctx inside the job");
      c.expect_eq(g_seen.set_rc, 1, "set_wait_fd result inside the job");
      expect_fds(c, all_fds(c, ctx.get(), "at the pause"), {pipe_fds[0]},
                 "get_all_fds after the job set the pipe's read end and paused");
      expect_key_fd(c, ctx.get(), 0, pipe_fds[0], "the job's key at the pause");
      c.expect_start(start(&job, ctx.get(), &ret, engine_set_pause_clear), ASYNC_FINISH,
                     "resuming the job (it clears its fd)");
      expect_fds(c, all_fds(c, ctx.get(), "after the job finished"), {},
                 "get_all_fds after the job cleared its fd");
    }
  }
  close(pipe_fds[0]);
  close(pipe_fds[1]);
}

void keys_are_separate(CaseContext& c) {
  WaitCtx ctx;
  set_fd(ctx.get(), 0, 100);
  set_fd(ctx.get(), 1, 101);
  expect_key_fd(c, ctx.get(), 0, 100, "key 0");
  expect_key_fd(c, ctx.get(), 1, 101, "key 1");
  c.expect_eq(api().ASYNC_WAIT_CTX_clear_fd(ctx.get(), &g_keys[1]), 1, "clear_fd of key 1");
  expect_key_fd(c, ctx.get(), 0, 100, "key 0 after key 1 was cleared");
}

void get_fd_unknown_key_returns_0(CaseContext& c) {
  WaitCtx ctx;
  OSSL_ASYNC_FD fd = kUnwritten;
  void* data = nullptr;
  c.expect_eq(get_fd(ctx.get(), 0, &fd, &data), 0, "get_fd on a new ctx");
  set_fd(ctx.get(), 1, 101);
  c.expect_eq(get_fd(ctx.get(), 0, &fd, &data), 0, "get_fd of a key never set (another is)");
}

void clear_fd_returns_1_then_0(CaseContext& c) {
  WaitCtx ctx;
  c.expect_eq(api().ASYNC_WAIT_CTX_clear_fd(ctx.get(), &g_keys[0]), 0,
              "clear_fd of a key never set");
  set_fd(ctx.get(), 0, 100);
  c.expect_eq(api().ASYNC_WAIT_CTX_clear_fd(ctx.get(), &g_keys[0]), 1,
              "clear_fd of a key set once");
  c.expect_eq(api().ASYNC_WAIT_CTX_clear_fd(ctx.get(), &g_keys[0]), 0, "clear_fd of it again");
  OSSL_ASYNC_FD fd = kUnwritten;
  void* data = nullptr;
  c.expect_eq(get_fd(ctx.get(), 0, &fd, &data), 0, "get_fd of the cleared key");
}

void cleared_fd_not_listed(CaseContext& c) {
  WaitCtx ctx;
  for (int k = 0; k < 3; ++k) set_fd(ctx.get(), k, 100 + k);
  c.expect_eq(api().ASYNC_WAIT_CTX_clear_fd(ctx.get(), &g_keys[1]), 1, "clear_fd of key 1");
  expect_fds(c, all_fds(c, ctx.get(), "after clearing fd 101"), {100, 102},
             "get_all_fds after clearing fd 101 of 100, 101, 102");
  expect_key_fd(c, ctx.get(), 0, 100, "key 0");
  expect_key_fd(c, ctx.get(), 2, 102, "key 2");
}

void count_with_null_then_fill(CaseContext& c) {
  WaitCtx ctx;
  for (int k = 0; k < 3; ++k) {
    c.expect_eq(set_fd(ctx.get(), k, 100 + k), 1,
                "set_wait_fd result for fd " + std::to_string(100 + k));
  }
  std::size_t count = 999;
  c.expect_eq(api().ASYNC_WAIT_CTX_get_all_fds(ctx.get(), nullptr, &count), 1,
              "get_all_fds(ctx, NULL, &n) result");
  c.expect_eq(count, 3u, "*numfds from get_all_fds(ctx, NULL, &n) with 3 fds set");
  expect_fds(c, all_fds(c, ctx.get(), "with 3 fds set"), {100, 101, 102},
             "get_all_fds with fds 100, 101, 102 set");
}

void get_all_newest_first(CaseContext& c) {
  WaitCtx ctx;
  set_fd(ctx.get(), 0, 100);
  set_fd(ctx.get(), 1, 101);
  set_fd(ctx.get(), 2, 102);
  const Fds fds = all_fds(c, ctx.get(), "with 3 fds set");
  c.expect(fds == Fds{102, 101, 100}, "get_all_fds order after setting 100, 101, 102: observed " +
                                          text(fds) + ", expected [102, 101, 100]");
}

void same_key_twice_both_listed(CaseContext& c) {
  WaitCtx ctx;
  c.expect_eq(set_fd(ctx.get(), 0, 100), 1, "set_wait_fd of fd 100 under key 0");
  c.expect_eq(set_fd(ctx.get(), 0, 101), 1, "set_wait_fd of fd 101 under key 0 again");
  expect_fds(c, all_fds(c, ctx.get(), "with one key set twice"), {100, 101},
             "get_all_fds with key 0 set to 100, then to 101");
}

void same_key_newest_seen_first(CaseContext& c) {
  WaitCtx ctx;
  set_fd(ctx.get(), 0, 100);
  set_fd(ctx.get(), 0, 101);
  if (!expect_key_fd(c, ctx.get(), 0, 101, "key 0 set to 100, then to 101")) return;
  c.expect_eq(api().ASYNC_WAIT_CTX_clear_fd(ctx.get(), &g_keys[0]), 1, "first clear_fd of key 0");
  expect_fds(c, all_fds(c, ctx.get(), "after one clear"), {100}, "get_all_fds after one clear");
  if (!expect_key_fd(c, ctx.get(), 0, 100, "key 0 after one clear")) return;
  c.expect_eq(api().ASYNC_WAIT_CTX_clear_fd(ctx.get(), &g_keys[0]), 1, "second clear_fd of key 0");
  OSSL_ASYNC_FD fd = kUnwritten;
  void* data = nullptr;
  c.expect_eq(get_fd(ctx.get(), 0, &fd, &data), 0, "get_fd of key 0 after two clears");
}

void reuse_after_finish(CaseContext& c) {
  WaitCtx ctx;
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  g_seen = {};
  g_seen.fd = 100;
  if (!c.expect_start(start(&job, ctx.get(), &ret, engine_set_pause_clear), ASYNC_PAUSE,
                      "job 1: sets fd 100, pauses") ||
      !c.expect_start(start(&job, ctx.get(), &ret, engine_set_pause_clear), ASYNC_FINISH,
                      "job 1 resumed: clears fd 100, finishes")) {
    return;
  }
  c.expect_eq(g_seen.clear_rc, 1, "clear_fd result inside job 1");
  g_seen = {};
  g_seen.fd = 200;
  if (!c.expect_start(start(&job, ctx.get(), &ret, engine_set_pause), ASYNC_PAUSE,
                      "job 2 on the same wait ctx: sets fd 200, pauses")) {
    return;
  }
  c.expect_eq(g_seen.ctx, ctx.get(), "ASYNC_get_wait_ctx inside job 2");
  expect_fds(c, all_fds(c, ctx.get(), "at job 2's pause"), {200}, "get_all_fds at job 2's pause");
  c.expect_start(start(&job, ctx.get(), &ret, engine_set_pause), ASYNC_FINISH, "resuming job 2");
  c.expect_eq(ret, 2, "*ret of job 2");
}

}  // namespace

void add_wait_ctx_fd_cases(std::vector<Case>& out) {
  out.push_back({"wait-ctx-fds/new-returns-ctx-with-no-fds",
                 "ASYNC_WAIT_CTX_new returns a new non-NULL ctx, with no wait fds",
                 {"WAITCTX-NEW-RETURN-VALUE", "FD-GET-ALL-NUMFDS", "FD-GET-ALL-RETURN-VALUE"},
                 {},
                 new_returns_ctx_with_no_fds});
  out.push_back({"wait-ctx-fds/set-and-get-fd-round-trip",
                 "set_wait_fd then get_fd returns 1 with the same fd and custom_data",
                 {"FD-SET-WAIT-FD", "FD-GET-FD-OBTAINS", "FD-CUSTOM-DATA-ROUND-TRIP",
                  "FD-SET-WAIT-FD-RETURN-VALUE", "FD-GET-FD-RETURN-VALUE"},
                 {},
                 set_and_get_fd_round_trip});
  out.push_back({"wait-ctx-fds/custom-data-any-value",
                 "custom_data NULL, all-ones and a real pointer all come back from get_fd",
                 {"FD-CUSTOM-DATA-ROUND-TRIP"},
                 {},
                 custom_data_any_value});
  out.push_back(
      {"wait-ctx-fds/engine-sets-fd-inside-job",
       "A job sets a wait fd on ASYNC_get_wait_ctx's ctx; at its pause the caller sees it",
       {"FD-SET-WAIT-FD", "FD-GET-ALL-RETURNS-FDS", "FD-GET-FD-OBTAINS"},
       {},
       engine_sets_fd_inside_job});
  out.push_back({"wait-ctx-fds/keys-are-separate",
                 "Two keys keep their own fds; clearing one leaves the other",
                 {"FD-KEYED", "FD-CLEAR-FD-CLEARS"},
                 {},
                 keys_are_separate});
  out.push_back({"wait-ctx-fds/get-fd-unknown-key-returns-0",
                 "get_fd of a key never set returns 0",
                 {"FD-GET-FD-UNKNOWN-KEY-RETURNS-0", "FD-GET-FD-RETURN-VALUE", "FD-KEYED"},
                 {},
                 get_fd_unknown_key_returns_0});
  out.push_back(
      {"wait-ctx-fds/clear-fd-returns-1-then-0",
       "clear_fd returns 1 for a set key, then 0; a key never set gives 0",
       {"FD-CLEAR-FD-CLEARS", "FD-CLEAR-FD-RETURN-VALUE", "FD-GET-FD-UNKNOWN-KEY-RETURNS-0"},
       {},
       clear_fd_returns_1_then_0});
  out.push_back({"wait-ctx-fds/cleared-fd-not-listed",
                 "A cleared fd leaves get_all_fds; the others stay listed and obtainable",
                 {"FD-CLEAR-FD-CLEARS", "FD-GET-ALL-RETURNS-FDS", "FD-CLEAR-FD-RETURN-VALUE"},
                 {},
                 cleared_fd_not_listed});
  out.push_back({"wait-ctx-fds/count-with-null-then-fill",
                 "get_all_fds with fd NULL gives the count; a list of that size receives every fd",
                 {"FD-GET-ALL-NULL-FD-COUNTS", "FD-GET-ALL-NUMFDS", "FD-GET-ALL-RETURNS-FDS",
                  "FD-GET-ALL-RETURN-VALUE", "FD-SET-WAIT-FD-RETURN-VALUE"},
                 {},
                 count_with_null_then_fill});
  out.push_back({"wait-ctx-fds/get-all-newest-first",
                 "get_all_fds lists the fds newest first",
                 {"FD-GET-ALL-NEWEST-FIRST"},
                 {},
                 get_all_newest_first});
  out.push_back({"wait-ctx-fds/same-key-twice-both-listed",
                 "Setting one key twice keeps both entries: get_all_fds lists both",
                 {"FD-SAME-KEY-BOTH-LIVE"},
                 {},
                 same_key_twice_both_listed});
  out.push_back({"wait-ctx-fds/same-key-newest-seen-first",
                 "With a key set twice, get_fd and clear_fd see the newest, then the older",
                 {"FD-SAME-KEY-NEWEST-SEEN-FIRST"},
                 {},
                 same_key_newest_seen_first});
  out.push_back({"wait-ctx-fds/reuse-after-finish",
                 "A wait ctx reused by a second job carries only that job's fd",
                 {"WAITCTX-REUSE-AFTER-FINISH", "FD-GET-ALL-RETURNS-FDS"},
                 {},
                 reuse_after_finish});
}

}  // namespace asyncconf::conformance
