// compare.md / compare.html: several runs side by side (Autobahn style).
#pragma once

#include <string>
#include <vector>

#include "asyncconf/reports/result.hpp"

namespace asyncconf::reports {

/// The text that stands in a matrix cell for a case or requirement that a
/// report does not have (the runs may have covered different subsets).
inline constexpr const char* kMissingCell = "\u2014";  // em dash

/// The column heading of a report: the implementation's name, then its
/// version when it has one.
std::string column_label(const RunReport& report);

/// Two matrices in Markdown: requirements (id, level) x implementations,
/// each cell the requirement's verdict in that run (the worst of its cases);
/// and cases x implementations, each cell the case's verdict. Rows are the
/// union over the reports, in order of first appearance; kMissingCell where
/// a report lacks the row.
std::string write_compare_markdown(const std::vector<RunReport>& reports);

/// The same matrices as one self-contained HTML page (inline CSS, no
/// script, no external reference), cells coloured by verdict.
std::string write_compare_html(const std::vector<RunReport>& reports);

}  // namespace asyncconf::reports
