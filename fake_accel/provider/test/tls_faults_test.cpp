// The async TLS 1.3 handshake of tls_test.cpp on a device that misbehaves
// (FAKEACCEL_CONFIG's `faults`). Spurious and duplicate wakes, early
// notifications, late completions and a full ring cost the server's job
// extra resumes or time but the handshake completes; a device error, a
// lost completion (after give_up_after), a completion later than
// give_up_after, a ring that stays full or a refused wait fd fail the
// digest final, and with it the handshake, cleanly: SSL_ERROR_SSL, no
// hang, no job left paused, no fd left open.
//
// Each test proves its fault fired, from the provider's counters or from
// what the loop saw, so that a configuration that never fires fails.
//
// Accounting: `submitted` counts requests the device accepted (a RingFull
// answer is not one: it shows in `retries`), `completed` those published
// Ok. An accepted request is then published Ok, published failed (error
// fault, or cancelled when the device stops), or lost (never published:
// the job that waited for it counts a timeout at give_up_after). A lost
// request is in `submitted`, never in `completed` or `failed`, frees its
// ring slot at once and costs exactly one timeout; a timeout is not always
// a lost request (late past give_up_after: the job times out, and the
// request is `completed` later). The provider shows neither `failed` nor
// `lost` nor `in_flight`, so on a quiet device these tests check
// submitted == completed + the requests they know failed or were lost.
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

#include <unistd.h>

#include <gtest/gtest.h>
#include <openssl/async.h>
#include <openssl/ssl.h>

#include "tls_support.hpp"

namespace {

using namespace std::chrono_literals;
using fakeaccel_tls::Counters;
using fakeaccel_tls::Handshake;
using fakeaccel_tls::HandshakeOptions;
using fakeaccel_tls::Wake;

std::string describe(const Handshake& h) {
  return "done=" + std::to_string(h.done) + " hung=" + std::to_string(h.hung) +
         " clients_done=" + std::to_string(h.clients_done) + " want_async=" + std::to_string(h.want_async) +
         " callbacks=" + std::to_string(h.callbacks) +
         " eagain=" + std::to_string(h.eagain) + " max_eventfd_count=" + std::to_string(h.max_eventfd_count) +
         " elapsed_ms=" +
         std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(h.elapsed).count()) +
         " failure=" + h.failure;
}

// ---------------------------------------------------------------------------
// Faults the handshake survives: five handshakes in a row on one device.

/// What the loop and the counters saw over the handshakes of one test.
struct Seen {
  Counters delta;           // the counters' growth
  int want_async = 0;
  int callbacks = 0;
  int eagain = 0;
  std::uint64_t max_eventfd_count = 0;
  std::chrono::steady_clock::duration elapsed{};
};

struct SurvivedFault {
  const char* name;
  const char* config;
  Wake wake;
  int pairs;                                   // handshakes at once
  void (*proof)(const Seen&);                  // that the fault fired
};

void PrintTo(const SurvivedFault& f, std::ostream* os) { *os << f.name; }

// A spurious wake comes before the result: each resume it causes finds the
// completion not done. A 1 ms latency leaves time for the resume.
void spurious_fired(const Seen& s) {
  EXPECT_GT(s.delta.spurious_resumes, 0u) << "no resume found its completion not done";
}

// Callback mode: the spurious wake is a callback of its own.
void spurious_callback_fired(const Seen& s) {
  spurious_fired(s);
  EXPECT_GT(s.callbacks, static_cast<int>(s.delta.submitted)) << "no more callbacks than requests";
}

// fd mode: the two writes of a duplicate wake leave the eventfd at 2 when
// the loop looks (/proc/self/fdinfo) after poll() — on some request at least.
void duplicate_fd_fired(const Seen& s) {
  EXPECT_GE(s.max_eventfd_count, 2u) << "no wait fd ever held two wakes";
}

// Callback mode: two callbacks for one request (the second is dropped if
// the job detached its notifier first: on some request at least).
void duplicate_callback_fired(const Seen& s) {
  EXPECT_GT(s.callbacks, static_cast<int>(s.delta.submitted)) << "no more callbacks than requests";
}

