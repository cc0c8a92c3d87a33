#include "asyncconf/harness/repeat_commands.hpp"

#include <cstdio>

namespace asyncconf::harness {

std::string seconds_text(double seconds) {
  char text[64];
  std::snprintf(text, sizeof text, "%g", seconds);
  return text;
}

std::vector<std::string> explore_words(const ExploreCommand& c) {
  std::vector<std::string> w{"asyncconf", "explore", "--impl", c.impl, "--seed", std::to_string(c.seed)};
  if (c.seconds) {
    w.insert(w.end(), {"--time", seconds_text(*c.seconds)});
  } else {
    w.insert(w.end(), {"--sequences", std::to_string(c.sequences)});
  }
  w.insert(w.end(), {"--max-ops", std::to_string(c.max_ops), "--threads", std::to_string(c.threads), "--level",
                     c.level});
  if (!c.misuse.empty()) w.insert(w.end(), {"--misuse", c.misuse});
  if (c.timeout_ms != kDefaultSequenceTimeoutMs) w.insert(w.end(), {"--timeout-ms", std::to_string(c.timeout_ms)});
  if (c.device) w.emplace_back("--device");
  if (!c.device_faults.empty()) w.insert(w.end(), {"--device-faults", c.device_faults});
  return w;
}

std::vector<std::string> replay_words(const std::string& file, const std::string& impl, const std::string& level,
                                      const std::string& misuse, int timeout_ms, const std::string& device_faults,
                                      std::uint64_t device_seed) {
  std::vector<std::string> w{"asyncconf", "replay", file, "--impl", impl, "--level", level};
  if (!misuse.empty()) w.insert(w.end(), {"--misuse", misuse});
  if (timeout_ms != kDefaultSequenceTimeoutMs) w.insert(w.end(), {"--timeout-ms", std::to_string(timeout_ms)});
  if (!device_faults.empty()) {
    w.insert(w.end(), {"--device-faults", device_faults, "--device-seed", std::to_string(device_seed)});
  }
  return w;
}

std::vector<std::string> diff_words(const DiffCommand& c) {
  std::vector<std::string> w{"asyncconf", "diff", "--impl", c.impl_a, "--impl", c.impl_b,
                             "--seed", std::to_string(c.seed), "--sequences", std::to_string(c.sequences),
                             "--max-ops", std::to_string(c.max_ops), "--threads", std::to_string(c.threads),
                             "--level", c.level};
  if (c.timeout_ms != kDefaultSequenceTimeoutMs) w.insert(w.end(), {"--timeout-ms", std::to_string(c.timeout_ms)});
  return w;
}

}  // namespace asyncconf::harness
