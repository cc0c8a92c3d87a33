#!/usr/bin/env bash
# The OpenSSL version matrix: builds libcrypto of OpenSSL 1.1.1w (Debian
# bullseye), the newest 3.0.x (bookworm) and the newest 3.5.x (trixie) from
# Debian's source packages, runs the conformance suite against each of them,
# the reference and the system OpenSSL, and writes a side-by-side comparison.
# Too slow for .ci/run (the first run builds three libcryptos: several
# minutes on 2 cores); later runs reuse the builds. asyncconf's own build
# dependencies come from ci/deps.sh.
#
# Usage: ci/openssl-versions.sh [REPORT_DIR]     (default: asyncconf-reports/versions)
# Environment:
#   ASYNCCONF_BUILD_DIR    asyncconf's CMake build folder (default build/default,
#                          configured with the default preset)
#   OPENSSL_VERSIONS_DIR   where the libcryptos are built and cached
#                          (default build/openssl-versions/<version>/; a
#                          version is rebuilt only when its folder lacks the
#                          .complete marker)
#   OPENSSL_VERSIONS_JOBS  make -j for OpenSSL (default 2)
#   OPENSSL_VERSIONS_ONLY  space-separated subset of: 1.1.1 3.0 3.5
#
# Per implementation it writes REPORT_DIR/<name>/ (report.json, .md, .html,
# junit.xml) and REPORT_DIR/compare.md / compare.html, and prints every
# run's summary and the matrix.
# If ci/openssl-asynctest.sh exists, it is run for the 3.0 and 3.5 builds as
#   bash ci/openssl-asynctest.sh <built source tree> <dir with libcrypto.so.*>
# and its result is part of the matrix.
#
# Exit codes: 0 every run passed (expected failures allowed); 1 a run failed
# (an asyncconf run exited non-zero, or the asynctest hook failed); 2 a
# fetch, build or setup step failed.
set -euo pipefail
cd "$(dirname "$0")/.."

out="$(realpath -m "${1:-asyncconf-reports/versions}")"
build_dir="$(realpath -m "${ASYNCCONF_BUILD_DIR:-build/default}")"
versions_dir="$(realpath -m "${OPENSSL_VERSIONS_DIR:-build/openssl-versions}")"
jobs="${OPENSSL_VERSIONS_JOBS:-2}"
only="${OPENSSL_VERSIONS_ONLY:-1.1.1 3.0 3.5}"

say() { echo "openssl-versions: $*" >&2; }
die() { say "$*"; exit 2; }

# series  suite     version prefix  soname
series_table=(
  "1.1.1 bullseye 1.1.1 libcrypto.so.1.1"
  "3.0   bookworm 3.0.  libcrypto.so.3"
  "3.5   trixie   3.5.  libcrypto.so.3"
)

# --- tools ---------------------------------------------------------------
need=()
for tool in perl:perl make:make gcc:gcc dpkg-source:dpkg-dev cmake:cmake ninja:ninja-build; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || need+=("${tool#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq || die "apt-get update failed"
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" || die "could not install ${need[*]}"
fi

# --- OpenSSL builds --------------------------------------------------------
# build_openssl SERIES SUITE PREFIX SONAME: prints the built tree's path, which
# holds the SONAME library at its top. The tree is a copy of Debian's
# unpacked source (patches applied), configured and built in place, only the
# libcrypto shared library.
build_openssl() {
  local series="$1" suite="$2" prefix="$3" soname="$4"
  local src version tree log start
  say "[$series] fetching Debian $suite's openssl $prefix* source"
  src="$(bash ci/debian-source.sh "$suite" openssl "$prefix")" || die "[$series] could not fetch the source"
  version="$(basename "$src")"; version="${version#openssl-}"
  tree="$versions_dir/$version"
  if [ -f "$tree/.complete" ] && [ -f "$tree/$soname" ]; then
    say "[$series] $version: cached in $tree"
    echo "$tree"; return 0
  fi
  rm -rf "$tree"
  mkdir -p "$versions_dir"
  cp -a "$src" "$tree"
  rm -f "$tree/.complete"
  log="$tree/build.log"
  start=$SECONDS
  say "[$series] $version: configuring (log: $log)"
  # ./config detects the platform on 1.1.1 and 3.x alike; no-tests keeps the
  # test programs out, and only libcrypto's shared library is built.
  (cd "$tree" && ./config shared no-tests) >"$log" 2>&1 ||
    { tail -n 30 "$log" >&2; die "[$series] $version: Configure failed (see $log)"; }
  say "[$series] $version: building libcrypto with make -j$jobs (one dot per 100 compiler lines)"
  # build_generated first: 1.1.1's object rules do not depend on the
  # generated headers (opensslconf.h, buildinf.h); then the library alone.
  if ! (cd "$tree" && make -j"$jobs" build_generated && make -j"$jobs" "$soname") 2>&1 |
      tee -a "$log" | awk 'NR % 100 == 0 { printf "." > "/dev/stderr"; fflush("/dev/stderr") }'; then
    echo >&2; tail -n 30 "$log" >&2; die "[$series] $version: build failed (see $log)"
  fi
  echo >&2
  [ -f "$tree/$soname" ] || die "[$series] $version: the build made no $soname (see $log)"
  echo "openssl $version from Debian $suite, built in $((SECONDS - start)) s" >"$tree/.complete"
  say "[$series] $version: built in $((SECONDS - start)) s"
  echo "$tree"
}

declare -A tree_of=() version_of=() soname_of=()
built=()
for row in "${series_table[@]}"; do
  read -r series suite prefix soname <<<"$row"
  case " $only " in *" $series "*) ;; *) continue ;; esac
  tree="$(build_openssl "$series" "$suite" "$prefix" "$soname")"
  tree_of[$series]="$tree"
  version_of[$series]="$(basename "$tree")"
  soname_of[$series]="$soname"
  built+=("$series")
