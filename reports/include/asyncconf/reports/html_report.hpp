// report.html: the report for people, in one self-contained file.
#pragma once

#include <string>

#include "asyncconf/reports/result.hpp"

namespace asyncconf::reports {

/// The content of write_markdown() as one HTML5 page: inline CSS only, no
/// script, no external reference; every link is to an anchor in the page
/// ("#case-..." for each case that did not pass). All text is escaped.
std::string write_html(const RunReport& report);

/// The id attribute of a case's details section in write_html(): "case-"
/// followed by the case id, with every byte other than [A-Za-z0-9./-]
/// written as "_" and two hex digits (so distinct ids give distinct anchors).
std::string case_anchor(const std::string& case_id);

}  // namespace asyncconf::reports
