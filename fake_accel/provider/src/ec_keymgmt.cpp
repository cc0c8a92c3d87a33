// Key management "EC" of fakeaccel: every key is a wrapper (EcKey) around a
// key of the default provider in the child library context, and every
// function hands its work to that key through the public EVP_PKEY API
// (EVP_PKEY_fromdata, EVP_PKEY_export, EVP_PKEY_get_params, ...). It exists
// so that keys generated or imported where fakeaccel is fetched first are
// fakeaccel's, and their signatures fakeaccel's ECDSA (ecdsa_signature.cpp).
#include <array>
#include <vector>

#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/params.h>

#include "ec_key.hpp"
#include "provider.hpp"

namespace asyncconf::accel::provider {
namespace {

constexpr int kKeypair = OSSL_KEYMGMT_SELECT_KEYPAIR;
constexpr int kPossible = OSSL_KEYMGMT_SELECT_KEYPAIR | OSSL_KEYMGMT_SELECT_ALL_PARAMETERS;

EcKey* as_key(void* keydata) noexcept { return static_cast<EcKey*>(keydata); }
const EcKey* as_key(const void* keydata) noexcept { return static_cast<const EcKey*>(keydata); }

/// A context of the default provider for `key` in the child library context.
EVP_PKEY_CTX* software_ctx(const EcKey& key) {
  return EVP_PKEY_CTX_new_from_pkey(key.prov->child(), key.pkey, kSoftwareQuery);
}

void* key_new(void* provctx) { return new EcKey(static_cast<ProviderCtx*>(provctx)); }

void key_free(void* keydata) { delete as_key(keydata); }

bool has_param(const EVP_PKEY* pkey, const char* name) {
  OSSL_PARAM request[] = {OSSL_PARAM_construct_octet_string(name, nullptr, 0), OSSL_PARAM_construct_end()};
  // A size query: the key fills in return_size only for what it has.
  return EVP_PKEY_get_params(pkey, request) == 1 && OSSL_PARAM_modified(&request[0]) &&
         request[0].return_size > 0;
}

int key_has(const void* keydata, int selection) {
  const EcKey* key = as_key(keydata);
  if (key == nullptr) return 0;
  if ((selection & kPossible) == 0) return 1;  // nothing asked for is missing
  if (key->pkey == nullptr) return 0;
  // Domain parameters: a default-provider EC key always has its group.
  bool ok = true;
  if ((selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) != 0) ok = ok && has_param(key->pkey, OSSL_PKEY_PARAM_PUB_KEY);
  if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0) {
    BIGNUM* priv = nullptr;
    ok = ok && EVP_PKEY_get_bn_param(key->pkey, OSSL_PKEY_PARAM_PRIV_KEY, &priv) == 1;
    BN_clear_free(priv);
  }
  return ok ? 1 : 0;
}

int key_match(const void* keydata1, const void* keydata2, int selection) {
  const EcKey* a = as_key(keydata1);
  const EcKey* b = as_key(keydata2);
  if (a == nullptr || b == nullptr || a->pkey == nullptr || b->pkey == nullptr) return 0;
  // EVP_PKEY_eq compares the public keys (or, without them, the private
  // ones) and the parameters: at least what the selection asks for.
  if ((selection & kKeypair) != 0) return EVP_PKEY_eq(a->pkey, b->pkey) == 1 ? 1 : 0;
  if ((selection & OSSL_KEYMGMT_SELECT_ALL_PARAMETERS) != 0) return EVP_PKEY_parameters_eq(a->pkey, b->pkey) == 1 ? 1 : 0;
  return 1;
}

int key_validate(const void* keydata, int selection, int checktype) {
  const EcKey* key = as_key(keydata);
  if (key == nullptr) return 0;
  if ((selection & kPossible) == 0) return 1;
  if (key->pkey == nullptr) return 0;
  EVP_PKEY_CTX* ctx = software_ctx(*key);
  if (ctx == nullptr) return 0;
  const bool quick = checktype == OSSL_KEYMGMT_VALIDATE_QUICK_CHECK;
  bool ok = true;
  // The same checks as the default provider's validate for this selection.
  if ((selection & OSSL_KEYMGMT_SELECT_DOMAIN_PARAMETERS) != 0)
    ok = ok && (quick ? EVP_PKEY_param_check_quick(ctx) : EVP_PKEY_param_check(ctx)) == 1;
  if ((selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) != 0)
    ok = ok && (quick ? EVP_PKEY_public_check_quick(ctx) : EVP_PKEY_public_check(ctx)) == 1;
  if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0) ok = ok && EVP_PKEY_private_check(ctx) == 1;
  if ((selection & kKeypair) == kKeypair) ok = ok && EVP_PKEY_pairwise_check(ctx) == 1;
  EVP_PKEY_CTX_free(ctx);
  return ok ? 1 : 0;
}

