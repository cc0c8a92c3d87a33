#include "asyncconf/reports/json_report.hpp"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <utility>

namespace asyncconf::reports {
namespace {

using nlohmann::json;

constexpr const char* kToolName = "asyncconf";

template <class Json>
Json summary_json(const Summary& s) {
  return {{"total", s.total},
          {"pass", s.pass},
          {"fail", s.fail},
          {"crash", s.crash},
          {"timeout", s.timeout},
          {"not_applicable", s.not_applicable},
          {"expected_fail", s.expected_fail},
          {"error", s.error},
          {"unexpected_pass", s.unexpected_pass}};
}

template <class Json>
Json case_json(const CaseResult& c) {
  return {{"id", c.id},
          {"title", c.title},
          {"area", c.area},
          {"level", c.level},
          {"requirements", c.requirements},
          {"verdict", to_string(c.verdict)},
          {"observed", to_string(c.observed)},
          {"evidence", c.evidence},
          {"duration_ms", c.duration_ms},
          {"expected_failure", c.expected_failure ? Json(*c.expected_failure) : Json(nullptr)}};
}

// Built for either JSON type: nlohmann::json (sorted keys) is the API type;
// write_json() uses ordered_json so the file reads top-down as SCHEMA.md
// lists it, schema_version first and the long cases array last.
template <class Json>
Json build_json(const RunReport& report) {
  const Implementation& impl = report.implementation;
  Json requirements = Json::array();
  for (const Requirement& r : report.requirements) {
    requirements.push_back({{"id", r.id},
                            {"level", r.level},
                            {"function", r.function},
                            {"since", r.since},
                            {"source", r.source},
                            {"text", r.text}});
  }
  Json cases = Json::array();
  for (const CaseResult& c : report.cases) cases.push_back(case_json<Json>(c));
  return {
      {"schema_version", report.schema_version},
      {"tool", {{"name", kToolName}, {"version", report.tool_version}}},
      {"implementation",
       {{"name", impl.name},
        {"path", impl.path},
        {"sha256", impl.sha256},
        {"version", impl.version},
        {"abi_level", impl.abi_level},
        {"capabilities", impl.capabilities},
        {"missing_optional", impl.missing_optional}}},
      {"run",
       {{"started_at", report.started_at},
        {"finished_at", report.finished_at},
        {"complete", report.complete},
        {"expectations_file", report.expectations_file},
        {"filter", report.filter},
        {"level", report.level},
        {"timeout_ms", report.timeout_ms},
        {"jobs", report.jobs}}},
      {"summary", summary_json<Json>(report.summary())},
      {"requirements", std::move(requirements)},
      {"cases", std::move(cases)},
  };
}

// Reads one JSON object, naming each field by its path from the top
// ("cases[2].verdict") in every error.
class Reader {
public:
  Reader(const json& object, std::string path, std::string_view origin)
      : object_(object), path_(std::move(path)), origin_(origin) {
    if (!object_.is_object()) {
      fail(path_, std::string("expected an object, got ") + object_.type_name());
    }
  }

  [[noreturn]] void fail(const std::string& field, const std::string& what) const {
    throw std::runtime_error(std::string(origin_) + ": " + (field.empty() ? "top level" : field) +
                             ": " + what);
  }
  std::string field_path(const char* key) const { return path_.empty() ? key : path_ + "." + key; }

