// The asyncconf command lines that run the same thing again: printed as
// "repeat with" and written into the "replay with" lines of .seq files.
// Options at their defaults are left out, so the lines stay short.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace asyncconf::harness {

/// The time limit per sequence explore, replay and diff use by default.
inline constexpr int kDefaultSequenceTimeoutMs = 5000;

/// An explore run as its options give it.
struct ExploreCommand {
  std::string impl;
  std::uint64_t seed = 0;
  std::size_t sequences = 0;      ///< used when `seconds` is not set
  std::optional<double> seconds;  ///< --time
  std::size_t max_ops = 64;
  int threads = 1;
  std::string level;
  std::string misuse;  ///< --misuse as given, "" when not given
  int timeout_ms = kDefaultSequenceTimeoutMs;
  bool device = false;  ///< --device
  std::string device_faults;  ///< --device-faults as given, "" when not given
};
std::vector<std::string> explore_words(const ExploreCommand& c);

/// asyncconf replay FILE --impl ... --level ... [--misuse ...] [--timeout-ms ...]
/// [--device-faults RULES --device-seed N]
std::vector<std::string> replay_words(const std::string& file, const std::string& impl, const std::string& level,
                                      const std::string& misuse = "",
                                      int timeout_ms = kDefaultSequenceTimeoutMs,
                                      const std::string& device_faults = "", std::uint64_t device_seed = 0);

/// A diff run as its options give it.
struct DiffCommand {
  std::string impl_a;
  std::string impl_b;
  std::uint64_t seed = 0;
  std::size_t sequences = 0;
  std::size_t max_ops = 64;
  int threads = 1;
  std::string level;
  int timeout_ms = kDefaultSequenceTimeoutMs;
};
std::vector<std::string> diff_words(const DiffCommand& c);

/// A number of seconds as people write it: "2", "0.5", "1e+03".
std::string seconds_text(double seconds);

}  // namespace asyncconf::harness
