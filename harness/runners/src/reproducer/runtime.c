/*
 * The runtime of asyncconf's C reproducers: the C that is the same in every
 * reproducer write_c_reproducer() writes (reproducer_writer.cpp). It is
 * embedded in the harness at build time (harness/runners/CMakeLists.txt) and
 * compiled on its own by the test reproducer.runtime.compiles.
 *
 * Marker lines, whole-line comments whose text starts with "@", cut it into
 * pieces:
 *   "part NAME"   starts a part, which the writer copies by name, byte for
 *                 byte, where and when the reproducer needs it (unused
 *                 static functions are warnings);
 *   "writer WHAT" starts what stands in for text the writer writes there
 *                 from the plan: never copied, it is here so that the file
 *                 compiles on its own.
 * A piece runs to the next marker line. This comment is never copied.
 *
 * The writer defines the constants the harness also knows (MAX_FDS, ...)
 * ahead of the parts; compiled on its own, they come from -D options.
 */
/*@ part feature_macros */
#define _GNU_SOURCE /* eventfd, F_DUPFD_CLOEXEC, nanosleep: the device */
/*@ part includes */
#include <openssl/async.h>

/*@ part includes.pthread */
#include <pthread.h>
/*@ part includes.semaphore */
#include <semaphore.h>
/*@ part includes.device */
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>
/*@ part includes.libc */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*@ part mem_functions */
#if OPENSSL_VERSION_NUMBER < 0x30200000L
/* OpenSSL 3.2 added these; declared here for older headers. */
typedef void *(*ASYNC_stack_alloc_fn)(size_t *num);
typedef void (*ASYNC_stack_free_fn)(void *addr);
int ASYNC_set_mem_functions(ASYNC_stack_alloc_fn alloc_fn, ASYNC_stack_free_fn free_fn);
void ASYNC_get_mem_functions(ASYNC_stack_alloc_fn *alloc_fn, ASYNC_stack_free_fn *free_fn);
#endif

/*@ writer the constants (from the harness's C++ constants) */
/* The harness's ABI header declares the same: the compiler checks they agree. */
#include "asyncconf/async_abi.h"

#ifndef MAX_FDS
#error "the writer defines MAX_FDS (kMaxFdsPerCtx): an observed fd list holds at most this many"
#endif
#ifndef MAX_KEYS
#error "the writer defines MAX_KEYS (kMaxKeys): wait-fd keys are 0..MAX_KEYS-1"
#endif
#ifndef REF_NULL
#error "the writer defines REF_NULL (kRefNull): a pointer that was NULL"
#endif
#ifndef REF_UNKNOWN
#error "the writer defines REF_UNKNOWN (kRefUnknown): a pointer that names nothing"
#endif
#ifndef RET_UNTOUCHED
#error "the writer defines RET_UNTOUCHED (kRetUntouched): *ret until ASYNC_start_job writes it"
#endif
#ifndef EXIT_VIOLATION
#error "the writer defines EXIT_VIOLATION (kReproducerViolation): the exit status of a violation"
#endif
#ifndef EXIT_SETUP_FAILED
#error "the writer defines EXIT_SETUP_FAILED (kReproducerSetupFailed)"
#endif

/* The handles the sequence's jobs were bound to (the writer sizes them). */
static ASYNC_JOB *bound[2];
static ASYNC_JOB *binding_handle[2];
static int binding_job[2];
static int bindings;

/*@ part counting_allocator */
/* ---- the counting stack allocator ------------------------------------------ */

static long stacks_live;   /* job stacks allocated and not yet freed */
static long stack_allocs;  /* job stacks ever allocated */
static size_t last_asked; /* the stack size asked for last */
static size_t hand_out;   /* the size handed out (0: the size asked) */

static void *counting_alloc(size_t *num)
{
    void *p;

    last_asked = *num;
    if (hand_out != 0)
        *num = hand_out;
    p = malloc(*num);
    if (p != NULL) {
        ++stacks_live;
        ++stack_allocs;
    }
    return p;
}

static void counting_free(void *p)
{
    if (p == NULL)
        return;
    --stacks_live;
    free(p);
}

