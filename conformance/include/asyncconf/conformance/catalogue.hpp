// The requirement catalogue (conformance/requirements/requirements.json,
// embedded at build time) and every conformance case.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "asyncconf/conformance/case.hpp"
#include "asyncconf/reports/result.hpp"

namespace asyncconf::conformance {

/// Requirement levels, strictest first.
enum class Level { Must, DeFacto, Robustness };
const char* to_string(Level level) noexcept;
/// "must", "de-facto", "robustness"; nullopt for anything else.
std::optional<Level> level_from_string(const std::string& text) noexcept;

/// Every requirement, in catalogue order.
const std::vector<reports::Requirement>& requirements();
/// The requirement with that id, or null.
const reports::Requirement* find_requirement(const std::string& id);

/// Every case, in report order (grouped by area).
const std::vector<Case>& all_cases();
/// The loosest level among the case's requirements: the case belongs to a
/// run at that level or a looser one.
Level case_level(const Case& c);

}  // namespace asyncconf::conformance
