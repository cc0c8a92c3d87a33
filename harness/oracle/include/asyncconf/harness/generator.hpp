// Random sequences that stay inside a level: every op is offered to the
// model first and kept only if it would run, and each job body is written
// for the state the job will run it in (the model judges a start by its
// driver op alone), so a sequence of N ops runs N ops. The same seed and
// options give the same sequence on every machine.
#pragma once

#include <cstddef>
#include <cstdint>

#include "asyncconf/harness/model.hpp"
#include "asyncconf/harness/sequence.hpp"

namespace asyncconf::harness {

struct GeneratorOptions {
  ModelConfig model;           ///< level and capabilities the ops must fit
  int threads = 1;             ///< driver ops run on t0..threads-1
  std::size_t max_ops = 64;    ///< driver ops plus body ops, at most
};

/// The sequence for `seed`.
Sequence generate(std::uint64_t seed, const GeneratorOptions& options);

/// The seed of the index-th sequence of a run started with `run_seed`.
std::uint64_t sequence_seed(std::uint64_t run_seed, std::uint64_t index) noexcept;

}  // namespace asyncconf::harness
