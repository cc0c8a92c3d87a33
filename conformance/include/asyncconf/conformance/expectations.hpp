// Expected failures of one implementation (BoGo's idea): cases it is known
// to fail, each with the reason. They show in the report as expected
// failures and do not fail the run.
#pragma once

#include <filesystem>
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
/// version_prefix matches the implementation's version, or "" for none (an
/// implementation without a version needs no file). Throws
/// std::runtime_error when it must look and shipped_expectations_dir() finds
/// no directory.
std::string shipped_expectations_for(const harness::Identity& identity);

/// Where the shipped files are: $ASYNCCONF_EXPECTATIONS_DIR if set, else the
/// first existing one of shipped_expectations_candidates(). Throws
/// std::runtime_error naming every path tried when none exists.
std::string shipped_expectations_dir();

/// The directories shipped_expectations_dir() tries, in order:
/// $ASYNCCONF_EXPECTATIONS_DIR alone if set; else, relative to the running
/// executable (/proc/self/exe), <prefix>/<datadir>/asyncconf/expectations of
/// an installed tree, then the copy CMake stages in the build tree.
std::vector<std::string> shipped_expectations_candidates();

/// The folder of the running executable (/proc/self/exe, symlinks resolved),
/// or empty if it cannot be read.
std::filesystem::path executable_dir();

/// Each path of a ':'-separated list of paths relative to executable_dir(),
/// made absolute (and normalised); empty if executable_dir() is. The CLI
/// finds libasyncref this way too.
std::vector<std::string> beside_executable(const std::string& relative_paths);

}  // namespace asyncconf::conformance
