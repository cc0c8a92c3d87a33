// GitHub-flavoured Markdown, meant to be read both rendered and as plain
// text in a terminal or a CI log.
#include "asyncconf/reports/markdown_report.hpp"

#include "asyncconf/reports/matrix.hpp"
#include "text.hpp"

namespace asyncconf::reports {
namespace {

// Ids and names are escaped plain text, not code spans, so one rule serves
// table cells, headings and list items: outside tables, backslash escapes
// do not work inside code spans.
using detail::markdown_text;

// GFM has no table without a header row; key/value tables get "| | |".
void table(std::string& out, const std::vector<KeyValue>& rows) {
  out += "| | |\n| --- | --- |\n";
  for (const KeyValue& r : rows) out += "| " + r.key + " | " + markdown_text(r.value) + " |\n";
}

void identity(std::string& out, const RunReport& report) {
  out += "## Implementation\n\n";
  table(out, implementation_rows(report));
  out += "\n## Run\n\n";
  table(out, run_rows(report));
}

void summary(std::string& out, const RunReport& report) {
  const Summary s = report.summary();
  out += "\n## Summary\n\n| Verdict | Cases |\n| --- | ---: |\n";
  for (const Verdict verdict : kAllVerdicts) {
    const std::int64_t count = s.of(verdict);
    out += "| " + std::string(to_string(verdict)) + " | " + std::to_string(count) + " |\n";
  }
  out += "| **total** | **" + std::to_string(s.total) + "** |\n";
  if (s.unexpected_pass > 0) {
    out += "\n" + std::to_string(s.unexpected_pass) +
           " expected failure(s) passed: see [Expected failures](#expected-failures).\n";
  }
  out += "\nExit code: " + std::to_string(report.exit_code()) + "\n";
}

void matrix(std::string& out, const RunReport& report) {
  out += "\n## Requirements\n\nA requirement's verdict is the worst of its cases' verdicts.\n\n";
  out += "| Requirement | Level | Function | Verdict | Cases |\n| --- | --- | --- | --- | --- |\n";
  for (const RequirementRow& r : requirement_matrix(report)) {
    std::string cases;
    for (const std::size_t i : r.cases) {
      const CaseResult& c = report.cases[i];
      if (!cases.empty()) cases += "<br>";
      cases += markdown_text(c.id) + " (" + to_string(c.verdict) + ")";
    }
    out += "| " + markdown_text(r.id) + " | " + markdown_text(r.level) + " | " +
           markdown_text(r.function) + " | " + (r.verdict ? to_string(*r.verdict) : "not run") +
           " | " + (cases.empty() ? "(none)" : cases) + " |\n";
  }
}

void evidence(std::string& out, const RunReport& report) {
  out += "\n## Cases that did not pass\n";
  bool any = false;
  for (const CaseResult& c : report.cases) {
    if (c.verdict == Verdict::Pass) continue;
    any = true;
    out += "\n### " + markdown_text(c.id) + ": " + to_string(c.verdict) + "\n\n";
    out += markdown_text(c.title) + "\n\n";
    out += "- Area: " + markdown_text(c.area) + "\n";
    out += "- Level: " + markdown_text(c.level) + "\n";
    out += "- Requirements: " + markdown_text(detail::or_none(detail::join(c.requirements))) + "\n";
    out += "- Duration: " + detail::format_fixed(c.duration_ms, 1) + " ms\n";
    if (c.expected_failure) {
      out += "- Observed: " + std::string(to_string(c.observed)) + "\n";
      out += "- Expected failure: " + markdown_text(*c.expected_failure) + "\n";
    }
    out += "\n" +
           detail::markdown_code_block(c.evidence.empty() ? "(no evidence recorded)" : c.evidence);
  }
  if (!any) out += "\nEvery case passed.\n";
}

void expected_failures(std::string& out, const RunReport& report) {
  out += "\n## Expected failures\n\n";
  std::string rows;
  for (const CaseResult& c : report.cases) {
    if (!c.expected_failure) continue;
    const std::string note = c.verdict == Verdict::Pass
                                 ? "passed: remove it from the expectations file"
                                 : to_string(c.verdict);
    rows += "| " + markdown_text(c.id) + " | " + to_string(c.observed) + " | " + note + " | " +
            markdown_text(*c.expected_failure) + " |\n";
  }
  if (rows.empty()) {
    out += report.expectations_file.empty()
               ? "No expectations file was applied.\n"
               : "No case of this run is listed as an expected failure.\n";
    return;
  }
  out += "| Case | Observed | Verdict | Reason |\n| --- | --- | --- | --- |\n" + rows;
}

}  // namespace

std::string write_markdown(const RunReport& report) {
  std::string out = "# asyncconf report: " + markdown_text(report.implementation.name) + "\n\n";
  if (!report.complete) {
    out += "**Interrupted run: only the cases that ran are listed.**\n\n";
  }
  identity(out, report);
  summary(out, report);
  matrix(out, report);
  evidence(out, report);
  expected_failures(out, report);
  return out;
}

}  // namespace asyncconf::reports
