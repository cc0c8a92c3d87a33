/*
 * A test-only "implementation" of the ASYNC ABI that misbehaves on
 * purpose, to show the runner turns a hang or a crash of the library under
 * test into a verdict. MISBEHAVIOUR is 1 (hang) or 2 (crash) at compile time.
 * Every ABI function exists so the loader accepts the library.
 */
#include <signal.h>
#include <stddef.h>
#include <unistd.h>

#define HANG 1
#define CRASH 2

static void misbehave(void) {
#if MISBEHAVIOUR == HANG
  for (;;) pause();
#else
  raise(SIGSEGV);
#endif
}

typedef struct async_job_st ASYNC_JOB;
typedef struct async_wait_ctx_st ASYNC_WAIT_CTX;

static char g_ctx;

int ASYNC_init_thread(size_t max_size, size_t init_size) { (void)max_size, (void)init_size; misbehave(); return 0; }
void ASYNC_cleanup_thread(void) { misbehave(); }
int ASYNC_start_job(ASYNC_JOB **job, ASYNC_WAIT_CTX *ctx, int *ret, int (*func)(void *), void *args, size_t size) {
  (void)job, (void)ctx, (void)ret, (void)func, (void)args, (void)size;
  misbehave();
  return 0;
}
int ASYNC_pause_job(void) { misbehave(); return 0; }
ASYNC_JOB *ASYNC_get_current_job(void) { misbehave(); return NULL; }
ASYNC_WAIT_CTX *ASYNC_get_wait_ctx(ASYNC_JOB *job) { (void)job; misbehave(); return NULL; }
void ASYNC_block_pause(void) { misbehave(); }
void ASYNC_unblock_pause(void) { misbehave(); }
int ASYNC_is_capable(void) { misbehave(); return 0; }
/* WAIT_CTX_new must work: most cases create one before the first job call. */
ASYNC_WAIT_CTX *ASYNC_WAIT_CTX_new(void) { return (ASYNC_WAIT_CTX *)&g_ctx; }
void ASYNC_WAIT_CTX_free(ASYNC_WAIT_CTX *ctx) { (void)ctx; }
int ASYNC_WAIT_CTX_set_wait_fd(ASYNC_WAIT_CTX *ctx, const void *key, int fd, void *data,
                               void (*cleanup)(ASYNC_WAIT_CTX *, const void *, int, void *)) {
  (void)ctx, (void)key, (void)fd, (void)data, (void)cleanup;
  misbehave();
  return 0;
}
int ASYNC_WAIT_CTX_get_fd(ASYNC_WAIT_CTX *ctx, const void *key, int *fd, void **data) {
  (void)ctx, (void)key, (void)fd, (void)data;
  misbehave();
  return 0;
}
int ASYNC_WAIT_CTX_get_all_fds(ASYNC_WAIT_CTX *ctx, int *fd, size_t *numfds) {
  (void)ctx, (void)fd, (void)numfds;
  misbehave();
  return 0;
}
int ASYNC_WAIT_CTX_get_changed_fds(ASYNC_WAIT_CTX *ctx, int *addfd, size_t *numaddfds, int *delfd, size_t *numdelfds) {
  (void)ctx, (void)addfd, (void)numaddfds, (void)delfd, (void)numdelfds;
  misbehave();
  return 0;
}
int ASYNC_WAIT_CTX_clear_fd(ASYNC_WAIT_CTX *ctx, const void *key) { (void)ctx, (void)key; misbehave(); return 0; }
