// fakeaccel's EC keys and ECDSA in a fresh OSSL_LIB_CTX: keys generated
// through it, signatures the default provider (in a library context without
// fakeaccel) accepts and the reverse, keys encoded and certificates signed,
// a TLS handshake whose CertificateVerify it signs, and ASYNC jobs pausing
// on the device while they sign.
#include <poll.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <openssl/async.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/provider.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "provider_test_support.hpp"

namespace {

using Bytes = std::vector<unsigned char>;

const char* provider_name(const OSSL_PROVIDER* prov) {
  return prov == nullptr ? "<none>" : OSSL_PROVIDER_get0_name(prov);
}

/// EVP_DigestSign with SHA2-256 in `libctx` (`propq` for the fetches);
/// `used` gets the provider of the signature implementation. Empty on failure.
Bytes sign(OSSL_LIB_CTX* libctx, EVP_PKEY* key, const char* propq, const std::string& msg,
           const OSSL_PROVIDER** used = nullptr) {
  Bytes sig;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  size_t len = 0;
  if (ctx != nullptr && EVP_DigestSignInit_ex(ctx, &pctx, "SHA2-256", libctx, propq, key, nullptr) == 1 &&
      EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(msg.data()), msg.size()) == 1) {
    if (used != nullptr) *used = EVP_PKEY_CTX_get0_provider(pctx);
    sig.resize(len);
    if (EVP_DigestSign(ctx, sig.data(), &len, reinterpret_cast<const unsigned char*>(msg.data()), msg.size()) == 1) {
      sig.resize(len);
    } else {
      sig.clear();
    }
  }
  EVP_MD_CTX_free(ctx);
  return sig;
}

/// EVP_DigestVerify with SHA2-256: 1 valid, 0 invalid, < 0 an error.
int verify(OSSL_LIB_CTX* libctx, EVP_PKEY* key, const char* propq, const std::string& msg, const Bytes& sig,
           const OSSL_PROVIDER** used = nullptr) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  int rc = -1;
  if (ctx != nullptr && EVP_DigestVerifyInit_ex(ctx, &pctx, "SHA2-256", libctx, propq, key, nullptr) == 1) {
    if (used != nullptr) *used = EVP_PKEY_CTX_get0_provider(pctx);
    rc = EVP_DigestVerify(ctx, sig.data(), sig.size(), reinterpret_cast<const unsigned char*>(msg.data()), msg.size());
  }
  EVP_MD_CTX_free(ctx);
  return rc;
}

