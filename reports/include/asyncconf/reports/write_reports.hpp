// Writing the report files of a run (or of a comparison) into a directory.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "asyncconf/reports/result.hpp"

namespace asyncconf::reports {

/// Which report files to write.
struct Formats {
  bool json = true;   ///< report.json
  bool junit = true;  ///< junit.xml
  bool md = true;     ///< report.md
  bool html = true;   ///< report.html

  friend bool operator==(const Formats&, const Formats&) = default;
};

/// Parses a comma-separated list of format names ("json,junit,md,html", in
/// any order, spaces around names allowed). Throws std::invalid_argument
/// for an empty list, an empty item or an unknown name, quoting the name
/// and listing the valid ones.
Formats parse_formats(const std::string& list);

/// Writes the chosen formats of `report` into `dir` (created with its
/// parents if needed) as report.json, junit.xml, report.md, report.html.
/// Each file is replaced atomically: written to a temporary file in `dir`,
/// flushed to disk, then renamed over the old one, so a reader sees the old
/// file or the new one, never a part. Returns the paths written, in that
/// order. Throws std::runtime_error with the path and the system's error
/// text when a file cannot be written; files written before stay.
std::vector<std::filesystem::path> write_reports(const RunReport& report,
                                                 const std::filesystem::path& dir,
                                                 Formats formats = {});

/// Writes compare.md and compare.html for `reports` into `dir`, in the
/// same way as write_reports().
std::vector<std::filesystem::path> write_compare(const std::vector<RunReport>& reports,
                                                 const std::filesystem::path& dir);

}  // namespace asyncconf::reports
