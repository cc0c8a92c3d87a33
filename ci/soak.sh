#!/usr/bin/env bash
# Soak (not part of the test suite): runs the RapidCheck state-machine
# properties of harness/runners/test/property_test.cpp for many cases with a random
# seed, each property in its own process (as ctest runs them: the ASYNC
# per-process state, such as the stack allocator, belongs to one
# implementation). Builds the default preset first.
#
# Usage: ci/soak.sh [CASES] [GTEST_FILTER]
#   CASES         cases per property (default 200000)
#   GTEST_FILTER  which properties (default: all of Reference.* and OpenSsl.*)
# Environment: SOAK_SEED (default: random, printed), SOAK_MAX_SIZE (default
# 60: up to 61 driver ops per case), SOAK_BUILD_DIR (default build/default),
# ASYNCCONF_PROPERTY_REFERENCE (another build of the reference for Reference.*).
# On a failure RapidCheck prints the shrunk op sequence and a
# RC_PARAMS="reproduce=..." line that replays it; the seed line below
# replays the whole run.
set -euo pipefail
cd "$(dirname "$0")/.."

cases="${1:-200000}"
filter="${2:-Reference.*:OpenSsl.*}"
max_size="${SOAK_MAX_SIZE:-60}"
seed="${SOAK_SEED:-$(od -An -N8 -tu8 /dev/urandom | tr -d ' ')}"
build="${SOAK_BUILD_DIR:-build/default}"

bash ci/deps.sh
cmake --preset default -B "$build" >/dev/null
cmake --build "$build" --target property_test
binary="$build/harness/runners/test/property_test"

# "Suite." lines, then "  Name" lines: one Suite.Name per property.
mapfile -t properties < <("$binary" --gtest_list_tests --gtest_filter="$filter" |
  awk '/^[^ ]/ { suite = $1 } /^  / { print suite $1 }')
if [ ${#properties[@]} -eq 0 ]; then
  echo "soak: no property matches '$filter'" >&2
  exit 2
fi

params="seed=$seed max_success=$cases max_size=$max_size"
echo "soak: RC_PARAMS=\"$params\", ${#properties[@]} properties"
failed=()
for property in "${properties[@]}"; do
  echo "=== $property"
  start=$(date +%s)
  if RC_PARAMS="$params" "$binary" --gtest_filter="$property"; then
    echo "=== $property: passed in $(( $(date +%s) - start )) s"
  else
    failed+=("$property")
    echo "=== $property: FAILED; replay the run with:"
    echo "    RC_PARAMS=\"$params\" $binary --gtest_filter=$property"
  fi
done

if [ ${#failed[@]} -ne 0 ]; then
  echo "soak: ${#failed[@]} of ${#properties[@]} properties failed: ${failed[*]} (seed $seed)"
  exit 1
fi
echo "soak: all ${#properties[@]} properties passed $cases cases (seed $seed)"