/// `key`'s public half, DER-encoded (SubjectPublicKeyInfo).
Bytes public_der(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(key, &der);
  if (len <= 0) return {};
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

/// `key`'s public half decoded in `libctx` (whose decoders and key
/// management pick the key's provider there).
EVP_PKEY* public_in(OSSL_LIB_CTX* libctx, EVP_PKEY* key) {
  const Bytes der = public_der(key);
  const unsigned char* p = der.data();
  return der.empty() ? nullptr : d2i_PUBKEY_ex(nullptr, &p, static_cast<long>(der.size()), libctx, nullptr);
}

class FakeAccelSignature : public fakeaccel_test::ProviderFixture {
protected:
  void SetUp() override {
    ProviderFixture::SetUp();
    if (HasFatalFailure()) return;
    // The reference: the default provider alone.
    plain_ = OSSL_LIB_CTX_new();
    ASSERT_NE(plain_, nullptr);
    plain_default_ = OSSL_PROVIDER_load(plain_, "default");
    ASSERT_NE(plain_default_, nullptr);
  }
  void TearDown() override {
    if (plain_default_ != nullptr) OSSL_PROVIDER_unload(plain_default_);
    OSSL_LIB_CTX_free(plain_);
    ProviderFixture::TearDown();
  }

  /// A key generated through fakeaccel's key management.
  EVP_PKEY* fakeaccel_key(const char* curve = "P-256") {
    return EVP_PKEY_Q_keygen(libctx_, "provider=fakeaccel", "EC", curve);
  }

  OSSL_LIB_CTX* plain_ = nullptr;
  OSSL_PROVIDER* plain_default_ = nullptr;
};

TEST_F(FakeAccelSignature, KeygenThroughFakeaccel) {
  for (const auto& [curve, bits] : {std::pair{"P-256", 256}, std::pair{"P-384", 384}}) {
    SCOPED_TRACE(curve);
    EVP_PKEY* key = fakeaccel_key(curve);
    ASSERT_NE(key, nullptr);
    EXPECT_STREQ(provider_name(EVP_PKEY_get0_provider(key)), "fakeaccel");
    EXPECT_TRUE(EVP_PKEY_is_a(key, "EC"));
    EXPECT_EQ(EVP_PKEY_get_bits(key), bits);
    char group[64] = {};
    ASSERT_EQ(EVP_PKEY_get_group_name(key, group, sizeof group, nullptr), 1);
    EXPECT_EQ(OBJ_sn2nid(group), EC_curve_nist2nid(curve)) << group;
    // has/validate: a full check of the pair, by the default provider.
    EVP_PKEY_CTX* check = EVP_PKEY_CTX_new_from_pkey(libctx_, key, nullptr);
    ASSERT_NE(check, nullptr);
    EXPECT_EQ(EVP_PKEY_check(check), 1);
    EXPECT_EQ(EVP_PKEY_public_check(check), 1);
    EVP_PKEY_CTX_free(check);
    // Without a query, fakeaccel (loaded first) generates the key too.
    EVP_PKEY* unqualified = EVP_PKEY_Q_keygen(libctx_, nullptr, "EC", curve);
    ASSERT_NE(unqualified, nullptr);
    EXPECT_STREQ(provider_name(EVP_PKEY_get0_provider(unqualified)), "fakeaccel");
    EXPECT_NE(EVP_PKEY_eq(key, unqualified), 1) << "two generated keys are equal";
    EXPECT_EQ(EVP_PKEY_parameters_eq(key, unqualified), 1);
    EVP_PKEY* copy = EVP_PKEY_dup(key);
    ASSERT_NE(copy, nullptr);
    EXPECT_EQ(EVP_PKEY_eq(key, copy), 1);
    EVP_PKEY_free(copy);
    EVP_PKEY_free(unqualified);
    EVP_PKEY_free(key);
  }
}

TEST_F(FakeAccelSignature, SignsWhatTheDefaultProviderVerifies) {
  for (const char* curve : {"P-256", "P-384"}) {
    SCOPED_TRACE(curve);
    EVP_PKEY* key = fakeaccel_key(curve);
    ASSERT_NE(key, nullptr);
    const std::uint64_t signatures_before = counter("fakeaccel.signatures");
    const OSSL_PROVIDER* used = nullptr;
    const Bytes sig = sign(libctx_, key, nullptr, "message", &used);
    ASSERT_FALSE(sig.empty());
    EXPECT_STREQ(provider_name(used), "fakeaccel");
    EXPECT_EQ(counter("fakeaccel.signatures") - signatures_before, 1u);

    EVP_PKEY* pub = public_in(plain_, key);
    ASSERT_NE(pub, nullptr);
    EXPECT_STREQ(provider_name(EVP_PKEY_get0_provider(pub)), "default");
    const OSSL_PROVIDER* verifier = nullptr;
    EXPECT_EQ(verify(plain_, pub, nullptr, "message", sig, &verifier), 1);
    EXPECT_STREQ(provider_name(verifier), "default");
    EXPECT_EQ(verify(plain_, pub, nullptr, "massage", sig), 0);
    // fakeaccel's own verify agrees.
    EXPECT_EQ(verify(libctx_, key, nullptr, "message", sig, &verifier), 1);
    EXPECT_STREQ(provider_name(verifier), "fakeaccel");
    EXPECT_EQ(verify(libctx_, key, nullptr, "massage", sig), 0);
    // Verifying is not a signature.
    EXPECT_EQ(counter("fakeaccel.signatures") - signatures_before, 1u);
    EVP_PKEY_free(pub);
    EVP_PKEY_free(key);
  }
}

// EVP_PKEY_sign on a digest the caller made (no digest-sign).
TEST_F(FakeAccelSignature, SignsAPrehashedDigest) {
  EVP_PKEY* key = fakeaccel_key();
  ASSERT_NE(key, nullptr);
  unsigned char md[32];
  for (std::size_t i = 0; i < sizeof md; ++i) md[i] = static_cast<unsigned char>(i * 7);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_pkey(libctx_, key, nullptr);
  ASSERT_NE(ctx, nullptr);
  ASSERT_EQ(EVP_PKEY_sign_init(ctx), 1);
  EXPECT_STREQ(provider_name(EVP_PKEY_CTX_get0_provider(ctx)), "fakeaccel");
  size_t len = 0;
  ASSERT_EQ(EVP_PKEY_sign(ctx, nullptr, &len, md, sizeof md), 1);
  Bytes sig(len);
  ASSERT_EQ(EVP_PKEY_sign(ctx, sig.data(), &len, md, sizeof md), 1);
  sig.resize(len);
  EVP_PKEY_CTX_free(ctx);

  EVP_PKEY* pub = public_in(plain_, key);
  ASSERT_NE(pub, nullptr);
  EVP_PKEY_CTX* vctx = EVP_PKEY_CTX_new_from_pkey(plain_, pub, nullptr);
  ASSERT_NE(vctx, nullptr);
  ASSERT_EQ(EVP_PKEY_verify_init(vctx), 1);
  EXPECT_EQ(EVP_PKEY_verify(vctx, sig.data(), sig.size(), md, sizeof md), 1);
  md[0] ^= 1;
  EXPECT_EQ(EVP_PKEY_verify(vctx, sig.data(), sig.size(), md, sizeof md), 0);
  EVP_PKEY_CTX_free(vctx);
  EVP_PKEY_free(pub);
  EVP_PKEY_free(key);
}

TEST_F(FakeAccelSignature, VerifiesWhatTheDefaultProviderSigns) {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(plain_, nullptr, "EC", "P-256");
  ASSERT_NE(key, nullptr);
  const Bytes sig = sign(plain_, key, nullptr, "message");
  ASSERT_FALSE(sig.empty());
  // The public key imported into fakeaccel's key management.
  OSSL_PARAM* params = nullptr;
  ASSERT_EQ(EVP_PKEY_todata(key, EVP_PKEY_PUBLIC_KEY, &params), 1);
  EVP_PKEY_CTX* from = EVP_PKEY_CTX_new_from_name(libctx_, "EC", "provider=fakeaccel");
  ASSERT_NE(from, nullptr);
  EVP_PKEY* pub = nullptr;
  ASSERT_EQ(EVP_PKEY_fromdata_init(from), 1);
  ASSERT_EQ(EVP_PKEY_fromdata(from, &pub, EVP_PKEY_PUBLIC_KEY, params), 1);
  EXPECT_STREQ(provider_name(EVP_PKEY_get0_provider(pub)), "fakeaccel");
  const OSSL_PROVIDER* verifier = nullptr;
  EXPECT_EQ(verify(libctx_, pub, "provider=fakeaccel", "message", sig, &verifier), 1);
  EXPECT_STREQ(provider_name(verifier), "fakeaccel");
  EXPECT_EQ(verify(libctx_, pub, "provider=fakeaccel", "massage", sig), 0);
  // A public key cannot sign.
  EXPECT_TRUE(sign(libctx_, pub, "provider=fakeaccel", "message").empty());
  EVP_PKEY_free(pub);
  EVP_PKEY_CTX_free(from);
  OSSL_PARAM_free(params);
  EVP_PKEY_free(key);
}

// The default provider's encoders export fakeaccel's keys; the PEM reads
// back in a library context without fakeaccel as the same key.
TEST_F(FakeAccelSignature, KeysEncodeAsTheDefaultProvidersDo) {
  EVP_PKEY* key = fakeaccel_key();
  ASSERT_NE(key, nullptr);
  BIO* pem = BIO_new(BIO_s_mem());
  ASSERT_NE(pem, nullptr);
  ASSERT_EQ(PEM_write_bio_PrivateKey(pem, key, nullptr, nullptr, 0, nullptr, nullptr), 1);
  EVP_PKEY* reloaded = PEM_read_bio_PrivateKey_ex(pem, nullptr, nullptr, nullptr, plain_, nullptr);
  BIO_free(pem);
  ASSERT_NE(reloaded, nullptr);
  EXPECT_STREQ(provider_name(EVP_PKEY_get0_provider(reloaded)), "default");
  EXPECT_EQ(public_der(reloaded), public_der(key));
  BIGNUM* a = nullptr;
  BIGNUM* b = nullptr;
  ASSERT_EQ(EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &a), 1);
  ASSERT_EQ(EVP_PKEY_get_bn_param(reloaded, OSSL_PKEY_PARAM_PRIV_KEY, &b), 1);
  EXPECT_EQ(BN_cmp(a, b), 0);
  BN_clear_free(a);
  BN_clear_free(b);
  // What the reloaded key signs, the fakeaccel key verifies.
  const Bytes sig = sign(plain_, reloaded, nullptr, "message");
  ASSERT_FALSE(sig.empty());
  EXPECT_EQ(verify(libctx_, key, nullptr, "message", sig), 1);
  EVP_PKEY_free(reloaded);
  EVP_PKEY_free(key);
}

