/*
 * The example program of ASYNC_start_job(3) (section EXAMPLES), run against
 * any implementation of the ASYNC API:
 *
 *     manpage_example <path to libasyncref.so | libcrypto.so.3 | ...>
 *
 * It is the man page's program, changed only where it has to be:
 *   - the implementation is dlopen()ed from argv[1] (RTLD_NOW | RTLD_LOCAL)
 *     and every ASYNC function is called through a pointer dlsym() resolved
 *     from it (the table `async` below), so the program never links libcrypto;
 *   - malloc/free stand in for OPENSSL_malloc/OPENSSL_free;
 *   - select(), abort() and malloc() get their headers, cleanup() marks its
 *     unused parameters, the results of write()/read() on the pipe are
 *     checked (a failure prints a line the expected output does not have),
 *     and a missing argument or an unloadable library exits with status 2.
 * Its standard output must be exactly the man page's "expected output"
 * (manpage_expected.txt).
 */
#define _POSIX_C_SOURCE 200809L

#ifdef _WIN32
# include <windows.h>
#endif
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>
#include <openssl/async.h>

/* The ASYNC functions the example calls, with the types of <openssl/async.h>. */
typedef void (*wait_fd_cleanup_fn)(ASYNC_WAIT_CTX *, const void *, OSSL_ASYNC_FD, void *);
typedef ASYNC_WAIT_CTX *(*ASYNC_WAIT_CTX_new_fn)(void);
typedef void (*ASYNC_WAIT_CTX_free_fn)(ASYNC_WAIT_CTX *ctx);
typedef int (*ASYNC_WAIT_CTX_set_wait_fd_fn)(ASYNC_WAIT_CTX *ctx, const void *key,
                                             OSSL_ASYNC_FD fd, void *custom_data,
                                             wait_fd_cleanup_fn cleanup);
typedef int (*ASYNC_WAIT_CTX_get_all_fds_fn)(ASYNC_WAIT_CTX *ctx, OSSL_ASYNC_FD *fd,
                                             size_t *numfds);
typedef int (*ASYNC_start_job_fn)(ASYNC_JOB **job, ASYNC_WAIT_CTX *ctx, int *ret,
                                  int (*func)(void *), void *args, size_t size);
typedef int (*ASYNC_pause_job_fn)(void);
typedef ASYNC_JOB *(*ASYNC_get_current_job_fn)(void);
typedef ASYNC_WAIT_CTX *(*ASYNC_get_wait_ctx_fn)(ASYNC_JOB *job);

/*
 * Each typedef must be the type of the header's declaration. _Generic does
 * not evaluate its operand, so naming the function here links nothing.
 */