// late=every:8;late_by=5ms: every 8th request waits 5 ms more, one after
// the other (one job at a time): the handshakes take at least that long
// (without the fault, about 90 ms here).
void late_fired(const Seen& s) {
  const std::uint64_t late = s.delta.submitted / 8;
  EXPECT_GT(late, 0u);
  EXPECT_GE(s.elapsed, late * 5ms) << late << " late requests of 5 ms";
}

// fd mode: notified 1 ms before the result is published; the fd stays
// readable, so the job is resumed (and finds nothing) until it is.
void notify_early_fd_fired(const Seen& s) {
  EXPECT_GT(s.delta.spurious_resumes, 0u) << "no resume before the result";
}

// Callback mode: the only callback comes before the result; the job waits
// for the deadline wake (give_up_after=200ms) and then finds it: late, Ok.
void notify_early_callback_fired(const Seen& s) {
  EXPECT_GT(s.delta.spurious_resumes, 0u) << "no resume before the result";
  EXPECT_GE(s.elapsed, 200ms) << "no request waited for the deadline wake";
  EXPECT_EQ(s.delta.timeouts, 0u) << "the deadline wake found the result in: not a timeout";
}

// ring_full=every:3: submit calls 2, 5, 8, ... are refused and retried, so
// of submitted + retries calls, a third (rounded down) were refused.
void ring_full_every_3_fired(const Seen& s) {
  EXPECT_GT(s.delta.retries, 0u);
  EXPECT_EQ(s.delta.retries, (s.delta.submitted + s.delta.retries) / 3);
}

// A ring of one request and four handshakes at once: really full.
void ring_really_full_fired(const Seen& s) { EXPECT_GT(s.delta.retries, 0u) << "the ring was never full"; }

// Callback mode: a retry asks to be resumed at once with status EAGAIN.
void ring_really_full_callback_fired(const Seen& s) {
  ring_really_full_fired(s);
  EXPECT_GT(s.eagain, 0) << "no job asked to be resumed (ASYNC_STATUS_EAGAIN)";
}

// A fixture whose device takes the parameter's config.
template <class Fault>
class WithFaultConfig : public fakeaccel_tls::FakeAccelTlsFixture, public ::testing::WithParamInterface<Fault> {
protected:
  std::string device_config() const override { return this->GetParam().config; }
};

class FakeAccelTlsFaultSurvived : public WithFaultConfig<SurvivedFault> {};

TEST_P(FakeAccelTlsFaultSurvived, HandshakesComplete) {
  const SurvivedFault& f = GetParam();
  const Counters before = counters();
  Seen seen;
  for (int i = 0; i < 5; ++i) {
    const Handshake h = run({.wake = f.wake, .pairs = f.pairs});
    ASSERT_TRUE(h.done) << "handshake " << i << ": " << describe(h) << "\n" << counters().to_string();
    EXPECT_EQ(h.waiting_for_async, 0);
    seen.want_async += h.want_async;
    seen.callbacks += h.callbacks;
    seen.eagain += h.eagain;
    seen.max_eventfd_count = std::max(seen.max_eventfd_count, h.max_eventfd_count);
    seen.elapsed += h.elapsed;
  }
  seen.delta = counters().since(before);
  RecordProperty("counters", seen.delta.to_string());
  RecordProperty("want_async", seen.want_async);
  std::printf("[ %s ] %s want_async=%d callbacks=%d eagain=%d max_eventfd_count=%llu elapsed_ms=%lld\n",
              f.name, seen.delta.to_string().c_str(), seen.want_async, seen.callbacks, seen.eagain,
              static_cast<unsigned long long>(seen.max_eventfd_count),
              static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(seen.elapsed).count()));
  EXPECT_GT(seen.want_async, 0);
  f.proof(seen);
  // Every accepted request was published Ok: none failed, none lost, none
  // still in flight; no job gave up.
  EXPECT_EQ(seen.delta.completed, seen.delta.submitted);
  EXPECT_EQ(seen.delta.timeouts, 0u);
  if (f.wake == Wake::Callback) {
    EXPECT_EQ(seen.max_eventfd_count, 0u) << "callback mode used a wait fd";
  }
  expect_no_leaks("after 5 handshakes");
}

