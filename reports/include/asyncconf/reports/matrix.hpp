// Views over a RunReport that several formats show: verdicts in a fixed
// order, their severity, and the requirement matrix. Plain values, no I/O.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "asyncconf/reports/result.hpp"

namespace asyncconf::reports {

/// Every verdict, in the order the reports list them.
inline constexpr Verdict kAllVerdicts[] = {
    Verdict::Pass,          Verdict::Fail,         Verdict::Crash, Verdict::Timeout,
    Verdict::NotApplicable, Verdict::ExpectedFail, Verdict::Error,
};

/// How bad a verdict is, from 0 up: not-applicable < pass < expected-fail <
/// error < fail < timeout < crash. A requirement is not applicable only
/// when none of its cases could run.
int severity(Verdict verdict) noexcept;

/// The worse of two verdicts by severity().
Verdict worst(Verdict a, Verdict b) noexcept;

/// A labelled value of a report's identity tables, for any format to render.
struct KeyValue {
  std::string key;
  std::string value;
};
/// Who was tested: name, path, hash, version, ABI level, capabilities.
std::vector<KeyValue> implementation_rows(const RunReport& report);
/// How it was run: tool version, times, completeness, expectations, options.
std::vector<KeyValue> run_rows(const RunReport& report);

/// One row of a run's requirement matrix.
struct RequirementRow {
  std::string id;
  std::string level;     ///< "" when a case cites an id missing from the catalogue
  std::string function;  ///< "" likewise
  /// The worst verdict of its cases; nullopt when none of its cases ran.
  std::optional<Verdict> verdict;
  std::vector<std::size_t> cases;  ///< indexes into RunReport::cases, in order
};

/// One row per requirement of `report.requirements`, in catalogue order,
/// then one per id that cases cite but the catalogue lacks, in order of
/// first citation.
std::vector<RequirementRow> requirement_matrix(const RunReport& report);

}  // namespace asyncconf::reports
