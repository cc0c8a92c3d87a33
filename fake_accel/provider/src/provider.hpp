// The fakeaccel provider's shared state: one simulated device per provider
// instance, and the software SHA-2 digests, EC key management and ECDSA
// fetched from the default provider through a child library context.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>

#include <openssl/core.h>
#include <openssl/evp.h>

#include "asyncconf/accel/device.hpp"

namespace asyncconf::accel::provider {

enum class Sha2 { k256, k384, k512 };

/// What one loaded instance of the provider owns (its provctx).
class ProviderCtx {
public:
  ProviderCtx(const OSSL_CORE_HANDLE* handle, OSSL_LIB_CTX* child, std::unique_ptr<Device> device) noexcept
      : handle_(handle), child_(child), device_(std::move(device)) {}
  /// Writes the counters file (FAKEACCEL_COUNTERS), stops the device, frees
  /// the fetched digests and the child library context.
  ~ProviderCtx();
  ProviderCtx(const ProviderCtx&) = delete;
  ProviderCtx& operator=(const ProviderCtx&) = delete;

  Device& device() noexcept { return *device_; }
  /// The child library context: where the wrapped default-provider keys
  /// live and the software algorithms are fetched (with kSoftwareQuery).
  OSSL_LIB_CTX* child() const noexcept { return child_; }
  /// The default provider's digest in the child library context, fetched
  /// on first use (the default provider may be loaded after this one);
  /// null if it is not available yet.
  const EVP_MD* software_md(Sha2 kind);
  /// The default provider's "EC" key management and "ECDSA" signature in
  /// the child context (their parameter lists are fakeaccel's), fetched on
  /// first use; null if not available.
  const EVP_KEYMGMT* software_ec_keymgmt();
  const EVP_SIGNATURE* software_ecdsa();

  /// ECDSA signatures fakeaccel made (each final sign went through offload()).
  void count_signature() noexcept { signatures_.fetch_add(1, std::memory_order_relaxed); }
  std::uint64_t signatures() const noexcept { return signatures_.load(std::memory_order_relaxed); }

private:
  const OSSL_CORE_HANDLE* handle_;
  OSSL_LIB_CTX* child_;
  std::unique_ptr<Device> device_;
  std::mutex fetch_mutex_;
  std::array<EVP_MD*, 3> md_{};
  EVP_KEYMGMT* ec_keymgmt_ = nullptr;
  EVP_SIGNATURE* ecdsa_ = nullptr;
  std::atomic<std::uint64_t> signatures_{0};
};

/// The property query of every software fetch in the child context.
inline constexpr const char* kSoftwareQuery = "provider=default";

/// The digest algorithms: SHA2-256, SHA2-384, SHA2-512, "provider=fakeaccel".
extern const OSSL_ALGORITHM kDigests[];
/// Key management "EC" (wrapping the default provider's keys) and signature
/// "ECDSA" (final sign offloaded), "provider=fakeaccel".
extern const OSSL_ALGORITHM kKeymgmts[];
extern const OSSL_ALGORITHM kSignatures[];

}  // namespace asyncconf::accel::provider
