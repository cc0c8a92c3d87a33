#include "tls_support.hpp"

#include "provider_test_support.hpp"

#include <dirent.h>
#include <poll.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <openssl/async.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

namespace fakeaccel_tls {

std::atomic<int> g_async_callbacks{0};

namespace {

using Clock = std::chrono::steady_clock;

using fakeaccel_test::self_signed;

// What one call left to do: done, wait for the peer, wait for the device.
enum class Step { Done, Peer, Async, Failed };

bool over(Step s) { return s == Step::Done || s == Step::Failed; }

int append_error(const char* str, size_t len, void* out) {
  static_cast<std::string*>(out)->append(str, len);
  return 1;
}

// The thread's error queue as text, emptied.
std::string take_errors() {
  std::string text;
  ERR_print_errors_cb(&append_error, &text);
  return text;
}

struct Call {
  Step step = Step::Peer;
  int error = 0;       // SSL_get_error when failed
  std::string errors;  // the error queue when failed
};

// One SSL_do_handshake, on an empty error queue (client and server share
// this thread's queue, and SSL_get_error reads it).
Call step(SSL* ssl) {
  ERR_clear_error();
  const int rc = SSL_do_handshake(ssl);
  if (rc == 1) return {Step::Done, 0, {}};
  const int error = SSL_get_error(ssl, rc);
  switch (error) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE: return {Step::Peer, 0, {}};
    case SSL_ERROR_WANT_ASYNC: return {Step::Async, 0, {}};
    default: return {Step::Failed, error, take_errors()};
  }
}

struct Pair {
  SSL* server = nullptr;
  SSL* client = nullptr;
  Step s = Step::Peer;
  Step c = Step::Peer;
  bool ready = true;                // the server's job may be resumed now
  std::atomic<int> callbacks{0};    // async callbacks for this server
  int seen = 0;                     // callbacks before the server's last call
  int rounds_since_failure = -1;    // -1: neither side failed
};

int on_async_ready(SSL*, void* arg) {
  g_async_callbacks.fetch_add(1);
  static_cast<std::atomic<int>*>(arg)->fetch_add(1);
  return 1;
}

// A pair is over when both sides are, or one side failed and the other
// has had a round to see it and does not wait for the device.
bool pair_over(const Pair& p) {
  if (over(p.s) && over(p.c)) return true;
  if (p.rounds_since_failure < 1) return false;
  return p.s != Step::Async;
}

bool blocked(const Pair& p) { return !pair_over(p) && p.s == Step::Async && !p.ready; }

// The eventfd count of `fd` (/proc/self/fdinfo), 0 if none is shown.
std::uint64_t eventfd_count(int fd) {
  std::ifstream in("/proc/self/fdinfo/" + std::to_string(fd));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("eventfd-count:", 0) == 0) return std::strtoull(line.c_str() + 14, nullptr, 16);
  }
  return 0;
}

// fd mode: marks the blocked pairs whose async fds are readable, waiting
// up to `timeout_ms`.
void poll_fds(std::vector<std::unique_ptr<Pair>>& pairs, int timeout_ms, Handshake& h) {
  std::vector<pollfd> p;
  std::vector<Pair*> owner;
  for (auto& pair : pairs) {
    if (!blocked(*pair)) continue;
    size_t n = 0;
    if (SSL_get_all_async_fds(pair->server, nullptr, &n) != 1) continue;
    std::vector<OSSL_ASYNC_FD> fds(n);
    if (n == 0 || SSL_get_all_async_fds(pair->server, fds.data(), &n) != 1) continue;
    for (OSSL_ASYNC_FD fd : fds) {
      p.push_back({fd, POLLIN, 0});
      owner.push_back(pair.get());
    }
  }
  if (p.empty()) {
    // A job waiting with no fd at all: nothing can wake it here.
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min(timeout_ms, 1)));
    return;
  }
  if (poll(p.data(), p.size(), timeout_ms) <= 0) return;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if ((p[i].revents & POLLIN) == 0) continue;
    owner[i]->ready = true;
    h.max_eventfd_count = std::max(h.max_eventfd_count, eventfd_count(p[i].fd));
  }
}

// Callback mode: marks the blocked pairs whose callback came, or whose job
// asked to be resumed at once (status EAGAIN), waiting up to `timeout`.
void wait_callbacks(std::vector<std::unique_ptr<Pair>>& pairs, Clock::duration timeout, Handshake& h) {
  const Clock::time_point until = Clock::now() + timeout;
  for (;;) {
    bool any = false;
    for (auto& pair : pairs) {
      if (!blocked(*pair)) continue;
      if (pair->callbacks.load() > pair->seen) {
        pair->ready = true;
      } else {
        int status = ASYNC_STATUS_OK;
        if (SSL_get_async_status(pair->server, &status) == 1 && status == ASYNC_STATUS_EAGAIN) {
          pair->ready = true;
          ++h.eagain;
        }
      }
      any = any || pair->ready;
    }
    if (any || Clock::now() >= until) return;
    std::this_thread::sleep_for(std::chrono::microseconds(10));
  }
}

}  // namespace

