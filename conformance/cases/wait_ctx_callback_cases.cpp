// ASYNC_WAIT_CTX callback and status (OpenSSL 3.0): what set_callback and
// set_status store, what the getters return, and their defaults.
#include <climits>
#include <string>

#include "asyncconf/conformance/catalogue.hpp"
#include "case_support.hpp"

namespace asyncconf::conformance {

namespace {

using support::start;
using support::WaitCtx;

int g_callback_calls = 0;  // calls of either callback below
int callback_a(void*) {
  ++g_callback_calls;
  return 1;
}
int callback_b(void*) {
  ++g_callback_calls;
  return 2;
}

std::string name(ASYNC_callback_fn fn) {
  if (fn == nullptr) return "NULL";
  if (fn == callback_a) return "callback_a";
  if (fn == callback_b) return "callback_b";
  return "an unknown function";
}

// What get_callback returned, with outputs preset so a missing write shows.
struct Got {
  int rc = -1;
  ASYNC_callback_fn fn = nullptr;
  void* arg = nullptr;
};

Got get_callback(ASYNC_WAIT_CTX* ctx) {
  Got got;
  got.rc = api().ASYNC_WAIT_CTX_get_callback(ctx, &got.fn, &got.arg);
  return got;
}

// Checks that get_callback returns 1 with `fn` and `arg`.
bool expect_callback(CaseContext& c, ASYNC_WAIT_CTX* ctx, ASYNC_callback_fn fn, void* arg,
                     const std::string& when) {
  const Got got = get_callback(ctx);
  if (!c.expect_eq(got.rc, 1, "ASYNC_WAIT_CTX_get_callback result " + when)) return false;
  const bool ok = c.expect(got.fn == fn, "callback returned " + when + ": observed " +
                                             name(got.fn) + ", expected " + name(fn));
  return c.expect_eq(got.arg, arg, "callback_arg returned " + when) && ok;
}

// An engine's view inside a job: what it finds on its wait ctx.
struct EngineSeen {
  Got callback;
  int status_before = -1;
};
EngineSeen g_engine;

int engine_reads_callback_sets_status(void*) {
  ASYNC_WAIT_CTX* ctx = api().ASYNC_get_wait_ctx(api().ASYNC_get_current_job());
  g_engine.callback = get_callback(ctx);
  g_engine.status_before = api().ASYNC_WAIT_CTX_get_status(ctx);
  api().ASYNC_WAIT_CTX_set_status(ctx, ASYNC_STATUS_EAGAIN);
  api().ASYNC_pause_job();
  api().ASYNC_WAIT_CTX_set_status(ctx, ASYNC_STATUS_OK);
  return 5;
}

void get_with_none_set_returns_0(CaseContext& c) {
  WaitCtx ctx;
  c.expect_eq(get_callback(ctx.get()).rc, 0, "ASYNC_WAIT_CTX_get_callback on a new ctx");
}

void set_get_round_trip(CaseContext& c) {
  WaitCtx ctx;
  int arg = 0;
  c.expect_eq(api().ASYNC_WAIT_CTX_set_callback(ctx.get(), callback_a, &arg), 1,
              "ASYNC_WAIT_CTX_set_callback result");
  expect_callback(c, ctx.get(), callback_a, &arg, "after setting callback_a with &arg");
}

void set_replaces_previous(CaseContext& c) {
  WaitCtx ctx;
  int arg_a = 0;
  int arg_b = 0;
  api().ASYNC_WAIT_CTX_set_callback(ctx.get(), callback_a, &arg_a);
  c.expect_eq(api().ASYNC_WAIT_CTX_set_callback(ctx.get(), callback_b, &arg_b), 1,
              "second ASYNC_WAIT_CTX_set_callback result");
  expect_callback(c, ctx.get(), callback_b, &arg_b, "after setting callback_a, then callback_b");
  c.expect_eq(api().ASYNC_WAIT_CTX_set_callback(ctx.get(), callback_b, nullptr), 1,
              "ASYNC_WAIT_CTX_set_callback with a NULL arg");
  expect_callback(c, ctx.get(), callback_b, nullptr, "after setting callback_b with a NULL arg");
}

void set_null_removes_callback(CaseContext& c) {
  WaitCtx ctx;
  int arg = 0;
  api().ASYNC_WAIT_CTX_set_callback(ctx.get(), callback_a, &arg);
  c.expect_eq(api().ASYNC_WAIT_CTX_set_callback(ctx.get(), nullptr, nullptr), 1,
              "ASYNC_WAIT_CTX_set_callback(ctx, NULL, NULL) result");
  c.expect_eq(get_callback(ctx.get()).rc, 0,
              "ASYNC_WAIT_CTX_get_callback after the callback was set to NULL");
}

void stored_per_ctx(CaseContext& c) {
  WaitCtx one;
  WaitCtx two;
  int arg_one = 0;
  int arg_two = 0;
  api().ASYNC_WAIT_CTX_set_callback(one.get(), callback_a, &arg_one);
  api().ASYNC_WAIT_CTX_set_callback(two.get(), callback_b, &arg_two);
  expect_callback(c, one.get(), callback_a, &arg_one, "of ctx one (callback_a)");
  expect_callback(c, two.get(), callback_b, &arg_two, "of ctx two (callback_b)");
}

void job_sees_callback_library_never_calls_it(CaseContext& c) {
  WaitCtx ctx;
  int arg = 0;
  g_callback_calls = 0;
  g_engine = {};
  api().ASYNC_WAIT_CTX_set_callback(ctx.get(), callback_a, &arg);
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  if (!c.expect_start(start(&job, ctx.get(), &ret, engine_reads_callback_sets_status), ASYNC_PAUSE,
                      "a job that reads its ctx's callback, then pauses")) {
    return;
  }
  c.expect_eq(g_engine.callback.rc, 1, "get_callback result inside the job");
  c.expect(
      g_engine.callback.fn == callback_a,
      "callback the job found: observed " + name(g_engine.callback.fn) + ", expected callback_a");
  c.expect_eq(g_engine.callback.arg, static_cast<void*>(&arg), "callback_arg the job found");
  c.expect_start(start(&job, ctx.get(), &ret, engine_reads_callback_sets_status), ASYNC_FINISH,
                 "resuming the job");
  expect_callback(c, ctx.get(), callback_a, &arg, "after the job finished");
  ctx.free_now();
  c.expect_eq(g_callback_calls, 0,
              "callback calls made by the library (start, pause, resume, finish, free)");
}

void status_default_unsupported(CaseContext& c) {
  WaitCtx ctx;
  c.expect_eq(api().ASYNC_WAIT_CTX_get_status(ctx.get()), ASYNC_STATUS_UNSUPPORTED,
              "ASYNC_WAIT_CTX_get_status of a new ctx (ASYNC_STATUS_UNSUPPORTED is 0)");
  int arg = 0;
  api().ASYNC_WAIT_CTX_set_callback(ctx.get(), callback_a, &arg);
  c.expect_eq(api().ASYNC_WAIT_CTX_get_status(ctx.get()), ASYNC_STATUS_UNSUPPORTED,
              "ASYNC_WAIT_CTX_get_status after only a callback was set");
}

void status_set_get_round_trip(CaseContext& c) {
  WaitCtx ctx;
  static constexpr int kStatuses[] = {ASYNC_STATUS_OK, ASYNC_STATUS_EAGAIN, ASYNC_STATUS_ERR,
                                      ASYNC_STATUS_UNSUPPORTED};
  for (int status : kStatuses) {
    const std::string name = std::to_string(status);
    c.expect_eq(api().ASYNC_WAIT_CTX_set_status(ctx.get(), status), 1,
                "ASYNC_WAIT_CTX_set_status(ctx, " + name + ") result");
    c.expect_eq(api().ASYNC_WAIT_CTX_get_status(ctx.get()), status,
                "ASYNC_WAIT_CTX_get_status after setting " + name);
  }
}

void status_any_int_stored(CaseContext& c) {
  WaitCtx ctx;
  static constexpr int kValues[] = {4, -1, 1000, INT_MAX, INT_MIN};
  for (int value : kValues) {
    const std::string name = std::to_string(value);
    c.expect_eq(api().ASYNC_WAIT_CTX_set_status(ctx.get(), value), 1,
                "ASYNC_WAIT_CTX_set_status(ctx, " + name + ") result");
    c.expect_eq(api().ASYNC_WAIT_CTX_get_status(ctx.get()), value,
                "ASYNC_WAIT_CTX_get_status after setting " + name);
  }
}

void status_set_by_job_seen_by_caller(CaseContext& c) {
  WaitCtx ctx;
  g_engine = {};
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  if (!c.expect_start(start(&job, ctx.get(), &ret, engine_reads_callback_sets_status), ASYNC_PAUSE,
                      "a job that sets ASYNC_STATUS_EAGAIN, then pauses")) {
    return;
  }
  c.expect_eq(g_engine.status_before, ASYNC_STATUS_UNSUPPORTED,
              "get_status inside the job before it set one");
  c.expect_eq(api().ASYNC_WAIT_CTX_get_status(ctx.get()), ASYNC_STATUS_EAGAIN,
              "get_status at the job's pause (ASYNC_STATUS_EAGAIN is 3)");
  c.expect_start(start(&job, ctx.get(), &ret, engine_reads_callback_sets_status), ASYNC_FINISH,
                 "resuming the job (it sets ASYNC_STATUS_OK)");
  c.expect_eq(api().ASYNC_WAIT_CTX_get_status(ctx.get()), ASYNC_STATUS_OK,
              "get_status after the job finished (ASYNC_STATUS_OK is 2)");
}

void status_stored_per_ctx(CaseContext& c) {
  WaitCtx one;
  WaitCtx two;
  api().ASYNC_WAIT_CTX_set_status(one.get(), ASYNC_STATUS_ERR);
  api().ASYNC_WAIT_CTX_set_status(two.get(), ASYNC_STATUS_OK);
  c.expect_eq(api().ASYNC_WAIT_CTX_get_status(one.get()), ASYNC_STATUS_ERR,
              "get_status of ctx one (set to ASYNC_STATUS_ERR, 1)");
  c.expect_eq(api().ASYNC_WAIT_CTX_get_status(two.get()), ASYNC_STATUS_OK,
              "get_status of ctx two (set to ASYNC_STATUS_OK, 2)");
  WaitCtx three;
  c.expect_eq(api().ASYNC_WAIT_CTX_get_status(three.get()), ASYNC_STATUS_UNSUPPORTED,
              "get_status of a ctx created after the others were set");
}

}  // namespace

void add_wait_ctx_callback_cases(std::vector<Case>& out) {
  out.push_back({"callback/get-with-none-set-returns-0",
                 "ASYNC_WAIT_CTX_get_callback on a new ctx returns 0",
                 {"CALLBACK-GET-NONE-RETURNS-0", "CALLBACK-GET-RETURN-VALUE"},
                 {Capability::Callbacks},
                 get_with_none_set_returns_0});
  out.push_back({"callback/set-get-round-trip",
                 "set_callback returns 1; get_callback returns 1 with the same fn and arg",
                 {"CALLBACK-SET", "CALLBACK-GET-RETURNS-SET", "CALLBACK-SET-RETURN-VALUE",
                  "CALLBACK-GET-RETURN-VALUE"},
                 {Capability::Callbacks},
                 set_get_round_trip});
  out.push_back({"callback/set-replaces-previous",
                 "A second set_callback replaces the callback and its arg (a NULL arg too)",
                 {"CALLBACK-SET", "CALLBACK-GET-RETURNS-SET"},
                 {Capability::Callbacks},
                 set_replaces_previous});
  out.push_back({"callback/set-null-removes-callback",
                 "After set_callback(ctx, NULL, NULL), get_callback returns 0",
                 {"CALLBACK-GET-NONE-RETURNS-0", "CALLBACK-SET-RETURN-VALUE"},
                 {Capability::Callbacks},
                 set_null_removes_callback});
  out.push_back({"callback/stored-per-ctx",
                 "Each wait ctx keeps its own callback and arg",
                 {"CALLBACK-STORED-IN-CTX", "CALLBACK-GET-RETURNS-SET"},
                 {Capability::Callbacks},
                 stored_per_ctx});
  out.push_back({"callback/job-sees-callback-library-never-calls-it",
                 "A job finds the callback on its wait ctx; the library itself never calls it",
                 {"CALLBACK-STORED-IN-CTX", "CALLBACK-GET-RETURNS-SET"},
                 {Capability::Callbacks},
                 job_sees_callback_library_never_calls_it});
  out.push_back({"status/default-unsupported",
                 "A new wait ctx's status is ASYNC_STATUS_UNSUPPORTED, also with a callback set",
                 {"STATUS-DEFAULT-UNSUPPORTED", "STATUS-GET", "STATUS-GET-RETURN-VALUE"},
                 {Capability::Callbacks},
                 status_default_unsupported});
  out.push_back({"status/set-get-round-trip",
                 "set_status returns 1 and get_status returns each of the four ASYNC_STATUS_*",
                 {"STATUS-SET", "STATUS-GET", "STATUS-SET-RETURN-VALUE", "STATUS-GET-RETURN-VALUE"},
                 {Capability::Callbacks},
                 status_set_get_round_trip});
  out.push_back({"status/any-int-stored",
                 "set_status stores any int (4, -1, 1000, INT_MAX, INT_MIN) and returns 1",
                 {"STATUS-ANY-VALUE-STORED"},
                 {Capability::Callbacks},
                 status_any_int_stored});
  out.push_back({"status/set-by-job-seen-by-caller",
                 "A status a job sets on its wait ctx before pausing is what the caller reads",
                 {"STATUS-SET", "STATUS-GET", "CALLBACK-STORED-IN-CTX"},
                 {Capability::Callbacks},
                 status_set_by_job_seen_by_caller});
  out.push_back({"status/stored-per-ctx",
                 "Each wait ctx keeps its own status; a new one starts at ASYNC_STATUS_UNSUPPORTED",
                 {"STATUS-GET", "STATUS-SET", "STATUS-DEFAULT-UNSUPPORTED"},
                 {Capability::Callbacks},
                 status_stored_per_ctx});
}

}  // namespace asyncconf::conformance
