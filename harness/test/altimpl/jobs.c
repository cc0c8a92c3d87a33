/* Jobs, the per-thread pool and stack switching (ucontext).
 *
 * Where the man page leaves a choice, this file takes one the reference
 * and OpenSSL do not (README.md lists them): idle jobs are reused first-in
 * first-out, the block counter belongs to the job, init_thread(0, n) makes n
 * jobs, a job's *ret is zeroed when it pauses, stacks are mmap'd. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "alt.h"

enum job_state { JOB_IDLE, JOB_RUNNING, JOB_PAUSED, JOB_FINISHED };

struct async_job_st {
  ucontext_t context;
  void *stack;
  size_t stack_size;
  enum job_state state;
  int (*func)(void *);
  void *args_copy;      /* the private copy of the caller's args, owned */
  void *arg;            /* what func gets: args_copy, no_args or NULL */
  char no_args[1];      /* a zero-size copy is still a copy: not NULL */
  int result;
  int blocked;          /* ASYNC_block_pause nesting, per job */
  ASYNC_WAIT_CTX *wait_ctx;
  struct async_job_st *next_in_pool; /* every job of the thread */
  struct async_job_st *next_idle;
};

/* The thread's state lives in __thread variables of this (dlopen'ed)
 * library, so glibc allocates it per thread on first use. */
static __thread int t_has_pool;
static __thread size_t t_max_size;
static __thread size_t t_job_count;
static __thread ASYNC_JOB *t_jobs;
static __thread ASYNC_JOB *t_idle_first;
static __thread ASYNC_JOB *t_idle_last;
static __thread ASYNC_JOB *t_current;
static __thread ucontext_t t_scheduler;

/* --- job stacks ---------------------------------------------------------- */

enum { kRequestedStack = 32768, kSmallestStack = 8192 };

