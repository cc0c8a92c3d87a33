// Depth as coverage: libFuzzer keeps an input only when it reaches a feature
// no input reached before, and code coverage alone does not tell six jobs
// paused at once from five (the same edges run, in the same count bucket).
// Each depth the model predicts for an input (harness/depth.hpp) sets one
// byte of libFuzzer's extra counters, so an input that goes deeper in any
// measure is new coverage, stays in the corpus and is mutated further.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "asyncconf/harness/model.hpp"

namespace asyncconf::fuzz {

/// The counters of one measure: the exact depth up to 16, then one per
/// power of two (to 255: pauses of one job, starts on a reused job).
inline constexpr std::size_t kDepthBuckets = 24;
/// Measures: jobs paused at once, pauses of one job, fds in one wait ctx,
/// threads, starts on a reused job.
inline constexpr std::size_t kDepthMeasures = 5;

/// The bucket of depth `value`: value itself up to 16, 16 + log2(value / 16) + 1 above.
std::size_t depth_bucket(int value) noexcept;

/// Sets the byte of each measure's depth in `plan` (libFuzzer clears them
/// before each input).
void note_depth(const harness::Plan& plan);

/// The counters, measure by measure (kDepthBuckets each): for tests.
std::span<std::uint8_t> depth_counters() noexcept;

}  // namespace asyncconf::fuzz
