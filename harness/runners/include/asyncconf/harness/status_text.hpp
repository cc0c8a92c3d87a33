// The live status line of explore and diff, in words.
#pragma once

#include <string>

#include "asyncconf/harness/explorer.hpp"

namespace asyncconf::harness {

/// "120 sequences, 4000 ops, 8000 ops/s, 0.5 s" while exploring; what the
/// confirming and shrinking phases are doing otherwise.
std::string explore_status_text(const ExploreProgress& p);
/// "12/200 sequences, 340 ops".
std::string diff_status_text(const DiffResult& r, std::size_t of_sequences);

}  // namespace asyncconf::harness
