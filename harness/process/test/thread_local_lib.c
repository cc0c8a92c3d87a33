/* A library with a __thread variable, loaded with dlopen by
 * heap_attribution_test: glibc's dynamic linker allocates its TLS block on
 * each thread's first use with malloc, and frees it when a later thread
 * reuses the exited one's stack. */
#include <stdlib.h>

static __thread int t_uses;

int asyncconf_touch_thread_local(void) { return ++t_uses; }

/* The library's own allocations, which the heap count must see. */
void *asyncconf_library_malloc(size_t size) { return malloc(size); }
void asyncconf_library_free(void *p) { free(p); }