// A key the default provider's decoder made (a PEM file, as `openssl
// s_server -key` reads it) is exported to fakeaccel when its ECDSA is
// preferred, and signed there.
TEST_F(FakeAccelSignature, DecodedKeysAreSignedByFakeaccelWhenPreferred) {
  EVP_PKEY* original = EVP_PKEY_Q_keygen(plain_, nullptr, "EC", "P-256");
  ASSERT_NE(original, nullptr);
  BIO* pem = BIO_new(BIO_s_mem());
  ASSERT_NE(pem, nullptr);
  ASSERT_EQ(PEM_write_bio_PrivateKey(pem, original, nullptr, nullptr, 0, nullptr, nullptr), 1);
  EVP_PKEY* key = PEM_read_bio_PrivateKey_ex(pem, nullptr, nullptr, nullptr, libctx_, nullptr);
  BIO_free(pem);
  ASSERT_NE(key, nullptr);
  const std::uint64_t signatures_before = counter("fakeaccel.signatures");
  const OSSL_PROVIDER* used = nullptr;
  const Bytes sig = sign(libctx_, key, "?provider=fakeaccel", "message", &used);
  ASSERT_FALSE(sig.empty());
  EXPECT_STREQ(provider_name(used), "fakeaccel");
  EXPECT_EQ(counter("fakeaccel.signatures") - signatures_before, 1u);
  EXPECT_EQ(verify(plain_, original, nullptr, "message", sig), 1);
  EVP_PKEY_free(key);
  EVP_PKEY_free(original);
}

