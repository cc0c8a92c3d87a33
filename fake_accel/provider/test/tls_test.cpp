// A TLS 1.3 handshake over memory BIOs whose server runs with
// SSL_MODE_ASYNC. fakeaccel is loaded before the default provider, so every
// SHA-2 digest fetched without a query in that library context is
// fakeaccel's: libssl's transcript hashes and the default provider's own
// HKDF, HMAC and ECDSA. Their final steps run on the simulated device, the
// server's SSL_do_handshake returns SSL_ERROR_WANT_ASYNC while a job waits,
// and the loop waits on SSL_get_all_async_fds, as nginx does.
#include <poll.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <openssl/async.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace {

class FakeAccelTls : public ::testing::Test {
protected:
  /// The device's configuration string for this fixture (FAKEACCEL_CONFIG,
  /// read when the provider loads).
  virtual const char* device_config() const { return ""; }

  void SetUp() override {
    ASSERT_EQ(setenv("FAKEACCEL_CONFIG", device_config(), 1), 0);
    libctx_ = OSSL_LIB_CTX_new();
    ASSERT_NE(libctx_, nullptr);
    ASSERT_EQ(OSSL_PROVIDER_set_default_search_path(libctx_, FAKEACCEL_PROVIDER_DIR), 1);
    fakeaccel_ = OSSL_PROVIDER_load(libctx_, "fakeaccel");
    ASSERT_NE(fakeaccel_, nullptr);
    default_ = OSSL_PROVIDER_load(libctx_, "default");
    ASSERT_NE(default_, nullptr);
    ASSERT_EQ(unsetenv("FAKEACCEL_CONFIG"), 0);
    key_ = EVP_PKEY_Q_keygen(libctx_, nullptr, "EC", "P-256");
    ASSERT_NE(key_, nullptr);
    cert_ = self_signed(key_);
    ASSERT_NE(cert_, nullptr);
  }
  void TearDown() override {
    X509_free(cert_);
    EVP_PKEY_free(key_);
    if (fakeaccel_ != nullptr) OSSL_PROVIDER_unload(fakeaccel_);
    if (default_ != nullptr) OSSL_PROVIDER_unload(default_);
    OSSL_LIB_CTX_free(libctx_);
  }

  X509* self_signed(EVP_PKEY* key) {
    X509* x = X509_new_ex(libctx_, nullptr);
    if (x == nullptr) return nullptr;
    X509_NAME* name = X509_get_subject_name(x);
    const bool ok = X509_set_version(x, X509_VERSION_3) == 1 && ASN1_INTEGER_set(X509_get_serialNumber(x), 1) == 1 &&
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

  std::uint64_t counter(const char* name) {
    std::uint64_t value = 0;
    OSSL_PARAM params[] = {OSSL_PARAM_construct_uint64(name, &value), OSSL_PARAM_construct_end()};
    EXPECT_EQ(OSSL_PROVIDER_get_params(fakeaccel_, params), 1) << name;
    return value;
  }

  OSSL_LIB_CTX* libctx_ = nullptr;
  OSSL_PROVIDER* fakeaccel_ = nullptr;
  OSSL_PROVIDER* default_ = nullptr;
  EVP_PKEY* key_ = nullptr;
  X509* cert_ = nullptr;
};

// What one call left to do: done, wait for the peer, wait for the device.
enum class Step { Done, Peer, Async, Failed };

Step step_of(SSL* ssl, int rc) {
  if (rc == 1) return Step::Done;
  switch (SSL_get_error(ssl, rc)) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE: return Step::Peer;
    case SSL_ERROR_WANT_ASYNC: return Step::Async;
    default: return Step::Failed;
  }
}

// Waits until one of the server's async fds is readable (1 s at most).
bool wait_async_fds(SSL* ssl) {
  size_t n = 0;
  if (SSL_get_all_async_fds(ssl, nullptr, &n) != 1 || n == 0) return false;
  std::vector<OSSL_ASYNC_FD> fds(n);
  if (SSL_get_all_async_fds(ssl, fds.data(), &n) != 1) return false;
  std::vector<pollfd> p;
  for (OSSL_ASYNC_FD fd : fds) p.push_back({fd, POLLIN, 0});
  return poll(p.data(), p.size(), 1000) > 0;
}

struct Handshake {
  bool done = false;
  int want_async = 0;
  std::string failure;
};

// Set by libssl's async callback (SSL_set_async_callback), on the
// device's worker thread, when the server's job can go on.
std::atomic<int> g_async_callbacks{0};

int on_async_ready(SSL*, void*) {
  g_async_callbacks.fetch_add(1);
  return 1;
}

// Waits until the async callback came (1 s at most), or the job asked to
// be resumed at once (status EAGAIN: the device's ring was full).
bool wait_async_callback(SSL* ssl, int seen) {
  for (int i = 0; i < 100000; ++i) {
    if (g_async_callbacks.load() > seen) return true;
    int status = ASYNC_STATUS_OK;
    if (SSL_get_async_status(ssl, &status) == 1 && status == ASYNC_STATUS_EAGAIN) return true;
    std::this_thread::sleep_for(std::chrono::microseconds(10));
  }
  return false;
}

enum class Wake { Fds, Callback };

