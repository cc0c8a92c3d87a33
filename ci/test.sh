#!/usr/bin/env bash
# The whole test suite: install dependencies, configure, build, run ctest.
# Usage: ci/test.sh [preset]   (default: "default"; also asan, tsan)
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-default}"

bash ci/deps.sh
cmake --preset "$preset"
cmake --build --preset "$preset"
ctest --preset "$preset" --parallel "$(nproc)"