TEST_F(FakeAccelSignature, PropertyQueryPicksFakeaccel) {
  EVP_SIGNATURE* sig = EVP_SIGNATURE_fetch(libctx_, "ECDSA", "?provider=fakeaccel");
  ASSERT_NE(sig, nullptr);
  EXPECT_STREQ(provider_name(EVP_SIGNATURE_get0_provider(sig)), "fakeaccel");
  EVP_SIGNATURE_free(sig);
  EVP_KEYMGMT* km = EVP_KEYMGMT_fetch(libctx_, "id-ecPublicKey", "?provider=fakeaccel");
  ASSERT_NE(km, nullptr);
  EXPECT_STREQ(provider_name(EVP_KEYMGMT_get0_provider(km)), "fakeaccel");
  EVP_KEYMGMT_free(km);
  // And the default provider's stays reachable.
  sig = EVP_SIGNATURE_fetch(libctx_, "ECDSA", "provider=default");
  ASSERT_NE(sig, nullptr);
  EXPECT_STREQ(provider_name(EVP_SIGNATURE_get0_provider(sig)), "default");
  EVP_SIGNATURE_free(sig);
}

TEST_F(FakeAccelSignature, MandatoryQueryWithoutFakeaccelFails) {
  EVP_SIGNATURE* sig = EVP_SIGNATURE_fetch(plain_, "ECDSA", "provider=fakeaccel");
  EXPECT_EQ(sig, nullptr);
  EVP_SIGNATURE_free(sig);
  EVP_PKEY* key = EVP_PKEY_Q_keygen(plain_, "provider=fakeaccel", "EC", "P-256");
  EXPECT_EQ(key, nullptr);
  EVP_PKEY_free(key);
  EVP_PKEY* plain_key = EVP_PKEY_Q_keygen(plain_, nullptr, "EC", "P-256");
  ASSERT_NE(plain_key, nullptr);
  EXPECT_TRUE(sign(plain_, plain_key, "provider=fakeaccel", "message").empty());
  EVP_PKEY_free(plain_key);
}