/// A new default-provider key from `params` (the selection's parts).
EVP_PKEY* software_key_from(ProviderCtx& prov, int selection, const OSSL_PARAM params[]) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(prov.child(), "EC", kSoftwareQuery);
  EVP_PKEY* pkey = nullptr;
  if (ctx == nullptr || EVP_PKEY_fromdata_init(ctx) != 1 ||
      EVP_PKEY_fromdata(ctx, &pkey, selection, const_cast<OSSL_PARAM*>(params)) != 1) {
    pkey = nullptr;
  }
  EVP_PKEY_CTX_free(ctx);
  return pkey;
}

int key_import(void* keydata, int selection, const OSSL_PARAM params[]) {
  EcKey* key = as_key(keydata);
  if (key == nullptr) return 0;
  EVP_PKEY* pkey = software_key_from(*key->prov, selection, params);
  if (pkey == nullptr) return 0;
  key->reset(pkey);
  return 1;
}

int key_export(void* keydata, int selection, OSSL_CALLBACK* cb, void* cbarg) {
  const EcKey* key = as_key(keydata);
  if (key == nullptr || key->pkey == nullptr) return 0;
  return EVP_PKEY_export(key->pkey, selection, cb, cbarg) == 1 ? 1 : 0;
}

/// import_types/export_types get no provctx, so the lists are fakeaccel's
/// own: the default provider's EC parameters, per selection.
const OSSL_PARAM* imexport_types(int selection) {
  static const std::array<std::vector<OSSL_PARAM>, 16> kTypes = [] {
    std::array<std::vector<OSSL_PARAM>, 16> types;
    for (int i = 0; i < 16; ++i) {
      std::vector<OSSL_PARAM>& t = types[static_cast<std::size_t>(i)];
      if ((i & 4) != 0) {
        t.push_back(OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, nullptr, 0));
        t.push_back(OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_ENCODING, nullptr, 0));
        t.push_back(OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, nullptr, 0));
        t.push_back(OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_FIELD_TYPE, nullptr, 0));
        t.push_back(OSSL_PARAM_BN(OSSL_PKEY_PARAM_EC_P, nullptr, 0));
        t.push_back(OSSL_PARAM_BN(OSSL_PKEY_PARAM_EC_A, nullptr, 0));
        t.push_back(OSSL_PARAM_BN(OSSL_PKEY_PARAM_EC_B, nullptr, 0));
        t.push_back(OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_EC_GENERATOR, nullptr, 0));
        t.push_back(OSSL_PARAM_BN(OSSL_PKEY_PARAM_EC_ORDER, nullptr, 0));
        t.push_back(OSSL_PARAM_BN(OSSL_PKEY_PARAM_EC_COFACTOR, nullptr, 0));
        t.push_back(OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_EC_SEED, nullptr, 0));
        t.push_back(OSSL_PARAM_int(OSSL_PKEY_PARAM_EC_DECODED_FROM_EXPLICIT_PARAMS, nullptr));
      }
      if ((i & 2) != 0) t.push_back(OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, nullptr, 0));
      if ((i & 1) != 0) t.push_back(OSSL_PARAM_BN(OSSL_PKEY_PARAM_PRIV_KEY, nullptr, 0));
      if ((i & 8) != 0) {
        t.push_back(OSSL_PARAM_int(OSSL_PKEY_PARAM_USE_COFACTOR_ECDH, nullptr));
        t.push_back(OSSL_PARAM_int(OSSL_PKEY_PARAM_EC_INCLUDE_PUBLIC, nullptr));
      }
      t.push_back(OSSL_PARAM_END);
    }
    return types;
  }();
  int i = 0;
  if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0) i |= 1;
  if ((selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) != 0) i |= 2;
  if ((selection & OSSL_KEYMGMT_SELECT_DOMAIN_PARAMETERS) != 0) i |= 4;
  if ((selection & OSSL_KEYMGMT_SELECT_OTHER_PARAMETERS) != 0) i |= 8;
  return kTypes[static_cast<std::size_t>(i)].data();
}

