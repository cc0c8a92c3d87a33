#include "asyncconf/conformance/catalogue.hpp"

#include <algorithm>

namespace asyncconf::conformance {

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