X509* self_signed(OSSL_LIB_CTX* libctx, EVP_PKEY* key) { return fakeaccel_test::self_signed(libctx, key, 7); }

TEST_F(FakeAccelSignature, CertificatesSignedWithAFakeaccelKeyVerify) {
  EVP_PKEY* key = fakeaccel_key();
  ASSERT_NE(key, nullptr);
  const std::uint64_t signatures_before = counter("fakeaccel.signatures");
  X509* cert = self_signed(libctx_, key);
  ASSERT_NE(cert, nullptr);
  EXPECT_EQ(counter("fakeaccel.signatures") - signatures_before, 1u);
  EXPECT_EQ(X509_get_signature_nid(cert), NID_ecdsa_with_SHA256);
  EXPECT_EQ(X509_verify(cert, key), 1);
  // Re-read where only the default provider is: its own key verifies it.
  unsigned char* der = nullptr;
  const int len = i2d_X509(cert, &der);
  ASSERT_GT(len, 0);
  X509* reread = X509_new_ex(plain_, nullptr);
  ASSERT_NE(reread, nullptr);
  const unsigned char* p = der;
  ASSERT_NE(d2i_X509(&reread, &p, len), nullptr);
  OPENSSL_free(der);
  EVP_PKEY* pub = X509_get0_pubkey(reread);
  ASSERT_NE(pub, nullptr);
  EXPECT_STREQ(provider_name(EVP_PKEY_get0_provider(pub)), "default");
  EXPECT_EQ(X509_verify(reread, pub), 1);
  EXPECT_EQ(X509_check_private_key(cert, key), 1);
  EVP_PKEY* other = fakeaccel_key();
  ASSERT_NE(other, nullptr);
  EXPECT_NE(X509_verify(cert, other), 1);
  EXPECT_EQ(X509_check_private_key(cert, other), 0);
  EVP_PKEY_free(other);
  X509_free(reread);
  X509_free(cert);
  EVP_PKEY_free(key);
}

// A blocking TLS 1.3 handshake over a BIO pair, both ends in `libctx`.
std::string handshake(OSSL_LIB_CTX* libctx, X509* cert, EVP_PKEY* key, const char* groups) {
  SSL_CTX* server_ctx = SSL_CTX_new_ex(libctx, nullptr, TLS_server_method());
  SSL_CTX* client_ctx = SSL_CTX_new_ex(libctx, nullptr, TLS_client_method());
  SSL* server = nullptr;
  SSL* client = nullptr;
  BIO* server_bio = nullptr;
  BIO* client_bio = nullptr;
  std::string failure;
  if (server_ctx == nullptr || client_ctx == nullptr || SSL_CTX_set_min_proto_version(server_ctx, TLS1_3_VERSION) != 1 ||
      SSL_CTX_set1_groups_list(client_ctx, groups) != 1 || SSL_CTX_use_certificate(server_ctx, cert) != 1 ||
      SSL_CTX_use_PrivateKey(server_ctx, key) != 1 || SSL_CTX_check_private_key(server_ctx) != 1 ||
      (server = SSL_new(server_ctx)) == nullptr || (client = SSL_new(client_ctx)) == nullptr ||
      BIO_new_bio_pair(&server_bio, 0, &client_bio, 0) != 1) {
    failure = "set-up failed";
    ERR_print_errors_fp(stderr);
  } else {
    SSL_set_bio(server, server_bio, server_bio);
    SSL_set_bio(client, client_bio, client_bio);
    SSL_set_accept_state(server);
    SSL_set_connect_state(client);
    int s = 0;
    int c = 0;
    for (int round = 0; round < 100 && (s != 1 || c != 1); ++round) {
      if (c != 1) c = SSL_do_handshake(client);
      if (s != 1) s = SSL_do_handshake(server);
      const int ce = c == 1 ? SSL_ERROR_NONE : SSL_get_error(client, c);
      const int se = s == 1 ? SSL_ERROR_NONE : SSL_get_error(server, s);
      if (ce != SSL_ERROR_NONE && ce != SSL_ERROR_WANT_READ && ce != SSL_ERROR_WANT_WRITE) failure = "client failed";
      if (se != SSL_ERROR_NONE && se != SSL_ERROR_WANT_READ && se != SSL_ERROR_WANT_WRITE) failure = "server failed";
      if (!failure.empty()) break;
    }
    if (failure.empty() && (s != 1 || c != 1)) failure = "no handshake after 100 rounds";
    if (failure.empty() && SSL_version(server) != TLS1_3_VERSION) failure = "not TLS 1.3";
  }
  SSL_free(server);
  SSL_free(client);
  SSL_CTX_free(server_ctx);
  SSL_CTX_free(client_ctx);
  return failure;
}

