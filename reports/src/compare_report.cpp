// Several runs side by side, Autobahn style: one matrix a person can read
// at a glance, in Markdown and in a self-contained HTML page.
#include "asyncconf/reports/compare_report.hpp"

#include <map>
#include <optional>

#include "asyncconf/reports/matrix.hpp"
#include "text.hpp"

namespace asyncconf::reports {
namespace {

// Rows of one matrix: the union of the reports' rows, in order of first
// appearance; a cell is empty where a report lacks the row.
struct Matrix {
  struct Row {
    std::string id;
    std::string level;
    std::vector<std::optional<Verdict>> cells;  // one per report
  };
  std::vector<Row> rows;
  std::map<std::string, std::size_t> index;

  Row& row(const std::string& id, const std::string& level, std::size_t columns) {
    auto [it, added] = index.emplace(id, rows.size());
    if (added) rows.push_back({id, level, std::vector<std::optional<Verdict>>(columns)});
    Row& found = rows[it->second];
    // A requirement cited by a case but missing from the first report's
    // catalogue gets its level from the first report that has it.
    if (found.level.empty()) found.level = level;
    return found;
  }
};

Matrix requirements_matrix(const std::vector<RunReport>& reports) {
  Matrix m;
  for (std::size_t col = 0; col < reports.size(); ++col) {
    for (const RequirementRow& r : requirement_matrix(reports[col])) {
      m.row(r.id, r.level, reports.size()).cells[col] = r.verdict;
    }
  }
  return m;
}

Matrix cases_matrix(const std::vector<RunReport>& reports) {
  Matrix m;
  for (std::size_t col = 0; col < reports.size(); ++col) {
    for (const CaseResult& c : reports[col].cases) {
      m.row(c.id, c.level, reports.size()).cells[col] = c.verdict;
    }
  }
  return m;
}

std::string summary_line(const RunReport& report) {
  const Summary s = report.summary();
  return std::to_string(s.pass) + " pass / " + std::to_string(s.total) + " cases, " +
         std::to_string(s.fail + s.crash + s.timeout + s.error) + " failing";
}

void markdown_matrix(std::string& out, const char* title, const char* first, const Matrix& m,
                     const std::vector<RunReport>& reports) {
  out += std::string("\n## ") + title + "\n\n| " + first + " | Level |";
  std::string rule = "| --- | --- |";
  for (const RunReport& report : reports) {
    out += " " + detail::markdown_text(column_label(report)) + " |";
    rule += " --- |";
  }
  out += "\n" + rule + "\n";
  for (const Matrix::Row& row : m.rows) {
    out += "| " + detail::markdown_text(row.id) + " | " + detail::markdown_text(row.level) + " |";
    for (const std::optional<Verdict>& cell : row.cells) {
      out += std::string(" ") + (cell ? to_string(*cell) : kMissingCell) + " |";
    }
    out += "\n";
  }
}

void html_matrix(std::string& out, const char* title, const char* first, const Matrix& m,
                 const std::vector<RunReport>& reports) {
  out += std::string("<h2>") + title + "</h2>\n<table>\n<tr><th>" + first + "</th><th>Level</th>";
  for (const RunReport& report : reports) {
    out += "<th>" + detail::escape_markup(column_label(report)) + "</th>";
  }
  out += "</tr>\n";
  for (const Matrix::Row& row : m.rows) {
    out += "<tr><td>" + detail::escape_markup(row.id) + "</td><td>" +
           detail::escape_markup(row.level) + "</td>";
    for (const std::optional<Verdict>& cell : row.cells) {
      const std::string name = cell ? to_string(*cell) : "missing";
      out += "<td class=\"v-" + name + "\">" + (cell ? name : kMissingCell) + "</td>";
    }
    out += "</tr>\n";
  }
  out += "</table>\n";
}

}  // namespace

std::string column_label(const RunReport& report) {
  const Implementation& impl = report.implementation;
  return impl.version.empty() ? impl.name : impl.name + " " + impl.version;
}

std::string write_compare_markdown(const std::vector<RunReport>& reports) {
  std::string out = "# asyncconf comparison\n\n";
  out +=
      "| Implementation | ABI level | SHA-256 | Started (UTC) | Result |\n"
      "| --- | --- | --- | --- | --- |\n";
  for (const RunReport& r : reports) {
    out += "| " + detail::markdown_text(column_label(r)) + " | " +
           detail::markdown_text(r.implementation.abi_level) + " | " +
           detail::markdown_text(r.implementation.sha256) + " | " +
           detail::markdown_text(r.started_at) + " | " + summary_line(r) +
           (r.complete ? "" : " (interrupted)") + " |\n";
  }
  out += std::string("\n") + kMissingCell + " marks a case or requirement the run did not cover. " +
         "A requirement's verdict is the worst of its cases' verdicts.\n";
  markdown_matrix(out, "Requirements", "Requirement", requirements_matrix(reports), reports);
  markdown_matrix(out, "Cases", "Case", cases_matrix(reports), reports);
  return out;
}

std::string write_compare_html(const std::vector<RunReport>& reports) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>asyncconf comparison</title>\n" +
      std::string(detail::html_style()) + "</head>\n<body>\n<h1>asyncconf comparison</h1>\n";
  out +=
      "<table>\n<tr><th>Implementation</th><th>ABI level</th><th>SHA-256</th><th>Started (UTC)</th>"
      "<th>Result</th></tr>\n";
  for (const RunReport& r : reports) {
    out += "<tr><td>" + detail::escape_markup(column_label(r)) + "</td><td>" +
           detail::escape_markup(r.implementation.abi_level) + "</td><td>" +
           detail::escape_markup(r.implementation.sha256) + "</td><td>" +
           detail::escape_markup(r.started_at) + "</td><td>" + summary_line(r) +
           (r.complete ? "" : " (interrupted)") + "</td></tr>\n";
  }
  out += std::string("</table>\n<p>") + kMissingCell +
         " marks a case or requirement the run did not cover. "
         "A requirement's verdict is the worst of its cases' verdicts.</p>\n";
  html_matrix(out, "Requirements", "Requirement", requirements_matrix(reports), reports);
  html_matrix(out, "Cases", "Case", cases_matrix(reports), reports);
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace asyncconf::reports
