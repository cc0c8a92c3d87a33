// Expected failures of one implementation (BoGo's idea): cases it is known
// to fail, each with the reason. They show in the report as expected
// failures and do not fail the run.
#pragma once

#include <string>
#include <vector>

#include "asyncconf/harness/identity.hpp"

namespace asyncconf::conformance {

struct ExpectedFailure {
  std::string case_id;
  std::string reason;  ///< the verified observation behind the entry
};

struct Expectations {
  std::string path;            ///< the file it was read from
  std::string implementation;  ///< who it is for, in words
  std::string version_prefix;  ///< auto-selected for implementations whose version starts so
  std::vector<ExpectedFailure> failures;

  /// The entry for a case, or null.
  const ExpectedFailure* find(const std::string& case_id) const;
};

/// Reads an expectations file. Throws std::runtime_error naming the file
/// and the problem: unreadable, not JSON, a missing field, or a case id
/// that is not in the suite (a stale entry would hide nothing and mislead).
Expectations load_expectations(const std::string& path);

/// The shipped expectations file (conformance/expectations/*.json) whose
/// version_prefix matches the implementation's version, or "" for none.
std::string shipped_expectations_for(const harness::Identity& identity);

/// Where the shipped files are: $ASYNCCONF_EXPECTATIONS_DIR, else the
/// source tree's conformance/expectations.
std::string shipped_expectations_dir();

}  // namespace asyncconf::conformance
