#include "asyncconf/reports/matrix.hpp"

#include <map>

#include "text.hpp"

namespace asyncconf::reports {

int severity(Verdict verdict) noexcept {
  // A requirement shows its worst case. Not-applicable ranks lowest: such a
  // case neither supports nor refutes the requirement, so a requirement
  // shows not-applicable only when none of its cases could run. An expected
  // failure ranks above pass because the requirement was not shown to hold;
  // error (the harness failed) ranks below the verdicts that are evidence
  // against the implementation; a hang or a crash is worse than a wrong
  // answer because it also takes the calling application down.
  switch (verdict) {
    case Verdict::NotApplicable: return 0;
    case Verdict::Pass: return 1;
    case Verdict::ExpectedFail: return 2;
    case Verdict::Error: return 3;
    case Verdict::Fail: return 4;
    case Verdict::Timeout: return 5;
    case Verdict::Crash: return 6;
  }
  return 7;
}

Verdict worst(Verdict a, Verdict b) noexcept { return severity(b) > severity(a) ? b : a; }

std::vector<KeyValue> implementation_rows(const RunReport& report) {
  const Implementation& impl = report.implementation;
  return {
      {"Name", impl.name},
      {"Path", impl.path},
      {"SHA-256", impl.sha256},
      {"Version", detail::or_none(impl.version)},
      {"ABI level", impl.abi_level},
      {"Capabilities", detail::or_none(detail::join(impl.capabilities))},
      {"Missing optional functions", detail::or_none(detail::join(impl.missing_optional))},
  };
}

std::vector<KeyValue> run_rows(const RunReport& report) {
  return {
      {"asyncconf", report.tool_version},
      {"Started (UTC)", report.started_at},
      {"Finished (UTC)", report.finished_at},
      {"Complete", report.complete ? "yes" : "no: interrupted, only the cases that ran are listed"},
      {"Expectations file", detail::or_none(report.expectations_file)},
      {"Filter", report.filter.empty() ? "(all cases)" : report.filter},
      {"Level", report.level.empty() ? "(all levels)" : report.level},
      {"Timeout per case", std::to_string(report.timeout_ms) + " ms"},
      {"Parallel jobs", std::to_string(report.jobs)},
  };
}

std::vector<RequirementRow> requirement_matrix(const RunReport& report) {
  std::vector<RequirementRow> rows;
  std::map<std::string, std::size_t> row_of;
  for (const Requirement& requirement : report.requirements) {
    if (row_of.count(requirement.id) != 0) continue;
    row_of.emplace(requirement.id, rows.size());
    rows.push_back({requirement.id, requirement.level, requirement.function, std::nullopt, {}});
  }
  for (std::size_t i = 0; i < report.cases.size(); ++i) {
    const CaseResult& result = report.cases[i];
    for (const std::string& id : result.requirements) {
      auto [it, added] = row_of.emplace(id, rows.size());
      if (added) rows.push_back({id, "", "", std::nullopt, {}});
      RequirementRow& row = rows[it->second];
      if (!row.cases.empty() && row.cases.back() == i) continue;  // cited twice by one case
      row.cases.push_back(i);
      row.verdict = row.verdict ? worst(*row.verdict, result.verdict) : result.verdict;
    }
  }
  return rows;
}

}  // namespace asyncconf::reports
