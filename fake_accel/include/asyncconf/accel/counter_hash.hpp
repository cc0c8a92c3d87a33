// Random draws that depend only on (seed, stream, index): a counter-based
// generator (splitmix64's finaliser over a counter), never shared state, so
// that a run draws the same values whatever order its threads take them in.
#pragma once

#include <cstdint>

namespace asyncconf::accel {

/// splitmix64's output function: a bijective mix of 64 bits.
constexpr std::uint64_t splitmix64(std::uint64_t x) noexcept {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/// The `index`-th value of the sequence named by (seed, stream). Streams
/// keep the draws of different decisions (a latency, each fault) apart.
constexpr std::uint64_t draw64(std::uint64_t seed, std::uint64_t stream,
                               std::uint64_t index) noexcept {
  const std::uint64_t key = splitmix64(seed ^ splitmix64(stream));
  return splitmix64(key + index * 0x9e3779b97f4a7c15ULL);
}

/// draw64 as a double in [0, 1) (its top 53 bits).
constexpr double draw_unit(std::uint64_t seed, std::uint64_t stream,
                           std::uint64_t index) noexcept {
  return static_cast<double>(draw64(seed, stream, index) >> 11) * 0x1.0p-53;
}

}  // namespace asyncconf::accel
