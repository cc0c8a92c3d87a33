#!/usr/bin/env bash
# The main job: install dependencies, build, and run the ASYNC API against
# the reference implementation and the system OpenSSL.
# (Until the conformance runner lands this is the man page's example program,
# run against both implementations and compared with the man page's output.)
set -euo pipefail
cd "$(dirname "$0")/.."

bash ci/deps.sh
cmake --preset default >/dev/null
cmake --build --preset default

example=build/default/reference_impl/examples/manpage_example
expected=reference_impl/examples/manpage_expected.txt
libcrypto=$(grep -E '^ASYNCCONF_SYSTEM_LIBCRYPTO:' build/default/CMakeCache.txt | cut -d= -f2)

status=0
for impl in reference openssl; do
  case "$impl" in
    reference) lib=build/default/reference_impl/libasyncref.so ;;
    openssl) lib=$libcrypto ;;
  esac
  echo "== man page example against $impl ($lib)"
  if out=$("$example" "$lib") && [ "$out" = "$(cat "$expected")" ]; then
    printf '%s\n' "$out"
    echo "-- $impl: output matches the man page"
  else
    printf '%s\n' "$out"
    echo "-- $impl: output DIFFERS from the man page ($expected)"
    status=1
  fi
done
exit $status
