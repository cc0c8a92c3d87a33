// What the provider's tests share: a self-signed certificate made in a
// library context, and the provider's counters read as provider params.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>

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

/// A library context with fakeaccel loaded first, then the default
/// provider (so fetches without a query pick fakeaccel, as with `openssl
/// -provider fakeaccel -provider default`), its device configured by
/// device_config() (FAKEACCEL_CONFIG, read when the provider loads).
class ProviderFixture : public ::testing::Test {
protected:
  virtual std::string device_config() const { return ""; }

  void SetUp() override {
    const std::string config = device_config();
    ASSERT_EQ(setenv("FAKEACCEL_CONFIG", config.c_str(), 1), 0);
    libctx_ = OSSL_LIB_CTX_new();
    ASSERT_NE(libctx_, nullptr);
    ASSERT_EQ(OSSL_PROVIDER_set_default_search_path(libctx_, FAKEACCEL_PROVIDER_DIR), 1);
    fakeaccel_ = OSSL_PROVIDER_load(libctx_, "fakeaccel");
    ASSERT_EQ(unsetenv("FAKEACCEL_CONFIG"), 0);
    ASSERT_NE(fakeaccel_, nullptr) << "fakeaccel.so not loadable from " FAKEACCEL_PROVIDER_DIR
                                   << " with FAKEACCEL_CONFIG=" << config;
    default_ = OSSL_PROVIDER_load(libctx_, "default");
    ASSERT_NE(default_, nullptr);
  }
  void TearDown() override {
    if (fakeaccel_ != nullptr) OSSL_PROVIDER_unload(fakeaccel_);
    if (default_ != nullptr) OSSL_PROVIDER_unload(default_);
    OSSL_LIB_CTX_free(libctx_);
  }

  std::uint64_t counter(const char* name) { return provider_counter(fakeaccel_, name); }

  OSSL_LIB_CTX* libctx_ = nullptr;
  OSSL_PROVIDER* fakeaccel_ = nullptr;
  OSSL_PROVIDER* default_ = nullptr;
};

}  // namespace fakeaccel_test