/*@ part wait_fds */
/* ---- wait fds and callbacks ------------------------------------------------ */

/*@ part cleanup_recorder */
#define CLEANUP_RING 1024
static long cleanups;                 /* cleanup callbacks so far */
static int cleaned_fd[CLEANUP_RING];  /* the fd of each */

static void count_cleanup(ASYNC_WAIT_CTX *ctx, const void *key, OSSL_ASYNC_FD fd, void *data)
{
    (void)ctx;
    (void)key;
    (void)data;
    cleaned_fd[cleanups % CLEANUP_RING] = fd;
    ++cleanups;
}

/*@ part keys */
static char keys[MAX_KEYS]; /* a wait-fd key is the address of one of these */

static const void *key(int k)
{
    return &keys[k];
}

/*@ part custom_data */
/* The custom_data set with fd: a value, never dereferenced. */
static void *custom_data(int fd)
{
    return (void *)((uintptr_t)0xc0de0000u + (unsigned)fd);
}

/*@ part wakes */
static atomic_long wakes; /* calls of the callback (the device's wake-ups) */

/*@ part callback */
static int wake_callback(void *arg)
{
    (void)arg;
    atomic_fetch_add(&wakes, 1);
    return 1;
}

/* The callback arg set on w<ctx>: a value, never dereferenced. */
static void *callback_arg(int ctx)
{
    return (void *)((uintptr_t)0xca11ba00u + (unsigned)ctx);
}

/*@ part levels */
/* ---- the requirements the checks name ------------------------------------ */

enum level { MUST, DE_FACTO, ROBUSTNESS };
static const char *const level_names[] = { "must", "de-facto", "robustness" };
/* The level the harness checked: a difference in a check of a looser level
 * prints a note and the program goes on. */
/*@ writer checked_level */
static const enum level checked_level = MUST;
/*@ part keep_going */
/* 1: a violation is printed and the program goes on (the harness saw a crash
 * or a hang, which may come after the first difference). */
/*@ writer keep_going */
static const int keep_going = 0;
/*@ part requirement */
static int violations;                   /* differences seen with keep_going */

struct requirement {
    const char *id;
    enum level level;
    const char *text; /* the man page's words, or NULL */
};

/*@ writer the requirements the checks name */
static const struct requirement R_EXAMPLE = {
    "EXAMPLE", MUST,
    NULL
};
/*@ part prediction */

/* What the model predicts for each observation, in the order they are made. */
struct prediction {
    const char *site;     /* where it is made */
    int in_body;          /* by a job body op */
    const char *expected; /* what the model predicts */
    const struct requirement *req; /* what a different op there breaks */
};

/*@ writer the predictions */
#define N_OBS 1
static const struct prediction predicted[N_OBS] = {
    /* 0 */ { "step 0 (wctx_new w0)", 0,
        "ASYNC_WAIT_CTX_new returned a pointer",
        &R_EXAMPLE },
};

/*@ part observations */
/* ---- observations and checks ----------------------------------------------- */

struct fd_list {
    int n; /* how many fds; counts past MAX_FDS */
    int fd[MAX_FDS];
};

/* What one call showed: the fields the harness records. */
struct obs {
    long rc;                /* the return value */
    long ref;               /* a job (j<N>) or wait ctx (w<N>) by name, or REF_NULL, REF_UNKNOWN */
    long ret;               /* *ret after ASYNC_start_job */
    long extra, extra2;     /* an fd, a count, the arg read, a yes/no */
    struct fd_list list;    /* fds: get_all_fds, the added ones of get_changed_fds */
    struct fd_list list2;   /* fds: the deleted ones of get_changed_fds */
    long cleanups;          /* cleanup callbacks during the call */
    struct fd_list cleaned; /* their fds */
    long stacks;            /* job stacks alive after the call */
    long asked;             /* the stack size asked for, when a stack was allocated */
    long cleanups_mark, allocs_mark;
};

static int cur_step = -1;                /* the step running */
static const char *cur_op = "setup";     /* its op */
static const char *cur_site = "";        /* the body op observed last, when in a job */
static int next_obs;                     /* the observation the model expects next */
static int notes;                        /* differences at looser levels */

