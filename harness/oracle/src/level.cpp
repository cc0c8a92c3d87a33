#include "asyncconf/harness/level.hpp"

namespace asyncconf::harness {

const char* to_string(Level level) noexcept {
  switch (level) {
    case Level::Must: return "must";
    case Level::DeFacto: return "de-facto";
    case Level::Robustness: return "robustness";
  }
  return "?";
}

std::optional<Level> level_from_string(const std::string& text) noexcept {
  for (Level level : {Level::Must, Level::DeFacto, Level::Robustness}) {
    if (text == to_string(level)) return level;
  }
  return std::nullopt;
}

}  // namespace asyncconf::harness
