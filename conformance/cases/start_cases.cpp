// ASYNC_start_job: starting, finishing, and what *job, *ret and args hold.
#include <cstring>

#include "asyncconf/conformance/catalogue.hpp"
#include "case_support.hpp"

namespace asyncconf::conformance {

namespace {

using support::start;
using support::WaitCtx;

// What a body saw, for checks made after it ran.
struct Seen {
  const void* args = nullptr;
  char first_byte = 0;
  int calls = 0;
};
Seen g_seen;

int record_args(void* args) {
  ++g_seen.calls;
  g_seen.args = args;
  if (args != nullptr) g_seen.first_byte = *static_cast<const char*>(args);
  return 11;
}

int record_args_then_pause(void* args) {
  record_args(args);
  api().ASYNC_pause_job();
  if (args != nullptr) g_seen.first_byte = *static_cast<const char*>(args);
  return 12;
}

void finish_sets_job_null_and_ret(CaseContext& c) {
  WaitCtx ctx;
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  c.expect_start(start(&job, ctx.get(), &ret, support::return_seven), ASYNC_FINISH,
                 "ASYNC_start_job of a body that returns at once");
  c.expect_eq(job, nullptr, "*job after ASYNC_FINISH");
  c.expect_eq(ret, 7, "*ret after ASYNC_FINISH (the body returned 7)");
}

void pause_returns_handle_and_leaves_ret(CaseContext& c) {
  WaitCtx ctx;
  ASYNC_JOB* job = nullptr;
  int ret = -12345;
  if (!c.expect_start(start(&job, ctx.get(), &ret, support::pause_once), ASYNC_PAUSE,
                      "ASYNC_start_job of a body that pauses")) {
    return;
  }
  c.expect(job != nullptr, "*job after ASYNC_PAUSE: observed NULL, expected the job's handle");
  c.expect_eq(ret, -12345, "*ret after ASYNC_PAUSE (must be left as it was)");
  c.expect_start(start(&job, ctx.get(), &ret, support::pause_once), ASYNC_FINISH,
                 "resuming the paused job");
  c.expect_eq(ret, 3, "*ret after the resumed job finished");
  c.expect_eq(job, nullptr, "*job after ASYNC_FINISH");
}

void args_are_copied(CaseContext& c) {
  WaitCtx ctx;
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  char message[16] = "original";
  if (!c.expect_start(start(&job, ctx.get(), &ret, record_args_then_pause, message, sizeof message),
                      ASYNC_PAUSE, "ASYNC_start_job with 16 bytes of args")) {
    return;
  }
  c.expect(g_seen.args != message,
           "the body received the caller's own args pointer, expected a pointer to a copy");
  std::strcpy(message, "CHANGED");  // after the start: the copy must not see it
  c.expect_start(start(&job, ctx.get(), &ret, record_args_then_pause, nullptr, 0), ASYNC_FINISH,
                 "resuming the job");
  c.expect_eq(g_seen.first_byte, 'o',
              "first byte of args seen by the body after the caller changed its buffer");
}

void args_null_gives_body_null(CaseContext& c) {
  WaitCtx ctx;
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  g_seen = {};
  g_seen.args = &g_seen;  // anything but NULL, so a NULL is observed
  c.expect_start(start(&job, ctx.get(), &ret, record_args, nullptr, 8), ASYNC_FINISH,
                 "ASYNC_start_job with args NULL, size 8");
  c.expect_eq(g_seen.args, nullptr, "args pointer the body received");
}

void args_size_zero_gives_body_null(CaseContext& c) {
  WaitCtx ctx;
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  char buffer[4] = "abc";
  g_seen = {};
  g_seen.args = &g_seen;
  c.expect_start(start(&job, ctx.get(), &ret, record_args, buffer, 0), ASYNC_FINISH,
                 "ASYNC_start_job with args non-NULL, size 0");
  c.expect_eq(g_seen.args, nullptr, "args pointer the body received");
}

void resume_ignores_func_and_args(CaseContext& c) {
  WaitCtx ctx;
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  g_seen = {};
  char first[2] = "A";
  if (!c.expect_start(start(&job, ctx.get(), &ret, record_args_then_pause, first, sizeof first),
                      ASYNC_PAUSE, "starting the job")) {
    return;
  }
  char other[2] = "Z";
  c.expect_start(start(&job, ctx.get(), &ret, support::return_seven, other, sizeof other),
                 ASYNC_FINISH, "resuming with another func and args");
  c.expect_eq(ret, 12, "*ret: the original body's result (12), not the new func's (7)");
  c.expect_eq(g_seen.calls, 1, "times the original body was entered");
  c.expect_eq(g_seen.first_byte, 'A', "args the resumed body still sees");
}

void finish_return_values_pass_through(CaseContext& c) {
  WaitCtx ctx;
  static int value;
  static constexpr int kValues[] = {0, 1, -1, 2147483647, -2147483647 - 1};
  for (int v : kValues) {
    value = v;
    ASYNC_JOB* job = nullptr;
    int ret = 12345;
    const int result = start(
        &job, ctx.get(), &ret, [](void*) { return value; }, nullptr, 0);
    c.expect_start(result, ASYNC_FINISH, "ASYNC_start_job of a body returning " + std::to_string(v));
    c.expect_eq(ret, v, "*ret");
  }
}

void same_wait_ctx_reused_after_finish(CaseContext& c) {
  WaitCtx ctx;
  for (int i = 0; i < 3; ++i) {
    ASYNC_JOB* job = nullptr;
    int ret = 0;
    c.expect_start(start(&job, ctx.get(), &ret, support::pause_once), ASYNC_PAUSE,
                   "job " + std::to_string(i) + " on the same wait ctx: start");
    c.expect_start(start(&job, ctx.get(), &ret, support::pause_once), ASYNC_FINISH,
                   "job " + std::to_string(i) + " on the same wait ctx: resume");
  }
}

// libcrypto's default library context, per job (Capability::LibCtx).
struct LibCtxApi {
  void* (*create)() = nullptr;                // OSSL_LIB_CTX_new
  void* (*set0_default)(void*) = nullptr;     // NULL changes nothing; returns the previous
  void (*free)(void*) = nullptr;              // OSSL_LIB_CTX_free
};
LibCtxApi g_lib_ctx;
void* g_job_lib_ctx = nullptr;    // the default the job sets
void* g_default_at_start = nullptr;
void* g_default_at_resume = nullptr;

int set_own_default_then_pause(void*) {
  g_default_at_start = g_lib_ctx.set0_default(nullptr);
  g_lib_ctx.set0_default(g_job_lib_ctx);
  api().ASYNC_pause_job();
  g_default_at_resume = g_lib_ctx.set0_default(nullptr);
  return 1;
}

void job_keeps_own_default_lib_ctx(CaseContext& c) {
  g_lib_ctx.create = reinterpret_cast<void* (*)()>(impl_symbol(c.api(), "OSSL_LIB_CTX_new"));
  g_lib_ctx.set0_default =
      reinterpret_cast<void* (*)(void*)>(impl_symbol(c.api(), "OSSL_LIB_CTX_set0_default"));
  g_lib_ctx.free = reinterpret_cast<void (*)(void*)>(impl_symbol(c.api(), "OSSL_LIB_CTX_free"));
  void* const global = g_lib_ctx.set0_default(nullptr);
  void* const callers = g_lib_ctx.create();
  g_job_lib_ctx = g_lib_ctx.create();
  if (!c.expect(callers != nullptr && g_job_lib_ctx != nullptr, "OSSL_LIB_CTX_new failed")) return;
  const auto name = [&](void* ctx) -> std::string {
    if (ctx == global) return "the global default";
    if (ctx == callers) return "the caller's";
    if (ctx == g_job_lib_ctx) return "the job's";
    return describe(ctx);
  };
  const auto expect_ctx = [&](void* observed, void* expected, const std::string& what) {
    c.expect(observed == expected, what + ": " + name(observed) + ", expected " + name(expected));
  };

  WaitCtx ctx;
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  g_lib_ctx.set0_default(callers);
  if (c.expect_start(start(&job, ctx.get(), &ret, set_own_default_then_pause), ASYNC_PAUSE,
                     "starting a job that sets its own default and pauses")) {
    expect_ctx(g_default_at_start, callers, "the default the new job started with");
    expect_ctx(g_lib_ctx.set0_default(nullptr), callers, "the caller's default after ASYNC_PAUSE");
    // The caller moves on to another default; the job must not see it.
    g_lib_ctx.set0_default(global);
    if (c.expect_start(start(&job, ctx.get(), &ret, set_own_default_then_pause), ASYNC_FINISH,
                       "resuming it")) {
      expect_ctx(g_default_at_resume, g_job_lib_ctx, "the default in the job after its resume");
      expect_ctx(g_lib_ctx.set0_default(nullptr), global,
                 "the caller's default after ASYNC_FINISH (the job's was still set)");
    }
  }
  g_lib_ctx.set0_default(global);
  g_lib_ctx.free(callers);
  g_lib_ctx.free(g_job_lib_ctx);
}

}  // namespace

void add_start_cases(std::vector<Case>& out) {
  out.push_back({"start/finish-sets-job-null-and-ret",
                 "A job that returns at once gives ASYNC_FINISH, *job NULL and *ret = its result",
                 {"START-INITIAL-JOB-NULL", "START-FUNC-STARTED", "START-FINISH-JOB-NULL",
                  "START-FINISH-RET", "START-RET-LOCATION", "START-RETURN-VALUES"},
                 {},
                 finish_sets_job_null_and_ret});
  out.push_back({"start/pause-returns-handle-and-leaves-ret",
                 "A job that pauses gives ASYNC_PAUSE, its handle in *job, and *ret untouched",
                 {"START-PAUSE-STARTED-THEN-PAUSED", "START-PAUSE-JOB-HANDLE",
                  "START-RESTART-WITH-HANDLE", "START-PAUSE-RET-UNTOUCHED"},
                 {},
                 pause_returns_handle_and_leaves_ret});
  out.push_back({"start/args-are-copied",
                 "The body gets a copy of args: changing the caller's buffer later is not seen",
                 {"START-ARGS-COPIED"},
                 {},
                 args_are_copied});
  out.push_back({"start/args-null-gives-body-null", "args NULL: the body gets NULL",
                 {"START-ARGS-NULL-OR-EMPTY-GIVES-NULL"}, {}, args_null_gives_body_null});
  out.push_back({"start/args-size-zero-gives-body-null",
                 "args non-NULL with size 0: the body gets NULL",
                 {"START-ARGS-NULL-OR-EMPTY-GIVES-NULL"}, {}, args_size_zero_gives_body_null});
  out.push_back({"start/resume-ignores-func-and-args",
                 "Resuming runs the original body with its args; the new func and args are ignored",
                 {"START-RESTART-IGNORES-FUNC-ARGS", "START-RESTART-WITH-HANDLE"},
                 {},
                 resume_ignores_func_and_args});
  out.push_back({"start/finish-return-values-pass-through",
                 "*ret receives the body's result for 0, 1, -1, INT_MAX and INT_MIN",
                 {"START-FINISH-RET"}, {}, finish_return_values_pass_through});
  out.push_back({"start/same-wait-ctx-reused-after-finish",
                 "One wait ctx serves one job after another",
                 {"WAITCTX-REUSE-AFTER-FINISH"}, {}, same_wait_ctx_reused_after_finish});
  out.push_back({"start/job-keeps-own-default-libctx",
                 "A job keeps its own default OSSL_LIB_CTX across a pause; the caller gets its own back",
                 {"START-JOB-OWN-DEFAULT-LIBCTX"},
                 {Capability::LibCtx},
                 job_keeps_own_default_lib_ctx});
}

}  // namespace asyncconf::conformance