Counters Counters::since(const Counters& before) const {
  Counters d;
  d.submitted = submitted - before.submitted;
  d.completed = completed - before.completed;
  d.paused = paused - before.paused;
  d.spurious_resumes = spurious_resumes - before.spurious_resumes;
  d.retries = retries - before.retries;
  d.timeouts = timeouts - before.timeouts;
  d.open_fds = open_fds;
  return d;
}

std::string Counters::to_string() const {
  std::ostringstream out;
  out << "submitted=" << submitted << " completed=" << completed << " paused=" << paused
      << " spurious_resumes=" << spurious_resumes << " retries=" << retries << " timeouts=" << timeouts
      << " open_fds=" << open_fds;
  return out.str();
}

Handshake handshake(OSSL_LIB_CTX* libctx, X509* cert, EVP_PKEY* key, const HandshakeOptions& options) {
  Handshake h;
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + options.deadline;
  SSL_CTX* server_ctx = SSL_CTX_new_ex(libctx, nullptr, TLS_server_method());
  SSL_CTX* client_ctx = SSL_CTX_new_ex(libctx, nullptr, TLS_client_method());
  std::vector<std::unique_ptr<Pair>> pairs;
  bool set_up = server_ctx != nullptr && client_ctx != nullptr &&
                SSL_CTX_set_min_proto_version(server_ctx, TLS1_3_VERSION) == 1 &&
                SSL_CTX_use_certificate(server_ctx, cert) == 1 && SSL_CTX_use_PrivateKey(server_ctx, key) == 1;
  for (int i = 0; set_up && i < options.pairs; ++i) {
    auto pair = std::make_unique<Pair>();
    BIO* server_bio = nullptr;
    BIO* client_bio = nullptr;
    pair->server = SSL_new(server_ctx);
    pair->client = SSL_new(client_ctx);
    set_up = pair->server != nullptr && pair->client != nullptr &&
             BIO_new_bio_pair(&server_bio, 0, &client_bio, 0) == 1;
    if (set_up) {
      if (options.async) SSL_set_mode(pair->server, SSL_MODE_ASYNC);
      if (options.wake == Wake::Callback) {
        SSL_set_async_callback(pair->server, &on_async_ready);
        SSL_set_async_callback_arg(pair->server, &pair->callbacks);
      }
      SSL_set_bio(pair->server, server_bio, server_bio);
      SSL_set_bio(pair->client, client_bio, client_bio);
      SSL_set_accept_state(pair->server);
      SSL_set_connect_state(pair->client);
    }
    pairs.push_back(std::move(pair));
  }
  if (!set_up) h.failure = "set-up failed";

  while (set_up) {
    for (auto& pair : pairs) {
      Pair& p = *pair;
      if (pair_over(p)) continue;
      if (p.rounds_since_failure >= 0) ++p.rounds_since_failure;
      if (!over(p.c)) {
        Call c = step(p.client);
        p.c = c.step;
        if (p.c == Step::Failed && !h.client_failed) {
          h.client_failed = true;
          h.client_error = c.error;
          h.client_errors = std::move(c.errors);
        }
      }
      if (!over(p.s) && (p.s != Step::Async || p.ready)) {
        p.seen = p.callbacks.load();
        Call s = step(p.server);
        p.s = s.step;
        if (p.s == Step::Async) {
          ++h.want_async;
          p.ready = false;
        }
        if (p.s == Step::Failed && !h.server_failed) {
          h.server_failed = true;
          h.server_error = s.error;
          h.server_errors = std::move(s.errors);
        }
      }
      if ((p.s == Step::Failed || p.c == Step::Failed) && p.rounds_since_failure < 0) p.rounds_since_failure = 0;
    }
    bool all_over = true;
    bool can_progress = false;
    for (auto& pair : pairs) {
      all_over = all_over && pair_over(*pair);
      can_progress = can_progress || (!pair_over(*pair) && !blocked(*pair));
    }
    if (all_over) break;
    const Clock::time_point now = Clock::now();
    if (now >= deadline) {
      h.hung = true;
      break;
    }
    // Wait for the device only when no pair can go on without it; never
    // past the deadline, and at most 100 ms at once.
    const auto wait = can_progress ? Clock::duration::zero()
                                   : std::min<Clock::duration>(deadline - now, std::chrono::milliseconds(100));
    if (options.wake == Wake::Fds) {
      poll_fds(pairs, static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(wait).count()), h);
    } else {
      wait_callbacks(pairs, wait, h);
    }
  }
  h.elapsed = Clock::now() - start;

  bool done = set_up;
  for (auto& pair : pairs) {
    if (pair->server != nullptr && SSL_waiting_for_async(pair->server) == 1) ++h.waiting_for_async;
    h.callbacks += pair->callbacks.load();
    if (pair->c == Step::Done) ++h.clients_done;
    done = done && pair->s == Step::Done && pair->c == Step::Done && SSL_version(pair->server) == TLS1_3_VERSION;
  }
  h.done = done && !h.hung;
  if (h.failure.empty() && !h.done) {
    if (h.hung) {
      h.failure = "hung: a handshake was not over after " + std::to_string(options.deadline.count()) + " ms";
    } else if (h.server_failed) {
      h.failure = "server handshake failed (SSL_get_error " + std::to_string(h.server_error) + "): " + h.server_errors;
    } else if (h.client_failed) {
      h.failure = "client handshake failed (SSL_get_error " + std::to_string(h.client_error) + "): " + h.client_errors;
    } else {
      h.failure = "not TLS 1.3";
    }
  }
  for (auto& pair : pairs) {
    // A server whose job is still paused (a hang) is not freed: the device
    // could still call its async callback, into a freed SSL.
    if (pair->server != nullptr && SSL_waiting_for_async(pair->server) == 1) {
      (void)pair.release();
      continue;
    }
    SSL_free(pair->server);
    SSL_free(pair->client);
  }
  SSL_CTX_free(server_ctx);
  SSL_CTX_free(client_ctx);
  ERR_clear_error();
  return h;
}

