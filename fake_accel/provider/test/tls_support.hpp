// What the async TLS tests share: a fixture that loads fakeaccel (with a
// device configuration string) before the default provider in a fresh
// OSSL_LIB_CTX, and a loop that drives TLS 1.3 handshakes between clients
// and SSL_MODE_ASYNC servers over BIO pairs, waking the servers' jobs
// through their async fds (as nginx does) or libssl's async callback.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/x509.h>

#include "provider_test_support.hpp"

namespace fakeaccel_tls {

/// The provider's counters (gettable parameters `fakeaccel.*`).
struct Counters {
  std::uint64_t submitted = 0;
  std::uint64_t completed = 0;
  std::uint64_t paused = 0;
  std::uint64_t spurious_resumes = 0;
  std::uint64_t retries = 0;
  std::uint64_t timeouts = 0;
  std::uint64_t open_fds = 0;

  /// Each counter's growth since `before` (open_fds: the current value).
  Counters since(const Counters& before) const;
  std::string to_string() const;
};

/// How the loop learns that a server's job can go on.
enum class Wake {
  Fds,       ///< poll() on SSL_get_all_async_fds
  Callback,  ///< SSL_set_async_callback; a job asking to be resumed at once (EAGAIN) is resumed
};

struct HandshakeOptions {
  bool async = true;  ///< SSL_MODE_ASYNC on the servers
  Wake wake = Wake::Fds;
  int pairs = 1;  ///< client/server pairs driven at once, all on the same device
  /// The loop's own deadline: a handshake not over by then is a hang,
  /// reported as a failure (never a test that waits forever).
  std::chrono::milliseconds deadline{10000};
};

/// What one run of the loop saw (over all its pairs).
struct Handshake {
  bool done = false;          ///< every pair completed, TLS 1.3
  bool hung = false;          ///< the deadline passed with a pair not over
  bool server_failed = false;  ///< some server's SSL_do_handshake failed
  bool client_failed = false;  ///< some client's SSL_do_handshake failed
  int server_error = 0;        ///< SSL_get_error of the first failed server call
  int client_error = 0;        ///< SSL_get_error of the first failed client call
  std::string failure;         ///< why the loop stopped short ("" when done)
  std::string server_errors;   ///< the error queue after the first failed server call
  std::string client_errors;   ///< the error queue after the first failed client call
  int clients_done = 0;        ///< clients whose handshake completed (a server may still fail after)
  int want_async = 0;          ///< server calls that returned SSL_ERROR_WANT_ASYNC
  int eagain = 0;              ///< callback mode: resumes because the job asked for one (EAGAIN)
  int callbacks = 0;           ///< callback mode: async callbacks the servers got
  int waiting_for_async = 0;   ///< servers that still had a paused job before SSL_free
  /// fd mode: the largest eventfd count (/proc/self/fdinfo) seen on a wait
  /// fd that poll() found readable: > 1 means more than one wake was
  /// waiting.
  std::uint64_t max_eventfd_count = 0;
  std::chrono::steady_clock::duration elapsed{};
};

/// Drives `options.pairs` TLS 1.3 handshakes on `libctx` to completion,
/// failure or the deadline, then frees every SSL and SSL_CTX.
Handshake handshake(OSSL_LIB_CTX* libctx, X509* cert, EVP_PKEY* key, const HandshakeOptions& options);

/// Async callbacks received by any server since the process started.
extern std::atomic<int> g_async_callbacks;

/// Entries in /proc/self/fd.
int open_fd_count();

/// The fixture: fakeaccel (FAKEACCEL_CONFIG = device_config()) then the
/// default provider in a fresh library context, a P-256 key and a
/// self-signed certificate, and this thread's ASYNC job pool limited to
/// kJobPool jobs (so that a job left in use shows: see jobs_left()).
class FakeAccelTlsFixture : public fakeaccel_test::ProviderFixture {
protected:
  static constexpr int kJobPool = 8;

  void SetUp() override;
  void TearDown() override;

  Counters counters();

  /// Jobs of this thread's pool that can still be started: kJobPool
  /// unless a job was left in use (paused, never finished). Starts them
  /// all at once, each pausing, then finishes them.
  int jobs_left();

  /// After every SSL and SSL_CTX is freed: no device fd open, as many fds
  /// in the process as after SetUp, no job left in use.
  void expect_no_leaks(const char* when);

  Handshake run(const HandshakeOptions& options) { return handshake(libctx_, cert_, key_, options); }

  EVP_PKEY* key_ = nullptr;
  X509* cert_ = nullptr;
  int fds_after_setup_ = -1;
};

}  // namespace fakeaccel_tls
