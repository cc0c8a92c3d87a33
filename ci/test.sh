#!/usr/bin/env bash
# The whole test suite: install dependencies, then for each preset configure,
# build what its tiers need and run them (labels: cmake/Tiers.cmake).
#   default  gcc, every tier
#   asan     gcc, ASan+UBSan+LSan: unit, suite, property, threads (the tiers
#            whose code paths a memory error could hide in; mutation and
#            explore verdicts do not change with a sanitizer: run once; the
#            format tier's string checks run once, and the suite takes the
#            CLI and every report writer end to end under ASan)
#   fuzz     clang, libFuzzer instrumentation, ASan+UBSan: the fuzz tier
#   tsan     gcc, TSan: threads
# Each phase's wall time is printed at the end.
# Usage: ci/test.sh [preset...]
set -euo pipefail
cd "$(dirname "$0")/.."

presets=("$@")
[ ${#presets[@]} -eq 0 ] && presets=(default asan fuzz tsan)

declare -A tiers=(
  [default]=""
  [asan]="unit suite property threads"
  [fuzz]="fuzz"
  [tsan]="threads"
)
all_tiers="unit format suite mutation explore property threads fuzz openssl catalogue install bench e2e"

timings=()
phase() {  # phase NAME COMMAND...: runs it and records its wall time
  local name=$1 start=$SECONDS
  shift
  "$@"
  timings+=("$(printf '%-28s %4d s' "$name" $((SECONDS - start)))")
}

phase deps bash ci/deps.sh
for preset in "${presets[@]}"; do
  [ -v "tiers[$preset]" ] || { echo "ci/test.sh: unknown preset '$preset'" >&2; exit 2; }
  echo "=== preset: $preset"
  # Unity builds (several sources per translation unit: the templates of
  # GoogleTest, CLI11 and nlohmann-json instantiated once per batch, not once
  # per file; the reports library and its tests build in half the CPU time)
  # and line-table debug info (a third less compile time per unit).
  cmake --preset "$preset" -DCMAKE_UNITY_BUILD=ON -DASYNCCONF_DEBUG_INFO=lines >/dev/null
  if [ -z "${tiers[$preset]}" ]; then
    phase "$preset: build" cmake --build --preset "$preset"
    # Every test must belong to a tier, or no sanitizer build would run it.
    untiered=$(ctest --preset "$preset" -N -LE "^($(tr ' ' '|' <<<"$all_tiers"))\$" | grep -c '^ *Test *#' || true)
    if [ "$untiered" -ne 0 ]; then
      echo "ci/test.sh: $untiered tests carry no tier label:" >&2
      ctest --preset "$preset" -N -LE "^($(tr ' ' '|' <<<"$all_tiers"))\$" >&2
      exit 1
    fi
    phase "$preset: test (all tiers)" ctest --preset "$preset" --parallel "$(nproc)"
  else
    targets=()
    for tier in ${tiers[$preset]}; do targets+=("tier_$tier"); done
    phase "$preset: build (${tiers[$preset]// /,})" cmake --build --preset "$preset" --target "${targets[@]}"
    # The test preset's label filter names the same tiers (CMakePresets.json).
    phase "$preset: test" ctest --preset "$preset" --parallel "$(nproc)"
  fi
done

echo
echo "=== where the time went"
printf '%s\n' "${timings[@]}"
printf '%-28s %4d s\n' total "$SECONDS"