static void *mmap_stack(size_t *num) {
  void *p = mmap(NULL, *num, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  return p == MAP_FAILED ? NULL : p;
}

/* munmap needs the length: the default allocator keeps it before the stack. */
static void *default_stack_alloc(size_t *num) {
  size_t size = *num + 64;
  char *p = mmap_stack(&size);
  if (p == NULL) return NULL;
  memcpy(p, &size, sizeof size);
  return p + 64;
}

static void default_stack_free(void *addr) {
  char *p = (char *)addr - 64;
  size_t size;
  memcpy(&size, p, sizeof size);
  munmap(p, size);
}

static pthread_mutex_t g_mem_lock = PTHREAD_MUTEX_INITIALIZER;
static ASYNC_stack_alloc_fn g_stack_alloc = default_stack_alloc;
static ASYNC_stack_free_fn g_stack_free = default_stack_free;
static int g_stack_ever_allocated;

ALT_API int ASYNC_set_mem_functions(ASYNC_stack_alloc_fn alloc_fn, ASYNC_stack_free_fn free_fn) {
  pthread_mutex_lock(&g_mem_lock);
  const int allowed = !g_stack_ever_allocated;
  if (allowed) {
    /* NULL asks for the default back. */
    g_stack_alloc = alloc_fn != NULL ? alloc_fn : default_stack_alloc;
    g_stack_free = free_fn != NULL ? free_fn : default_stack_free;
  }
  pthread_mutex_unlock(&g_mem_lock);
  return allowed;
}

ALT_API void ASYNC_get_mem_functions(ASYNC_stack_alloc_fn *alloc_fn, ASYNC_stack_free_fn *free_fn) {
  pthread_mutex_lock(&g_mem_lock);
  if (alloc_fn != NULL) *alloc_fn = g_stack_alloc;
  if (free_fn != NULL) *free_fn = g_stack_free;
  pthread_mutex_unlock(&g_mem_lock);
}

/* --- the pool -------------------------------------------------------------- */

static void free_thread_state(void);

static pthread_key_t g_exit_key;
static pthread_once_t g_exit_key_once = PTHREAD_ONCE_INIT;
static void on_thread_exit(void *unused) {
  (void)unused;
  free_thread_state();
}
static void make_exit_key(void) { pthread_key_create(&g_exit_key, on_thread_exit); }

static ASYNC_JOB *new_job(void) {
  ASYNC_JOB *job = calloc(1, sizeof *job);
  if (job == NULL) return NULL;
  pthread_mutex_lock(&g_mem_lock);
  g_stack_ever_allocated = 1;
  ASYNC_stack_alloc_fn alloc = g_stack_alloc;
  pthread_mutex_unlock(&g_mem_lock);
  size_t size = kRequestedStack;
  job->stack = alloc(&size);
  if (job->stack == NULL || size < kSmallestStack) {
    if (job->stack != NULL) g_stack_free(job->stack);
    free(job);
    return NULL;
  }
  job->stack_size = size;
  job->next_in_pool = t_jobs;
  t_jobs = job;
  ++t_job_count;
  return job;
}

static void destroy_job(ASYNC_JOB *job) {
  g_stack_free(job->stack);
  free(job->args_copy);
  free(job);
}

static void push_idle(ASYNC_JOB *job) {
  job->state = JOB_IDLE;
  job->next_idle = NULL;
  if (t_idle_last != NULL) t_idle_last->next_idle = job;
  else t_idle_first = job;
  t_idle_last = job;
}

static ASYNC_JOB *pop_idle(void) {
  ASYNC_JOB *job = t_idle_first;
  if (job == NULL) return NULL;
  t_idle_first = job->next_idle;
  if (t_idle_first == NULL) t_idle_last = NULL;
  return job;
}

static int make_pool(size_t max_size, size_t init_size) {
  pthread_once(&g_exit_key_once, make_exit_key);
  pthread_setspecific(g_exit_key, &t_has_pool);
  t_has_pool = 1;
  t_max_size = max_size;
  for (size_t i = 0; i < init_size; ++i) {
    ASYNC_JOB *job = new_job();
    if (job == NULL) return 0;
    push_idle(job);
  }
  return 1;
}

/* Frees the jobs of the thread for which `keep` is false. */
static void free_jobs(int (*keep)(const ASYNC_JOB *)) {
  ASYNC_JOB **link = &t_jobs;
  t_idle_first = t_idle_last = NULL;
  while (*link != NULL) {
    ASYNC_JOB *job = *link;
    if (keep != NULL && keep(job)) {
      if (job->state == JOB_IDLE) push_idle(job);
      link = &job->next_in_pool;
      continue;
    }
    *link = job->next_in_pool;
    --t_job_count;
    destroy_job(job);
  }
}

static void free_thread_state(void) {
  free_jobs(NULL);
  t_has_pool = 0;
  t_max_size = 0;
  t_current = NULL;
}

static int is_busy(const ASYNC_JOB *job) { return job->state != JOB_IDLE; }

ALT_API int ASYNC_init_thread(size_t max_size, size_t init_size) {
  /* A pool once made is not replaced: its jobs may be paused. */
  if (t_has_pool) return 0;
  if (max_size != 0 && init_size > max_size) return 0;
  if (!make_pool(max_size, init_size)) {
    free_thread_state();
    return 0;
  }
  return 1;
}

ALT_API void ASYNC_cleanup_thread(void) {
  /* Inside a job only the idle jobs can go: the running one is on its stack. */
  if (t_current != NULL) {
    free_jobs(is_busy);
    return;
  }
  free_thread_state();
}

static ASYNC_JOB *own_job(const ASYNC_JOB *handle) {
  for (ASYNC_JOB *job = t_jobs; job != NULL; job = job->next_in_pool) {
    if (job == handle) return job;
  }
  return NULL;
}

/* --- running jobs ------------------------------------------------------------ */

static void job_entry(void) {
  ASYNC_JOB *job = t_current;
  job->result = job->func(job->arg);
  job->state = JOB_FINISHED;
  /* t_current again: the job may have paused and come back on this thread. */
  swapcontext(&job->context, &t_scheduler);
}

/* Switches to `job` until it pauses or finishes; what ASYNC_start_job returns. */
static int run(ASYNC_JOB **handle, ASYNC_JOB *job, int *ret) {
  t_current = job;
  job->state = JOB_RUNNING;
  swapcontext(&t_scheduler, &job->context);
  t_current = NULL;
  if (job->state == JOB_PAUSED) {
    *handle = job;
    if (ret != NULL) *ret = 0;
    return ASYNC_PAUSE;
  }
  if (ret != NULL) *ret = job->result;
  *handle = NULL;
  free(job->args_copy);
  job->args_copy = NULL;
  job->wait_ctx = NULL;
  job->blocked = 0;
  push_idle(job);
  return ASYNC_FINISH;
}

ALT_API int ASYNC_start_job(ASYNC_JOB **handle, ASYNC_WAIT_CTX *ctx, int *ret, int (*func)(void *),
                            void *args, size_t size) {
  if (handle == NULL || t_current != NULL) return ASYNC_ERR;
  if (*handle != NULL) {
    ASYNC_JOB *job = own_job(*handle);
    if (job == NULL || job->state != JOB_PAUSED) return ASYNC_ERR;
    if (job->wait_ctx != NULL) alt_wait_ctx_reset_changes(job->wait_ctx);
    return run(handle, job, ret);
  }
  if (func == NULL) return ASYNC_ERR;
  if (!t_has_pool && !make_pool(0, 0)) return ASYNC_ERR;
  ASYNC_JOB *job = pop_idle();
  if (job == NULL) {
    if (t_max_size != 0 && t_job_count >= t_max_size) return ASYNC_NO_JOBS;
    job = new_job();
    if (job == NULL) return ASYNC_NO_JOBS;
  }
  job->arg = NULL;
  if (args != NULL && size > 0) {
    job->args_copy = malloc(size);
    if (job->args_copy == NULL) {
      push_idle(job);
      return ASYNC_ERR;
    }
    memcpy(job->args_copy, args, size);
    job->arg = job->args_copy;
  } else if (args != NULL) {
    job->arg = job->no_args;
  }
  job->func = func;
  job->wait_ctx = ctx;
  job->blocked = 0;
  /* A fresh context for every use: nothing of the last body survives. */
  getcontext(&job->context);
  job->context.uc_stack.ss_sp = job->stack;
  job->context.uc_stack.ss_size = job->stack_size;
  job->context.uc_link = NULL;
  makecontext(&job->context, job_entry, 0);
  return run(handle, job, ret);
}

ALT_API int ASYNC_pause_job(void) {
  ASYNC_JOB *job = t_current;
  if (job == NULL || job->blocked > 0) return 1;
  job->state = JOB_PAUSED;
  swapcontext(&job->context, &t_scheduler);
  return 1;
}

ALT_API ASYNC_JOB *ASYNC_get_current_job(void) { return t_current; }

ALT_API ASYNC_WAIT_CTX *ASYNC_get_wait_ctx(ASYNC_JOB *job) { return job != NULL ? job->wait_ctx : NULL; }

ALT_API void ASYNC_block_pause(void) {
  if (t_current != NULL) ++t_current->blocked;
}

ALT_API void ASYNC_unblock_pause(void) {
  if (t_current != NULL && t_current->blocked > 0) --t_current->blocked;
}

ALT_API int ASYNC_is_capable(void) { return 1; }
