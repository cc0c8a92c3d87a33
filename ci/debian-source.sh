#!/usr/bin/env bash
# Fetches and unpacks the newest version of a Debian source package from one
# release (its security updates included), without touching the machine's
# apt configuration: the deb-src entries, lists and downloads live under a
# cache folder of the project's. Prints the unpacked source tree's path.
#
# Usage: ci/debian-source.sh SUITE PACKAGE [VERSION_PREFIX] [CACHE_DIR]
#   SUITE           bullseye | bookworm | trixie
#   VERSION_PREFIX  only versions starting with it (e.g. 3.0.), newest first
#   CACHE_DIR       default build/debian-sources
# Example: ci/debian-source.sh trixie openssl 3.5.
set -euo pipefail
cd "$(dirname "$0")/.."

suite="${1:?suite (bullseye, bookworm, trixie)}"
package="${2:?source package name}"
prefix="${3:-}"
cache="$(realpath -m "${4:-build/debian-sources}")"

case "$suite" in
  bullseye|bookworm|trixie) ;;
  *) echo "debian-source: unknown suite '$suite' (bullseye, bookworm, trixie)" >&2; exit 2 ;;
esac

apt_dir="$cache/apt/$suite"
mkdir -p "$apt_dir/lists/partial" "$cache/src"
cat >"$apt_dir/sources.list" <<EOF
deb-src http://deb.debian.org/debian $suite main
deb-src http://deb.debian.org/debian-security $suite-security main
EOF
apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
          -o "Dir::State::Lists=$apt_dir/lists" -o "APT::Sandbox::User=root")

# Lists older than a day are fetched again; a fresh cache needs them.
if [ -z "$(find "$apt_dir/lists" -maxdepth 1 -name '*Sources*' -mtime -1 2>/dev/null)" ]; then
  apt-get "${apt_opts[@]}" -qq update >&2
fi

versions="$(apt-cache "${apt_opts[@]}" showsrc "$package" 2>/dev/null |
  awk -v p="$package" '/^Package:/{ok=($2==p)} ok && /^Version:/{print $2}' |
  grep -E "^([0-9]+:)?${prefix//./\\.}" | sort -V -r -u || true)"
if [ -z "$versions" ]; then
  echo "debian-source: no source package '$package' ${prefix:+($prefix*) }in $suite" >&2
  exit 1
fi

# Newest first; a version the index lists but the mirror cannot serve yet
# (a security update still propagating) falls through to the next.
for version in $versions; do
  tree="$cache/src/$package-$version"
  if [ -f "$tree/.complete" ]; then echo "$tree"; exit 0; fi
  rm -rf "$tree" "$tree.dl"
  mkdir -p "$tree.dl"
  if (cd "$tree.dl" && apt-get "${apt_opts[@]}" -qq source "$package=$version" >&2); then
    unpacked="$(find "$tree.dl" -mindepth 1 -maxdepth 1 -type d | head -n1)"
    if [ -n "$unpacked" ]; then
      mv "$unpacked" "$tree"
      rm -rf "$tree.dl"
      echo "$package $version from Debian $suite" >"$tree/.complete"
      echo "$tree"
      exit 0
    fi
  fi
  rm -rf "$tree.dl"
  echo "debian-source: $package=$version could not be fetched; trying an older one" >&2
done
echo "debian-source: no version of '$package' ${prefix:+($prefix*) }could be fetched from $suite" >&2
exit 1
