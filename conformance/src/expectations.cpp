#include "asyncconf/conformance/expectations.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "asyncconf/conformance/catalogue.hpp"

namespace asyncconf::conformance {

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw std::runtime_error("expectations file " + path + ": " + what);
}

std::string string_field(const nlohmann::json& object, const char* name, const std::string& path,
                         const std::string& where) {
  const auto it = object.find(name);
  if (it == object.end() || !it->is_string() || it->get<std::string>().empty()) {
    fail(path, where + ": \"" + name + "\" must be a non-empty string");
  }
  return it->get<std::string>();
}

}  // namespace

const ExpectedFailure* Expectations::find(const std::string& case_id) const {
  const auto it = std::find_if(failures.begin(), failures.end(),
                               [&](const ExpectedFailure& f) { return f.case_id == case_id; });
  return it == failures.end() ? nullptr : &*it;
}

Expectations load_expectations(const std::string& path) {
  std::ifstream in(path);
  if (!in) fail(path, "cannot be read");
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    fail(path, std::string("not valid JSON: ") + e.what());
  }
  if (!doc.is_object()) fail(path, "the top level must be an object");
  Expectations out;
  out.path = path;
  out.implementation = string_field(doc, "implementation", path, "top level");
  const auto match = doc.find("match");
  if (match != doc.end()) {
    if (!match->is_object()) fail(path, "\"match\" must be an object");
    out.version_prefix = string_field(*match, "version_prefix", path, "match");
  }
  const auto list = doc.find("expected_failures");
  if (list == doc.end() || !list->is_array()) fail(path, "\"expected_failures\" must be an array");
  for (std::size_t i = 0; i < list->size(); ++i) {
    const nlohmann::json& entry = (*list)[i];
    const std::string where = "expected_failures[" + std::to_string(i) + "]";
    if (!entry.is_object()) fail(path, where + " must be an object");
    ExpectedFailure f{string_field(entry, "case", path, where),
                      string_field(entry, "reason", path, where)};
    const auto& cases = all_cases();
    if (std::none_of(cases.begin(), cases.end(), [&](const Case& c) { return c.id == f.case_id; })) {
      fail(path, where + ": no case \"" + f.case_id + "\" in this suite");
    }
    if (out.find(f.case_id) != nullptr) fail(path, where + ": case \"" + f.case_id + "\" listed twice");
    out.failures.push_back(std::move(f));
  }
  return out;
}

std::string shipped_expectations_dir() {
  if (const char* dir = std::getenv("ASYNCCONF_EXPECTATIONS_DIR"); dir != nullptr && *dir != '\0') {
    return dir;
  }
  return ASYNCCONF_SHIPPED_EXPECTATIONS_DIR;
}

std::string shipped_expectations_for(const harness::Identity& identity) {
  if (identity.version.empty()) return "";
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(shipped_expectations_dir(), ec)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    const Expectations e = load_expectations(file.string());
    if (!e.version_prefix.empty() && identity.version.rfind(e.version_prefix, 0) == 0) {
      return file.string();
    }
  }
  return "";
}

}  // namespace asyncconf::conformance
