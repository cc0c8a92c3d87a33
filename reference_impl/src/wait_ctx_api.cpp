// The ASYNC_WAIT_CTX_* functions of the C ABI. A null ctx is an error (0)
// rather than the crash it is in OpenSSL.
#include <new>

#include "export.hpp"
#include "wait_ctx.hpp"

ASYNCREF_EXPORT ASYNC_WAIT_CTX* ASYNC_WAIT_CTX_new(void) {
  return new (std::nothrow) async_wait_ctx_st();
}

ASYNCREF_EXPORT void ASYNC_WAIT_CTX_free(ASYNC_WAIT_CTX* ctx) {
  if (ctx == nullptr) return;
  using asyncconf::ref::Fault;
  if (!asyncconf::ref::fault_active(Fault::FreeSkipsCleanup)) ctx->run_cleanups(ctx);
  delete ctx;
}

ASYNCREF_EXPORT int ASYNC_WAIT_CTX_set_wait_fd(ASYNC_WAIT_CTX* ctx, const void* key,
                                               OSSL_ASYNC_FD fd, void* custom_data,
                                               ASYNC_WAIT_CTX_cleanup_fn cleanup) {
  if (ctx == nullptr) return 0;
  try {
    ctx->set_fd(key, fd, custom_data, cleanup);
  } catch (const std::bad_alloc&) {
    return 0;
  }
  return 1;
}

ASYNCREF_EXPORT int ASYNC_WAIT_CTX_get_fd(ASYNC_WAIT_CTX* ctx, const void* key,
                                          OSSL_ASYNC_FD* fd, void** custom_data) {
  return ctx != nullptr && ctx->get_fd(key, fd, custom_data) ? 1 : 0;
}

ASYNCREF_EXPORT int ASYNC_WAIT_CTX_get_all_fds(ASYNC_WAIT_CTX* ctx, OSSL_ASYNC_FD* fd,
                                               size_t* numfds) {
  if (ctx == nullptr || numfds == nullptr) return 0;
  *numfds = ctx->all_fds(fd);
  return 1;
}

ASYNCREF_EXPORT int ASYNC_WAIT_CTX_get_changed_fds(ASYNC_WAIT_CTX* ctx, OSSL_ASYNC_FD* addfd,
                                                   size_t* numaddfds, OSSL_ASYNC_FD* delfd,
                                                   size_t* numdelfds) {
  if (ctx == nullptr || numaddfds == nullptr || numdelfds == nullptr) return 0;
  ctx->changed_fds(addfd, numaddfds, delfd, numdelfds);
  return 1;
}

ASYNCREF_EXPORT int ASYNC_WAIT_CTX_clear_fd(ASYNC_WAIT_CTX* ctx, const void* key) {
  return ctx != nullptr && ctx->clear_fd(key) ? 1 : 0;
}

ASYNCREF_EXPORT int ASYNC_WAIT_CTX_set_callback(ASYNC_WAIT_CTX* ctx, ASYNC_callback_fn callback,
                                                void* callback_arg) {
  if (ctx == nullptr) return 0;
  ctx->set_callback(callback, callback_arg);
  return 1;
}

ASYNCREF_EXPORT int ASYNC_WAIT_CTX_get_callback(ASYNC_WAIT_CTX* ctx, ASYNC_callback_fn* callback,
                                                void** callback_arg) {
  return ctx != nullptr && ctx->get_callback(callback, callback_arg) ? 1 : 0;
}

ASYNCREF_EXPORT int ASYNC_WAIT_CTX_set_status(ASYNC_WAIT_CTX* ctx, int status) {
  if (ctx == nullptr) return 0;
  ctx->set_status(status);
  return 1;
}

ASYNCREF_EXPORT int ASYNC_WAIT_CTX_get_status(ASYNC_WAIT_CTX* ctx) {
  return ctx == nullptr ? ASYNC_STATUS_ERR : ctx->status();
}
