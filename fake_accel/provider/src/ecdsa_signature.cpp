// Signature "ECDSA" of fakeaccel, for its EC keys (ec_keymgmt.cpp): the
// default provider's ECDSA in the child library context does the
// arithmetic; the final sign is handed to the device with offload(), so an
// ASYNC job that signs (a TLS server's CertificateVerify) pauses until the
// device is done. Verifying runs in software, in the caller: nothing waits
// on a device to check a signature here.
#include <cstring>
#include <memory>
#include <string_view>
#include <thread>
#include <vector>

#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/params.h>

#include "asyncconf/accel/offload.hpp"
#include "ec_key.hpp"
#include "libcrypto_async.hpp"
#include "provider.hpp"

namespace asyncconf::accel::provider {
namespace {

enum class Op { None, Sign, Verify, DigestSign, DigestVerify };

struct SigCtx {
  ProviderCtx* prov = nullptr;
  Op op = Op::None;
  EVP_PKEY_CTX* pkey_ctx = nullptr;  // sign, verify: the default provider's ECDSA
  EVP_MD_CTX* md_ctx = nullptr;      // digest sign/verify: its EVP_DigestSign context

  explicit SigCtx(ProviderCtx* p) noexcept : prov(p) {}
  ~SigCtx() { reset(); }
  SigCtx(const SigCtx&) = delete;
  SigCtx& operator=(const SigCtx&) = delete;

  void reset() noexcept {
    EVP_PKEY_CTX_free(pkey_ctx);
    EVP_MD_CTX_free(md_ctx);
    pkey_ctx = nullptr;
    md_ctx = nullptr;
    op = Op::None;
  }
  /// The default provider's operation context, whichever kind is in use.
  EVP_PKEY_CTX* operation_ctx() const noexcept {
    return md_ctx != nullptr ? EVP_MD_CTX_get_pkey_ctx(md_ctx) : pkey_ctx;
  }
};

/// What the device signs: it owns copies of the operation and the input,
/// so a job that gives up (a timeout) leaves nothing a late worker touches.
struct SignWork {
  EVP_PKEY_CTX* pkey_ctx = nullptr;
  EVP_MD_CTX* md_ctx = nullptr;
  std::vector<unsigned char> tbs;
  std::vector<unsigned char> sig;
  size_t siglen = 0;
  ~SignWork() {
    EVP_PKEY_CTX_free(pkey_ctx);
    EVP_MD_CTX_free(md_ctx);
  }
  /// The caller's thread: offload() runs the work there outside a job.
  std::thread::id caller = std::this_thread::get_id();

