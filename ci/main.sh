#!/usr/bin/env bash
# The main job: install dependencies, build, run the conformance suite
# against the reference implementation and the system OpenSSL, write their
# reports and a side-by-side comparison, and print the summaries.
# Usage: ci/main.sh [REPORT_DIR]   (default: ./asyncconf-reports)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-asyncconf-reports}"

bash ci/deps.sh
# Unity build and line-table debug info, as ci/test.sh builds.
cmake --preset default -DCMAKE_UNITY_BUILD=ON -DASYNCCONF_DEBUG_INFO=lines >/dev/null
# Only what this job runs: asyncconf and the reference it loads (the
# expectations are staged at configure time); the tests are ci/test.sh's.
cmake --build --preset default --target asyncconf asyncref

asyncconf=build/default/conformance/asyncconf
status=0
for impl in reference openssl; do
  echo
  echo "== asyncconf run --impl $impl"
  "$asyncconf" run --impl "$impl" --report-dir "$out/$impl" || status=$?
done
echo
"$asyncconf" report --compare "$out/reference/report.json" "$out/openssl/report.json" \
  --report-dir "$out"
echo
echo "Reports are in $out/: reference/ and openssl/ (report.html, report.md, junit.xml,"
echo "report.json each), and compare.md / compare.html side by side."
exit $status
