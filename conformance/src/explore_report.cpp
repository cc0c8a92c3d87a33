#include "asyncconf/conformance/explore_report.hpp"

#include <cstdio>

#include "asyncconf/catalogue/requirements.hpp"
#include "asyncconf/conformance/runner.hpp"
#include "asyncconf/harness/identity.hpp"

namespace asyncconf::conformance {

reports::Implementation implementation_of(const std::string& name, const harness::LoadedImpl& impl) {
  const harness::Identity id = harness::identify(impl);
  return {name, id.path, id.sha256, id.version, harness::to_string(id.abi_level), id.capabilities,
          id.missing_optional};
}

std::string impl_summary(const reports::Implementation& impl) {
  std::string out = impl.name + " (";
  if (!impl.version.empty()) out += impl.version + ", ";
  if (impl.path != impl.name) out += impl.path + ", ";
  return out + "ABI " + impl.abi_level + ")";
}

reports::Verdict finding_verdict(harness::IsolatedOutcome::Kind kind) noexcept {
  switch (kind) {
    case harness::IsolatedOutcome::Kind::Crash: return reports::Verdict::Crash;
    case harness::IsolatedOutcome::Kind::Hang: return reports::Verdict::Timeout;
    default: return reports::Verdict::Fail;
  }
}

reports::RunReport explore_report(const ExploreReportInput& in, const harness::ExploreResult& result,
                                  const harness::FindingText* t) {
  const harness::ExploreSettings& run = in.settings;
  reports::RunReport report;
  report.tool_version = ASYNCCONF_VERSION;
  report.implementation = in.implementation;
  report.started_at = in.started_at;
  report.finished_at = utc_now();
  report.complete = !result.interrupted;
  report.level = run.level;
  report.timeout_ms = in.timeout_ms;
  report.jobs = 1;
  const harness::ExploreProgress& n = result.totals;
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.1f", n.seconds);
  const std::string numbers = std::to_string(n.sequences) + " sequences, " + std::to_string(n.ops) + " ops, seed " +
                              std::to_string(run.seed) + ", at most " + std::to_string(run.max_ops) +
                              " ops per sequence on " + std::to_string(run.threads) + " thread(s), " + seconds +
                              " s; " + std::to_string(n.inconclusive) + " inconclusive, " +
                              std::to_string(result.unattributed_leaks) + " unattributed leak(s)" +
                              (result.interrupted ? "; interrupted" : "");
  reports::CaseResult c;
  c.area = "explore";
  c.duration_ms = n.seconds * 1000.0;
  if (t == nullptr || !result.finding) {
    c.id = "explore/" + run.level;
    c.title = "random op sequences at level " + run.level + ": no violation, crash or hang";
    c.level = run.level;
    c.verdict = reports::Verdict::Pass;
    c.evidence = "no violation, crash or hang in " + numbers;
  } else {
    const harness::Finding& f = *result.finding;
    c.id = "explore/" + t->kind_name + "/" + (t->requirement.empty() ? t->detail : t->requirement);
    c.title = "random op sequences at level " + run.level + ": " + t->headline;
    c.level = t->requirement_level.empty() ? run.level : t->requirement_level;
    if (!t->requirement.empty()) {
      c.requirements.push_back(t->requirement);
      if (const reports::Requirement* r = catalogue::find_requirement(t->requirement)) {
        report.requirements.push_back(*r);
      }
    }
    c.verdict = finding_verdict(t->kind);
    c.evidence = t->headline + "\n" + t->explanation;
    if (!t->misuse.empty()) c.evidence += "misuse committed: " + t->misuse + "\n";
    c.evidence += "sequence" + std::string(f.reproduced_alone ? " (shrunk)" : "") + ":\n" + t->shrunk_text;
    if (!t->stderr_tail.empty()) c.evidence += "--- stderr of the child (last bytes) ---\n" + t->stderr_tail;
    c.evidence += "\nexplored: " + numbers;
  }
  c.observed = c.verdict;
  report.cases.push_back(std::move(c));
  return report;
}

}  // namespace asyncconf::conformance
