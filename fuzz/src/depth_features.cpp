#include "asyncconf/fuzz/depth_features.hpp"

#include <algorithm>
#include <bit>

#include "asyncconf/harness/depth.hpp"

namespace asyncconf::fuzz {

namespace {

// libFuzzer reads every byte of this section after each input as a
// feature, as it reads the 8-bit edge counters; without libFuzzer (the
// replay programs) nothing reads it.
__attribute__((section("__libfuzzer_extra_counters"), used))
std::uint8_t g_counters[kDepthMeasures * kDepthBuckets];

}  // namespace

std::size_t depth_bucket(int value) noexcept {
  if (value <= 0) return 0;
  if (value <= 16) return static_cast<std::size_t>(value);
  const auto above = static_cast<unsigned>(value) / 16;  // 1 for 17..31, 2..3 for 32..63, ...
  return std::min<std::size_t>(16 + std::bit_width(above), kDepthBuckets - 1);
}

void note_depth(const harness::Plan& plan) {
  const harness::Depth d = harness::depth(plan);
  const int measures[kDepthMeasures] = {d.paused_at_once, d.pauses_of_one_job, d.fds_in_one_ctx, d.threads,
                                        d.reused_jobs};
  for (std::size_t m = 0; m < kDepthMeasures; ++m) g_counters[m * kDepthBuckets + depth_bucket(measures[m])] = 1;
}

std::span<std::uint8_t> depth_counters() noexcept { return g_counters; }

}  // namespace asyncconf::fuzz
