// One self-contained HTML page: it is archived as a CI artifact and opened
// from disk, often offline, so it carries its CSS inline and needs no
// script; nothing in it points outside the page.
#include "asyncconf/reports/html_report.hpp"

#include <optional>

#include "asyncconf/reports/matrix.hpp"
#include "text.hpp"

namespace asyncconf::reports {
namespace {

std::string esc(const std::string& text) { return detail::escape_markup(text); }

std::string verdict_span(Verdict verdict) {
  const std::string name = to_string(verdict);
  return "<span class=\"v-" + name + "\">" + name + "</span>";
}

void row(std::string& out, const std::string& key, const std::string& value) {
  out += "<tr><th>" + key + "</th><td>" + esc(value) + "</td></tr>\n";
}

void table(std::string& out, const std::vector<KeyValue>& rows) {
  out += "<table>\n";
  for (const KeyValue& r : rows) row(out, r.key, r.value);
  out += "</table>\n";
}

void identity(std::string& out, const RunReport& report) {
  out += "<h2>Implementation</h2>\n";
  table(out, implementation_rows(report));
  out += "<h2>Run</h2>\n";
  table(out, run_rows(report));
}

void summary(std::string& out, const RunReport& report) {
  const Summary s = report.summary();
  out += "<h2>Summary</h2>\n<table>\n<tr><th>Verdict</th><th>Cases</th></tr>\n";
  for (const Verdict verdict : kAllVerdicts) {
    const std::int64_t count = s.of(verdict);
    out +=
        "<tr><td>" + verdict_span(verdict) + "</td><td>" + std::to_string(count) + "</td></tr>\n";
  }
  out += "<tr><th>total</th><th>" + std::to_string(s.total) + "</th></tr>\n</table>\n";
  if (s.unexpected_pass > 0) {
    out += "<p>" + std::to_string(s.unexpected_pass) +
           " expected failure(s) passed: see <a href=\"#expected-failures\">Expected "
           "failures</a>.</p>\n";
  }
  out += "<p>Exit code: " + std::to_string(report.exit_code()) + "</p>\n";
}

// A case in the matrix: a link to its details when it has any (every case
// that did not pass), plain text otherwise.
std::string case_ref(const CaseResult& c) {
  const std::string cls = std::string("v-") + to_string(c.verdict);
  if (c.verdict == Verdict::Pass) return "<span class=\"" + cls + "\">" + esc(c.id) + "</span>";
  return "<a class=\"" + cls + "\" href=\"#" + case_anchor(c.id) + "\">" + esc(c.id) + "</a>";
}

// The requirement's text as a tooltip on its id, where the catalogue has it.
std::string title_of(const RunReport& report, const std::string& id) {
  for (const Requirement& r : report.requirements) {
    if (r.id == id && !r.text.empty()) {
      return " title=\"" + detail::escape_markup(r.text, true) + "\"";
    }
  }
  return "";
}

std::string verdict_cell(const std::optional<Verdict>& verdict) {
  if (!verdict) return "<td class=\"v-missing\">not run</td>";
  const std::string name = to_string(*verdict);
  return "<td class=\"v-" + name + "\">" + name + "</td>";
}

void matrix(std::string& out, const RunReport& report) {
  out += "<h2>Requirements</h2>\n";
  out += "<p>A requirement's verdict is the worst of its cases' verdicts.</p>\n";
  out += "<table>\n<tr><th>Requirement</th><th>Level</th><th>Function</th><th>Verdict</th>";
  out += "<th>Cases</th></tr>\n";
  for (const RequirementRow& r : requirement_matrix(report)) {
    std::string cases;
    for (const std::size_t i : r.cases) {
      cases += (cases.empty() ? "" : "<br>") + case_ref(report.cases[i]);
    }
    out += "<tr><td" + title_of(report, r.id) + ">" + esc(r.id) + "</td><td>" + esc(r.level) +
           "</td><td>" + esc(r.function) + "</td>" + verdict_cell(r.verdict) + "<td>" +
           (cases.empty() ? "(none)" : cases) + "</td></tr>\n";
  }
  out += "</table>\n";
}

void details(std::string& out, const RunReport& report) {
  out += "<h2>Cases that did not pass</h2>\n";
  bool any = false;
  for (const CaseResult& c : report.cases) {
    if (c.verdict == Verdict::Pass) continue;
    any = true;
    out += "<section class=\"case\" id=\"" + case_anchor(c.id) + "\">\n<h3><a href=\"#" +
           case_anchor(c.id) + "\">" + esc(c.id) + "</a> " + verdict_span(c.verdict) + "</h3>\n";
    out += "<p>" + esc(c.title) + "</p>\n<table>\n";
    row(out, "Area", c.area);
    row(out, "Level", c.level);
    row(out, "Requirements", detail::or_none(detail::join(c.requirements)));
    row(out, "Duration", detail::format_fixed(c.duration_ms, 1) + " ms");
    if (c.expected_failure) {
      row(out, "Observed", to_string(c.observed));
      row(out, "Expected failure", *c.expected_failure);
    }
    out += "</table>\n<pre>" + esc(c.evidence.empty() ? "(no evidence recorded)" : c.evidence) +
           "</pre>\n</section>\n";
  }
  if (!any) out += "<p>Every case passed.</p>\n";
}

void expected_failures(std::string& out, const RunReport& report) {
  out += "<h2 id=\"expected-failures\">Expected failures</h2>\n";
  std::string rows;
  for (const CaseResult& c : report.cases) {
    if (!c.expected_failure) continue;
    const std::string note =
        c.verdict == Verdict::Pass
            ? "<span class=\"v-pass\">passed: remove it from the expectations file</span>"
            : verdict_span(c.verdict);
    const std::string id = c.verdict == Verdict::Pass ? esc(c.id) : case_ref(c);
    rows += "<tr><td>" + id + "</td><td>" + verdict_span(c.observed) + "</td><td>" + note +
            "</td><td>" + esc(*c.expected_failure) + "</td></tr>\n";
  }
  if (rows.empty()) {
    out += report.expectations_file.empty()
               ? "<p>No expectations file was applied.</p>\n"
               : "<p>No case of this run is listed as an expected failure.</p>\n";
    return;
  }
  out += "<table>\n<tr><th>Case</th><th>Observed</th><th>Verdict</th><th>Reason</th></tr>\n" +
         rows + "</table>\n";
}

}  // namespace

std::string case_anchor(const std::string& case_id) {
  constexpr char kHex[] = "0123456789ABCDEF";
  std::string anchor = "case-";
  for (const char c : case_id) {
    const auto byte = static_cast<unsigned char>(c);
    const bool plain = (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') ||
                       (byte >= '0' && byte <= '9') || c == '.' || c == '/' || c == '-';
    if (plain) {
      anchor += c;
    } else {
      anchor += '_';
      anchor += kHex[byte >> 4];
      anchor += kHex[byte & 0xF];
    }
  }
  return anchor;
}

std::string write_html(const RunReport& report) {
  const std::string title = "asyncconf report: " + esc(report.implementation.name);
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + title +
      "</title>\n" + std::string(detail::html_style()) + "</head>\n<body>\n<h1>" + title +
      "</h1>\n";
  if (!report.complete) {
    out += "<p class=\"incomplete\">Interrupted run: only the cases that ran are listed.</p>\n";
  }
  identity(out, report);
  summary(out, report);
  matrix(out, report);
  details(out, report);
  expected_failures(out, report);
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace asyncconf::reports