static void step(int n, const char *op)
{
    cur_step = n;
    cur_op = op;
    cur_site = "";
    fprintf(stderr, "step %d: %s\n", n, op);
    fflush(stderr);
}

/*@ part push_fd */
static void push_fd(struct fd_list *l, int fd)
{
#ifdef DEVICE_FD_FLOOR
    if (fd >= DEVICE_FD_FLOOR)
        fd = DEVICE_FD; /* the device's fd: its number varies from run to run */
#endif
    if (l->n < MAX_FDS)
        l->fd[l->n] = fd;
    ++l->n;
}

/*@ part begin_call */
static void begin_call(struct obs *o)
{
    memset(o, 0, sizeof *o);
    o->ref = REF_NULL;
    o->ret = RET_UNTOUCHED;
/*@ part begin_call.cleanups */
    o->cleanups_mark = cleanups;
/*@ part begin_call.stacks */
    o->allocs_mark = stack_allocs;
/*@ part end_call */
}

/* What the call did to the counters. */
static void end_call(struct obs *o)
{
/*@ part end_call.cleanups */
    long n;

    o->cleanups = cleanups - o->cleanups_mark;
    for (n = o->cleanups_mark; n < cleanups; ++n)
        push_fd(&o->cleaned, cleaned_fd[n % CLEANUP_RING]);
/*@ part end_call.stacks */
    o->stacks = stacks_live;
    if (stack_allocs != o->allocs_mark)
        o->asked = (long)last_asked;
/*@ part end_call.nothing */
    (void)o;
/*@ part difference */
}

/* Prints a difference from the model. One in a check of the checked level (or
 * a stricter one) is a violation: the program ends with EXIT_VIOLATION. */
static void difference(const struct requirement *req, const char *message)
{
    int violation = req == NULL || req->level <= checked_level;

    if (cur_step < 0)
        printf("%s at setup: %s\n", violation ? "VIOLATION" : "note", message);
    else
        printf("%s at step %d (%s)%s%s: %s\n", violation ? "VIOLATION" : "note", cur_step, cur_op,
               cur_site[0] != '\0' ? ", in " : "", cur_site, message);
    if (req != NULL) {
        printf("  requirement %s (%s%s)", req->id, level_names[req->level],
               violation ? "" : "; not enforced at this level");
        if (req->text != NULL)
            printf(": \"%s\"", req->text);
        printf("\n");
    }
    if (violation && keep_going) {
        ++violations;
        fflush(stdout);
        return;
    }
    if (violation) {
        fflush(stdout);
        fflush(stderr);
        _Exit(EXIT_VIOLATION); /* not exit(): this may run on a job's stack */
    }
    ++notes;
}

/* Observation k of the plan is made here: it must be the one the model
 * expects next (otherwise control flow differs from the model). */
static void observation(int k, struct obs *o)
{
    char message[512];

    end_call(o);
    cur_site = predicted[k].in_body ? predicted[k].site : "";
    if (k != next_obs) {
        if (next_obs < N_OBS)
            snprintf(message, sizeof message,
                     "control flow differs from the model: the program reached %s, but the model expected "
                     "observation %d first: %s",
                     predicted[k].site, next_obs, predicted[next_obs].expected);
        else
            snprintf(message, sizeof message,
                     "control flow differs from the model: the program reached %s after the last observation",
                     predicted[k].site);
        difference(next_obs < N_OBS ? predicted[next_obs].req : NULL, message);
    }
    next_obs = k + 1;
}

/*@ part unexpected */
/* A body op ran that the model says never runs. */
static void unexpected(const char *site)
{
    char message[512];

    if (next_obs < N_OBS)
        snprintf(message, sizeof message,
                 "control flow differs from the model: %s ran, which the model says never runs; it expected "
                 "observation %d next: %s",
                 site, next_obs, predicted[next_obs].expected);
    else
        snprintf(message, sizeof message, "control flow differs from the model: %s ran after the last observation",
                 site);
    cur_site = site;
    difference(next_obs < N_OBS ? predicted[next_obs].req : NULL, message);
}

