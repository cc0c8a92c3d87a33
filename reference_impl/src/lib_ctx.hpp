// libcrypto's default library context (OSSL_LIB_CTX), kept per job as
// OpenSSL 3.x's ASYNC_start_job keeps it: a job starts with its caller's
// default, a default the job sets holds while the job runs and is put back
// when it resumes, and the caller's is in effect again whenever
// ASYNC_start_job returns. OpenSSL's test/asynctest.c checks it
// (test_ASYNC_start_job_ex).
//
// The library does not link libcrypto: it uses the libcrypto 3.x that is in
// the process's global scope (the drop-in case: LD_PRELOAD beside it, or an
// application linked against both). Without one there is no library
// context to keep, and nothing is done.
#pragma once

namespace asyncconf::ref::lib_ctx {

/// OSSL_LIB_CTX_set0_default: makes `ctx` the thread's default (a null ctx
/// changes nothing) and returns the previous default.
using Set0DefaultFn = void* (*)(void* ctx);

/// libcrypto's OSSL_LIB_CTX_set0_default@OPENSSL_3.0.0 from the global
/// scope, looked up once per process (at the first job start); null when
/// the process has no libcrypto 3.x there. A libcrypto dlopen()ed later,
/// or RTLD_LOCAL, is not seen.
Set0DefaultFn resolve_set0_default() noexcept;

inline Set0DefaultFn set0_default() noexcept {
  static const Set0DefaultFn fn = resolve_set0_default();
  return fn;
}

}  // namespace asyncconf::ref::lib_ctx
