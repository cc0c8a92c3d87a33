// ASYNC_WAIT_CTX callback and status: plain storage for the engine and the
// application; the library itself never calls the callback.
#include <gtest/gtest.h>

#include "asyncconf/async_abi.h"
#include "test_support.hpp"

namespace {

using asyncref_test::NewWaitCtx;

int g_callback_calls = 0;
int CountingCallback(void*) { return ++g_callback_calls; }
int OtherCallback(void*) { return 0; }

TEST(WaitCtxCallbackTest, SetThenGetReturnsCallbackAndArg) {
  auto ctx = NewWaitCtx();
  int arg = 0;
  ASSERT_EQ(ASYNC_WAIT_CTX_set_callback(ctx.get(), CountingCallback, &arg), 1);
  ASYNC_callback_fn cb = nullptr;
  void* got_arg = nullptr;
  ASSERT_EQ(ASYNC_WAIT_CTX_get_callback(ctx.get(), &cb, &got_arg), 1);
  EXPECT_EQ(cb, CountingCallback);
  EXPECT_EQ(got_arg, &arg);

  // A second set replaces both.
  ASSERT_EQ(ASYNC_WAIT_CTX_set_callback(ctx.get(), OtherCallback, nullptr), 1);
  ASSERT_EQ(ASYNC_WAIT_CTX_get_callback(ctx.get(), &cb, &got_arg), 1);
  EXPECT_EQ(cb, OtherCallback);
  EXPECT_EQ(got_arg, nullptr);
}

TEST(WaitCtxCallbackTest, GetReturnsZeroWhenCallbackIsNull) {
  auto ctx = NewWaitCtx();
  int arg = 0;
  ASYNC_callback_fn cb = nullptr;
  void* got_arg = nullptr;
  EXPECT_EQ(ASYNC_WAIT_CTX_get_callback(ctx.get(), &cb, &got_arg), 0);
  ASSERT_EQ(ASYNC_WAIT_CTX_set_callback(ctx.get(), CountingCallback, &arg), 1);
  // Setting NULL (even with an arg) takes the callback away again.
  ASSERT_EQ(ASYNC_WAIT_CTX_set_callback(ctx.get(), nullptr, &arg), 1);
  EXPECT_EQ(ASYNC_WAIT_CTX_get_callback(ctx.get(), &cb, &got_arg), 0);
}

TEST(WaitCtxCallbackTest, SetThenGetStatusRoundTripsEveryValue) {
  auto ctx = NewWaitCtx();
  for (int status : {ASYNC_STATUS_ERR, ASYNC_STATUS_OK, ASYNC_STATUS_EAGAIN,
                     ASYNC_STATUS_UNSUPPORTED, ASYNC_STATUS_OK}) {
    SCOPED_TRACE(status);
    ASSERT_EQ(ASYNC_WAIT_CTX_set_status(ctx.get(), status), 1);
    EXPECT_EQ(ASYNC_WAIT_CTX_get_status(ctx.get()), status);
  }
}

int PauseTwiceSettingStatus(void*) {
  ASYNC_WAIT_CTX* ctx = ASYNC_get_wait_ctx(ASYNC_get_current_job());
  ASYNC_WAIT_CTX_set_status(ctx, ASYNC_STATUS_OK);
  ASYNC_pause_job();
  ASYNC_WAIT_CTX_set_status(ctx, ASYNC_STATUS_EAGAIN);
  ASYNC_pause_job();
  return 0;
}

TEST(WaitCtxCallbackTest, LibraryNeverCallsTheCallback) {
  ASYNC_WAIT_CTX* ctx = ASYNC_WAIT_CTX_new();
  ASSERT_EQ(ASYNC_WAIT_CTX_set_callback(ctx, CountingCallback, nullptr), 1);
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  int rc;
  while ((rc = ASYNC_start_job(&job, ctx, &ret, PauseTwiceSettingStatus, nullptr, 0)) ==
         ASYNC_PAUSE) {
  }
  EXPECT_EQ(rc, ASYNC_FINISH);
  EXPECT_EQ(ASYNC_WAIT_CTX_get_status(ctx), ASYNC_STATUS_EAGAIN);
  ASYNC_WAIT_CTX_free(ctx);
  EXPECT_EQ(g_callback_calls, 0);
}

}  // namespace