/*@ part expect_value */
enum show { AS_INT, AS_START, AS_JOB, AS_CTX, AS_RET, AS_ARGS, AS_NONNULL, AS_YESNO, AS_BYTES, AS_STATUS };

static const char *show(enum show how, long v, char *buf, size_t size)
{
    switch (how) {
    case AS_START:
        if (v == ASYNC_ERR)
            return "ASYNC_ERR";
        if (v == ASYNC_NO_JOBS)
            return "ASYNC_NO_JOBS";
        if (v == ASYNC_PAUSE)
            return "ASYNC_PAUSE";
        if (v == ASYNC_FINISH)
            return "ASYNC_FINISH";
        break;
    case AS_JOB:
    case AS_CTX:
        if (v == REF_NULL)
            return "NULL";
        if (v == REF_UNKNOWN)
            return how == AS_JOB ? "an unknown job handle" : "an unknown wait ctx";
        snprintf(buf, size, "%c%ld", how == AS_JOB ? 'j' : 'w', v);
        return buf;
    case AS_RET:
        if (v != RET_UNTOUCHED)
            break;
        snprintf(buf, size, "untouched (%#x)", (unsigned)RET_UNTOUCHED);
        return buf;
    case AS_ARGS:
        return v != 0 ? "non-NULL" : "NULL";
    case AS_NONNULL:
        return v != 0 ? "a pointer" : "NULL";
    case AS_YESNO:
        return v != 0 ? "yes" : "no";
    case AS_BYTES:
        if (v == 0)
            return "nothing (no stack was allocated)";
        snprintf(buf, size, "%ld bytes", v);
        return buf;
    case AS_STATUS:
        if (v == ASYNC_STATUS_UNSUPPORTED)
            return "ASYNC_STATUS_UNSUPPORTED";
        if (v == ASYNC_STATUS_ERR)
            return "ASYNC_STATUS_ERR";
        if (v == ASYNC_STATUS_OK)
            return "ASYNC_STATUS_OK";
        if (v == ASYNC_STATUS_EAGAIN)
            return "ASYNC_STATUS_EAGAIN";
        break;
    default:
        break;
    }
    snprintf(buf, size, "%ld", v);
    return buf;
}

static void expect_value(const struct requirement *req, const char *what, enum show how, long got, long want)
{
    char g[64], w[64], message[512];

    if (got == want)
        return;
    snprintf(message, sizeof message, "%s %s, expected %s", what, show(how, got, g, sizeof g),
             show(how, want, w, sizeof w));
    difference(req, message);
}

/*@ part expect_fds */
static void show_fds(const struct fd_list *l, char *buf, size_t size)
{
    int i;
    size_t len;

    snprintf(buf, size, "[");
    for (i = 0; i < l->n && i < MAX_FDS; ++i) {
        len = strlen(buf);
        snprintf(buf + len, size - len, "%s%d", i > 0 ? " " : "", l->fd[i]);
    }
    len = strlen(buf);
    if (l->n > MAX_FDS)
        snprintf(buf + len, size - len, " ...(%d)]", l->n);
    else
        snprintf(buf + len, size - len, "]");
}

