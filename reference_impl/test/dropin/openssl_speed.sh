#!/usr/bin/env bash
# openssl_speed.sh OPENSSL LIBASYNCREF WORK_DIR
#
# Runs `openssl speed -async_jobs 4 -seconds 1 sha256` with LIBASYNCREF
# LD_PRELOADed. Passes when it exits 0, prints its sha256 line for all six
# block sizes, and LD_DEBUG=bindings shows that openssl's ASYNC_start_job was
# bound to LIBASYNCREF (a preload that did not interpose proves nothing).
set -euo pipefail

[ $# -eq 3 ] || { echo "usage: $0 OPENSSL LIBASYNCREF WORK_DIR" >&2; exit 2; }
openssl="$1" lib="$2" work="$3"
[ -x "$openssl" ] || { echo "FAIL: no executable $openssl" >&2; exit 1; }
[ -f "$lib" ] || { echo "FAIL: no $lib" >&2; exit 1; }
rm -rf "$work"
mkdir -p "$work"

rc=0
LD_PRELOAD="$lib" LD_DEBUG=bindings LD_DEBUG_OUTPUT="$work/bindings" \
  timeout 120 "$openssl" speed -async_jobs 4 -seconds 1 sha256 >"$work/stdout" 2>"$work/stderr" || rc=$?
cat "$work/stdout"
fail=0
if [ $rc -ne 0 ]; then
  echo "FAIL: openssl speed exited $rc; its stderr:" >&2
  sed 's/^/  | /' "$work/stderr" >&2
  fail=1
fi
# "sha256           83588.62k   263916.48k   710023.04k ..." (six block sizes)
if ! grep -Eq '^sha256( +[0-9]+\.[0-9]+k){6} *$' "$work/stdout"; then
  echo "FAIL: no sha256 result line with six block sizes in openssl speed's output" >&2
  fail=1
fi
# "binding file openssl [0] to /…/libasyncref.so [0]: normal symbol `ASYNC_start_job' [OPENSSL_3.0.0]"
bound="$(cat "$work"/bindings.* 2>/dev/null |
  sed -n "s|.*binding file [^ ]*openssl \[0\] to \([^ ]*\) \[0\]: normal symbol \`ASYNC_start_job'.*|\1|p" |
  head -n 1)"
if [ -z "$bound" ] || [ "$(realpath "$bound")" != "$(realpath "$lib")" ]; then
  echo "FAIL: openssl's ASYNC_start_job was bound to '${bound:-nothing}', not $lib: the preload did not interpose" >&2
  fail=1
else
  echo "openssl's ASYNC_start_job bound to $bound"
fi
[ $fail -eq 0 ] && echo "PASS: openssl speed -async_jobs 4 ran to the end on $(basename "$lib")"
exit $fail
