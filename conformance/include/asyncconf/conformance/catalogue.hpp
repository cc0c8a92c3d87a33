// The requirement catalogue (asyncconf::catalogue, the embedded
// requirements.json) as the suite sees it, and every conformance case.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "asyncconf/catalogue/requirements.hpp"
#include "asyncconf/conformance/case.hpp"
#include "asyncconf/harness/level.hpp"
#include "asyncconf/reports/result.hpp"

namespace asyncconf::conformance {

/// Requirement levels, strictest first (shared with the harness's model).
using harness::Level;
using harness::level_from_string;
using harness::to_string;

/// Every requirement, in catalogue order; the one with an id, or null.
using catalogue::find_requirement;
using catalogue::requirements;

/// Every case, in report order (grouped by area).
const std::vector<Case>& all_cases();
/// The loosest level among the case's requirements: the case belongs to a
/// run at that level or a looser one.
Level case_level(const Case& c);

}  // namespace asyncconf::conformance
