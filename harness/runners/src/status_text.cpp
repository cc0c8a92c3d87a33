#include "asyncconf/harness/status_text.hpp"

#include <cstdio>
#include <string_view>

namespace asyncconf::harness {

namespace {

std::string fixed(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

}  // namespace

std::string explore_status_text(const ExploreProgress& p) {
  const std::string_view phase = p.phase;
  if (phase == "confirming") return "running the failing sequence alone in a fresh child";
  if (phase == "shrinking") return std::to_string(p.shrink_attempts) + " attempts";
  std::string text = std::to_string(p.sequences) + " sequences, " + std::to_string(p.ops) + " ops, " +
                     fixed(p.seconds > 0 ? static_cast<double>(p.ops) / p.seconds : 0, 0) + " ops/s, " +
                     fixed(p.seconds, 1) + " s";
  if (p.inconclusive != 0) text += ", " + std::to_string(p.inconclusive) + " inconclusive";
  return text;
}

std::string diff_status_text(const DiffResult& r, std::size_t of_sequences) {
  return std::to_string(r.sequences) + "/" + std::to_string(of_sequences) + " sequences, " +
         std::to_string(r.ops) + " ops";
}

}  // namespace asyncconf::harness