INSTANTIATE_TEST_SUITE_P(
    Faults, FakeAccelTlsFaultSurvived,
    ::testing::Values(
        SurvivedFault{"spurious_fd", "latency=fixed:1ms;faults=spurious=every:2", Wake::Fds, 1, &spurious_fired},
        SurvivedFault{"spurious_callback", "notify=callback;latency=fixed:1ms;faults=spurious=every:2",
                      Wake::Callback, 1, &spurious_callback_fired},
        SurvivedFault{"duplicate_fd", "faults=duplicate=1", Wake::Fds, 1, &duplicate_fd_fired},
        SurvivedFault{"duplicate_callback", "notify=callback;faults=duplicate=1", Wake::Callback, 1,
                      &duplicate_callback_fired},
        SurvivedFault{"late_fd", "late_by=5ms;faults=late=every:8", Wake::Fds, 1, &late_fired},
        SurvivedFault{"late_callback", "notify=callback;late_by=5ms;faults=late=every:8", Wake::Callback, 1,
                      &late_fired},
        SurvivedFault{"notify_early_fd", "faults=notify_early=every:8", Wake::Fds, 1, &notify_early_fd_fired},
        SurvivedFault{"notify_early_callback", "notify=callback;give_up_after=200ms;faults=notify_early=first:1",
                      Wake::Callback, 1, &notify_early_callback_fired},
        SurvivedFault{"ring_full_fd", "ring_full=retry;faults=ring_full=every:3", Wake::Fds, 1,
                      &ring_full_every_3_fired},
        SurvivedFault{"ring_full_callback", "notify=callback;ring_full=retry;faults=ring_full=every:3",
                      Wake::Callback, 1, &ring_full_every_3_fired},
        SurvivedFault{"ring_of_one_fd", "queue_depth=1;workers=1;ring_full=retry;retry_limit=1000000", Wake::Fds,
                      4, &ring_really_full_fired},
        SurvivedFault{"ring_of_one_callback",
                      "notify=callback;queue_depth=1;workers=1;ring_full=retry;retry_limit=1000000", Wake::Callback,
                      4, &ring_really_full_callback_fired}),
    [](const ::testing::TestParamInfo<SurvivedFault>& info) { return std::string(info.param.name); });

// ---------------------------------------------------------------------------
// The leak checks themselves see a leak.

class FakeAccelTlsLeakCheck : public fakeaccel_tls::FakeAccelTlsFixture {};

int pause_job(void*) { return ASYNC_pause_job(); }

TEST_F(FakeAccelTlsLeakCheck, SeesAJobLeftPausedAndAnFdLeftOpen) {
  ASSERT_EQ(jobs_left(), kJobPool);
  ASYNC_WAIT_CTX* ctx = ASYNC_WAIT_CTX_new();
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  ASSERT_EQ(ASYNC_start_job(&job, ctx, &ret, &pause_job, nullptr, 0), ASYNC_PAUSE);
  EXPECT_EQ(jobs_left(), kJobPool - 1);
  ASSERT_EQ(ASYNC_start_job(&job, ctx, &ret, &pause_job, nullptr, 0), ASYNC_FINISH);
  ASYNC_WAIT_CTX_free(ctx);
  EXPECT_EQ(jobs_left(), kJobPool);

  const int fds = fakeaccel_tls::open_fd_count();
  const int fd = dup(0);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(fakeaccel_tls::open_fd_count(), fds + 1);
  close(fd);
  EXPECT_EQ(fakeaccel_tls::open_fd_count(), fds);
}

// ---------------------------------------------------------------------------
// Faults that fail a digest final, and with it the server's handshake.

struct FatalFault {
  const char* name;
  const char* config;
  Wake wake;
  int failing;  // handshakes that fail before the rest complete (-1: all of them)
  const char* reason;  // what the error queue says (the digest's OffloadResult)
  bool settle;  // a request outlives the handshake: wait for submitted == completed
  /// That the fault fired, and its accounting: the counters over all the
  /// handshakes, and the failed ones' total time.
  void (*proof)(const Counters&, std::chrono::steady_clock::duration failed_elapsed);
};

void PrintTo(const FatalFault& f, std::ostream* os) { *os << f.name; }

// error=1: every request is published DeviceError; the first digest final
// fails, so each handshake makes exactly one request.
void every_error_fired(const Counters& c, std::chrono::steady_clock::duration) {
  EXPECT_EQ(c.completed, 0u) << "a request escaped the error fault";
  EXPECT_EQ(c.submitted, 3u) << "one request per failed handshake";
  EXPECT_EQ(c.timeouts, 0u);
}

