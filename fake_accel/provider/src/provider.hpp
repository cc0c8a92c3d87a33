// The fakeaccel provider's shared state: one simulated device per provider
// instance, and the software SHA-2 digests fetched from the default
// provider through a child library context.
#pragma once

#include <array>
#include <cstddef>
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
  /// The default provider's digest in the child library context, fetched
  /// on first use (the default provider may be loaded after this one);
  /// null if it is not available yet.
  const EVP_MD* software_md(Sha2 kind);

private:
  const OSSL_CORE_HANDLE* handle_;
  OSSL_LIB_CTX* child_;
  std::unique_ptr<Device> device_;
  std::mutex md_mutex_;
  std::array<EVP_MD*, 3> md_{};
};

/// The digest algorithms: SHA2-256, SHA2-384, SHA2-512, "provider=fakeaccel".
extern const OSSL_ALGORITHM kDigests[];

}  // namespace asyncconf::accel::provider
