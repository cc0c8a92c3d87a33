/* LD_PRELOADed into HAProxy by ci/haproxy-e2e.sh: when the process exits,
 * before libcrypto's own atexit cleanup, it reads the fakeaccel provider's
 * counters (its gettable `fakeaccel.*` parameters, whatever they are) and
 * writes them to the file named by FAKEACCEL_EXIT_COUNTERS, one key=value a
 * line without the prefix, as the provider's teardown does to
 * FAKEACCEL_COUNTERS. The teardown's file is written only if the provider
 * is freed at exit; a job that HAProxy abandons while it is paused keeps
 * references to the provider, and then only this file says what the device
 * saw.
 *
 * Build: cc -shared -fPIC -o exit_counters.so haproxy-e2e-counters.c -lcrypto */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/params.h>
#include <openssl/provider.h>

static int write_counters(OSSL_PROVIDER *prov, void *arg) {
  FILE *f = arg;
  if (strcmp(OSSL_PROVIDER_get0_name(prov), "fakeaccel") != 0) return 1;
  const OSSL_PARAM *gettable = OSSL_PROVIDER_gettable_params(prov);
  for (const OSSL_PARAM *p = gettable; p != NULL && p->key != NULL; ++p) {
    if (strncmp(p->key, "fakeaccel.", 10) != 0 || p->data_type != OSSL_PARAM_UNSIGNED_INTEGER) continue;
    uint64_t value = 0;
    OSSL_PARAM request[] = {OSSL_PARAM_construct_uint64(p->key, &value), OSSL_PARAM_construct_end()};
    if (OSSL_PROVIDER_get_params(prov, request) == 1 && OSSL_PARAM_modified(&request[0]))
      fprintf(f, "%s=%llu\n", p->key + 10, (unsigned long long)value);
  }
  return 0; /* found: stop */
}

static void at_exit(void) {
  const char *path = getenv("FAKEACCEL_EXIT_COUNTERS");
  if (path == NULL || *path == '\0') return;
  FILE *f = fopen(path, "w");
  if (f == NULL) return;
  OSSL_PROVIDER_do_all(NULL, write_counters, f);
  fclose(f);
}

__attribute__((constructor)) static void init(void) {
  /* libcrypto registers its cleanup with atexit() on its first
   * initialisation; doing that here, before ours, makes ours run first
   * (atexit runs last in, first out). Some option must be asked for (with
   * none OPENSSL_init_crypto returns at once): the fork handlers, which
   * libssl's initialisation sets up anyway. */
  OPENSSL_init_crypto(OPENSSL_INIT_ATFORK, NULL);
  atexit(at_exit);
}
