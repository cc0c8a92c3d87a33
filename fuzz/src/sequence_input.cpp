// fuzz_sequence and fuzz_wait_ctx: one decoded sequence against the model.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "asyncconf/fuzz/depth_features.hpp"
#include "asyncconf/fuzz/fuzz_env.hpp"
#include "asyncconf/fuzz/inputs.hpp"
#include "asyncconf/fuzz/op_mutator.hpp"
#include "asyncconf/harness/decode_input.hpp"
#include "asyncconf/harness/interpreter.hpp"
#include "asyncconf/harness/sequence_bytes.hpp"
#include "asyncconf/harness/sequence_text.hpp"
#include "asyncconf/harness/trace.hpp"

namespace asyncconf::fuzz {

namespace {

// One input in 32, chosen by its bytes (so the choice is the input's own),
// runs on threads made for it, as explore runs one sequence in 32: their
// exit frees the implementation's thread state, and heap blocks and fds
// are checked. The rest run on the fuzzer's thread and kept threads.
bool checks_thread_exit(const std::uint8_t* data, std::size_t size) {
  std::uint32_t h = 2166136261u;
  for (std::size_t i = 0; i < size; ++i) h = (h ^ data[i]) * 16777619u;
  return h % 32 == 31;
}

[[noreturn]] void report_violation(const char* target, const harness::Sequence& s, const harness::Plan& p,
                                   const harness::RunResult& r) {
  const harness::Difference& d = r.difference;
  std::fprintf(stderr, "\n%s: violation of %s (%s)\n--- sequence (.seq) ---\n%s--- difference ---\n%s\n", target,
               d.requirement != nullptr ? d.requirement : "the plan (an op the model did not predict)",
               harness::to_string(d.level), harness::print_sequence(s).c_str(),
               harness::format_difference(s, p, r).c_str());
  std::fflush(stderr);
  std::abort();
}

int check(const char* target, const harness::Sequence& s, bool own_threads) {
  const Implementation& impl = implementation("ASYNCCONF_IMPL", "reference", true);
  const harness::InterpreterOptions options = reused_threads(s, own_threads);
  harness::ModelConfig config = impl.config;
  if (options.reuses_threads()) config.thread_exits = false;
  // The previous input's plan and result lend their memory (spent()).
  harness::Plan p = harness::plan(s, config, std::move(spent().plan));
  note_depth(p);
  harness::RunResult r = harness::run_plan(impl.impl.api(), p, options, std::move(spent().result));
  if (r.violation()) report_violation(target, s, p, r);
  spent().plan = std::move(p);
  spent().result = std::move(r);
  return 0;
}

}  // namespace

int check_sequence(const std::uint8_t* data, std::size_t size) {
  const harness::Sequence s = harness::decode_sequence({data, size}, fuzz_limits());
  return check("fuzz_sequence", s, checks_thread_exit(data, size));
}

int check_wait_ctx(const std::uint8_t* data, std::size_t size) {
  const harness::Sequence s = harness::wait_ctx_ops_only(harness::decode_sequence({data, size}, fuzz_limits()));
  return check("fuzz_wait_ctx", s, checks_thread_exit(data, size));
}

}  // namespace asyncconf::fuzz
