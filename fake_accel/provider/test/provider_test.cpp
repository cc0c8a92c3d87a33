// fakeaccel in a fresh OSSL_LIB_CTX of the system libcrypto: the digests
// equal the default provider's, and ASYNC jobs pause on the device.
#include <poll.h>

#include <array>
#include <cstdlib>
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <openssl/async.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include "provider_test_support.hpp"

namespace {

constexpr const char* kDigestNames[] = {"SHA2-256", "SHA2-384", "SHA2-512"};

class FakeAccelProvider : public fakeaccel_test::ProviderFixture {
protected:
  // A job's request must not be done before the job pauses for it (at
  // 100 us, a job the machine ran late found it done: no pause). Outside a
  // job the work runs at once, whatever the latency.
  std::string device_config() const override { return "latency=fixed:5ms;workers=16"; }
};

std::string digest(EVP_MD* md, const std::string& input) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(input.data(), input.size(), out, &len, md, nullptr) != 1) return "<failed>";
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::vector<std::string> inputs() {
  std::string big(100000, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 131 + 7);
  return {"", "abc", std::string(1000, 'a'), big};
}

TEST_F(FakeAccelProvider, DigestsEqualTheDefaultProviders) {
  for (const char* name : kDigestNames) {
    SCOPED_TRACE(name);
    EVP_MD* accel = EVP_MD_fetch(libctx_, name, "provider=fakeaccel");
    EVP_MD* reference = EVP_MD_fetch(libctx_, name, "provider=default");
    ASSERT_NE(accel, nullptr);
    ASSERT_NE(reference, nullptr);
    EXPECT_STREQ(OSSL_PROVIDER_get0_name(EVP_MD_get0_provider(accel)), "fakeaccel");
    EXPECT_EQ(EVP_MD_get_size(accel), EVP_MD_get_size(reference));
    EXPECT_EQ(EVP_MD_get_block_size(accel), EVP_MD_get_block_size(reference));
    for (const std::string& input : inputs()) {
      SCOPED_TRACE(input.size());
      EXPECT_EQ(digest(accel, input), digest(reference, input));
    }
    EVP_MD_free(accel);
    EVP_MD_free(reference);
  }
}

TEST_F(FakeAccelProvider, PropertyQueryPrefersIt) {
  EVP_MD* md = EVP_MD_fetch(libctx_, "SHA256", "?provider=fakeaccel");
  ASSERT_NE(md, nullptr);
  EXPECT_STREQ(OSSL_PROVIDER_get0_name(EVP_MD_get0_provider(md)), "fakeaccel");
  EVP_MD_free(md);
}

TEST_F(FakeAccelProvider, UpdatesInPiecesAndCopiedContexts) {
  EVP_MD* accel = EVP_MD_fetch(libctx_, "SHA2-512", "provider=fakeaccel");
  EVP_MD* reference = EVP_MD_fetch(libctx_, "SHA2-512", "provider=default");
  ASSERT_NE(accel, nullptr);
  ASSERT_NE(reference, nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_MD_CTX* copy = EVP_MD_CTX_new();
  ASSERT_EQ(EVP_DigestInit_ex2(ctx, accel, nullptr), 1);
  ASSERT_EQ(EVP_DigestUpdate(ctx, "ab", 2), 1);
  ASSERT_EQ(EVP_MD_CTX_copy_ex(copy, ctx), 1);
  ASSERT_EQ(EVP_DigestUpdate(ctx, "c", 1), 1);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  ASSERT_EQ(EVP_DigestFinal_ex(ctx, out, &len), 1);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(out), len), digest(reference, "abc"));
  ASSERT_EQ(EVP_DigestFinal_ex(copy, out, &len), 1);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(out), len), digest(reference, "ab"));
  EVP_MD_CTX_free(copy);
  EVP_MD_CTX_free(ctx);
  EVP_MD_free(accel);
  EVP_MD_free(reference);
}

struct JobArgs {
  EVP_MD* md;
  const std::string* input;
  std::string* out;
};

int run_digest(void* vargs) {
  const JobArgs* args = static_cast<const JobArgs*>(vargs);
  *args->out = digest(args->md, *args->input);
  return 1;
}