#define ASSERT_TYPE(name)                                                        \
    _Static_assert(_Generic(&name, name##_fn: 1, default: 0),                    \
                   #name "_fn differs from the declaration in <openssl/async.h>")
ASSERT_TYPE(ASYNC_WAIT_CTX_new);
ASSERT_TYPE(ASYNC_WAIT_CTX_free);
ASSERT_TYPE(ASYNC_WAIT_CTX_set_wait_fd);
ASSERT_TYPE(ASYNC_WAIT_CTX_get_all_fds);
ASSERT_TYPE(ASYNC_start_job);
ASSERT_TYPE(ASYNC_pause_job);
ASSERT_TYPE(ASYNC_get_current_job);
ASSERT_TYPE(ASYNC_get_wait_ctx);

static struct {
    ASYNC_WAIT_CTX_new_fn WAIT_CTX_new;
    ASYNC_WAIT_CTX_free_fn WAIT_CTX_free;
    ASYNC_WAIT_CTX_set_wait_fd_fn WAIT_CTX_set_wait_fd;
    ASYNC_WAIT_CTX_get_all_fds_fn WAIT_CTX_get_all_fds;
    ASYNC_start_job_fn start_job;
    ASYNC_pause_job_fn pause_job;
    ASYNC_get_current_job_fn get_current_job;
    ASYNC_get_wait_ctx_fn get_wait_ctx;
} async;

/* Resolves one function of `lib`; exits with status 2 when it is missing. */
static void *resolve(void *handle, const char *lib, const char *name)
{
    void *sym;

    dlerror();
    sym = dlsym(handle, name);
    if (sym == NULL) {
        const char *why = dlerror();

        fprintf(stderr, "manpage_example: %s does not export %s: %s\n", lib, name,
                why != NULL ? why : "symbol is NULL");
        exit(2);
    }
    return sym;
}

/* Loads the implementation at `lib` into `async`; exits with status 2 on failure. */
static void load_async(const char *lib)
{
    void *handle = dlopen(lib, RTLD_NOW | RTLD_LOCAL);

    if (handle == NULL) {
        fprintf(stderr, "manpage_example: cannot load ASYNC implementation %s: %s\n", lib,
                dlerror());
        exit(2);
    }
    /*
     * dlsym() returns a data pointer; POSIX guarantees it can hold a function
     * pointer. Copying the bytes avoids ISO C's cast from object pointer to
     * function pointer.
     */
#define RESOLVE(member, name)                                                    \
    do {                                                                         \
        void *p_ = resolve(handle, lib, name);                                   \
        _Static_assert(sizeof(async.member) == sizeof(p_), "pointer sizes");    \
        memcpy(&async.member, &p_, sizeof p_);                                   \
    } while (0)
    RESOLVE(WAIT_CTX_new, "ASYNC_WAIT_CTX_new");
    RESOLVE(WAIT_CTX_free, "ASYNC_WAIT_CTX_free");
    RESOLVE(WAIT_CTX_set_wait_fd, "ASYNC_WAIT_CTX_set_wait_fd");
    RESOLVE(WAIT_CTX_get_all_fds, "ASYNC_WAIT_CTX_get_all_fds");
    RESOLVE(start_job, "ASYNC_start_job");
    RESOLVE(pause_job, "ASYNC_pause_job");
    RESOLVE(get_current_job, "ASYNC_get_current_job");
    RESOLVE(get_wait_ctx, "ASYNC_get_wait_ctx");
#undef RESOLVE
    /*
     * The handle is never dlclose()d: like a linked libcrypto, the
     * implementation stays until the process exits, and its own exit-time
     * cleanup (thread state, job pool) runs then.
     */
}

/* ---- The man page's program, from here on. ---- */

int unique = 0;

void cleanup(ASYNC_WAIT_CTX *ctx, const void *key, OSSL_ASYNC_FD r, void *vw)
{
    OSSL_ASYNC_FD *w = (OSSL_ASYNC_FD *)vw;

    (void)ctx;
    (void)key;
    close(r);
    close(*w);
    free(w);
}

int jobfunc(void *arg)
{
    ASYNC_JOB *currjob;
    unsigned char *msg;
    int pipefds[2] = {0, 0};
    OSSL_ASYNC_FD *wptr;
    char buf = 'X';

    currjob = async.get_current_job();
    if (currjob != NULL) {
        printf("Executing within a job\n");
    } else {
        printf("Not executing within a job - should not happen\n");
        return 0;
    }

    msg = (unsigned char *)arg;
    printf("Passed in message is: %s\n", msg);

    /*
     * Create a way to inform the calling thread when this job is ready
     * to resume, in this example we're using file descriptors.
     * For offloading the task to an asynchronous ENGINE it's not necessary,
     * the ENGINE should handle that internally.
     */

    if (pipe(pipefds) != 0) {
        printf("Failed to create pipe\n");
        return 0;
    }
    wptr = malloc(sizeof(OSSL_ASYNC_FD));
    if (wptr == NULL) {
        printf("Failed to malloc\n");
        return 0;
    }
    *wptr = pipefds[1];
    async.WAIT_CTX_set_wait_fd(async.get_wait_ctx(currjob), &unique,
                               pipefds[0], wptr, cleanup);

    /*
     * Normally some external event (like a network read being ready,
     * disk access being finished, or some hardware offload operation
     * completing) would cause this to happen at some
     * later point - but we do it here for demo purposes, i.e.
     * immediately signalling that the job is ready to be woken up after
     * we return to main via ASYNC_pause_job().
     */
    if (write(pipefds[1], &buf, 1) != 1)
        printf("Failed to write to pipe\n");

    /*
     * Return control back to main just before calling a blocking
     * method. The main thread will wait until pipefds[0] is ready
     * for reading before returning control to this thread.
     */
    async.pause_job();

    /* Perform the blocking call (it won't block with this example code) */
    if (read(pipefds[0], &buf, 1) != 1)
        printf("Failed to read from pipe\n");

    printf ("Resumed the job after a pause\n");

    return 1;
}

int main(int argc, char **argv)
{
    ASYNC_JOB *job = NULL;
    ASYNC_WAIT_CTX *ctx = NULL;
    int ret;
    OSSL_ASYNC_FD waitfd;
    fd_set waitfdset;
    size_t numfds;
    unsigned char msg[13] = "Hello world!";

    if (argc != 2 || argv[1][0] == '\0') {
        fprintf(stderr,
                "usage: %s <ASYNC implementation: path of a shared library, "
                "e.g. libasyncref.so or libcrypto.so.3>\n",
                argc > 0 ? argv[0] : "manpage_example");
        return 2;
    }
    load_async(argv[1]);

    printf("Starting...\n");

    ctx = async.WAIT_CTX_new();
    if (ctx == NULL) {
        printf("Failed to create ASYNC_WAIT_CTX\n");
        abort();
    }

    for (;;) {
        switch (async.start_job(&job, ctx, &ret, jobfunc, msg, sizeof(msg))) {
        case ASYNC_ERR:
        case ASYNC_NO_JOBS:
            printf("An error occurred\n");
            goto end;
        case ASYNC_PAUSE:
            printf("Job was paused\n");
            break;
        case ASYNC_FINISH:
            printf("Job finished with return value %d\n", ret);
            goto end;
        }

        /* Get the file descriptor we can use to wait for the job
         * to be ready to be woken up
         */
        printf("Waiting for the job to be woken up\n");

        if (!async.WAIT_CTX_get_all_fds(ctx, NULL, &numfds)
            || numfds > 1) {
            printf("Unexpected number of fds\n");
            abort();
        }
        async.WAIT_CTX_get_all_fds(ctx, &waitfd, &numfds);
        FD_ZERO(&waitfdset);
        FD_SET(waitfd, &waitfdset);

        /* Wait for the job to be ready for wakeup */
        select(waitfd + 1, &waitfdset, NULL, NULL, NULL);
    }

end:
    async.WAIT_CTX_free(ctx);
    printf("Finishing\n");

    return 0;
}
