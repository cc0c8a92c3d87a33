#!/usr/bin/env bash
# The stock openssl CLI with fakeaccel: cli_test.sh speed|dgst OPENSSL PROVIDER_DIR
#   speed: `openssl speed -async_jobs 16 -evp sha256` exits 0 and the
#          provider's counters file shows jobs paused and requests completed
#   dgst:  `openssl dgst -sha256` of a file equals sha256sum's, with the
#          query optional and mandatory
set -euo pipefail
check=$1 openssl=$2 dir=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prov=(-provider-path "$dir" -provider fakeaccel -provider default -propquery '?provider=fakeaccel')

case $check in
speed)
  FAKEACCEL_COUNTERS=$tmp/counters "$openssl" speed "${prov[@]}" -async_jobs 16 -seconds 1 -bytes 1024 \
    -evp sha256 >"$tmp/out" 2>&1 || { cat "$tmp/out"; echo "FAIL: openssl speed exited $?"; exit 1; }
  cat "$tmp/out" "$tmp/counters"
  paused=$(sed -n 's/^paused=//p' "$tmp/counters")
  completed=$(sed -n 's/^completed=//p' "$tmp/counters")
  [[ ${paused:-0} -gt 0 ]] || { echo "FAIL: no job paused"; exit 1; }
  [[ ${completed:-0} -gt 0 ]] || { echo "FAIL: no request completed"; exit 1; }
  ;;
dgst)
  head -c 100000 /dev/urandom >"$tmp/data"
  want=$(sha256sum "$tmp/data" | cut -d' ' -f1)
  got=$("$openssl" dgst "${prov[@]}" -sha256 -r "$tmp/data" | cut -d' ' -f1)
  echo "sha256sum: $want"
  echo "openssl:   $got"
  [[ $got == "$want" ]] || { echo "FAIL: digests differ"; exit 1; }
  # dgst honours the query: a mandatory provider=fakeaccel answers the same
  # with fakeaccel loaded, and fails without it.
  got=$("$openssl" dgst -provider-path "$dir" -provider fakeaccel -provider default \
    -propquery 'provider=fakeaccel' -sha256 -r "$tmp/data" | cut -d' ' -f1)
  [[ $got == "$want" ]] || { echo "FAIL: provider=fakeaccel gave $got"; exit 1; }
  if "$openssl" dgst -provider default -propquery 'provider=fakeaccel' -sha256 "$tmp/data" >/dev/null 2>&1; then
    echo "FAIL: dgst ignored -propquery (provider=fakeaccel without fakeaccel succeeded)"; exit 1
  fi
  ;;
*) echo "usage: $0 speed|dgst OPENSSL PROVIDER_DIR" >&2; exit 2 ;;
esac
