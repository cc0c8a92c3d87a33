#!/usr/bin/env bash
# Installs every build and test dependency from Debian bookworm packages.
# Idempotent: when everything is already installed it only checks, and is fast.
set -euo pipefail

packages=(
  cmake ninja-build g++ clang libclang-rt-14-dev llvm
  libssl-dev openssl
  libboost-context1.81-dev
  libgtest-dev libgmock-dev librapidcheck-dev
  libcli11-dev nlohmann-json3-dev libbenchmark-dev
  pkg-config libxml2-utils
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#packages[@]} packages already installed"
  exit 0
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
