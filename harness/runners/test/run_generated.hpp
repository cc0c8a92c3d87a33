// Runs generated sequences against an implementation in this process, for
// the tests that check an implementation agrees with the model.
#pragma once

#include <cstdint>
#include <string>

#include "asyncconf/harness/generator.hpp"
#include "asyncconf/harness/interpreter.hpp"
#include "asyncconf/harness/sequence_text.hpp"
#include "asyncconf/harness/trace.hpp"

namespace asyncconf::harness::testing {

/// Runs `count` sequences (seed, 0..count-1) at `level` on `threads`
/// threads; inline_thread runs them on this thread. The first difference as
/// the sequence and its trace, or "" when every sequence ran as predicted.
inline std::string run_generated(const AsyncApi& api, Level level, int threads, bool inline_thread,
                                 std::uint64_t count, std::uint64_t seed) {
  GeneratorOptions g;
  g.model = model_config(api, level);
  g.threads = threads;
  for (std::uint64_t i = 0; i < count; ++i) {
    const Sequence s = generate(sequence_seed(seed, i), g);
    ModelConfig c = model_config(api, level);
    c.thread_exits = !inline_thread;
    const Plan p = plan(s, c);
    InterpreterOptions o;
    o.inline_thread = inline_thread;
    const RunResult r = run_plan(api, p, o);
    if (r.mismatch != RunResult::npos) {
      return "sequence " + std::to_string(i) + ":\n" + print_sequence(s) + format_trace(s, p, r);
    }
  }
  return {};
}

}  // namespace asyncconf::harness::testing
