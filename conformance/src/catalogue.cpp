#include "asyncconf/conformance/catalogue.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace asyncconf::conformance {

// requirements.json, embedded by CMake (requirements_data.cpp.in).
extern const char* const kRequirementsJson;

const std::vector<reports::Requirement>& requirements() {
  // Checked by the catalogue tests; a malformed file fails the build's tests,
  // never a user's run.
  static const std::vector<reports::Requirement> all = [] {
    std::vector<reports::Requirement> out;
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

const reports::Requirement* find_requirement(const std::string& id) {
  const auto& all = requirements();
  const auto it = std::find_if(all.begin(), all.end(),
                               [&](const reports::Requirement& r) { return r.id == id; });
  return it == all.end() ? nullptr : &*it;
}

Level case_level(const Case& c) {
  Level loosest = Level::Must;
  for (const std::string& id : c.requirements) {
    const reports::Requirement* r = find_requirement(id);
    // An unknown id is a bug in the suite, caught by its tests; treat the
    // case as the loosest so a strict run never includes it by accident.
    const Level level = r != nullptr ? level_from_string(r->level).value_or(Level::Robustness)
                                     : Level::Robustness;
    loosest = std::max(loosest, level);
  }
  return loosest;
}

}  // namespace asyncconf::conformance
