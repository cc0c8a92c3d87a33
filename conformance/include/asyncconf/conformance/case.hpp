// A conformance case: a named check of one or more catalogue requirements,
// run in a forked child against the implementation under test.
#pragma once

#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "asyncconf/harness/async_api.hpp"

namespace asyncconf::conformance {

/// What a case needs beyond the OpenSSL 1.1.0 functions. Without it the
/// case is not applicable, and the report says which one was missing.
enum class Capability {
  Callbacks,     ///< ASYNC_WAIT_CTX_{set,get}_{callback,status} (OpenSSL 3.0)
  MemFunctions,  ///< ASYNC_{set,get}_mem_functions (OpenSSL 3.2)
  LibCtx,        ///< OSSL_LIB_CTX_{new,set0_default,free} in the implementation's library (libcrypto 3.x)
};
const char* to_string(Capability capability) noexcept;
bool has(const harness::AsyncApi& api, Capability capability) noexcept;

/// A function of the implementation beyond the ASYNC ABI (e.g. libcrypto's
/// OSSL_LIB_CTX_new), looked up in the library that defines its
/// ASYNC_start_job and that library's dependencies; null when none has it.
void* impl_symbol(const harness::AsyncApi& api, const char* name) noexcept;

class CaseContext;

struct Case {
  std::string id;                         ///< "<area>/<what-it-shows>", e.g. "pool/max-size-gives-no-jobs"
  std::string title;                      ///< one line for people
  std::vector<std::string> requirements;  ///< catalogue ids it checks (at least one)
  std::vector<Capability> needs;
  void (*run)(CaseContext& c) = nullptr;

  /// The part of the id before the first '/'.
  std::string area() const { return id.substr(0, id.find('/')); }
};

/// The implementation under test in this process. For job bodies, which
/// get only their args; valid while a case runs.
const harness::AsyncApi& api();

/// Text for a value in evidence: integers as numbers, pointers as NULL or
/// hex, strings quoted.
template <typename T>
std::string describe(const T& value) {
  if constexpr (std::is_same_v<T, bool>) {
    return value ? "true" : "false";
  } else if constexpr (std::is_pointer_v<T> || std::is_null_pointer_v<T>) {
    if (value == nullptr) return "NULL";
    std::ostringstream out;
    out << static_cast<const void*>(value);
    return out.str();
  } else if constexpr (std::is_convertible_v<T, std::string_view>) {
    return "\"" + std::string(std::string_view(value)) + "\"";
  } else {
    return std::to_string(value);
  }
}

/// "ASYNC_ERR", "ASYNC_NO_JOBS", "ASYNC_PAUSE", "ASYNC_FINISH", or the number.
std::string start_result_name(int result);

/// What a case sees: the API under test and its checks. A failed check is
/// recorded and the case goes on; use the returned bool to stop early
/// (`if (!c.expect_eq(...)) return;`). Never throw from a job body: it runs
/// on the implementation's stack, below C frames.
class CaseContext {
public:
  explicit CaseContext(const harness::AsyncApi& api) : api_(api) {}

  const harness::AsyncApi& api() const noexcept { return api_; }

  /// Records "<what>" as a failure unless `ok`.
  bool expect(bool ok, std::string_view what);

  /// Records "<what>: observed X, expected Y" unless observed == expected.
  template <typename T, typename U>
  bool expect_eq(const T& observed, const U& expected, std::string_view what) {
    if (observed == expected) return true;
    return expect(false, std::string(what) + ": observed " + describe(observed) + ", expected " +
                             describe(expected));
  }

  /// expect_eq for ASYNC_start_job's results, naming them.
  bool expect_start(int observed, int expected, std::string_view what);

  /// Context for the evidence of a failure (e.g. counts); shown only if the
  /// case fails.
  void note(std::string_view text);

  bool failed() const noexcept { return failures_ > 0; }
  /// Every failed check and note, one per line, in order.
  const std::string& evidence() const noexcept { return evidence_; }

private:
  const harness::AsyncApi& api_;
  int failures_ = 0;
  std::string evidence_;
};

}  // namespace asyncconf::conformance
