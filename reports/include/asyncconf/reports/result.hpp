// The result model of a conformance run: plain values, no I/O. Every report
// format (one file each in reports/src) walks these structs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "asyncconf/catalogue/requirements.hpp"

namespace asyncconf::reports {

/// The version of the report.json schema (reports/SCHEMA.md). Bump on any
/// incompatible change.
inline constexpr int kSchemaVersion = 1;

/// What a case's run showed, after the implementation's expectations file
/// was applied.
enum class Verdict {
  Pass,           ///< every check held
  Fail,           ///< a check did not hold: evidence says observed vs expected
  Crash,          ///< the child died of a signal (evidence names it)
  Timeout,        ///< the child ran past the time limit and was killed
  NotApplicable,  ///< the implementation lacks a capability the case needs (evidence says which)
  ExpectedFail,   ///< failed, crashed or timed out as the expectations file says it does
  Error,          ///< the harness itself failed (fork, pipe, malformed result)
};

/// "pass", "fail", "crash", "timeout", "not-applicable", "expected-fail", "error".
const char* to_string(Verdict verdict) noexcept;
/// The inverse of to_string; nullopt for anything else.
std::optional<Verdict> verdict_from_string(const std::string& text) noexcept;

/// One requirement of the catalogue (conformance/requirements/requirements.json).
using Requirement = catalogue::Requirement;

/// One case's outcome.
struct CaseResult {
  std::string id;                         ///< e.g. "pool/max-size-gives-no-jobs"
  std::string title;                      ///< one line for people
  std::string area;                       ///< e.g. "pool", "wait-ctx-fds"
  /// The loosest level among its requirements (must < de-facto < robustness):
  /// a run at a stricter --level leaves the case out.
  std::string level;
  std::vector<std::string> requirements;  ///< requirement ids it checks
  Verdict verdict = Verdict::Error;
  /// What was observed: for fail "observed X, expected Y"; for crash the
  /// signal and the tail of the child's stderr; for not-applicable the
  /// missing capability. May be empty only for pass.
  std::string evidence;
  double duration_ms = 0;
  /// Set when the expectations file lists this case: its reason. With a
  /// Pass verdict this is an expected failure that passed.
  std::optional<std::string> expected_failure;
  /// The verdict before expectations were applied (differs from `verdict`
  /// only for ExpectedFail).
  Verdict observed = Verdict::Error;

  friend bool operator==(const CaseResult&, const CaseResult&) = default;
};

/// Who was tested.
struct Implementation {
  std::string name;     ///< as given to --impl: "reference", "openssl" or a path
  std::string path;     ///< the shared object actually loaded
  std::string sha256;   ///< of the file at `path`, lowercase hex
  std::string version;  ///< OpenSSL_version(OPENSSL_VERSION) where exported, else ""
  /// By what it exports: "1.1" (1.1.0 functions only), "3.0" (+ WAIT_CTX
  /// callback/status), "3.2" (+ mem functions).
  std::string abi_level;
  std::vector<std::string> capabilities;     ///< e.g. "callbacks", "mem-functions"
  std::vector<std::string> missing_optional; ///< optional functions it lacks

  friend bool operator==(const Implementation&, const Implementation&) = default;
};

/// Integer counts over the cases; total is the sum of the others.
struct Summary {
  std::int64_t total = 0, pass = 0, fail = 0, crash = 0, timeout = 0, not_applicable = 0,
               expected_fail = 0, error = 0;
  /// Expected failures that passed (counted in pass too).
  std::int64_t unexpected_pass = 0;

  /// Counts one more case: total and its verdict's count (and
  /// unexpected_pass for a Pass that was expected to fail).
  void add(const CaseResult& result) noexcept;
  /// The count of one verdict.
  std::int64_t of(Verdict verdict) const noexcept;

  friend bool operator==(const Summary&, const Summary&) = default;
};

/// One run of the conformance suite against one implementation.
struct RunReport {
  int schema_version = kSchemaVersion;
  std::string tool_version;  ///< asyncconf's version
  Implementation implementation;
  std::string started_at;     ///< UTC, ISO 8601
  std::string finished_at;    ///< UTC, ISO 8601
  bool complete = true;       ///< false when interrupted: only the cases that ran are listed
  std::string expectations_file;  ///< the file applied, or "" for none
  std::string filter;             ///< --filter glob, "" for all
  std::string level;              ///< --level, "" for all
  int timeout_ms = 0;
  int jobs = 0;
  std::vector<Requirement> requirements;  ///< the catalogue entries the cases cite
  std::vector<CaseResult> cases;          ///< in catalogue order of the cases

  Summary summary() const;
  /// 0 when every case passed, is not applicable or an expected failure;
  /// 1 otherwise (fail, crash, timeout, error).
  int exit_code() const;

  friend bool operator==(const RunReport&, const RunReport&) = default;
};

}  // namespace asyncconf::reports
