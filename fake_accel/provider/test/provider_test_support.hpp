// What the provider's tests share: a self-signed certificate made in a
// library context, and the provider's counters read as provider params.
#pragma once

#include <cstdint>

#include <gtest/gtest.h>
#include <openssl/core.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/provider.h>
#include <openssl/x509.h>

namespace fakeaccel_test {

/// A one-hour certificate for `key`, CN=fakeaccel, signed with it; null
/// when a step fails.
inline X509* self_signed(OSSL_LIB_CTX* libctx, EVP_PKEY* key, long serial = 1) {
  X509* x = X509_new_ex(libctx, nullptr);
  if (x == nullptr) return nullptr;
  X509_NAME* name = X509_get_subject_name(x);
  const bool ok = X509_set_version(x, X509_VERSION_3) == 1 && ASN1_INTEGER_set(X509_get_serialNumber(x), serial) == 1 &&
                  X509_gmtime_adj(X509_getm_notBefore(x), 0) != nullptr &&
                  X509_gmtime_adj(X509_getm_notAfter(x), 3600) != nullptr && X509_set_pubkey(x, key) == 1 &&
                  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                             reinterpret_cast<const unsigned char*>("fakeaccel"), -1, -1, 0) == 1 &&
                  X509_set_issuer_name(x, name) == 1 && X509_sign(x, key, EVP_sha256()) > 0;
  if (!ok) {
    X509_free(x);
    return nullptr;
  }
  return x;
}

/// The provider's counter `name` ("fakeaccel.paused"); a failure to read it
/// fails the test.
inline std::uint64_t provider_counter(OSSL_PROVIDER* provider, const char* name) {
  std::uint64_t value = 0;
  OSSL_PARAM params[] = {OSSL_PARAM_construct_uint64(name, &value), OSSL_PARAM_construct_end()};
  EXPECT_EQ(OSSL_PROVIDER_get_params(provider, params), 1) << name;
  EXPECT_TRUE(OSSL_PARAM_modified(&params[0])) << name;
  return value;
}

}  // namespace fakeaccel_test
