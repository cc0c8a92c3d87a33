// What a fuzz target runs against, from its environment, loaded once per
// process:
//   ASYNCCONF_IMPL   reference (default), openssl, or a path to a .so
//   ASYNCCONF_IMPL2  the second implementation of fuzz_differential
//                    (default: openssl)
//   ASYNCCONF_LEVEL  must (default), de-facto or robustness
// With the same loader and the same isolation rule as the CLI: no libcrypto
// in the process but the one under test. A name that does not load is an
// error message and exit 2 before the first input, never a finding.
#pragma once

#include <string>

#include "asyncconf/harness/async_api.hpp"
#include "asyncconf/harness/interpreter.hpp"
#include "asyncconf/harness/level.hpp"
#include "asyncconf/harness/model.hpp"
#include "asyncconf/harness/sequence.hpp"

namespace asyncconf::fuzz {

/// Exit code when the environment names something that cannot be used.
inline constexpr int kEnvError = 2;

struct Implementation {
  harness::LoadedImpl impl;
  std::string name;             ///< as the environment named it
  harness::ModelConfig config;  ///< warmed up, its behaviour probed, the level of ASYNCCONF_LEVEL
};

/// The level of ASYNCCONF_LEVEL (must when unset).
harness::Level level_from_env();

/// The implementation `variable` names (`fallback` when unset), loaded,
/// warmed up and probed on first use; exits with kEnvError and a message
/// when it cannot be loaded. `primary`: this one gets the counting stack
/// allocator (one implementation per process can).
const Implementation& implementation(const char* variable, const char* fallback, bool primary);

/// How the long-lived fuzzer process runs an input's plan: thread 0 on the
/// fuzzer's thread, the others on threads kept from input to input (each
/// plan resets them with ASYNC_cleanup_thread: plan it with
/// ModelConfig::thread_exits false); with `own_threads`, on threads made for
/// it, whose exit is checked too (heap blocks and fds).
harness::InterpreterOptions reused_threads(const harness::Sequence& s, bool own_threads);

/// The previous input's plan and results, whose memory the next input's
/// plan and runs take (harness::plan and run_plan with a spent argument):
/// no fresh plan per input, which under ASan is fresh pages to fault in.
struct Spent {
  harness::Plan plan;
  harness::RunResult result;
  harness::RunResult result2;  ///< fuzz_differential's second implementation's
};
Spent& spent();

/// Loads `name` as the CLI does ("reference", "openssl" or a path).
harness::LoadResult load_named(const std::string& name);

}  // namespace asyncconf::fuzz
