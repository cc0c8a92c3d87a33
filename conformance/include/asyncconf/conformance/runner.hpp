// Runs conformance cases against one loaded implementation, each in its own
// forked child, and collects a RunReport.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "asyncconf/conformance/catalogue.hpp"
#include "asyncconf/conformance/expectations.hpp"
#include "asyncconf/harness/async_api.hpp"
#include "asyncconf/reports/result.hpp"

namespace asyncconf::conformance {

/// The cases whose id matches the glob (fnmatch; "" matches all) and whose
/// level is `level` or stricter, in suite order.
std::vector<const Case*> select_cases(const std::string& filter, Level level);

struct RunOptions {
  std::string impl_name;  ///< as the user named it (--impl)
  std::string filter;     ///< recorded in the report
  std::string level;      ///< recorded in the report
  std::chrono::milliseconds timeout{5000};
  std::size_t jobs = 1;                         ///< children at once
  const Expectations* expectations = nullptr;   ///< null: none
  const std::atomic<bool>* stop = nullptr;      ///< set by a signal: stop, report what ran
  /// Called in the parent as each case ends (in completion order).
  std::function<void(const reports::CaseResult&, std::size_t done, std::size_t total)> on_result;
};

/// Runs `cases` and returns the report: identity, requirements cited,
/// results in suite order, `complete == false` when stopped early.
reports::RunReport run_cases(const harness::LoadedImpl& impl, const std::vector<const Case*>& cases,
                             const RunOptions& options);

/// Now, UTC, ISO 8601 (the reports' started_at / finished_at).
std::string utc_now();

/// Applies an expectations entry to an observed verdict.
reports::Verdict apply_expectation(reports::Verdict observed, bool expected_to_fail) noexcept;

}  // namespace asyncconf::conformance
