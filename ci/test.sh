#!/usr/bin/env bash
# The whole test suite: install dependencies, then for each preset configure,
# build and run ctest. Without an argument: default, asan (gcc, ASan+UBSan),
# fuzz (clang, ASan+UBSan: keeps the tree building with the fuzzers' compiler)
# and tsan (the tests labelled "threads").
# Usage: ci/test.sh [preset...]
set -euo pipefail
cd "$(dirname "$0")/.."

presets=("$@")
[ ${#presets[@]} -eq 0 ] && presets=(default asan fuzz tsan)

bash ci/deps.sh
for preset in "${presets[@]}"; do
  echo "=== preset: $preset"
  cmake --preset "$preset" >/dev/null
  if [ "$preset" = tsan ]; then
    # It runs only the tests labelled "threads": build just what they need.
    cmake --build --preset tsan --target reference_threads_test interpreter_test asyncconf asyncref
  else
    cmake --build --preset "$preset"
  fi
  ctest --preset "$preset" --parallel "$(nproc)"
done