// error=every:40: a handshake makes about 65 requests; its 40th fails (in
// the middle: after the ServerHello), so each makes exactly 40.
void mid_error_fired(const Counters& c, std::chrono::steady_clock::duration) {
  EXPECT_EQ(c.submitted, 120u);
  EXPECT_EQ(c.completed, 117u);
  EXPECT_EQ(c.timeouts, 0u);
}

// lost=every:40;give_up_after=200ms: the same, the 40th lost: three timeouts.
void mid_lost_fired(const Counters& c, std::chrono::steady_clock::duration failed) {
  EXPECT_EQ(c.submitted, 120u);
  EXPECT_EQ(c.completed, 117u);
  EXPECT_EQ(c.timeouts, 3u);
  EXPECT_GE(failed, 3 * 200ms);
}

// error=first:1: one request failed, every other one Ok.
void first_error_fired(const Counters& c, std::chrono::steady_clock::duration) {
  EXPECT_EQ(c.submitted, c.completed + 1) << "exactly one request failed";
  EXPECT_EQ(c.timeouts, 0u);
}

// lost=first:1;give_up_after=300ms: the first request is never published;
// its job gives up when the deadline wakes it: one timeout, and the failed
// handshake took at least the 300 ms (and far less than the loop's 10 s).
void first_lost_fired(const Counters& c, std::chrono::steady_clock::duration failed) {
  EXPECT_EQ(c.timeouts, 1u);
  EXPECT_EQ(c.submitted, c.completed + 1) << "the lost request is the one not completed";
  EXPECT_GE(failed, 300ms);
  EXPECT_LT(failed, 5s);
}

// late=first:1;late_by=600ms;give_up_after=150ms: the first request's job
// gives up at 150 ms; the request itself completes Ok 450 ms later, into a
// WAIT_CTX that SSL_free has freed (its fd closed, its notifier detached).
void late_past_deadline_fired(const Counters& c, std::chrono::steady_clock::duration failed) {
  EXPECT_EQ(c.timeouts, 1u);
  EXPECT_EQ(c.submitted, c.completed) << "the late request completed after its job gave up";
  EXPECT_GE(failed, 150ms);
  EXPECT_LT(failed, 600ms) << "the job waited for the late result instead of giving up";
}

// ring_full=fail: the first submit is refused and the helper gives up at
// once: nothing accepted, no retry.
void ring_full_fail_fired(const Counters& c, std::chrono::steady_clock::duration) {
  EXPECT_EQ(c.retries, 0u);
  EXPECT_EQ(c.submitted, c.completed);
  EXPECT_GT(c.submitted, 0u) << "the handshakes after the first made no request";
}

// ring_full=first:3;retry_limit=2: the first request is refused, retried
// twice, refused twice more: the helper gives up.
void retries_spent_fired(const Counters& c, std::chrono::steady_clock::duration) {
  EXPECT_EQ(c.retries, 2u);
  EXPECT_EQ(c.submitted, c.completed);
}

// fd_fail=first:1: the first job's wait fd is refused; nothing is submitted
// for it.
void fd_fail_fired(const Counters& c, std::chrono::steady_clock::duration) {
  EXPECT_EQ(c.submitted, c.completed);
  EXPECT_EQ(c.timeouts, 0u);
}

class FakeAccelTlsFaultFatal : public WithFaultConfig<FatalFault> {};