// 16 jobs in flight, each digesting several inputs one after another; the
// loop waits on the jobs' wait fds with poll() and resumes the ready ones.
TEST_F(FakeAccelProvider, JobsPauseOnTheDevice) {
  constexpr std::size_t kInFlight = 16;
  constexpr std::size_t kPerSlot = 8;
  EVP_MD* accel = EVP_MD_fetch(libctx_, "SHA2-256", "provider=fakeaccel");
  EVP_MD* reference = EVP_MD_fetch(libctx_, "SHA2-256", "provider=default");
  ASSERT_NE(accel, nullptr);
  ASSERT_NE(reference, nullptr);
  const std::uint64_t paused_before = counter("fakeaccel.paused");
  const std::uint64_t completed_before = counter("fakeaccel.completed");

  std::vector<std::string> in(kInFlight * kPerSlot);
  for (std::size_t i = 0; i < in.size(); ++i) in[i] = "request " + std::to_string(i);
  std::vector<std::string> out(in.size());

  struct Slot {
    ASYNC_WAIT_CTX* wait_ctx = nullptr;
    ASYNC_JOB* job = nullptr;
    std::size_t next = 0;  // requests of this slot started
    bool busy = false;
  };
  std::array<Slot, kInFlight> slots;
  std::size_t finished = 0;
  std::size_t errors = 0;
  // Starts or resumes the slot's job; false when the slot has nothing left.
  auto step = [&](std::size_t s) {
    Slot& slot = slots[s];
    if (!slot.busy) {
      if (slot.next == kPerSlot) return;
      slot.busy = true;
      ++slot.next;
    }
    const std::size_t i = s * kPerSlot + slot.next - 1;
    JobArgs args{accel, &in[i], &out[i]};
    int ret = 0;
    switch (ASYNC_start_job(&slot.job, slot.wait_ctx, &ret, run_digest, &args, sizeof args)) {
      case ASYNC_PAUSE: return;
      case ASYNC_FINISH: break;
      case ASYNC_ERR:
      case ASYNC_NO_JOBS: ++errors; break;
    }
    slot.job = nullptr;
    slot.busy = false;
    ++finished;
  };
  for (std::size_t s = 0; s < kInFlight; ++s) {
    slots[s].wait_ctx = ASYNC_WAIT_CTX_new();
    ASSERT_NE(slots[s].wait_ctx, nullptr);
  }
  // Start every slot; a slot whose job finished without pausing starts its next.
  for (std::size_t s = 0; s < kInFlight; ++s) {
    do step(s); while (!slots[s].busy && slots[s].next < kPerSlot);
  }
  while (finished < in.size() && errors == 0) {
    std::vector<pollfd> fds;
    std::vector<std::size_t> owner;
    for (std::size_t s = 0; s < kInFlight; ++s) {
      if (!slots[s].busy) continue;
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
    ASSERT_FALSE(fds.empty());
    ASSERT_GT(poll(fds.data(), fds.size(), 10000), 0) << "no job woke within 10 s";
    std::vector<bool> ready(kInFlight, false);
    for (std::size_t k = 0; k < fds.size(); ++k) {
      if (fds[k].revents & POLLIN) ready[owner[k]] = true;
    }
    for (std::size_t s = 0; s < kInFlight; ++s) {
      if (!ready[s]) continue;
      step(s);
      while (!slots[s].busy && slots[s].next < kPerSlot) step(s);
    }
  }
  EXPECT_EQ(errors, 0u);
  EXPECT_EQ(finished, in.size());
  for (std::size_t i = 0; i < in.size(); ++i) EXPECT_EQ(out[i], digest(reference, in[i])) << i;
  for (Slot& slot : slots) ASYNC_WAIT_CTX_free(slot.wait_ctx);
  ASYNC_cleanup_thread();

  EXPECT_GE(counter("fakeaccel.paused") - paused_before, in.size());
  EXPECT_GE(counter("fakeaccel.completed") - completed_before, in.size());
  EXPECT_EQ(counter("fakeaccel.timeouts"), 0u);
  EXPECT_EQ(counter("fakeaccel.open_fds"), 0u) << "a wait fd outlived its ASYNC_WAIT_CTX";
  EVP_MD_free(accel);
  EVP_MD_free(reference);
}

}  // namespace
