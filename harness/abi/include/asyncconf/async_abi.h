/*
 * The ASYNC job ABI as OpenSSL 3.2+ exports it: <openssl/async.h> plus the
 * stack-allocator functions, which OpenSSL 3.0's header does not declare.
 * Every implementation asyncconf loads (libasyncref.so, libcrypto, any .so)
 * is called through exactly these signatures.
 */
#ifndef ASYNCCONF_ASYNC_ABI_H
#define ASYNCCONF_ASYNC_ABI_H

#include <stddef.h>
#include <openssl/async.h>
#include <openssl/opensslv.h>

#ifdef __cplusplus
extern "C" {
#endif

#if OPENSSL_VERSION_NUMBER < 0x30200000L
typedef void *(*ASYNC_stack_alloc_fn)(size_t *num);
typedef void (*ASYNC_stack_free_fn)(void *addr);
int ASYNC_set_mem_functions(ASYNC_stack_alloc_fn alloc_fn, ASYNC_stack_free_fn free_fn);
void ASYNC_get_mem_functions(ASYNC_stack_alloc_fn *alloc_fn, ASYNC_stack_free_fn *free_fn);
#endif

/* The wait-fd cleanup callback's type, which <openssl/async.h> spells inline. */
typedef void (*ASYNC_WAIT_CTX_cleanup_fn)(ASYNC_WAIT_CTX *, const void *, OSSL_ASYNC_FD,
                                          void *);

#ifdef __cplusplus
}
#endif

#endif
