// Who an implementation is: what a report records so a result can be traced
// to the exact file that produced it.
#pragma once

#include <string>
#include <vector>

#include "asyncconf/harness/async_api.hpp"

namespace asyncconf::harness {

/// The ABI generation an implementation exports, told apart by its symbols.
enum class AbiLevel {
  OpenSsl110,  ///< the 1.1.0 functions only (OpenSSL 1.1.x)
  OpenSsl30,   ///< + ASYNC_WAIT_CTX callback/status (OpenSSL 3.0, 3.1)
  OpenSsl32,   ///< + ASYNC_set/get_mem_functions (OpenSSL 3.2 and later)
};

/// "1.1", "3.0" or "3.2".
const char* to_string(AbiLevel level) noexcept;
AbiLevel abi_level(const AsyncApi& api) noexcept;

struct Identity {
  std::string path;     ///< the file loaded
  std::string sha256;   ///< of that file, lowercase hex ("" if unreadable)
  std::string version;  ///< OpenSSL_version(OPENSSL_VERSION) if the library exports it, else ""
  AbiLevel abi_level = AbiLevel::OpenSsl110;
  std::vector<std::string> capabilities;      ///< "callbacks", "mem-functions"
  std::vector<std::string> missing_optional;  ///< optional ABI functions it lacks
};

/// Reads the identity of a loaded implementation. Calls no ASYNC function,
/// so the calling thread's ASYNC state stays untouched.
Identity identify(const LoadedImpl& impl);

/// SHA-256 of a file's contents, lowercase hex; "" when it cannot be read.
std::string sha256_of_file(const std::string& path);

}  // namespace asyncconf::harness
