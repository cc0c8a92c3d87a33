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

std::filesystem::path executable_dir() {
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path() : exe.parent_path();
}

std::vector<std::string> beside_executable(const std::string& relative_paths) {
  const std::filesystem::path exe_dir = executable_dir();
  std::vector<std::string> out;
  if (exe_dir.empty()) return out;
  for (std::size_t at = 0; at <= relative_paths.size();) {
    const std::size_t end = std::min(relative_paths.find(':', at), relative_paths.size());
    if (end > at) {
      out.push_back((exe_dir / relative_paths.substr(at, end - at)).lexically_normal().string());
    }
    at = end + 1;
  }
  return out;
}

std::vector<std::string> shipped_expectations_candidates() {
  if (const char* dir = std::getenv("ASYNCCONF_EXPECTATIONS_DIR"); dir != nullptr && *dir != '\0') {
    return {dir};
  }
  // Relative to the running executable, so that an installed tree can be
  // moved and no source or build path is compiled in. Installed layout
  // first, then the build tree's copy (CMake stages it at configure time).
  return beside_executable(ASYNCCONF_EXPECTATIONS_RELDIRS);
}

std::string shipped_expectations_dir() {
  const std::vector<std::string> candidates = shipped_expectations_candidates();
  std::string tried;
  for (const std::string& dir : candidates) {
    std::error_code ec;
    if (std::filesystem::is_directory(dir, ec)) return dir;
    tried += (tried.empty() ? "" : ", ") + dir;
  }
  throw std::runtime_error(
      "no shipped expectations directory found (tried: " +
      (tried.empty() ? std::string("none, /proc/self/exe unreadable") : tried) +
      "); set ASYNCCONF_EXPECTATIONS_DIR, or pass --expect FILE or --expect none");
}

std::string shipped_expectations_for(const harness::Identity& identity) {
  if (identity.version.empty()) return "";
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  const std::string dir = shipped_expectations_dir();  // throws if there is none
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
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
