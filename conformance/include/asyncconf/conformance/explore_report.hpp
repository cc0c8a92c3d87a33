// The reports of explore (one case: what it found, or that it found
// nothing), and who was tested as explore, replay and diff print it. Here
// rather than in the harness's runners, which know nothing of reports.
#pragma once

#include <string>

#include "asyncconf/harness/async_api.hpp"
#include "asyncconf/harness/explorer.hpp"
#include "asyncconf/harness/finding_text.hpp"
#include "asyncconf/reports/result.hpp"

namespace asyncconf::conformance {

/// Who was tested, as the reports record it; `name` as --impl gave it.
reports::Implementation implementation_of(const std::string& name, const harness::LoadedImpl& impl);
/// "reference (OpenSSL 3.x ..., /path/lib.so, ABI 3.2)": one line for people.
std::string impl_summary(const reports::Implementation& impl);

/// The verdict of a finding of that kind: crash, timeout (a hang) or fail.
reports::Verdict finding_verdict(harness::IsolatedOutcome::Kind kind) noexcept;

struct ExploreReportInput {
  reports::Implementation implementation;
  harness::ExploreSettings settings;  ///< seed, level, max ops, threads
  int timeout_ms = 0;
  std::string started_at;  ///< utc_now() when it started
};
/// One case, "explore/<level>" (pass) or "explore/<kind>/<requirement or
/// detail>"; `text` describes result.finding (null when there is none).
reports::RunReport explore_report(const ExploreReportInput& in, const harness::ExploreResult& result,
                                  const harness::FindingText* text);

}  // namespace asyncconf::conformance