int key_get_params(void* keydata, OSSL_PARAM params[]) {
  const EcKey* key = as_key(keydata);
  if (key == nullptr || key->pkey == nullptr) return 0;
  return EVP_PKEY_get_params(key->pkey, params) == 1 ? 1 : 0;
}

int key_set_params(void* keydata, const OSSL_PARAM params[]) {
  EcKey* key = as_key(keydata);
  if (key == nullptr || key->pkey == nullptr) return 0;
  return EVP_PKEY_set_params(key->pkey, const_cast<OSSL_PARAM*>(params)) == 1 ? 1 : 0;
}

const OSSL_PARAM* key_gettable_params(void* provctx) {
  const EVP_KEYMGMT* km = static_cast<ProviderCtx*>(provctx)->software_ec_keymgmt();
  return km == nullptr ? nullptr : EVP_KEYMGMT_gettable_params(km);
}

const OSSL_PARAM* key_settable_params(void* provctx) {
  const EVP_KEYMGMT* km = static_cast<ProviderCtx*>(provctx)->software_ec_keymgmt();
  return km == nullptr ? nullptr : EVP_KEYMGMT_settable_params(km);
}

const char* key_query_operation_name(int operation_id) {
  switch (operation_id) {
    case OSSL_OP_SIGNATURE: return "ECDSA";  // fakeaccel's (ecdsa_signature.cpp)
    case OSSL_OP_KEYEXCH: return "ECDH";     // the default provider's, after an export
    default: return nullptr;
  }
}

void* key_dup(const void* keydata, int selection) {
  const EcKey* from = as_key(keydata);
  if (from == nullptr) return nullptr;
  auto* key = new EcKey(from->prov);
  if (from->pkey == nullptr) return key;
  EVP_PKEY* pkey = nullptr;
  if ((selection & kPossible) == kPossible) {
    pkey = EVP_PKEY_dup(from->pkey);
  } else {
    // Part of the key (EVP_PKEY_copy_parameters): through its parameters.
    OSSL_PARAM* params = nullptr;
    if (EVP_PKEY_todata(from->pkey, selection, &params) == 1) pkey = software_key_from(*from->prov, selection, params);
    OSSL_PARAM_free(params);
  }
  if (pkey == nullptr) {
    delete key;
    return nullptr;
  }
  key->reset(pkey);
  return key;
}

// Generation: a keygen (or paramgen) context of the default provider.
struct GenCtx {
  ProviderCtx* prov = nullptr;
  EVP_PKEY_CTX* ctx = nullptr;
  ~GenCtx() { EVP_PKEY_CTX_free(ctx); }
};

int gen_set_params(void* genctx, const OSSL_PARAM params[]) {
  auto* gen = static_cast<GenCtx*>(genctx);
  if (gen == nullptr) return 0;
  if (params == nullptr || params[0].key == nullptr) return 1;
  return EVP_PKEY_CTX_set_params(gen->ctx, params) == 1 ? 1 : 0;
}

void* gen_init(void* provctx, int selection, const OSSL_PARAM params[]) {
  if ((selection & kPossible) == 0) return nullptr;
  auto* prov = static_cast<ProviderCtx*>(provctx);
  auto* gen = new GenCtx{prov, EVP_PKEY_CTX_new_from_name(prov->child(), "EC", kSoftwareQuery)};
  const bool keypair = (selection & kKeypair) != 0;
  if (gen->ctx == nullptr || (keypair ? EVP_PKEY_keygen_init(gen->ctx) : EVP_PKEY_paramgen_init(gen->ctx)) != 1 ||
      gen_set_params(gen, params) != 1) {
    delete gen;
    return nullptr;
  }
  return gen;
}

// A template key (EVP_PKEY_keygen with a parameters key): its group.
int gen_set_template(void* genctx, void* templ) {
  auto* gen = static_cast<GenCtx*>(genctx);
  const EcKey* key = as_key(templ);
  if (gen == nullptr || key == nullptr || key->pkey == nullptr) return 0;
  OSSL_PARAM* params = nullptr;
  const bool ok = EVP_PKEY_todata(key->pkey, OSSL_KEYMGMT_SELECT_DOMAIN_PARAMETERS, &params) == 1 &&
                  EVP_PKEY_CTX_set_params(gen->ctx, params) == 1;
  OSSL_PARAM_free(params);
  return ok ? 1 : 0;
}