TEST_P(FakeAccelTlsFaultFatal, HandshakeFailsCleanly) {
  const FatalFault& f = GetParam();
  const Counters before = counters();
  const int handshakes = f.failing < 0 ? 3 : f.failing + 2;
  std::chrono::steady_clock::duration failed_elapsed{};
  for (int i = 0; i < handshakes; ++i) {
    const bool should_fail = f.failing < 0 || i < f.failing;
    const Handshake h = run({.wake = f.wake});
    std::printf("[ %s ] handshake %d: %s\n  %s\n", f.name, i, describe(h).c_str(), counters().to_string().c_str());
    ASSERT_FALSE(h.hung) << "handshake " << i << ": " << describe(h);
    EXPECT_EQ(h.waiting_for_async, 0) << "a server job is still paused";
    if (!should_fail) {
      EXPECT_TRUE(h.done) << "handshake " << i << " after the fault: " << describe(h);
      continue;
    }
    EXPECT_FALSE(h.done) << "handshake " << i << " completed despite the fault";
    EXPECT_TRUE(h.server_failed) << describe(h);
    EXPECT_EQ(h.server_error, SSL_ERROR_SSL) << describe(h);
    // fakeaccel's own line ("fakeaccel: digest final on the device: timeout"),
    // before libssl's "internal error".
    EXPECT_NE(h.server_errors.find("fakeaccel: "), std::string::npos) << "the error queue does not say why";
    EXPECT_NE(h.server_errors.find(std::string("on the device: ") + f.reason), std::string::npos)
        << "the error queue does not say why:\n" << h.server_errors;
    failed_elapsed += h.elapsed;
    if (i == 0) {
      RecordProperty("server_errors", h.server_errors);
      RecordProperty("client_errors", h.client_errors);
      std::printf("  server errors:\n%s  client (error %d) errors:\n%s", h.server_errors.c_str(), h.client_error,
                  h.client_errors.c_str());
    }
    expect_no_leaks("after the failed handshake");
  }
  // A request that outlived its job (late past the deadline) lands in its
  // own time: let the device go quiet (2 s at most) before counting.
  Counters after = counters();
  for (auto until = std::chrono::steady_clock::now() + 2s;
       f.settle && after.submitted != after.completed && std::chrono::steady_clock::now() < until;
       after = counters()) {
    std::this_thread::sleep_for(10ms);
  }
  const Counters delta = after.since(before);
  RecordProperty("counters", delta.to_string());
  std::printf("[ %s ] %s\n", f.name, delta.to_string().c_str());
  f.proof(delta, failed_elapsed);
  expect_no_leaks("at the end");
}

INSTANTIATE_TEST_SUITE_P(
    Faults, FakeAccelTlsFaultFatal,
    ::testing::Values(
        FatalFault{"error_fd", "faults=error=1", Wake::Fds, -1, "device_error", false, &every_error_fired},
        FatalFault{"error_callback", "notify=callback;faults=error=1", Wake::Callback, -1, "device_error", false,
                   &every_error_fired},
        FatalFault{"error_mid_fd", "faults=error=every:40", Wake::Fds, -1, "device_error", false, &mid_error_fired},
        FatalFault{"lost_mid_fd", "give_up_after=200ms;faults=lost=every:40", Wake::Fds, -1, "timeout", false,
                   &mid_lost_fired},
        FatalFault{"lost_mid_callback", "notify=callback;give_up_after=200ms;faults=lost=every:40", Wake::Callback,
                   -1, "timeout", false, &mid_lost_fired},
        FatalFault{"error_first_fd", "faults=error=first:1", Wake::Fds, 1, "device_error", false, &first_error_fired},
        FatalFault{"lost_fd", "give_up_after=300ms;faults=lost=first:1", Wake::Fds, 1, "timeout", false,
                   &first_lost_fired},
        FatalFault{"lost_callback", "notify=callback;give_up_after=300ms;faults=lost=first:1", Wake::Callback, 1,
                   "timeout", false, &first_lost_fired},
        FatalFault{"late_past_deadline_fd", "late_by=600ms;give_up_after=150ms;faults=late=first:1", Wake::Fds, 1,
                   "timeout", true, &late_past_deadline_fired},
        FatalFault{"ring_full_fail_fd", "ring_full=fail;faults=ring_full=first:1", Wake::Fds, 1, "ring_full", false,
                   &ring_full_fail_fired},
        FatalFault{"ring_full_fail_callback", "notify=callback;ring_full=fail;faults=ring_full=first:1",
                   Wake::Callback, 1, "ring_full", false, &ring_full_fail_fired},
        FatalFault{"retries_spent_fd", "retry_limit=2;faults=ring_full=first:3", Wake::Fds, 1, "ring_full", false,
                   &retries_spent_fired},
        FatalFault{"fd_fail_fd", "faults=fd_fail=first:1", Wake::Fds, 1, "notifier_failed", false, &fd_fail_fired}),
    [](const ::testing::TestParamInfo<FatalFault>& info) { return std::string(info.param.name); });

}  // namespace
