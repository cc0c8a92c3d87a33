// A TLS 1.3 handshake over memory BIOs whose server runs with
// SSL_MODE_ASYNC. fakeaccel is loaded before the default provider, so every
// SHA-2 digest fetched without a query in that library context is
// fakeaccel's: libssl's transcript hashes and the default provider's own
// HKDF, HMAC and ECDSA. Their final steps run on the simulated device, the
// server's SSL_do_handshake returns SSL_ERROR_WANT_ASYNC while a job waits,
// and the loop waits on SSL_get_all_async_fds, as nginx does.
#include <cstdint>
#include <string>

#include <gtest/gtest.h>

#include "tls_support.hpp"

namespace {

using fakeaccel_tls::HandshakeOptions;
using fakeaccel_tls::Wake;

class FakeAccelTls : public fakeaccel_tls::FakeAccelTlsFixture {};

TEST_F(FakeAccelTls, AsyncServerHandshakeWaitsOnTheDeviceAndCompletes) {
  const std::uint64_t paused_before = counter("fakeaccel.paused");
  const fakeaccel_tls::Handshake h = run({});
  ASSERT_TRUE(h.done) << h.failure;
  EXPECT_GT(h.want_async, 0) << "the server's handshake never waited for the device";
  EXPECT_GE(counter("fakeaccel.paused") - paused_before, static_cast<std::uint64_t>(h.want_async));
  // SSL_free freed the server's wait ctx: the device's fds with it.
  EXPECT_EQ(counter("fakeaccel.timeouts"), 0u);
  expect_no_leaks("after the handshake");
}

TEST_F(FakeAccelTls, WithoutAsyncModeTheSameHandshakeNeverWaits) {
  const std::uint64_t paused_before = counter("fakeaccel.paused");
  const std::uint64_t submitted_before = counter("fakeaccel.submitted");
  const fakeaccel_tls::Handshake h = run({.async = false});
  ASSERT_TRUE(h.done) << h.failure;
  EXPECT_EQ(h.want_async, 0);
  EXPECT_EQ(counter("fakeaccel.paused"), paused_before);
  // Outside a job the digests run in the caller: the device sees nothing.
  EXPECT_EQ(counter("fakeaccel.submitted"), submitted_before);
  expect_no_leaks("after the handshake");
}

// The device wakes jobs through the WAIT_CTX callback, which libssl sets
// when the application gives SSL_set_async_callback: no fd at all.
class FakeAccelTlsCallback : public FakeAccelTls {
protected:
  std::string device_config() const override { return "notify=callback"; }
};

TEST_F(FakeAccelTlsCallback, AsyncServerHandshakeIsWokenByTheAsyncCallback) {
  const int callbacks_before = fakeaccel_tls::g_async_callbacks.load();
  const int fds_before = fakeaccel_tls::open_fd_count();
  const fakeaccel_tls::Handshake h = run({.wake = Wake::Callback});
  ASSERT_TRUE(h.done) << h.failure;
  EXPECT_GT(h.want_async, 0);
  EXPECT_GE(fakeaccel_tls::g_async_callbacks.load() - callbacks_before, h.want_async);
  EXPECT_EQ(h.max_eventfd_count, 0u);
  EXPECT_EQ(counter("fakeaccel.open_fds"), 0u) << "callback mode opened a device fd";
  EXPECT_EQ(fakeaccel_tls::open_fd_count(), fds_before);
  EXPECT_EQ(counter("fakeaccel.timeouts"), 0u);
  expect_no_leaks("after the handshake");
}

// QAT's polling mode: served requests wait until the device's own poll
// thread delivers them (every 200 us), through the wait fd, and slow_poll
// leaves every third one for the next poll (no counter shows that; the
// check is that the handshake still waits on the device and completes).
class FakeAccelTlsPoll : public FakeAccelTls {
protected:
  std::string device_config() const override { return "notify=poll;poll_interval=200us;faults=slow_poll=every:3"; }
};

TEST_F(FakeAccelTlsPoll, AsyncServerHandshakeIsWokenByThePollThread) {
  const std::uint64_t paused_before = counter("fakeaccel.paused");
  const std::uint64_t submitted_before = counter("fakeaccel.submitted");
  const fakeaccel_tls::Handshake h = run({});
  ASSERT_TRUE(h.done) << h.failure;
  EXPECT_GT(h.want_async, 0);
  EXPECT_GE(counter("fakeaccel.paused") - paused_before, static_cast<std::uint64_t>(h.want_async));
  EXPECT_EQ(counter("fakeaccel.completed") - counter("fakeaccel.submitted"), 0u);
  EXPECT_GT(counter("fakeaccel.submitted") - submitted_before, 0u);
  EXPECT_EQ(counter("fakeaccel.timeouts"), 0u);
  expect_no_leaks("after the handshake");
}

}  // namespace
