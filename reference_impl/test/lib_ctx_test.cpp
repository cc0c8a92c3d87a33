// The per-job default library context (src/lib_ctx.hpp), with a real
// libcrypto 3.x in the process: this executable links libasyncref before
// libcrypto, so the ASYNC_* calls (ours and libcrypto's own) bind to
// libasyncref while OSSL_LIB_CTX_* are libcrypto's, as in the drop-in use.
#include <gtest/gtest.h>

#include <dlfcn.h>
#include <openssl/crypto.h>

#include <string>

#include "asyncconf/async_abi.h"
#include "test_support.hpp"

namespace {

using asyncref_test::NewWaitCtx;

OSSL_LIB_CTX* g_job_ctx = nullptr;
OSSL_LIB_CTX* g_at_start = nullptr;
OSSL_LIB_CTX* g_at_resume = nullptr;

OSSL_LIB_CTX* CurrentDefault() { return OSSL_LIB_CTX_set0_default(nullptr); }

int SetOwnDefaultThenPause(void*) {
  g_at_start = CurrentDefault();
  OSSL_LIB_CTX_set0_default(g_job_ctx);
  ASYNC_pause_job();
  g_at_resume = CurrentDefault();
  return 1;
}

// Not a check of the library: without this the other tests prove nothing.
TEST(LibCtxTest, AsyncCallsBindToLibasyncref) {
  Dl_info info{};
  ASSERT_NE(dladdr(reinterpret_cast<void*>(&ASYNC_start_job), &info), 0);
  EXPECT_NE(std::string(info.dli_fname).find("libasyncref"), std::string::npos) << info.dli_fname;
}

TEST(LibCtxTest, JobKeepsItsOwnDefaultAndTheCallerGetsItsBack) {
  OSSL_LIB_CTX* const global = CurrentDefault();
  OSSL_LIB_CTX* const callers = OSSL_LIB_CTX_new();
  g_job_ctx = OSSL_LIB_CTX_new();
  ASSERT_NE(callers, nullptr);
  ASSERT_NE(g_job_ctx, nullptr);
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = 0;

  OSSL_LIB_CTX_set0_default(callers);
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, SetOwnDefaultThenPause, nullptr, 0), ASYNC_PAUSE);
  EXPECT_EQ(g_at_start, callers) << "a new job starts with its caller's default";
  EXPECT_EQ(CurrentDefault(), callers) << "the caller's default is back after ASYNC_PAUSE";

  OSSL_LIB_CTX_set0_default(global);  // the caller moves on; the job must not see it
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, SetOwnDefaultThenPause, nullptr, 0), ASYNC_FINISH);
  EXPECT_EQ(g_at_resume, g_job_ctx) << "the job's own default is back after its resume";
  EXPECT_EQ(CurrentDefault(), global) << "the caller's default is back after ASYNC_FINISH";

  OSSL_LIB_CTX_set0_default(global);
  OSSL_LIB_CTX_free(callers);
  OSSL_LIB_CTX_free(g_job_ctx);
}

int ReturnDefault(void*) { return CurrentDefault() == g_job_ctx ? 1 : 0; }

TEST(LibCtxTest, ANewJobInAReusedSlotStartsWithTheCallersDefaultNotTheLastJobs) {
  ASSERT_EQ(ASYNC_init_thread(1, 0), 1);  // one job: the second start reuses it
  OSSL_LIB_CTX* const global = CurrentDefault();
  g_job_ctx = OSSL_LIB_CTX_new();
  ASSERT_NE(g_job_ctx, nullptr);
  auto ctx = NewWaitCtx();
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, SetOwnDefaultThenPause, nullptr, 0), ASYNC_PAUSE);
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, SetOwnDefaultThenPause, nullptr, 0), ASYNC_FINISH);
  ASSERT_EQ(ASYNC_start_job(&job, ctx.get(), &ret, ReturnDefault, nullptr, 0), ASYNC_FINISH);
  EXPECT_EQ(ret, 0) << "the reused job ran with the previous job's default";
  EXPECT_EQ(CurrentDefault(), global);
  ASYNC_cleanup_thread();
  OSSL_LIB_CTX_free(g_job_ctx);
}

}  // namespace
