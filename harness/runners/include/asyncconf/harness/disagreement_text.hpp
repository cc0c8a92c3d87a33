// A diff's disagreement in words: what each side showed where they first
// differ, both runs side by side, and the .seq file's '#' header.
#pragma once

#include <chrono>
#include <string>
#include <utility>

#include "asyncconf/harness/explorer.hpp"

namespace asyncconf::harness {

/// Short names of the two sides for the side-by-side lines and the file
/// name: impl_file_name of each, or "A" and "B" when those are the same.
std::pair<std::string, std::string> side_names(const std::string& impl_a, const std::string& impl_b);

/// What one side showed at observation `i`: the observation, or how its run ended.
std::string side_at(const IsolatedOutcome& side, std::size_t i, std::chrono::milliseconds timeout);

/// "first difference at observation N, step S: <op>" and a line per side.
std::string first_difference_text(const Plan& plan, const Disagreement& d, const std::string& a,
                                  const std::string& b, std::chrono::milliseconds timeout);

/// Both runs side by side: one line where they agree, both where they
/// differ, and how each ended.
std::string side_by_side(const Plan& plan, const Disagreement& d, const std::string& a, const std::string& b,
                         std::chrono::milliseconds timeout);

/// "diff-<a>-<b>.seq".
std::string disagreement_file_name(const std::string& a, const std::string& b);

}  // namespace asyncconf::harness
