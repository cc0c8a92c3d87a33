// Blocks of text in what explore, replay and diff print and write: '#'
// comment headers, indented blocks, the tail of a child's stderr.
#pragma once

#include <cstddef>
#include <string>

namespace asyncconf::harness {

/// Each line of `text` as a `#` comment line ("#" alone for an empty line;
/// trailing spaces and CRs dropped).
std::string comment_lines(const std::string& text);
/// Each line of `text` prefixed with `prefix`, each ending in '\n'.
std::string indent(const std::string& text, const std::string& prefix = "    ");
/// The last `max_bytes` of `text` (from the start of a line when there is
/// one), after a "[...]" line; all of it when it is short enough.
std::string tail_of(const std::string& text, std::size_t max_bytes = 2000);

}  // namespace asyncconf::harness