done
[ ${#built[@]} -gt 0 ] || die "OPENSSL_VERSIONS_ONLY='$only' names none of 1.1.1 3.0 3.5"

# --- asyncconf -------------------------------------------------------------
say "building asyncconf in $build_dir"
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  cmake --preset default -B "$build_dir" >/dev/null || die "cmake configure failed (asyncconf's dependencies: bash ci/deps.sh)"
fi
cmake --build "$build_dir" --target asyncconf asyncref -j"$jobs" || die "building asyncconf failed"
asyncconf="$build_dir/conformance/asyncconf"
[ -x "$asyncconf" ] || die "no $asyncconf after the build"
export ASYNCCONF_REFERENCE_LIB="${ASYNCCONF_REFERENCE_LIB:-$build_dir/reference_impl/libasyncref.so}"

# --- runs ------------------------------------------------------------------
status=0
reports=() results=() matrix=()
run_impl() {  # NAME IMPL
  local name="$1" impl="$2" rc=0 counts
  echo
  echo "== asyncconf run --impl $impl"
  rm -rf "${out:?}/$name"
  "$asyncconf" run --impl "$impl" --report-dir "$out/$name" >"$out/$name.summary" || rc=$?
  cat "$out/$name.summary"
  # "  145 cases: 90 pass, 0 fail, 0 crash, 0 timeout, 35 not applicable, 20 expected fail, 0 error"
  counts="$(sed -n 's/^ *\([0-9]*\) cases: \([0-9]*\) pass, \([0-9]*\) fail, \([0-9]*\) crash, \([0-9]*\) timeout, \([0-9]*\) not applicable, \([0-9]*\) expected fail, \([0-9]*\) error.*/\2 | \3 | \7 | \6 | \4 | \5 | \8 | \1/p' "$out/$name.summary")"
  matrix+=("| $name | ${counts:-(no summary) | | | | | | |} | $rc |")
  if [ $rc -eq 0 ]; then results+=("$name: exit 0"); else results+=("$name: exit $rc (FAILED)"); status=1; fi
  if [ -f "$out/$name/report.json" ]; then
    reports+=("$out/$name/report.json")
  else
    say "$name: no report.json was written"
  fi
}
mkdir -p "$out"
run_impl reference reference
run_impl openssl-system openssl
for series in "${built[@]}"; do
  run_impl "openssl-${version_of[$series]}" "${tree_of[$series]}/${soname_of[$series]}"
done

# --- OpenSSL's own asynctest (another script's, when present) ---------------
if [ -f ci/openssl-asynctest.sh ]; then
  for series in "${built[@]}"; do
    [ "$series" = 1.1.1 ] && continue
    echo
    echo "== ci/openssl-asynctest.sh (OpenSSL ${version_of[$series]})"
    rc=0
    bash ci/openssl-asynctest.sh "${tree_of[$series]}" "${tree_of[$series]}" || rc=$?
    if [ $rc -eq 0 ]; then
      results+=("asynctest openssl-${version_of[$series]}: exit 0")
    else
      results+=("asynctest openssl-${version_of[$series]}: exit $rc (FAILED)"); status=1
    fi
  done
else
  results+=("asynctest: skipped (no ci/openssl-asynctest.sh)")
fi

# --- comparison ----------------------------------------------------------
echo
if [ ${#reports[@]} -ge 2 ]; then
  "$asyncconf" report --compare "${reports[@]}" --report-dir "$out" || { say "report --compare failed"; status=2; }
fi
echo
echo "== matrix (cases per verdict; exit is asyncconf run's exit code)"
echo "| implementation | pass | fail | expected-fail | n/a | crash | timeout | error | cases | exit |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
printf '%s\n' "${matrix[@]}"
echo
echo "== results"
printf '  %s\n' "${results[@]}"
echo "Reports are in $out/ (one folder per implementation), and compare.md / compare.html."
exit $status