int open_fd_count() {
  int n = 0;
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') ++n;
  }
  closedir(dir);
  return n - 1;  // the directory's own fd
}

void FakeAccelTlsFixture::SetUp() {
  ProviderFixture::SetUp();
  if (HasFatalFailure()) return;
  key_ = EVP_PKEY_Q_keygen(libctx_, nullptr, "EC", "P-256");
  ASSERT_NE(key_, nullptr);
  cert_ = self_signed(libctx_, key_);
  ASSERT_NE(cert_, nullptr);
  // A fresh pool of at most kJobPool jobs for this thread (an earlier
  // test's pool, if any, goes first: ASYNC_init_thread would replace it).
  ASYNC_cleanup_thread();
  ASSERT_EQ(ASYNC_init_thread(kJobPool, 0), 1);
  fds_after_setup_ = open_fd_count();
}

void FakeAccelTlsFixture::TearDown() {
  ASYNC_cleanup_thread();
  X509_free(cert_);
  EVP_PKEY_free(key_);
  ProviderFixture::TearDown();
}


Counters FakeAccelTlsFixture::counters() {
  Counters c;
  c.submitted = counter("fakeaccel.submitted");
  c.completed = counter("fakeaccel.completed");
  c.paused = counter("fakeaccel.paused");
  c.spurious_resumes = counter("fakeaccel.spurious_resumes");
  c.retries = counter("fakeaccel.retries");
  c.timeouts = counter("fakeaccel.timeouts");
  c.open_fds = counter("fakeaccel.open_fds");
  return c;
}

namespace {
int pause_once(void*) { return ASYNC_pause_job(); }
}  // namespace

int FakeAccelTlsFixture::jobs_left() {
  std::vector<ASYNC_JOB*> jobs(kJobPool, nullptr);
  std::vector<ASYNC_WAIT_CTX*> ctxs(kJobPool, nullptr);
  int started = 0;
  for (int i = 0; i < kJobPool; ++i) {
    ctxs[i] = ASYNC_WAIT_CTX_new();
    int ret = 0;
    if (ctxs[i] != nullptr && ASYNC_start_job(&jobs[i], ctxs[i], &ret, &pause_once, nullptr, 0) == ASYNC_PAUSE) {
      ++started;
    } else {
      jobs[i] = nullptr;
    }
  }
  for (int i = 0; i < kJobPool; ++i) {
    int ret = 0;
    while (jobs[i] != nullptr && ASYNC_start_job(&jobs[i], ctxs[i], &ret, &pause_once, nullptr, 0) == ASYNC_PAUSE) {
    }
    ASYNC_WAIT_CTX_free(ctxs[i]);
  }
  ERR_clear_error();
  return started;
}

void FakeAccelTlsFixture::expect_no_leaks(const char* when) {
  EXPECT_EQ(counter("fakeaccel.open_fds"), 0u) << when << ": a device fd outlived SSL_free";
  EXPECT_EQ(open_fd_count(), fds_after_setup_) << when << ": fds in the process";
  EXPECT_EQ(jobs_left(), kJobPool) << when << ": an ASYNC job was left in use";
}

}  // namespace fakeaccel_tls