  const json& get(const char* key, bool (json::*is_type)() const noexcept, const char* type) const {
    const auto it = object_.find(key);
    if (it == object_.end()) fail(field_path(key), "missing");
    if (!((*it).*is_type)()) {
      fail(field_path(key), std::string("expected ") + type + ", got " + it->type_name());
    }
    return *it;
  }
  std::string string(const char* key) const {
    return get(key, &json::is_string, "a string").get<std::string>();
  }
  bool boolean(const char* key) const {
    return get(key, &json::is_boolean, "true or false").get<bool>();
  }
  double number(const char* key) const {
    return get(key, &json::is_number, "a number").get<double>();
  }
  std::int64_t integer(const char* key) const {
    const json& value = get(key, &json::is_number_integer, "an integer");
    if (value.is_number_unsigned() &&
        value.get<std::uint64_t>() > std::uint64_t(std::numeric_limits<std::int64_t>::max())) {
      fail(field_path(key), "out of range");
    }
    return value.get<std::int64_t>();
  }
  int small_integer(const char* key) const {
    const std::int64_t value = integer(key);
    if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max()) {
      fail(field_path(key), "out of range");
    }
    return static_cast<int>(value);
  }
  std::vector<std::string> strings(const char* key) const {
    std::vector<std::string> out;
    const json& array = get(key, &json::is_array, "an array of strings");
    for (std::size_t i = 0; i < array.size(); ++i) {
      if (!array[i].is_string()) {
        fail(field_path(key) + "[" + std::to_string(i) + "]",
             std::string("expected a string, got ") + array[i].type_name());
      }
      out.push_back(array[i].get<std::string>());
    }
    return out;
  }
  Reader object(const char* key) const {
    return Reader(get(key, &json::is_object, "an object"), field_path(key), origin_);
  }
  // The elements of an array of objects, each as a Reader.
  std::vector<Reader> objects(const char* key) const {
    std::vector<Reader> out;
    const json& array = get(key, &json::is_array, "an array");
    for (std::size_t i = 0; i < array.size(); ++i) {
      out.emplace_back(array[i], field_path(key) + "[" + std::to_string(i) + "]", origin_);
    }
    return out;
  }
  Verdict verdict(const char* key) const {
    const std::string text = string(key);
    if (const auto verdict = verdict_from_string(text)) return *verdict;
    fail(field_path(key), "unknown verdict \"" + text +
                              "\" (expected one of pass, fail, crash, timeout, not-applicable, "
                              "expected-fail, error)");
  }
  std::optional<std::string> optional_string(const char* key) const {
    const auto it = object_.find(key);
    if (it != object_.end() && it->is_null()) return std::nullopt;
    return string(key);
  }

private:
  const json& object_;
  std::string path_;
  std::string_view origin_;
};

CaseResult read_case(const Reader& in) {
  CaseResult c;
  c.id = in.string("id");
  c.title = in.string("title");
  c.area = in.string("area");
  c.level = in.string("level");
  c.requirements = in.strings("requirements");
  c.verdict = in.verdict("verdict");
  c.observed = in.verdict("observed");
  c.evidence = in.string("evidence");
  c.duration_ms = in.number("duration_ms");
  c.expected_failure = in.optional_string("expected_failure");
  return c;
}

Requirement read_requirement(const Reader& in) {
  return {in.string("id"),    in.string("level"),  in.string("function"),
          in.string("since"), in.string("source"), in.string("text")};
}

Implementation read_implementation(const Reader& in) {
  return {in.string("name"),
          in.string("path"),
          in.string("sha256"),
          in.string("version"),
          in.string("abi_level"),
          in.strings("capabilities"),
          in.strings("missing_optional")};
}

// The summary is derived from the cases; one that disagrees means the file
// was edited or cut short, and what people see in it could not be trusted.
void check_summary(const Reader& in, const Summary& s) {
  const std::pair<const char*, std::int64_t> counts[] = {{"total", s.total},
                                                         {"pass", s.pass},
                                                         {"fail", s.fail},
                                                         {"crash", s.crash},
                                                         {"timeout", s.timeout},
                                                         {"not_applicable", s.not_applicable},
                                                         {"expected_fail", s.expected_fail},
                                                         {"error", s.error},
                                                         {"unexpected_pass", s.unexpected_pass}};
  for (const auto& [key, expected] : counts) {
    const std::int64_t written = in.integer(key);
    if (written != expected) {
      in.fail(in.field_path(key),
              "is " + std::to_string(written) + " but the cases give " + std::to_string(expected));
    }
  }
}

}  // namespace

json to_json(const RunReport& report) { return build_json<json>(report); }

std::string write_json(const RunReport& report) {
  // Evidence can hold raw stderr bytes; the default (strict) handler would
  // throw on invalid UTF-8, and a report must still be written.
  return build_json<nlohmann::ordered_json>(report).dump(2, ' ', false,
                                                         json::error_handler_t::replace) +
         "\n";
}

RunReport run_report_from_json(const json& document, std::string_view origin) {
  const Reader top(document, "", origin);
  // The version first: a file of another version may differ in any field,
  // and "unsupported version" is the error that tells the user what to do.
  RunReport report;
  report.schema_version = top.small_integer("schema_version");
  if (report.schema_version != kSchemaVersion) {
    top.fail("schema_version", "version " + std::to_string(report.schema_version) +
                                   " is not supported; this asyncconf reads version " +
                                   std::to_string(kSchemaVersion));
  }
  const Reader tool = top.object("tool");
  if (tool.string("name") != kToolName) {
    top.fail("tool.name", "\"" + tool.string("name") + "\" is not \"" + kToolName + "\"");
  }
  report.tool_version = tool.string("version");
  report.implementation = read_implementation(top.object("implementation"));
  const Reader run = top.object("run");
  report.started_at = run.string("started_at");
  report.finished_at = run.string("finished_at");
  report.complete = run.boolean("complete");
  report.expectations_file = run.string("expectations_file");
  report.filter = run.string("filter");
  report.level = run.string("level");
  report.timeout_ms = run.small_integer("timeout_ms");
  report.jobs = run.small_integer("jobs");
  for (const Reader& r : top.objects("requirements")) {
    report.requirements.push_back(read_requirement(r));
  }
  for (const Reader& c : top.objects("cases")) report.cases.push_back(read_case(c));
  check_summary(top.object("summary"), report.summary());
  return report;
}

RunReport read_json_report(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path.string() + ": cannot open: " + std::strerror(errno));
  json document;
  try {
    document = json::parse(in);
  } catch (const json::parse_error& e) {
    throw std::runtime_error(path.string() + ": not valid JSON: " + e.what());
  }
  return run_report_from_json(document, path.string());
}

}  // namespace asyncconf::reports
