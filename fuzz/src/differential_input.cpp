// fuzz_differential: one decoded sequence on two implementations.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "asyncconf/fuzz/depth_features.hpp"
#include "asyncconf/fuzz/fuzz_env.hpp"
#include "asyncconf/fuzz/inputs.hpp"
#include "asyncconf/fuzz/op_mutator.hpp"
#include "asyncconf/harness/interpreter.hpp"
#include "asyncconf/harness/observation.hpp"
#include "asyncconf/harness/sequence_bytes.hpp"
#include "asyncconf/harness/sequence_text.hpp"

namespace asyncconf::fuzz {

namespace {

// The fields the plan's level fixes at observation i: where two
// implementations may not differ. Elsewhere the man page lets them choose.
bool differ(const harness::Plan& p, std::size_t i, const harness::Observation& a, const harness::Observation& b,
            harness::Field& field) {
  if (!a.same_site(b)) return true;
  if (i >= p.expected.size()) return false;
  for (std::size_t f = 0; f < harness::kFieldCount; ++f) {
    const harness::FieldCheck& c = p.expected[i].checks[f];
    if (c.requirement == nullptr || c.level > p.config.level) continue;
    field = static_cast<harness::Field>(f);
    const bool list = field == harness::Field::List || field == harness::Field::List2;
    const harness::FdList& la = field == harness::Field::List ? a.list : a.list2;
    const harness::FdList& lb = field == harness::Field::List ? b.list : b.list2;
    if (list ? !harness::same_set(la, lb) : a.value(field) != b.value(field)) return true;
  }
  return false;
}

}  // namespace

int check_differential(const std::uint8_t* data, std::size_t size) {
  const Implementation& a = implementation("ASYNCCONF_IMPL", "reference", false);
  const Implementation& b = implementation("ASYNCCONF_IMPL2", "openssl", false);
  const harness::Sequence s = harness::decode_sequence({data, size}, fuzz_limits());
  // What both have; nothing counted that only one could count.
  harness::ModelConfig config = a.config;
  config.callbacks = a.config.callbacks && b.config.callbacks;
  config.mem_functions = false;
  config.counting_stacks = false;
  config.null_ctx_pauses = false;
  config.misuse = 0;  // misuse is answered differently by design
  if (config.level == harness::Level::Robustness) config.level = harness::Level::DeFacto;
  harness::InterpreterOptions record_all = reused_threads(s, /*own_threads=*/false);
  record_all.check = false;
  config.thread_exits = false;
  harness::Plan p = harness::plan(s, config, std::move(spent().plan));
  note_depth(p);
  harness::RunResult ra = harness::run_plan(a.impl.api(), p, record_all, std::move(spent().result));
  harness::RunResult rb = harness::run_plan(b.impl.api(), p, record_all, std::move(spent().result2));
  const std::size_t n = std::min(ra.observed.size(), rb.observed.size());
  harness::Field field = harness::Field::Rc;
  for (std::size_t i = 0; i <= n; ++i) {
    const bool ended = i == n;
    if (ended ? ra.observed.size() == rb.observed.size() : !differ(p, i, ra.observed[i], rb.observed[i], field)) {
      continue;
    }
    std::fprintf(stderr, "\nfuzz_differential: %s and %s disagree at observation %zu%s\n--- sequence (.seq) ---\n%s",
                 a.name.c_str(), b.name.c_str(), i, ended ? " (one made more observations)" : "",
                 harness::print_sequence(s).c_str());
    if (!ended) {
      const char* req = p.expected.size() > i ? p.expected[i].check(field).requirement : nullptr;
      std::fprintf(stderr, "--- field %s (%s) ---\n%s: %s\n%s: %s\n", harness::to_string(field), req != nullptr ? req : "-",
                   a.name.c_str(), harness::describe(ra.observed[i]).c_str(), b.name.c_str(),
                   harness::describe(rb.observed[i]).c_str());
    }
    std::fflush(stderr);
    std::abort();
  }
  spent() = {std::move(p), std::move(ra), std::move(rb)};
  return 0;
}

}  // namespace asyncconf::fuzz
