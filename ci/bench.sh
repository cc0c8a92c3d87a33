#!/usr/bin/env bash
# Benchmarks (not part of the test suite): builds the default preset and runs
# async_bench (job start/pause/resume costs, reference vs system OpenSSL) and
# full_run_bench (a whole conformance run) and explore_bench (ops per second
# of `asyncconf explore`, model included). Extra arguments go to async_bench.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/deps.sh
cmake --preset default >/dev/null
cmake --build --preset default --target async_bench full_run_bench explore_bench
build/default/reference_impl/bench/async_bench \
  --benchmark_repetitions=5 --benchmark_report_aggregates_only=true "$@"
build/default/conformance/full_run_bench
build/default/harness/explore_bench
