#!/usr/bin/env bash
# Time to first crash: runs fuzz_sequence (the fuzz build) from an empty
# corpus against every broken variant of the reference
# (reference_impl/src/faults.def) for at most SECONDS each, at the
# robustness level (it checks must and de-facto too), and prints the time
# each took to find its variant, then the median and the worst.
# Usage: ci/fuzz-ttfc.sh [SECONDS] [SEED] [START] [SANITIZERS]
#          (defaults: 60, 1, empty, asan)
#   START       empty: from no input at all; generated: from the generator's
#               seeds (fuzz_seeds without explore's findings, which would
#               find each variant at once)
#   SANITIZERS  asan: the fuzz build (ASan + UBSan); none: libFuzzer alone
#               (build/fuzz-nosan), which runs about four times as many
#               inputs a second and counts heap blocks (ASan hides them)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
seed="${2:-1}"
start_from="${3:-empty}"
sanitizers="${4:-asan}"
[[ "$start_from" =~ ^(empty|generated)$ ]] || { echo "ci/fuzz-ttfc.sh: START is empty or generated, not '$start_from'" >&2; exit 2; }
case "$sanitizers" in
  asan) build=build/fuzz; flags=() ;;
  none) build=build/fuzz-nosan; flags=(-DASYNCCONF_FUZZ_SANITIZERS=) ;;
  *) echo "ci/fuzz-ttfc.sh: SANITIZERS is asan or none, not '$sanitizers'" >&2; exit 2 ;;
esac
bash ci/deps.sh
cmake --preset fuzz -B "$build" "${flags[@]}" -DCMAKE_UNITY_BUILD=ON -DASYNCCONF_DEBUG_INFO=lines >/dev/null
cmake --build "$build" --target fuzz_sequence fuzz_seeds asyncref_faulty
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
seeds=()
if [ "$start_from" = generated ]; then
  "$build"/fuzz/fuzz_seeds "$work/gen" >/dev/null
  seeds=("$work/gen/fuzz_sequence")
fi
faults=$(sed -nE 's/^ASYNCREF_FAULT\([A-Za-z0-9]+, *"([a-z0-9-]+)".*/\1/p' reference_impl/src/faults.def)
times=()
missed=0
printf '%-34s %s\n' variant "time to first finding"
for fault in $faults; do
  mkdir -p "$work/$fault"
  start=$(date +%s%N)
  ASYNCREF_FAULT=$fault ASYNCCONF_IMPL="$build"/reference_impl/libasyncref-faulty.so \
    ASYNCCONF_LEVEL=robustness LSAN_OPTIONS=detect_leaks=0 \
    "$build"/fuzz/fuzz_sequence -seed="$seed" -max_total_time="$seconds" -artifact_prefix="$work/$fault/" \
    "$work/$fault" "${seeds[@]}" >"$work/$fault.log" 2>&1 || true
  took=$(awk -v ns=$(( $(date +%s%N) - start )) 'BEGIN { printf "%.1f", ns / 1e9 }')
  if ls "$work/$fault"/crash-* >/dev/null 2>&1; then
    times+=("$took")
    req=$(grep -oE 'violation of [A-Z0-9-]+' "$work/$fault.log" | head -1 || true)
    printf '%-34s %6.1f s  %s\n' "$fault" "$took" "${req:-crash}"
  else
    missed=$((missed + 1))
    printf '%-34s  none in %s s\n' "$fault" "$seconds"
  fi
done
if [ ${#times[@]} -gt 0 ]; then
  sorted=($(printf '%s\n' "${times[@]}" | sort -g))
  n=${#sorted[@]}
  median=${sorted[$((n / 2))]}
  echo
  printf 'found %d of %d; median %.1f s, worst %.1f s (seed %s, from %s, sanitizers: %s)\n' "$n" $((n + missed)) "$median" "${sorted[$((n - 1))]}" "$seed" "$start_from" "$sanitizers"
fi
[ "$missed" -eq 0 ]