// The server's CertificateVerify is fakeaccel's one signature of the
// handshake; with P-256 key shares, fakeaccel's keys also do the ECDH
// (the default provider's, after an export).
TEST_F(FakeAccelSignature, TlsHandshakeSignsWithFakeaccel) {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(libctx_, nullptr, "EC", "P-256");
  ASSERT_NE(key, nullptr);
  ASSERT_STREQ(provider_name(EVP_PKEY_get0_provider(key)), "fakeaccel");
  X509* cert = self_signed(libctx_, key);
  ASSERT_NE(cert, nullptr);
  for (const char* groups : {"X25519", "P-256", "P-384"}) {
    SCOPED_TRACE(groups);
    const std::uint64_t signatures_before = counter("fakeaccel.signatures");
    const std::string failure = handshake(libctx_, cert, key, groups);
    EXPECT_EQ(failure, "");
    EXPECT_EQ(counter("fakeaccel.signatures") - signatures_before, 1u);
  }
  X509_free(cert);
  EVP_PKEY_free(key);
}

struct SignJob {
  OSSL_LIB_CTX* libctx;
  EVP_PKEY* key;
  const std::string* msgs;
  Bytes* sigs;
  std::size_t count;
};

int run_signs(void* vargs) {
  const SignJob* job = static_cast<const SignJob*>(vargs);
  for (std::size_t i = 0; i < job->count; ++i) job->sigs[i] = sign(job->libctx, job->key, nullptr, job->msgs[i]);
  return 1;
}

// A device slow enough (10 ms a request) that no signature is done before
// its job looks: offload() pauses only while the result is not in, and at
// 100 us a loaded machine can make a job late enough to find it done.
class FakeAccelSignatureSlowDevice : public FakeAccelSignature {
protected:
  std::string device_config() const override { return "latency=fixed:10ms;workers=16"; }
};

