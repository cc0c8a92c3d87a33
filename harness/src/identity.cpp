#include "asyncconf/harness/identity.hpp"

#include <dlfcn.h>
#include <openssl/evp.h>

#include <array>
#include <cstdio>
#include <memory>

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
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                              &std::fclose);
  if (file == nullptr) return "";
  const std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> md(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (md == nullptr || EVP_DigestInit_ex(md.get(), EVP_sha256(), nullptr) != 1) return "";
  std::array<unsigned char, 1 << 16> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), file.get())) > 0) {
    if (EVP_DigestUpdate(md.get(), buffer.data(), n) != 1) return "";
  }
  if (std::ferror(file.get()) != 0) return "";
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(md.get(), digest.data(), &length) != 1) return "";
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xf];
  }
  return hex;
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