  int run() {
    siglen = sig.size();
    const int ok = md_ctx != nullptr ? EVP_DigestSignFinal(md_ctx, sig.data(), &siglen)
                                     : EVP_PKEY_sign(pkey_ctx, sig.data(), &siglen, tbs.data(), tbs.size());
    // On a device worker, drop the thread's libcrypto state at once: the
    // signature's nonce made per-thread DRBGs of the application's library
    // context, and OpenSSL 3.0 frees those at thread exit only if the
    // context still exists then, while the workers stop (at provider
    // teardown) in the middle of OSSL_LIB_CTX_free: they would leak.
    if (std::this_thread::get_id() != caller) OPENSSL_thread_stop();
    return ok;
  }
};

/// Runs the signature on the device (pausing the current ASYNC job, if
/// any) and copies it out.
int sign_on_device(ProviderCtx& prov, const std::shared_ptr<SignWork>& work, unsigned char* sig, size_t* siglen) {
  const OffloadResult result = offload(LibcryptoAsync{}, prov.device(), [work] { return work->run(); });
  if (!result.ok()) {
    const std::string_view why = to_string(result.status);
    ERR_raise_data(ERR_LIB_PROV, ERR_R_OPERATION_FAIL, "fakeaccel: ECDSA sign on the device: %.*s",
                   static_cast<int>(why.size()), why.data());
    return 0;
  }
  if (result.value != 1) {
    ERR_raise_data(ERR_LIB_PROV, ERR_R_OPERATION_FAIL, "fakeaccel: the default provider's ECDSA sign failed");
    return 0;
  }
  std::memcpy(sig, work->sig.data(), work->siglen);
  *siglen = work->siglen;
  prov.count_signature();
  return 1;
}

const EcKey* key_of(void* provkey) {
  const auto* key = static_cast<const EcKey*>(provkey);
  if (key == nullptr || key->pkey == nullptr) {
    ERR_raise(ERR_LIB_PROV, ERR_R_PASSED_NULL_PARAMETER);
    return nullptr;
  }
  return key;
}

void* sig_newctx(void* provctx, const char*) { return new SigCtx(static_cast<ProviderCtx*>(provctx)); }

void sig_freectx(void* vctx) { delete static_cast<SigCtx*>(vctx); }

void* sig_dupctx(void* vctx) {
  const auto* src = static_cast<SigCtx*>(vctx);
  auto* ctx = new SigCtx(src->prov);
  ctx->op = src->op;
  bool ok = true;
  if (src->pkey_ctx != nullptr) ok = (ctx->pkey_ctx = EVP_PKEY_CTX_dup(src->pkey_ctx)) != nullptr;
  if (ok && src->md_ctx != nullptr) {
    ctx->md_ctx = EVP_MD_CTX_new();
    ok = ctx->md_ctx != nullptr && EVP_MD_CTX_copy_ex(ctx->md_ctx, src->md_ctx) == 1;
  }
  if (!ok) {
    delete ctx;
    return nullptr;
  }
  return ctx;
}

// sign/verify on a digest the caller made (EVP_PKEY_sign).
int pkey_init(SigCtx* ctx, void* provkey, const OSSL_PARAM params[], Op op) {
  const EcKey* key = key_of(provkey);
  if (ctx == nullptr || key == nullptr) return 0;
  ctx->reset();
  ctx->pkey_ctx = EVP_PKEY_CTX_new_from_pkey(ctx->prov->child(), key->pkey, kSoftwareQuery);
  if (ctx->pkey_ctx == nullptr) return 0;
  const int ok = op == Op::Sign ? EVP_PKEY_sign_init_ex(ctx->pkey_ctx, params) : EVP_PKEY_verify_init_ex(ctx->pkey_ctx, params);
  if (ok != 1) {
    ctx->reset();
    return 0;
  }
  ctx->op = op;
  return 1;
}

int sig_sign_init(void* vctx, void* provkey, const OSSL_PARAM params[]) {
  return pkey_init(static_cast<SigCtx*>(vctx), provkey, params, Op::Sign);
}

int sig_verify_init(void* vctx, void* provkey, const OSSL_PARAM params[]) {
  return pkey_init(static_cast<SigCtx*>(vctx), provkey, params, Op::Verify);
}

int sig_sign(void* vctx, unsigned char* sig, size_t* siglen, size_t sigsize, const unsigned char* tbs, size_t tbslen) {
  auto* ctx = static_cast<SigCtx*>(vctx);
  if (ctx->op != Op::Sign) return 0;
  // A size query needs no device.
  if (sig == nullptr) return EVP_PKEY_sign(ctx->pkey_ctx, nullptr, siglen, tbs, tbslen) == 1 ? 1 : 0;
  auto work = std::make_shared<SignWork>();
  work->pkey_ctx = EVP_PKEY_CTX_dup(ctx->pkey_ctx);
  if (work->pkey_ctx == nullptr) return 0;
  work->tbs.assign(tbs, tbs + tbslen);
  work->sig.resize(sigsize);
  return sign_on_device(*ctx->prov, work, sig, siglen);
}

int sig_verify(void* vctx, const unsigned char* sig, size_t siglen, const unsigned char* tbs, size_t tbslen) {
  auto* ctx = static_cast<SigCtx*>(vctx);
  if (ctx->op != Op::Verify) return 0;
  return EVP_PKEY_verify(ctx->pkey_ctx, sig, siglen, tbs, tbslen) == 1 ? 1 : 0;
}

// sign/verify with a digest (EVP_DigestSign: libssl, X509_sign).
int md_init(SigCtx* ctx, const char* mdname, void* provkey, const OSSL_PARAM params[], Op op) {
  const EcKey* key = key_of(provkey);
  if (ctx == nullptr || key == nullptr) return 0;
  ctx->reset();
  ctx->md_ctx = EVP_MD_CTX_new();
  if (ctx->md_ctx == nullptr) return 0;
  // kSoftwareQuery fetches the default provider's digest too: the hashing
  // stays in the caller, and only the final sign reaches the device.
  OSSL_LIB_CTX* child = ctx->prov->child();
  const int ok = op == Op::DigestSign
                     ? EVP_DigestSignInit_ex(ctx->md_ctx, nullptr, mdname, child, kSoftwareQuery, key->pkey, params)
                     : EVP_DigestVerifyInit_ex(ctx->md_ctx, nullptr, mdname, child, kSoftwareQuery, key->pkey, params);
  if (ok != 1) {
    ctx->reset();
    return 0;
  }
  ctx->op = op;
  return 1;
}

int sig_digest_sign_init(void* vctx, const char* mdname, void* provkey, const OSSL_PARAM params[]) {
  return md_init(static_cast<SigCtx*>(vctx), mdname, provkey, params, Op::DigestSign);
}

int sig_digest_verify_init(void* vctx, const char* mdname, void* provkey, const OSSL_PARAM params[]) {
  return md_init(static_cast<SigCtx*>(vctx), mdname, provkey, params, Op::DigestVerify);
}

int sig_digest_sign_update(void* vctx, const unsigned char* data, size_t datalen) {
  auto* ctx = static_cast<SigCtx*>(vctx);
  return ctx->op == Op::DigestSign && EVP_DigestSignUpdate(ctx->md_ctx, data, datalen) == 1 ? 1 : 0;
}

int sig_digest_verify_update(void* vctx, const unsigned char* data, size_t datalen) {
  auto* ctx = static_cast<SigCtx*>(vctx);
  return ctx->op == Op::DigestVerify && EVP_DigestVerifyUpdate(ctx->md_ctx, data, datalen) == 1 ? 1 : 0;
}

int sig_digest_sign_final(void* vctx, unsigned char* sig, size_t* siglen, size_t sigsize) {
  auto* ctx = static_cast<SigCtx*>(vctx);
  if (ctx->op != Op::DigestSign) return 0;
  if (sig == nullptr) return EVP_DigestSignFinal(ctx->md_ctx, nullptr, siglen) == 1 ? 1 : 0;
  auto work = std::make_shared<SignWork>();
  work->md_ctx = EVP_MD_CTX_new();
  if (work->md_ctx == nullptr || EVP_MD_CTX_copy_ex(work->md_ctx, ctx->md_ctx) != 1) return 0;
  // The copy is the device's alone: it may finalise it in place.
  EVP_MD_CTX_set_flags(work->md_ctx, EVP_MD_CTX_FLAG_FINALISE);
  work->sig.resize(sigsize);
  return sign_on_device(*ctx->prov, work, sig, siglen);
}

int sig_digest_verify_final(void* vctx, const unsigned char* sig, size_t siglen) {
  auto* ctx = static_cast<SigCtx*>(vctx);
  if (ctx->op != Op::DigestVerify) return 0;
  return EVP_DigestVerifyFinal(ctx->md_ctx, sig, siglen) == 1 ? 1 : 0;
}

// Parameters (the digest, the AlgorithmIdentifier X509_sign writes): the
// default provider's operation answers.
int sig_get_ctx_params(void* vctx, OSSL_PARAM params[]) {
  EVP_PKEY_CTX* op = static_cast<SigCtx*>(vctx)->operation_ctx();
  if (op == nullptr) return params == nullptr || params[0].key == nullptr ? 1 : 0;
  return EVP_PKEY_CTX_get_params(op, params) == 1 ? 1 : 0;
}

int sig_set_ctx_params(void* vctx, const OSSL_PARAM params[]) {
  if (params == nullptr || params[0].key == nullptr) return 1;
  EVP_PKEY_CTX* op = static_cast<SigCtx*>(vctx)->operation_ctx();
  return op != nullptr && EVP_PKEY_CTX_set_params(op, params) == 1 ? 1 : 0;
}

const OSSL_PARAM* sig_gettable_ctx_params(void*, void* provctx) {
  const EVP_SIGNATURE* sw = static_cast<ProviderCtx*>(provctx)->software_ecdsa();
  return sw == nullptr ? nullptr : EVP_SIGNATURE_gettable_ctx_params(sw);
}

const OSSL_PARAM* sig_settable_ctx_params(void*, void* provctx) {
  const EVP_SIGNATURE* sw = static_cast<ProviderCtx*>(provctx)->software_ecdsa();
  return sw == nullptr ? nullptr : EVP_SIGNATURE_settable_ctx_params(sw);
}

const OSSL_DISPATCH kEcdsaFunctions[] = {
    {OSSL_FUNC_SIGNATURE_NEWCTX, reinterpret_cast<void (*)()>(&sig_newctx)},
    {OSSL_FUNC_SIGNATURE_FREECTX, reinterpret_cast<void (*)()>(&sig_freectx)},
    {OSSL_FUNC_SIGNATURE_DUPCTX, reinterpret_cast<void (*)()>(&sig_dupctx)},
    {OSSL_FUNC_SIGNATURE_SIGN_INIT, reinterpret_cast<void (*)()>(&sig_sign_init)},
    {OSSL_FUNC_SIGNATURE_SIGN, reinterpret_cast<void (*)()>(&sig_sign)},
    {OSSL_FUNC_SIGNATURE_VERIFY_INIT, reinterpret_cast<void (*)()>(&sig_verify_init)},
    {OSSL_FUNC_SIGNATURE_VERIFY, reinterpret_cast<void (*)()>(&sig_verify)},
    {OSSL_FUNC_SIGNATURE_DIGEST_SIGN_INIT, reinterpret_cast<void (*)()>(&sig_digest_sign_init)},
    {OSSL_FUNC_SIGNATURE_DIGEST_SIGN_UPDATE, reinterpret_cast<void (*)()>(&sig_digest_sign_update)},
    {OSSL_FUNC_SIGNATURE_DIGEST_SIGN_FINAL, reinterpret_cast<void (*)()>(&sig_digest_sign_final)},
    {OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_INIT, reinterpret_cast<void (*)()>(&sig_digest_verify_init)},
    {OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_UPDATE, reinterpret_cast<void (*)()>(&sig_digest_verify_update)},
    {OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_FINAL, reinterpret_cast<void (*)()>(&sig_digest_verify_final)},
    {OSSL_FUNC_SIGNATURE_GET_CTX_PARAMS, reinterpret_cast<void (*)()>(&sig_get_ctx_params)},
    {OSSL_FUNC_SIGNATURE_GETTABLE_CTX_PARAMS, reinterpret_cast<void (*)()>(&sig_gettable_ctx_params)},
    {OSSL_FUNC_SIGNATURE_SET_CTX_PARAMS, reinterpret_cast<void (*)()>(&sig_set_ctx_params)},
    {OSSL_FUNC_SIGNATURE_SETTABLE_CTX_PARAMS, reinterpret_cast<void (*)()>(&sig_settable_ctx_params)},
    {0, nullptr},
};

}  // namespace

const OSSL_ALGORITHM kSignatures[] = {
    {"ECDSA", "provider=fakeaccel", kEcdsaFunctions, "ECDSA whose final sign runs on the fakeaccel device"},
    {nullptr, nullptr, nullptr, nullptr},
};

}  // namespace asyncconf::accel::provider
