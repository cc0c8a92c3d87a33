// SHA-2 digests whose final step runs on the simulated device: updates go
// straight into a software context (the default provider's digest, from the
// child library context); final hands a copy of that context to the device
// with offload(), which pauses the calling ASYNC job until the device is done.
#include <cstring>
#include <memory>

#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/params.h>

#include "asyncconf/accel/offload.hpp"
#include "libcrypto_async.hpp"
#include "provider.hpp"

namespace asyncconf::accel::provider {
namespace {

struct Sha2Info {
  std::size_t size;
  std::size_t block_size;
};

constexpr Sha2Info info(Sha2 kind) noexcept {
  switch (kind) {
    case Sha2::k256: return {32, 64};
    case Sha2::k384: return {48, 128};
    case Sha2::k512: return {64, 128};
  }
  return {0, 0};
}

struct DigestCtx {
  ProviderCtx* prov = nullptr;
  Sha2 kind = Sha2::k256;
  EVP_MD_CTX* sw = nullptr;
};

/// The device's copy of the state: the work item owns it, so a job that
/// gives up (a timeout) leaves nothing on its stack for a late worker.
struct FinalWork {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned char out[EVP_MAX_MD_SIZE] = {};
  unsigned int len = 0;
  ~FinalWork() { EVP_MD_CTX_free(ctx); }
};

void* new_ctx(void* provctx, Sha2 kind) {
  auto* ctx = new DigestCtx{static_cast<ProviderCtx*>(provctx), kind, EVP_MD_CTX_new()};
  if (ctx->sw == nullptr) {
    delete ctx;
    return nullptr;
  }
  return ctx;
}

void free_ctx(void* vctx) {
  auto* ctx = static_cast<DigestCtx*>(vctx);
  if (ctx == nullptr) return;
  EVP_MD_CTX_free(ctx->sw);
  delete ctx;
}

void* dup_ctx(void* vctx) {
  const auto* src = static_cast<DigestCtx*>(vctx);
  auto* ctx = static_cast<DigestCtx*>(new_ctx(src->prov, src->kind));
  if (ctx == nullptr) return nullptr;
  // An initialised context only: EVP_MD_CTX_copy_ex refuses an empty one.
  if (EVP_MD_CTX_get0_md(src->sw) != nullptr && EVP_MD_CTX_copy_ex(ctx->sw, src->sw) != 1) {
    free_ctx(ctx);
    return nullptr;
  }
  return ctx;
}

int digest_init(void* vctx, const OSSL_PARAM[]) {
  auto* ctx = static_cast<DigestCtx*>(vctx);
  const EVP_MD* md = ctx->prov->software_md(ctx->kind);
  return md != nullptr && EVP_DigestInit_ex2(ctx->sw, md, nullptr) == 1;
}

int digest_update(void* vctx, const unsigned char* in, size_t inl) {
  return EVP_DigestUpdate(static_cast<DigestCtx*>(vctx)->sw, in, inl);
}

int digest_final(void* vctx, unsigned char* out, size_t* outl, size_t outsz) {
  auto* ctx = static_cast<DigestCtx*>(vctx);
  if (outsz < info(ctx->kind).size) return 0;
  auto work = std::make_shared<FinalWork>();
  if (work->ctx == nullptr || EVP_MD_CTX_copy_ex(work->ctx, ctx->sw) != 1) return 0;
  const OffloadResult result = offload(LibcryptoAsync{}, ctx->prov->device(), [work] {
    return EVP_DigestFinal_ex(work->ctx, work->out, &work->len);
  });
  if (!result.ok()) {
    // Say why on the error queue: libssl only adds its own "internal error".
    const std::string_view why = to_string(result.status);
    ERR_raise_data(ERR_LIB_PROV, ERR_R_OPERATION_FAIL, "fakeaccel: digest final on the device: %.*s",
                   static_cast<int>(why.size()), why.data());
    return 0;
  }
  if (result.value != 1) return 0;
  std::memcpy(out, work->out, work->len);
  *outl = work->len;
  return 1;
}

int digest_get_params(OSSL_PARAM params[], Sha2 kind) {
  OSSL_PARAM* p = nullptr;
  if ((p = OSSL_PARAM_locate(params, OSSL_DIGEST_PARAM_BLOCK_SIZE)) != nullptr &&
      OSSL_PARAM_set_size_t(p, info(kind).block_size) != 1)
    return 0;
  if ((p = OSSL_PARAM_locate(params, OSSL_DIGEST_PARAM_SIZE)) != nullptr &&
      OSSL_PARAM_set_size_t(p, info(kind).size) != 1)
    return 0;
  if ((p = OSSL_PARAM_locate(params, OSSL_DIGEST_PARAM_XOF)) != nullptr && OSSL_PARAM_set_int(p, 0) != 1)
    return 0;
  // As the default provider: SHA-2 AlgorithmIdentifiers omit the parameters.
  if ((p = OSSL_PARAM_locate(params, OSSL_DIGEST_PARAM_ALGID_ABSENT)) != nullptr &&
      OSSL_PARAM_set_int(p, 1) != 1)
    return 0;
  return 1;
}

const OSSL_PARAM kDigestGettable[] = {
    OSSL_PARAM_size_t(OSSL_DIGEST_PARAM_BLOCK_SIZE, nullptr),
    OSSL_PARAM_size_t(OSSL_DIGEST_PARAM_SIZE, nullptr),
    OSSL_PARAM_int(OSSL_DIGEST_PARAM_XOF, nullptr),
    OSSL_PARAM_int(OSSL_DIGEST_PARAM_ALGID_ABSENT, nullptr),
    OSSL_PARAM_END,
};

const OSSL_PARAM* digest_gettable_params(void*) { return kDigestGettable; }

template <Sha2 kKind>
void* new_ctx_of(void* provctx) { return new_ctx(provctx, kKind); }

template <Sha2 kKind>
int get_params_of(OSSL_PARAM params[]) { return digest_get_params(params, kKind); }

template <Sha2 kKind>
const OSSL_DISPATCH kFunctions[] = {
    {OSSL_FUNC_DIGEST_NEWCTX, reinterpret_cast<void (*)()>(&new_ctx_of<kKind>)},
    {OSSL_FUNC_DIGEST_INIT, reinterpret_cast<void (*)()>(&digest_init)},
    {OSSL_FUNC_DIGEST_UPDATE, reinterpret_cast<void (*)()>(&digest_update)},
    {OSSL_FUNC_DIGEST_FINAL, reinterpret_cast<void (*)()>(&digest_final)},
    {OSSL_FUNC_DIGEST_FREECTX, reinterpret_cast<void (*)()>(&free_ctx)},
    {OSSL_FUNC_DIGEST_DUPCTX, reinterpret_cast<void (*)()>(&dup_ctx)},
    {OSSL_FUNC_DIGEST_GET_PARAMS, reinterpret_cast<void (*)()>(&get_params_of<kKind>)},
    {OSSL_FUNC_DIGEST_GETTABLE_PARAMS, reinterpret_cast<void (*)()>(&digest_gettable_params)},
    {0, nullptr},
};

}  // namespace

const OSSL_ALGORITHM kDigests[] = {
    {"SHA2-256:SHA-256:SHA256:2.16.840.1.101.3.4.2.1", "provider=fakeaccel", kFunctions<Sha2::k256>,
     "SHA-256 finalised on the fakeaccel device"},
    {"SHA2-384:SHA-384:SHA384:2.16.840.1.101.3.4.2.2", "provider=fakeaccel", kFunctions<Sha2::k384>,
     "SHA-384 finalised on the fakeaccel device"},
    {"SHA2-512:SHA-512:SHA512:2.16.840.1.101.3.4.2.3", "provider=fakeaccel", kFunctions<Sha2::k512>,
     "SHA-512 finalised on the fakeaccel device"},
    {nullptr, nullptr, nullptr, nullptr},
};

}  // namespace asyncconf::accel::provider
