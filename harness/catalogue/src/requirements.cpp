#include "asyncconf/catalogue/requirements.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace asyncconf::catalogue {

// requirements.json, embedded by CMake (requirements_data.cpp.in).
extern const char* const kRequirementsJson;

const std::vector<Requirement>& requirements() {
  // Checked by the catalogue tests; a malformed file fails the build's tests,
  // never a user's run.
  static const std::vector<Requirement> all = [] {
    std::vector<Requirement> out;
    const nlohmann::json doc = nlohmann::json::parse(kRequirementsJson);
    for (const nlohmann::json& r : doc.at("requirements")) {
      out.push_back({r.at("id").get<std::string>(), r.at("level").get<std::string>(),
                     r.at("function").get<std::string>(), r.at("since").get<std::string>(),
                     r.at("source").get<std::string>(), r.at("text").get<std::string>()});
    }
    return out;
  }();
  return all;
}

const Requirement* find_requirement(const std::string& id) {
  const auto& all = requirements();
  const auto it = std::find_if(all.begin(), all.end(), [&](const Requirement& r) { return r.id == id; });
  return it == all.end() ? nullptr : &*it;
}

std::string requirement_text(const std::string& id) {
  const Requirement* r = find_requirement(id);
  return r != nullptr ? r->text : std::string();
}

std::string requirement_level(const std::string& id) {
  const Requirement* r = find_requirement(id);
  return r != nullptr ? r->level : std::string();
}

}  // namespace asyncconf::catalogue