static void sort_ints(int *v, int n)
{
    int i, j, x;

    for (i = 1; i < n; ++i) {
        x = v[i];
        for (j = i; j > 0 && v[j - 1] > x; --j)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

static int same_fds(const struct fd_list *a, const struct fd_list *b, int in_order)
{
    int x[MAX_FDS], y[MAX_FDS], i, n;

    if (a->n != b->n)
        return 0;
    n = a->n < MAX_FDS ? a->n : MAX_FDS;
    for (i = 0; i < n; ++i) {
        x[i] = a->fd[i];
        y[i] = b->fd[i];
    }
    if (!in_order) {
        sort_ints(x, n);
        sort_ints(y, n);
    }
    for (i = 0; i < n; ++i)
        if (x[i] != y[i])
            return 0;
    return 1;
}

/* The fds `got` must be the n fds `want`, in any order; in this order too
 * when order_req is not NULL (a difference in order breaks order_req). */
static void expect_fds(const struct requirement *req, const struct requirement *order_req, const char *what,
                       const struct fd_list *got, int n, const int *want)
{
    struct fd_list w;
    char g[256], e[256], message[640];
    int i;

    memset(&w, 0, sizeof w);
    for (i = 0; i < n; ++i)
        push_fd(&w, want[i]);
    show_fds(got, g, sizeof g);
    show_fds(&w, e, sizeof e);
    if (!same_fds(got, &w, 0)) {
        snprintf(message, sizeof message, "%s %s, expected %s (in any order)", what, g, e);
        difference(req, message);
    } else if (order_req != NULL && !same_fds(got, &w, 1)) {
        snprintf(message, sizeof message, "%s %s, expected %s in this order", what, g, e);
        difference(order_req, message);
    }
}

/*@ part no_violation */
static int no_violation(void)
{
    if (violations != 0) {
        printf("%d violation%s above, but no crash: the crash did not reproduce here\n", violations,
               violations == 1 ? "" : "s");
        return EXIT_VIOLATION;
    }
    if (notes == 0)
        printf("no violation: all %d observations matched the model\n", N_OBS);
    else
        printf("no violation: all %d observations matched the model at level %s (%d difference%s at looser "
               "levels noted above)\n",
               N_OBS, level_names[checked_level], notes, notes == 1 ? "" : "s");
    return 0;
}

/*@ part helpers */
/* ---- calls that take more than one line ----------------------------------- */

/*@ part job_ref */
/* The name of handle p in an op on job `job` (the harness's job_ref). */
static long job_ref(int job, ASYNC_JOB *p)
{
    int i;

    if (p == NULL)
        return REF_NULL;
    if (bound[job] == NULL) {
        bound[job] = p;
        for (i = 0; i < bindings; ++i) {
            if (binding_handle[i] == p) {
                binding_job[i] = job;
                return job;
            }
        }
        binding_handle[bindings] = p;
        binding_job[bindings] = job;
        ++bindings;
        return job;
    }
    if (bound[job] == p)
        return job;
    for (i = 0; i < bindings; ++i)
        if (binding_handle[i] == p)
            return binding_job[i];
    return REF_UNKNOWN;
}

/*@ part current_ref */
/* The name of a handle seen outside any job. */
static long current_ref(ASYNC_JOB *p)
{
    long ref = p == NULL ? REF_NULL : REF_UNKNOWN;
    int i;

    for (i = 0; i < bindings; ++i)
        if (binding_handle[i] == p)
            ref = binding_job[i];
    return ref;
}

/*@ writer ctx_ref, which names the sequence's wait ctxs */
/*@ part own_wait_ctx */
/* Inside a job: the job's own wait ctx. */
static ASYNC_WAIT_CTX *own_wait_ctx(void)
{
    return ASYNC_get_wait_ctx(ASYNC_get_current_job());
}

/*@ part job_none */
/* The func of a resume and of a nested start: a job it would start returns at once. */
static int job_none(void *args)
{
    (void)args;
    return 0;
}

/*@ part do_get_fd */
static void do_get_fd(struct obs *o, ASYNC_WAIT_CTX *ctx, int k)
{
    OSSL_ASYNC_FD fd = -1;
    void *data = NULL;

    o->rc = ASYNC_WAIT_CTX_get_fd(ctx, key(k), &fd, &data);
    if (o->rc != 0) {
        o->extra = fd;
        o->extra2 = data == custom_data(fd);
    }
}

/*@ part do_get_all_fds */
static void do_get_all_fds(struct obs *o, ASYNC_WAIT_CTX *ctx)
{
    OSSL_ASYNC_FD fds[MAX_FDS] = { 0 };
    size_t n = 0, i;

    o->rc = ASYNC_WAIT_CTX_get_all_fds(ctx, NULL, &n);
    o->extra = (long)n;
    if (o->rc != 0 && n <= MAX_FDS) {
        o->rc = ASYNC_WAIT_CTX_get_all_fds(ctx, fds, &n);
        for (i = 0; i < n && i < MAX_FDS; ++i)
            push_fd(&o->list, fds[i]);
    } else {
        o->list.n = (int)n;
    }
}

/*@ part do_get_changed_fds */
static void do_get_changed_fds(struct obs *o, ASYNC_WAIT_CTX *ctx)
{
    OSSL_ASYNC_FD add[MAX_FDS] = { 0 }, del[MAX_FDS] = { 0 };
    size_t na = 0, nd = 0, i;

    o->rc = ASYNC_WAIT_CTX_get_changed_fds(ctx, NULL, &na, NULL, &nd);
    o->extra = (long)na;
    o->extra2 = (long)nd;
    if (o->rc != 0 && na <= MAX_FDS && nd <= MAX_FDS) {
        o->rc = ASYNC_WAIT_CTX_get_changed_fds(ctx, add, &na, del, &nd);
        for (i = 0; i < na && i < MAX_FDS; ++i)
            push_fd(&o->list, add[i]);
        for (i = 0; i < nd && i < MAX_FDS; ++i)
            push_fd(&o->list2, del[i]);
    } else {
        o->list.n = (int)na;
        o->list2.n = (int)nd;
    }
}

/*@ part do_get_callback */
static void do_get_callback(struct obs *o, ASYNC_WAIT_CTX *ctx, int w)
{
    ASYNC_callback_fn fn = NULL;
    void *arg = NULL;

    o->rc = ASYNC_WAIT_CTX_get_callback(ctx, &fn, &arg);
    o->extra = fn == wake_callback;
    o->extra2 = arg == callback_arg(w);
}

/*@ part device */
/* ---- the simulated device ---------------------------------------------------- */
/* A stand-in for the harness's device (fake_accel/): a thread serves each
 * offload after DEVICE_LATENCY_US, marks it done, then wakes the job through
 * the wait ctx's callback when one is set (status ASYNC_STATUS_OK first), or
 * else through an eventfd set in the ctx under the device's own key,
 * numbered from DEVICE_FD_FLOOR up, which ASYNC_WAIT_CTX_free's cleanup
 * closes. The job pauses until the work is done, as fake_accel's helper. */
#define DEVICE_LATENCY_US 20
#define OFFLOAD_NOTIFIER_FAILED 6 /* OffloadResult::Status::NotifierFailed */

static char device_key;
static atomic_long offload_returns; /* offloads that returned */

struct request {
    atomic_int paused; /* the job paused (or tried to) for it */
    atomic_int done;
    int fd;
    ASYNC_callback_fn callback;
    void *arg;
};

static void *serve(void *p)
{
    struct request *r = p;
    struct timespec latency = { 0, DEVICE_LATENCY_US * 1000L };
    uint64_t one = 1;

    long waited_us = 0;

    /* Served only once the job has paused, as the harness's device: whether
     * an offload pauses must not depend on how fast this thread runs. */
    while (!atomic_load(&r->paused) && waited_us < 2000000L) {
        nanosleep(&latency, NULL);
        waited_us += DEVICE_LATENCY_US;
    }
    nanosleep(&latency, NULL);
    atomic_store(&r->done, 1); /* the result, before the wake */
    if (r->callback != NULL)
        r->callback(r->arg);
    else if (write(r->fd, &one, sizeof one) != (ssize_t)sizeof one)
        perror("device: write");
    return NULL;
}

static void close_device_fd(ASYNC_WAIT_CTX *ctx, const void *k, OSSL_ASYNC_FD fd, void *data)
{
    (void)ctx;
    (void)k;
    (void)data;
    close(fd);
}

/* The ctx's device fd, made and set on first use; -1 if none could be. */
static int device_fd(ASYNC_WAIT_CTX *ctx)
{
    OSSL_ASYNC_FD fd = -1;
    void *data = NULL;
    int low, high;

    if (ASYNC_WAIT_CTX_get_fd(ctx, &device_key, &fd, &data) == 1)
        return fd;
    low = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (low < 0)
        return -1;
    high = fcntl(low, F_DUPFD_CLOEXEC, DEVICE_FD_FLOOR);
    close(low);
    if (high < 0)
        return -1;
    if (ASYNC_WAIT_CTX_set_wait_fd(ctx, &device_key, high, NULL, close_device_fd) != 1) {
        close(high);
        return -1;
    }
    return high;
}

static void offload_in_job(struct obs *o)
{
    ASYNC_JOB *job = ASYNC_get_current_job();
    ASYNC_WAIT_CTX *ctx = job == NULL ? NULL : ASYNC_get_wait_ctx(job);
    struct request r;
    pthread_t server;
    uint64_t count;

    o->rc = 0;
    o->extra = OFFLOAD_RESULT;
    o->extra2 = 1; /* done, with its own result */
    if (ctx == NULL)
        return; /* nothing could wake the job: the work is done here */
    atomic_init(&r.paused, 0);
    atomic_init(&r.done, 0);
    r.fd = -1;
    r.callback = NULL;
    r.arg = NULL;
    if (ASYNC_WAIT_CTX_get_callback(ctx, &r.callback, &r.arg) == 1 && r.callback != NULL) {
        ASYNC_WAIT_CTX_set_status(ctx, ASYNC_STATUS_OK);
    } else {
        r.callback = NULL;
        r.fd = device_fd(ctx);
        if (r.fd < 0) {
            o->rc = OFFLOAD_NOTIFIER_FAILED;
            return;
        }
    }
    if (pthread_create(&server, NULL, serve, &r) != 0) {
        perror("pthread_create");
        exit(EXIT_SETUP_FAILED);
    }
    while (!atomic_load(&r.done)) {
        atomic_store(&r.paused, 1);
        ASYNC_pause_job(); /* an early resume pauses again */
    }
    pthread_join(server, NULL);
    if (r.fd >= 0)
        while (read(r.fd, &count, sizeof count) == (ssize_t)sizeof count)
            ;
    atomic_fetch_add(&offload_returns, 1);
}

/*@ part await */
#define NOT_WOKEN (-101L) /* the resume found the job still waiting, and no wake-up came in 10 s */
#define NO_FD (-102L)     /* the same, and the ctx lists no device fd to wait on */

enum wakeup { WAKE_SELECT, WAKE_EPOLL, WAKE_CALLBACK, WAKE_BUSY };

static long wakes_seen; /* the callback's wake-ups the driver has seen */

/* Waits as `how` says for the wake-up of a job waiting on `ctx`: 1 woken,
 * 0 not within 10 s, -1 no device fd listed for the ctx. */
static long wait_for_wake(ASYNC_WAIT_CTX *ctx, int how)
{
    OSSL_ASYNC_FD fds[MAX_FDS + 1];
    size_t n = 0, i;
    int top = -1, ep, ready = 0;
    fd_set set;
    struct timeval tv = { 10, 0 };
    struct timespec nap = { 0, 20000 };
    long waited_us = 0;

    if (how == WAKE_BUSY)
        return 1;
    if (how == WAKE_CALLBACK) {
        while (atomic_load(&wakes) == wakes_seen) {
            if (waited_us >= 10000000L)
                return 0;
            nanosleep(&nap, NULL);
            waited_us += 20;
        }
        wakes_seen = atomic_load(&wakes);
        return 1;
    }
    if (ASYNC_WAIT_CTX_get_all_fds(ctx, NULL, &n) != 1 || n == 0 || n > MAX_FDS + 1
        || ASYNC_WAIT_CTX_get_all_fds(ctx, fds, &n) != 1)
        return -1;
    FD_ZERO(&set);
    for (i = 0; i < n; ++i) {
        if (fds[i] < DEVICE_FD_FLOOR || fds[i] >= FD_SETSIZE)
            continue; /* a number the sequence set, never opened */
        FD_SET(fds[i], &set);
        if (fds[i] > top)
            top = fds[i];
    }
    if (top < 0)
        return -1;
    if (how == WAKE_SELECT)
        return select(top + 1, &set, NULL, NULL, &tv) > 0;
    ep = epoll_create1(EPOLL_CLOEXEC); /* edge-triggered, as nginx */
    if (ep < 0)
        return 0;
    for (i = 0; i < n; ++i) {
        struct epoll_event ev;
        if (!FD_ISSET(fds[i], &set))
            continue;
        ev.events = EPOLLIN | EPOLLET;
        ev.data.fd = fds[i];
        epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
    }
    {
        struct epoll_event ev;
        ready = epoll_wait(ep, &ev, 1, 10000) > 0;
    }
    close(ep);
    return ready;
}

static long offload_returns_before_await;

/* The first wake-up of a job waiting on the device. */
static long await_wake(ASYNC_JOB *handle, int how)
{
    offload_returns_before_await = atomic_load(&offload_returns);
    return wait_for_wake(ASYNC_get_wait_ctx(handle), how);
}

/* Resumes the job until its offload returns, waiting again after a resume
 * that found it still waiting. */
static long await_resume(ASYNC_JOB **handle, int *ret, int how)
{
    ASYNC_WAIT_CTX *ctx = ASYNC_get_wait_ctx(*handle);
    long rc = ASYNC_start_job(handle, NULL, ret, job_none, NULL, 0);

    while (rc == ASYNC_PAUSE && atomic_load(&offload_returns) == offload_returns_before_await) {
        long woken = wait_for_wake(ctx, how);
        if (woken != 1)
            return woken == 0 ? NOT_WOKEN : NO_FD;
        rc = ASYNC_start_job(handle, NULL, ret, job_none, NULL, 0);
    }
    return rc;
}

/*@ writer the job functions; the steps' title and the turns, sized by the plan */
static sem_t turn[2];   /* turn[t]: thread t runs its next steps */
/*@ part turns */
static sem_t steps_done; /* the last step has run */

/* Thread `self` hands control to thread `next` and waits for its own turn. */
static void pass_turn(int self, int next)
{
    sem_post(&turn[next]);
    sem_wait(&turn[self]);
}

/* The last step ran: main lets the threads exit. */
static void last_step_done(int self)
{
    sem_post(&steps_done);
    sem_wait(&turn[self]);
}

/*@ writer the threads' functions */
/* Stands in for the steps: a thread that calls every function above. */
static void *thread_t0(void *unused)
{
    struct obs o;
    ASYNC_WAIT_CTX *ctx;
    ASYNC_JOB *job = NULL;
    int ret = RET_UNTOUCHED;

    (void)unused;
    sem_wait(&turn[0]);
    step(0, "wctx_new w0");
    begin_call(&o);
    o.rc = ASYNC_set_mem_functions(counting_alloc, counting_free);
    ctx = ASYNC_WAIT_CTX_new();
    o.rc = ASYNC_WAIT_CTX_set_wait_fd(ctx, key(0), 3, custom_data(3), count_cleanup);
    o.rc = ASYNC_WAIT_CTX_set_callback(ctx, wake_callback, callback_arg(0));
    do_get_fd(&o, ctx, 0);
    do_get_all_fds(&o, ctx);
    do_get_changed_fds(&o, ctx);
    do_get_callback(&o, ctx, 0);
    o.rc = ASYNC_start_job(&job, ctx, &ret, job_none, NULL, 0);
    o.ref = job_ref(0, job);
    o.ref = current_ref(ASYNC_get_current_job());
    o.rc = own_wait_ctx() != NULL;
    offload_in_job(&o);
    o.extra2 = await_wake(job, 3);
    o.rc = await_resume(&job, &ret, 3);
    observation(0, &o);
    expect_value(&R_EXAMPLE, "ASYNC_start_job returned", AS_START, o.rc, ASYNC_FINISH);
    expect_fds(&R_EXAMPLE, NULL, "the fds are", &o.list, 1, (const int[]){ 3 });
    unexpected("j0 body op 0 (pause)");
    ASYNC_WAIT_CTX_free(ctx);
    pass_turn(0, 0);
    last_step_done(0);
    return NULL;
}

/*@ part start_thread */
static void start_thread(pthread_t *thread, void *(*run)(void *))
{
    if (pthread_create(thread, NULL, run, NULL) != 0) {
        printf("setup failed: pthread_create\n");
        exit(EXIT_SETUP_FAILED);
    }
}

/*@ writer main */
int main(void)
{
    pthread_t t0;

    sem_init(&turn[0], 0, 0);
    sem_init(&steps_done, 0, 0);
    start_thread(&t0, thread_t0);
    sem_post(&turn[0]);
    sem_wait(&steps_done);
    sem_post(&turn[0]);
    pthread_join(t0, NULL);
    return no_violation();
}
