// report.md: the report for people, readable as plain text and rendered
// by GitHub/GitLab.
#pragma once

#include <string>

#include "asyncconf/reports/result.hpp"

namespace asyncconf::reports {

/// The report as GitHub-flavoured Markdown: the implementation's identity,
/// the run, summary counts, the requirement matrix, the evidence of every
/// case that did not pass, and the expected failures with their reasons.
std::string write_markdown(const RunReport& report);

}  // namespace asyncconf::reports