// 16 jobs in flight, each signing twice; each pauses on the device, the
// loop waits on the jobs' wait fds with poll(), and every signature holds.
TEST_F(FakeAccelSignatureSlowDevice, JobsPauseOnTheDeviceWhileSigning) {
  constexpr std::size_t kJobs = 16;
  constexpr std::size_t kPerJob = 2;
  EVP_PKEY* key = fakeaccel_key();
  ASSERT_NE(key, nullptr);
  EVP_PKEY* pub = public_in(plain_, key);
  ASSERT_NE(pub, nullptr);
  const std::uint64_t paused_before = counter("fakeaccel.paused");
  const std::uint64_t submitted_before = counter("fakeaccel.submitted");
  const std::uint64_t signatures_before = counter("fakeaccel.signatures");

  std::vector<std::string> msgs(kJobs * kPerJob);
  for (std::size_t i = 0; i < msgs.size(); ++i) msgs[i] = "signed in a job " + std::to_string(i);
  std::vector<Bytes> sigs(msgs.size());
  struct Slot {
    ASYNC_WAIT_CTX* wait_ctx = nullptr;
    ASYNC_JOB* job = nullptr;
    int pauses = 0;
    bool done = false;
  };
  std::array<Slot, kJobs> slots;
  std::size_t errors = 0;
  auto step = [&](std::size_t s) {
    Slot& slot = slots[s];
    SignJob args{libctx_, key, &msgs[s * kPerJob], &sigs[s * kPerJob], kPerJob};
    int ret = 0;
    switch (ASYNC_start_job(&slot.job, slot.wait_ctx, &ret, run_signs, &args, sizeof args)) {
      case ASYNC_PAUSE: ++slot.pauses; return;
      case ASYNC_FINISH: break;
      case ASYNC_ERR:
      case ASYNC_NO_JOBS: ++errors; break;
    }
    slot.job = nullptr;
    slot.done = true;
  };
  for (std::size_t s = 0; s < kJobs; ++s) {
    slots[s].wait_ctx = ASYNC_WAIT_CTX_new();
    ASSERT_NE(slots[s].wait_ctx, nullptr);
  }
  // All 16 started before any is resumed: each must be paused on the device.
  for (std::size_t s = 0; s < kJobs; ++s) {
    step(s);
    EXPECT_FALSE(slots[s].done) << "job " << s << " signed without pausing";
  }
  std::size_t finished = 0;
  for (const Slot& slot : slots) finished += slot.done ? 1 : 0;
  while (finished < kJobs && errors == 0) {
    std::vector<pollfd> fds;
    std::vector<std::size_t> owner;
    for (std::size_t s = 0; s < kJobs; ++s) {
      if (slots[s].done) continue;
      size_t n = 0;
      ASSERT_EQ(ASYNC_WAIT_CTX_get_all_fds(slots[s].wait_ctx, nullptr, &n), 1);
      std::vector<OSSL_ASYNC_FD> slot_fds(n);
      ASSERT_EQ(ASYNC_WAIT_CTX_get_all_fds(slots[s].wait_ctx, slot_fds.data(), &n), 1);
      ASSERT_GT(n, 0u) << "a paused job with no wait fd";
      for (OSSL_ASYNC_FD fd : slot_fds) {
        fds.push_back({fd, POLLIN, 0});
        owner.push_back(s);
      }
    }
    ASSERT_GT(poll(fds.data(), fds.size(), 10000), 0) << "no job woke within 10 s";
    std::vector<bool> ready(kJobs, false);
    for (std::size_t k = 0; k < fds.size(); ++k) {
      if (fds[k].revents & POLLIN) ready[owner[k]] = true;
    }
    for (std::size_t s = 0; s < kJobs; ++s) {
      if (!ready[s]) continue;
      step(s);
      if (slots[s].done) ++finished;
    }
  }
  EXPECT_EQ(errors, 0u);
  EXPECT_EQ(finished, kJobs);
  for (std::size_t s = 0; s < kJobs; ++s) EXPECT_GE(slots[s].pauses, static_cast<int>(kPerJob)) << "job " << s;
  for (std::size_t i = 0; i < msgs.size(); ++i) {
    ASSERT_FALSE(sigs[i].empty()) << i;
    EXPECT_EQ(verify(plain_, pub, nullptr, msgs[i], sigs[i]), 1) << i;
  }
  for (Slot& slot : slots) ASYNC_WAIT_CTX_free(slot.wait_ctx);
  ASYNC_cleanup_thread();

  EXPECT_EQ(counter("fakeaccel.signatures") - signatures_before, msgs.size());
  EXPECT_GE(counter("fakeaccel.paused") - paused_before, msgs.size());
  EXPECT_GE(counter("fakeaccel.submitted") - submitted_before, msgs.size());
  EXPECT_EQ(counter("fakeaccel.timeouts"), 0u);
  EXPECT_EQ(counter("fakeaccel.open_fds"), 0u) << "a wait fd outlived its ASYNC_WAIT_CTX";
  EVP_PKEY_free(pub);
  EVP_PKEY_free(key);
}

}  // namespace
