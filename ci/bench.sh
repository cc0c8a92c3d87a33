#!/usr/bin/env bash
# Benchmarks (not part of the test suite): builds the default preset and runs
# async_bench with repetitions. Extra arguments go to the benchmark binary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/deps.sh
cmake --preset default >/dev/null
cmake --build --preset default --target async_bench
exec build/default/reference_impl/bench/async_bench \
  --benchmark_repetitions=5 --benchmark_report_aggregates_only=true "$@"
