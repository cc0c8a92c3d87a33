// How fast `explore` checks sequences against the reference, model included:
// ops per second (driver, body and teardown ops) of a long-lived child, and
// the two costs inside it measured apart (planning, running). A benchmark,
// not a test: ci/bench.sh runs it.
#include <benchmark/benchmark.h>

#include "asyncconf/harness/explorer.hpp"
#include "asyncconf/harness/generator.hpp"
#include "asyncconf/harness/interpreter.hpp"
#include "asyncconf/harness/trace.hpp"

#include <cstdio>

namespace {

using namespace asyncconf::harness;

const AsyncApi& reference() {
  static LoadResult r = [] {
    LoadResult loaded = LoadedImpl::load(ASYNCCONF_BENCH_REF);
    install_counting_stacks(loaded.impl().api());
    return loaded;
  }();
  return r.impl().api();
}

// The whole thing: sequences generated, planned, run in one child on one core.
void Explore(benchmark::State& state) {
  ExploreOptions o;
  o.sequences = static_cast<std::size_t>(state.range(0));
  o.level = Level::Must;
  double ops = 0;
  double seconds = 0;
  for (auto _ : state) {
    const ExploreResult r = explore(reference(), o);
    if (r.finding) state.SkipWithError("the reference violated the model");
    ops += static_cast<double>(r.totals.ops);
    seconds += r.totals.seconds;
  }
  state.counters["ops"] = ops / static_cast<double>(state.iterations());
  state.counters["ops_per_second"] = ops / seconds;
}
BENCHMARK(Explore)->Arg(20000)->Unit(benchmark::kMillisecond)->UseRealTime();

// Generation and planning only: the model's share.
void GenerateAndPlan(benchmark::State& state) {
  GeneratorOptions g;
  g.model = model_config(reference(), Level::Must);
  g.model.fresh_process = false;
  g.model.thread_exits = false;
  std::uint64_t i = 0;
  std::size_t ops = 0;
  for (auto _ : state) {
    const Sequence s = generate(sequence_seed(1, i++), g);
    const Plan p = plan(s, g.model);
    ops += p.expected.size();
    benchmark::DoNotOptimize(p.expected.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(ops));
}
BENCHMARK(GenerateAndPlan);

// Running planned sequences on this thread (what the child does per sequence).
void RunInline(benchmark::State& state) {
  static const bool warmed = [] {
    warm_up(reference());
    return true;
  }();
  (void)warmed;
  GeneratorOptions g;
  g.model = model_config(reference(), Level::Must);
  g.model.thread_exits = false;
  std::vector<Sequence> sequences;
  std::vector<Plan> plans;
  for (std::uint64_t i = 0; i < 256; ++i) sequences.push_back(generate(sequence_seed(1, i), g));
  for (const Sequence& s : sequences) plans.push_back(plan(s, g.model));
  InterpreterOptions o;
  o.inline_thread = true;
  std::size_t i = 0;
  std::size_t ops = 0;
  for (auto _ : state) {
    const RunResult r = run_plan(reference(), plans[i++ % plans.size()], o);
    if (r.mismatch != RunResult::npos) {
      const std::size_t k = (i - 1) % plans.size();
      std::fprintf(stderr, "%s", format_trace(sequences[k], plans[k], r).c_str());
      state.SkipWithError("difference");
      break;
    }
    ops += r.observed.size();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(ops));
}
BENCHMARK(RunInline);

}  // namespace

BENCHMARK_MAIN();
