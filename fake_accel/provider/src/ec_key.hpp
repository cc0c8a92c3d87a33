// fakeaccel's EC key object (the keydata of its "EC" key management): a
// wrapper around a key of the default provider, held in the provider's
// child library context. Key handling is the default provider's; only the
// signature's final step is fakeaccel's own.
#pragma once

#include <openssl/evp.h>

#include "provider.hpp"

namespace asyncconf::accel::provider {

struct EcKey {
  ProviderCtx* prov = nullptr;
  /// The default provider's key; null until generated or imported.
  EVP_PKEY* pkey = nullptr;

  explicit EcKey(ProviderCtx* p) noexcept : prov(p) {}
  ~EcKey() { EVP_PKEY_free(pkey); }
  EcKey(const EcKey&) = delete;
  EcKey& operator=(const EcKey&) = delete;

  /// Takes ownership of `key` (replacing any earlier one).
  void reset(EVP_PKEY* key) noexcept {
    EVP_PKEY_free(pkey);
    pkey = key;
  }
};

}  // namespace asyncconf::accel::provider
