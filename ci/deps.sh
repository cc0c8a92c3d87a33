#!/usr/bin/env bash
# Installs every build and test dependency from Debian bookworm packages,
# and fetches the one source the tests need: Debian bookworm's openssl 3.0
# source package, for OpenSSL's own test/asynctest.c (the drop-in ctest of
# libasyncref), unpacked under build/debian-sources/ and reachable as
# build/debian-sources/openssl-3.0 (CMake's ASYNCCONF_OPENSSL30_SOURCE).
# Idempotent: when everything is already there it only checks, and is fast.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  cmake ninja-build g++ clang libclang-rt-14-dev llvm
  libssl-dev openssl
  libboost-context1.81-dev
  libgtest-dev libgmock-dev librapidcheck-dev
  libcli11-dev nlohmann-json3-dev libbenchmark-dev
  pkg-config libxml2-utils libmd-dev dpkg-dev
  groff-base
  haproxy curl
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#packages[@]} packages already installed"
else
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# OpenSSL 3.0's asynctest.c. The link is made only after a complete fetch,
# so its presence means the tree is whole; nothing is fetched when it is.
openssl30=build/debian-sources/openssl-3.0
if [ -f "$openssl30/test/asynctest.c" ]; then
  echo "deps: $openssl30 -> $(readlink "$openssl30") already fetched"
else
  echo "deps: fetching Debian bookworm's openssl 3.0 source"
  tree="$(bash ci/debian-source.sh bookworm openssl 3.0. build/debian-sources)"
  [ -f "$tree/test/asynctest.c" ] || { echo "deps: $tree has no test/asynctest.c" >&2; exit 1; }
  ln -sfn "src/$(basename "$tree")" "$openssl30"
  echo "deps: $openssl30 -> src/$(basename "$tree")"
fi
