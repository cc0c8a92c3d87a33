// Google Benchmark of a whole conformance run (every case, each in its own
// forked child, one child per core at a time), as `asyncconf run` does it.
#include <benchmark/benchmark.h>

#include <thread>

#include "asyncconf/conformance/runner.hpp"

namespace {

using asyncconf::conformance::Level;

void full_run(benchmark::State& state, const char* name, const char* path, bool system) {
  auto loaded = system ? asyncconf::harness::LoadedImpl::load_system(path)
                       : asyncconf::harness::LoadedImpl::load(path);
  if (!loaded) {
    state.SkipWithError(loaded.error().message.c_str());
    return;
  }
  const auto cases = asyncconf::conformance::select_cases("", Level::Robustness);
  asyncconf::conformance::RunOptions options;
  options.impl_name = name;
  options.jobs = std::max(1u, std::thread::hardware_concurrency());
  std::size_t bad = 0;
  for (auto _ : state) {
    const auto report = asyncconf::conformance::run_cases(loaded.impl(), cases, options);
    benchmark::DoNotOptimize(report.cases.data());
    bad = static_cast<std::size_t>(report.summary().total - report.summary().pass -
                                   report.summary().not_applicable);
  }
  state.counters["cases"] = static_cast<double>(cases.size());
  state.counters["not_passing"] = static_cast<double>(bad);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RegisterBenchmark("FullRun/reference", full_run, "reference", ASYNCCONF_BENCH_REF, false)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime()
      ->Iterations(3);
  benchmark::RegisterBenchmark("FullRun/openssl", full_run, "openssl", "libcrypto.so.3", true)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime()
      ->Iterations(3);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