// One TLS 1.3 handshake between a client and a server (SSL_MODE_ASYNC when
// `async`, woken as `wake` says), both on `libctx`, over a BIO pair.
Handshake handshake(OSSL_LIB_CTX* libctx, X509* cert, EVP_PKEY* key, bool async, Wake wake = Wake::Fds) {
  Handshake h;
  SSL_CTX* server_ctx = SSL_CTX_new_ex(libctx, nullptr, TLS_server_method());
  SSL_CTX* client_ctx = SSL_CTX_new_ex(libctx, nullptr, TLS_client_method());
  SSL* server = nullptr;
  SSL* client = nullptr;
  BIO* server_bio = nullptr;
  BIO* client_bio = nullptr;
  if (server_ctx == nullptr || client_ctx == nullptr || SSL_CTX_set_min_proto_version(server_ctx, TLS1_3_VERSION) != 1 ||
      SSL_CTX_use_certificate(server_ctx, cert) != 1 || SSL_CTX_use_PrivateKey(server_ctx, key) != 1 ||
      (server = SSL_new(server_ctx)) == nullptr || (client = SSL_new(client_ctx)) == nullptr ||
      BIO_new_bio_pair(&server_bio, 0, &client_bio, 0) != 1) {
    h.failure = "set-up failed";
  } else {
    if (async) SSL_set_mode(server, SSL_MODE_ASYNC);
    if (wake == Wake::Callback) SSL_set_async_callback(server, &on_async_ready);
    SSL_set_bio(server, server_bio, server_bio);
    SSL_set_bio(client, client_bio, client_bio);
    SSL_set_accept_state(server);
    SSL_set_connect_state(client);
    Step s = Step::Peer;
    Step c = Step::Peer;
    int callbacks_seen = g_async_callbacks.load();
    for (int round = 0; round < 10000 && h.failure.empty() && (s != Step::Done || c != Step::Done); ++round) {
      if (c != Step::Done) c = step_of(client, SSL_do_handshake(client));
      if (s != Step::Done) s = step_of(server, SSL_do_handshake(server));
      if (c == Step::Failed) h.failure = "client handshake failed";
      if (s == Step::Failed) h.failure = "server handshake failed";
      if (s == Step::Async) {
        ++h.want_async;
        if (wake == Wake::Fds && !wait_async_fds(server)) h.failure = "no async fd became readable within 1 s";
        if (wake == Wake::Callback && !wait_async_callback(server, callbacks_seen)) {
          h.failure = "no async callback within 1 s";
        }
      }
      callbacks_seen = g_async_callbacks.load();
    }
    h.done = h.failure.empty() && s == Step::Done && c == Step::Done && SSL_version(server) == TLS1_3_VERSION;
  }
  SSL_free(server);
  SSL_free(client);
  SSL_CTX_free(server_ctx);
  SSL_CTX_free(client_ctx);
  return h;
}

TEST_F(FakeAccelTls, AsyncServerHandshakeWaitsOnTheDeviceAndCompletes) {
  const std::uint64_t paused_before = counter("fakeaccel.paused");
  const Handshake h = handshake(libctx_, cert_, key_, /*async=*/true);
  ASSERT_TRUE(h.done) << h.failure;
  EXPECT_GT(h.want_async, 0) << "the server's handshake never waited for the device";
  EXPECT_GE(counter("fakeaccel.paused") - paused_before, static_cast<std::uint64_t>(h.want_async));
  // SSL_free freed the server's wait ctx: the device's fds with it.
  EXPECT_EQ(counter("fakeaccel.open_fds"), 0u) << "a device fd outlived SSL_free";
  EXPECT_EQ(counter("fakeaccel.timeouts"), 0u);
}

TEST_F(FakeAccelTls, WithoutAsyncModeTheSameHandshakeNeverWaits) {
  const std::uint64_t paused_before = counter("fakeaccel.paused");
  const std::uint64_t submitted_before = counter("fakeaccel.submitted");
  const Handshake h = handshake(libctx_, cert_, key_, /*async=*/false);
  ASSERT_TRUE(h.done) << h.failure;
  EXPECT_EQ(h.want_async, 0);
  EXPECT_EQ(counter("fakeaccel.paused"), paused_before);
  // Outside a job the digests run in the caller: the device sees nothing.
  EXPECT_EQ(counter("fakeaccel.submitted"), submitted_before);
}

// The device wakes jobs through the WAIT_CTX callback, which libssl sets
// when the application gives SSL_set_async_callback: no fd at all.
class FakeAccelTlsCallback : public FakeAccelTls {
protected:
  const char* device_config() const override { return "notify=callback"; }
};

TEST_F(FakeAccelTlsCallback, AsyncServerHandshakeIsWokenByTheAsyncCallback) {
  const int callbacks_before = g_async_callbacks.load();
  const Handshake h = handshake(libctx_, cert_, key_, /*async=*/true, Wake::Callback);
  ASSERT_TRUE(h.done) << h.failure;
  EXPECT_GT(h.want_async, 0);
  EXPECT_GE(g_async_callbacks.load() - callbacks_before, h.want_async);
  EXPECT_EQ(counter("fakeaccel.open_fds"), 0u) << "callback mode opened a device fd";
  EXPECT_EQ(counter("fakeaccel.timeouts"), 0u);
}

}  // namespace
