#include "asyncconf/harness/identity.hpp"

#include <dlfcn.h>
#include <sha2.h>

#include <array>

namespace asyncconf::harness {

const char* to_string(AbiLevel level) noexcept {
  switch (level) {
    case AbiLevel::OpenSsl110: return "1.1";
    case AbiLevel::OpenSsl30: return "3.0";
    case AbiLevel::OpenSsl32: return "3.2";
  }
  return "?";
}

AbiLevel abi_level(const AsyncApi& api) noexcept {
  if (api.has_mem_functions) return AbiLevel::OpenSsl32;
  if (api.has_callbacks) return AbiLevel::OpenSsl30;
  return AbiLevel::OpenSsl110;
}

std::string sha256_of_file(const std::string& path) {
  // libmd, not libcrypto: the process that loads an implementation must hold
  // no libcrypto but the one under test.
  std::array<char, SHA256_DIGEST_STRING_LENGTH> hex{};
  if (SHA256File(path.c_str(), hex.data()) == nullptr) return "";
  return hex.data();
}

Identity identify(const LoadedImpl& impl) {
  Identity id;
  id.path = impl.path();
  id.sha256 = sha256_of_file(impl.path());
  // OpenSSL 1.1.0+ exports OpenSSL_version(int); OPENSSL_VERSION is 0.
  using VersionFn = const char* (*)(int);
  if (auto* version = reinterpret_cast<VersionFn>(dlsym(impl.native_handle(), "OpenSSL_version"))) {
    if (const char* text = version(0)) id.version = text;
  }
  id.abi_level = abi_level(impl.api());
  if (impl.api().has_callbacks) id.capabilities.emplace_back("callbacks");
  if (impl.api().has_mem_functions) id.capabilities.emplace_back("mem-functions");
  id.missing_optional = impl.missing_optional();
  return id;
}

}  // namespace asyncconf::harness
