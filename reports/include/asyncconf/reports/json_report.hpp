// report.json: the machine-readable report. Its schema is reports/SCHEMA.md.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "asyncconf/reports/result.hpp"

namespace asyncconf::reports {

/// The report as JSON, in the schema of reports/SCHEMA.md (version
/// kSchemaVersion). Text that is not valid UTF-8 (raw stderr in evidence)
/// is written with U+FFFD in place of each invalid byte.
nlohmann::json to_json(const RunReport& report);

/// to_json() as text: 2-space indentation, ending in a newline.
std::string write_json(const RunReport& report);

/// The inverse of to_json(). Throws std::runtime_error for input that is not
/// a report of this schema: a missing field, a field of the wrong type, an
/// unknown verdict, a summary that disagrees with the cases, or a
/// schema_version other than kSchemaVersion. The message starts with
/// `origin` (the file name) and names the field, as in
/// "a.json: cases[2].verdict: unknown verdict \"passed\" (expected one of ...)".
/// Fields the schema does not define are ignored.
RunReport run_report_from_json(const nlohmann::json& json, std::string_view origin = "report");

/// Reads and parses the report.json at `path`. Throws std::runtime_error
/// naming the path when it cannot be read, is not JSON, or is rejected by
/// run_report_from_json().
RunReport read_json_report(const std::filesystem::path& path);

}  // namespace asyncconf::reports