const OSSL_PARAM* gen_settable_params(void*, void* provctx) {
  const EVP_KEYMGMT* km = static_cast<ProviderCtx*>(provctx)->software_ec_keymgmt();
  return km == nullptr ? nullptr : EVP_KEYMGMT_gen_settable_params(km);
}

void* gen_generate(void* genctx, OSSL_CALLBACK*, void*) {
  auto* gen = static_cast<GenCtx*>(genctx);
  if (gen == nullptr) return nullptr;
  EVP_PKEY* pkey = nullptr;
  if (EVP_PKEY_generate(gen->ctx, &pkey) != 1) return nullptr;
  auto* key = new EcKey(gen->prov);
  key->reset(pkey);
  return key;
}

void gen_cleanup(void* genctx) { delete static_cast<GenCtx*>(genctx); }

const OSSL_DISPATCH kEcKeymgmtFunctions[] = {
    {OSSL_FUNC_KEYMGMT_NEW, reinterpret_cast<void (*)()>(&key_new)},
    {OSSL_FUNC_KEYMGMT_FREE, reinterpret_cast<void (*)()>(&key_free)},
    {OSSL_FUNC_KEYMGMT_GEN_INIT, reinterpret_cast<void (*)()>(&gen_init)},
    {OSSL_FUNC_KEYMGMT_GEN_SET_TEMPLATE, reinterpret_cast<void (*)()>(&gen_set_template)},
    {OSSL_FUNC_KEYMGMT_GEN_SET_PARAMS, reinterpret_cast<void (*)()>(&gen_set_params)},
    {OSSL_FUNC_KEYMGMT_GEN_SETTABLE_PARAMS, reinterpret_cast<void (*)()>(&gen_settable_params)},
    {OSSL_FUNC_KEYMGMT_GEN, reinterpret_cast<void (*)()>(&gen_generate)},
    {OSSL_FUNC_KEYMGMT_GEN_CLEANUP, reinterpret_cast<void (*)()>(&gen_cleanup)},
    {OSSL_FUNC_KEYMGMT_GET_PARAMS, reinterpret_cast<void (*)()>(&key_get_params)},
    {OSSL_FUNC_KEYMGMT_GETTABLE_PARAMS, reinterpret_cast<void (*)()>(&key_gettable_params)},
    {OSSL_FUNC_KEYMGMT_SET_PARAMS, reinterpret_cast<void (*)()>(&key_set_params)},
    {OSSL_FUNC_KEYMGMT_SETTABLE_PARAMS, reinterpret_cast<void (*)()>(&key_settable_params)},
    {OSSL_FUNC_KEYMGMT_HAS, reinterpret_cast<void (*)()>(&key_has)},
    {OSSL_FUNC_KEYMGMT_MATCH, reinterpret_cast<void (*)()>(&key_match)},
    {OSSL_FUNC_KEYMGMT_VALIDATE, reinterpret_cast<void (*)()>(&key_validate)},
    {OSSL_FUNC_KEYMGMT_IMPORT, reinterpret_cast<void (*)()>(&key_import)},
    {OSSL_FUNC_KEYMGMT_IMPORT_TYPES, reinterpret_cast<void (*)()>(&imexport_types)},
    {OSSL_FUNC_KEYMGMT_EXPORT, reinterpret_cast<void (*)()>(&key_export)},
    {OSSL_FUNC_KEYMGMT_EXPORT_TYPES, reinterpret_cast<void (*)()>(&imexport_types)},
    {OSSL_FUNC_KEYMGMT_QUERY_OPERATION_NAME, reinterpret_cast<void (*)()>(&key_query_operation_name)},
    {OSSL_FUNC_KEYMGMT_DUP, reinterpret_cast<void (*)()>(&key_dup)},
    {0, nullptr},
};

}  // namespace

// Named as the default provider names its EC key management, so that keys
// of either provider are the same type to libcrypto (EVP_PKEY_is_a "EC").
const OSSL_ALGORITHM kKeymgmts[] = {
    {"EC:id-ecPublicKey:1.2.840.10045.2.1", "provider=fakeaccel", kEcKeymgmtFunctions,
     "EC keys of the default provider, signed by fakeaccel's ECDSA"},
    {nullptr, nullptr, nullptr, nullptr},
};

}  // namespace asyncconf::accel::provider
