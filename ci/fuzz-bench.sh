#!/usr/bin/env bash
# Throughput of the fuzz targets on one core, model checking on: each target
# runs SECONDS from its corpus in the fuzz build (ASan + UBSan) and in a
# build with libFuzzer alone (build/fuzz-nosan), and the executions per
# second libFuzzer counted are printed.
# Usage: ci/fuzz-bench.sh [SECONDS] [IMPL]   (defaults: 30, reference)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
export ASYNCCONF_IMPL="${2:-reference}"
targets=(fuzz_sequence fuzz_differential fuzz_wait_ctx fuzz_seq_text)
bash ci/deps.sh
cmake --preset fuzz -DCMAKE_UNITY_BUILD=ON -DASYNCCONF_DEBUG_INFO=lines >/dev/null
cmake --build --preset fuzz --target "${targets[@]}" asyncref
cmake --preset fuzz -B build/fuzz-nosan -DASYNCCONF_FUZZ_SANITIZERS= -DCMAKE_UNITY_BUILD=ON \
  -DASYNCCONF_DEBUG_INFO=lines >/dev/null
cmake --build build/fuzz-nosan --target "${targets[@]}" asyncref
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '%-18s %12s %12s\n' target "ASan+UBSan" "no sanitizer"
for target in "${targets[@]}"; do
  row=()
  for build in build/fuzz build/fuzz-nosan; do
    mkdir -p "$work/$build/$target"
    rate=$("$build/fuzz/$target" -max_total_time="$seconds" -print_final_stats=1 -detect_leaks=0 \
             "$work/$build/$target" "fuzz/corpus/$target" 2>&1 |
           sed -nE 's/^stat::average_exec_per_sec: *([0-9]+)/\1/p')
    row+=("${rate:-?}")
  done
  printf '%-18s %10s/s %10s/s\n' "$target" "${row[0]}" "${row[1]}"
done
