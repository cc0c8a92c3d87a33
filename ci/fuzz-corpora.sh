#!/usr/bin/env bash
# Rebuilds the seed corpora in fuzz/corpus/<target>/: seeds from the
# generator and from explore's findings against every broken variant of the
# reference (fuzz_seeds), minimised with libFuzzer's -merge=1 (only inputs
# that add coverage stay), then written canonical (fuzz_seeds --canonical:
# bytes whose meaning survives an op added to ops.def; a corpus test checks
# it). Run it after the language or the targets change, and commit the result.
# Usage: ci/fuzz-corpora.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/deps.sh
cmake --preset fuzz -DCMAKE_UNITY_BUILD=ON -DASYNCCONF_DEBUG_INFO=lines >/dev/null
targets=(fuzz_sequence fuzz_differential fuzz_wait_ctx fuzz_seq_text)
cmake --build --preset fuzz --target "${targets[@]}" fuzz_seeds asyncconf asyncref asyncref_faulty
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# explore's finding (shrunk) for each broken variant, as a seed.
faults=$(sed -nE 's/^ASYNCREF_FAULT\([A-Za-z0-9]+, *"([a-z0-9-]+)".*/\1/p' reference_impl/src/faults.def)
for fault in $faults; do
  ASYNCREF_FAULT=$fault LSAN_OPTIONS=detect_leaks=0 build/fuzz/conformance/asyncconf explore \
    --impl build/fuzz/reference_impl/libasyncref-faulty.so --level robustness --threads 2 --seed 1 \
    --sequences 2000 --quiet --format json --out "$work/explore/$fault" >/dev/null || true
done
findings=$(find "$work/explore" -name '*.seq' ! -name '*.original.seq' | sort)
build/fuzz/fuzz/fuzz_seeds "$work/seeds" $findings

for target in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$target"
  before=$(find "fuzz/corpus/$target" -type f | wc -l)
  build/fuzz/fuzz/$target -merge=1 "fuzz/corpus/$target" "$work/seeds/$target" 2>&1 | grep -E 'MERGE-OUTER: [0-9]+ new files' || true
  echo "$target: $before -> $(find "fuzz/corpus/$target" -type f | wc -l) inputs"
done
# libFuzzer's merge keeps inputs as it found them; the op targets' corpora
# hold each as the encoder writes it.
build/fuzz/fuzz/fuzz_seeds --canonical fuzz/corpus/fuzz_sequence fuzz/corpus/fuzz_differential fuzz/corpus/fuzz_wait_ctx
