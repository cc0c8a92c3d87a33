/*
 * A test-only implementation whose fault shows only in a long-lived
 * process: it forwards the 1.1.0 ASYNC functions to libasyncref.so, except
 * that ASYNC_WAIT_CTX_new returns NULL once the process has made
 * WORN_OUT_AFTER wait ctxs. A sequence has at most --max-ops ops, so one
 * run alone in a fresh child never gets there, while explore's long-lived
 * child does after some sequences: a violation that is not reproduced
 * alone, on demand.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#include "asyncconf/async_abi.h"

#define WORN_OUT_AFTER 100

static struct {
#define F(ret, name, params) ret(*name) params;
  F(int, init_thread, (size_t, size_t))
  F(void, cleanup_thread, (void))
  F(int, start_job, (ASYNC_JOB **, ASYNC_WAIT_CTX *, int *, int (*)(void *), void *, size_t))
  F(int, pause_job, (void))
  F(ASYNC_JOB *, get_current_job, (void))
  F(ASYNC_WAIT_CTX *, get_wait_ctx, (ASYNC_JOB *))
  F(void, block_pause, (void))
  F(void, unblock_pause, (void))
  F(int, is_capable, (void))
  F(ASYNC_WAIT_CTX *, ctx_new, (void))
  F(void, ctx_free, (ASYNC_WAIT_CTX *))
  F(int, set_wait_fd, (ASYNC_WAIT_CTX *, const void *, OSSL_ASYNC_FD, void *, ASYNC_WAIT_CTX_cleanup_fn))
  F(int, get_fd, (ASYNC_WAIT_CTX *, const void *, OSSL_ASYNC_FD *, void **))
  F(int, get_all_fds, (ASYNC_WAIT_CTX *, OSSL_ASYNC_FD *, size_t *))
  F(int, get_changed_fds, (ASYNC_WAIT_CTX *, OSSL_ASYNC_FD *, size_t *, OSSL_ASYNC_FD *, size_t *))
  F(int, clear_fd, (ASYNC_WAIT_CTX *, const void *))
#undef F
} real;

static long ctxs_made; /* by every thread of the process */

static void *need(void *lib, const char *name) {
  void *p = dlsym(lib, name);
  if (p == NULL) {
    fprintf(stderr, "worn_out_impl: %s missing from %s\n", name, ASYNCREF_PATH);
    abort();
  }
  return p;
}

/* At load time, in the process that loads this library (before any fork). */
__attribute__((constructor)) static void load_reference(void) {
  void *lib = dlopen(ASYNCREF_PATH, RTLD_NOW | RTLD_LOCAL);
  if (lib == NULL) {
    fprintf(stderr, "worn_out_impl: %s\n", dlerror());
    abort();
  }
  *(void **)&real.init_thread = need(lib, "ASYNC_init_thread");
  *(void **)&real.cleanup_thread = need(lib, "ASYNC_cleanup_thread");
  *(void **)&real.start_job = need(lib, "ASYNC_start_job");
  *(void **)&real.pause_job = need(lib, "ASYNC_pause_job");
  *(void **)&real.get_current_job = need(lib, "ASYNC_get_current_job");
  *(void **)&real.get_wait_ctx = need(lib, "ASYNC_get_wait_ctx");
  *(void **)&real.block_pause = need(lib, "ASYNC_block_pause");
  *(void **)&real.unblock_pause = need(lib, "ASYNC_unblock_pause");
  *(void **)&real.is_capable = need(lib, "ASYNC_is_capable");
  *(void **)&real.ctx_new = need(lib, "ASYNC_WAIT_CTX_new");
  *(void **)&real.ctx_free = need(lib, "ASYNC_WAIT_CTX_free");
  *(void **)&real.set_wait_fd = need(lib, "ASYNC_WAIT_CTX_set_wait_fd");
  *(void **)&real.get_fd = need(lib, "ASYNC_WAIT_CTX_get_fd");
  *(void **)&real.get_all_fds = need(lib, "ASYNC_WAIT_CTX_get_all_fds");
  *(void **)&real.get_changed_fds = need(lib, "ASYNC_WAIT_CTX_get_changed_fds");
  *(void **)&real.clear_fd = need(lib, "ASYNC_WAIT_CTX_clear_fd");
}

int ASYNC_init_thread(size_t max_size, size_t init_size) { return real.init_thread(max_size, init_size); }
void ASYNC_cleanup_thread(void) { real.cleanup_thread(); }
int ASYNC_start_job(ASYNC_JOB **job, ASYNC_WAIT_CTX *ctx, int *ret, int (*func)(void *), void *args, size_t size) {
  return real.start_job(job, ctx, ret, func, args, size);
}
int ASYNC_pause_job(void) { return real.pause_job(); }
ASYNC_JOB *ASYNC_get_current_job(void) { return real.get_current_job(); }
ASYNC_WAIT_CTX *ASYNC_get_wait_ctx(ASYNC_JOB *job) { return real.get_wait_ctx(job); }
void ASYNC_block_pause(void) { real.block_pause(); }
void ASYNC_unblock_pause(void) { real.unblock_pause(); }
int ASYNC_is_capable(void) { return real.is_capable(); }
ASYNC_WAIT_CTX *ASYNC_WAIT_CTX_new(void) {
  if (__atomic_add_fetch(&ctxs_made, 1, __ATOMIC_RELAXED) > WORN_OUT_AFTER) return NULL;
  return real.ctx_new();
}
void ASYNC_WAIT_CTX_free(ASYNC_WAIT_CTX *ctx) { real.ctx_free(ctx); }
int ASYNC_WAIT_CTX_set_wait_fd(ASYNC_WAIT_CTX *ctx, const void *key, OSSL_ASYNC_FD fd, void *data,
                               ASYNC_WAIT_CTX_cleanup_fn cleanup) {
  return real.set_wait_fd(ctx, key, fd, data, cleanup);
}
int ASYNC_WAIT_CTX_get_fd(ASYNC_WAIT_CTX *ctx, const void *key, OSSL_ASYNC_FD *fd, void **data) {
  return real.get_fd(ctx, key, fd, data);
}
int ASYNC_WAIT_CTX_get_all_fds(ASYNC_WAIT_CTX *ctx, OSSL_ASYNC_FD *fd, size_t *numfds) {
  return real.get_all_fds(ctx, fd, numfds);
}
int ASYNC_WAIT_CTX_get_changed_fds(ASYNC_WAIT_CTX *ctx, OSSL_ASYNC_FD *addfd, size_t *numaddfds, OSSL_ASYNC_FD *delfd,
                                   size_t *numdelfds) {
  return real.get_changed_fds(ctx, addfd, numaddfds, delfd, numdelfds);
}
int ASYNC_WAIT_CTX_clear_fd(ASYNC_WAIT_CTX *ctx, const void *key) { return real.clear_fd(ctx, key); }
