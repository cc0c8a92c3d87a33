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

/// Where a plan's threads run.
enum class On {
  OwnThreads,     ///< threads made for each plan, which exit at its end
  CallingThread,  ///< thread 0 on this thread (one-thread sequences)
  KeptThreads,    ///< thread 0 on this thread, the others on threads kept from plan to plan
};

/// Runs `count` sequences (seed, 0..count-1) at `level` on `threads`
/// threads, `on` the threads given. The first difference as the sequence
/// and its trace, or "" when every sequence ran as predicted.
inline std::string run_generated(const AsyncApi& api, Level level, int threads, On on, std::uint64_t count,
                                 std::uint64_t seed) {
  GeneratorOptions g;
  g.model = model_config(api, level);
  g.threads = threads;
  KeptThreads kept;
  for (std::uint64_t i = 0; i < count; ++i) {
    const Sequence s = generate(sequence_seed(seed, i), g);
    InterpreterOptions o;
    o.inline_thread = on != On::OwnThreads;
    if (on == On::KeptThreads) o.kept_threads = &kept;
    ModelConfig c = model_config(api, level);
    c.thread_exits = !o.reuses_threads();
    const Plan p = plan(s, c);
    const RunResult r = run_plan(api, p, o);
    if (r.mismatch != RunResult::npos) {
      return "sequence " + std::to_string(i) + ":\n" + print_sequence(s) + format_trace(s, p, r);
    }
  }
  return {};
}

}  // namespace asyncconf::harness::testing
