#!/usr/bin/env bash
# What the fuzz corpora reach: clang source-based coverage of the reference
# implementation (reference_impl/src) and of the harness (harness/*/src,
# fuzz/src), reached by replaying fuzz/corpus/<target>/ once with each fuzz
# target (the replay programs of fuzz/replay/replay_main.cpp, not libFuzzer).
#
# Builds build/fuzz-coverage (the default preset with clang and
# -fprofile-instr-generate -fcoverage-mapping, unity build, line-table debug
# info), replays every corpus against this build's instrumented libasyncref
# (ASYNCCONF_IMPL=reference; fuzz_differential also loads the system
# libcrypto as ASYNCCONF_IMPL2, which is not measured), merges the profiles
# and reports with llvm-cov over the four targets and libasyncref.so.
#
# Usage: ci/fuzz-coverage.sh [--check] [OUT_DIR]
#   OUT_DIR  default fuzz-coverage/ (relative to the current directory)
#   --check  exit 1 when the lines of reference_impl/src are below the goal
#            (otherwise exit 0 either way; a corpus input that fails to
#            replay is always exit 1: the measurement is incomplete)
# Environment: ASYNCCONF_LEVELS (levels each corpus is replayed at, default
# "must robustness"), JOBS (build jobs, default
# nproc), ASYNCCONF_COVERAGE_GOAL (percent of lines, default 95).
#
# OUT_DIR gets:
#   html/index.html          llvm-cov show, project sources only
#   summary.txt              one line per component, total, the goal check
#   report.txt               llvm-cov report, every project file
#   reference-files.txt      reference_impl/src per file, most missed lines first
#   reference-functions.txt  reference_impl/src per function (llvm-cov -show-functions)
#   reference-uncovered.txt  every line of reference_impl/src never executed
#   coverage.profdata        the merged profile; profraw/ the raw ones
#   logs/                    the build's and each replay's output
set -euo pipefail

usage() { sed -n '14,21p' "$0" | sed 's/^# \{0,1\}//'; }

check=0
out=""
for arg in "$@"; do
  case "$arg" in
    --check) check=1 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "ci/fuzz-coverage.sh: unknown option '$arg'" >&2; usage >&2; exit 2 ;;
    *)
      [ -z "$out" ] || { echo "ci/fuzz-coverage.sh: one OUT_DIR only" >&2; exit 2; }
      out="$arg" ;;
  esac
done
out="${out:-fuzz-coverage}"
mkdir -p "$out"
out="$(cd "$out" && pwd -P)"
cd "$(dirname "$0")/.."
root="$(pwd -P)"

goal="${ASYNCCONF_COVERAGE_GOAL:-95}"
[[ "$goal" =~ ^[0-9]+$ ]] || { echo "ci/fuzz-coverage.sh: ASYNCCONF_COVERAGE_GOAL must be a whole percent" >&2; exit 2; }
jobs="${JOBS:-$(nproc)}"
build=build/fuzz-coverage
targets=(fuzz_sequence fuzz_differential fuzz_wait_ctx fuzz_seq_text)
start=$SECONDS
timings=()
phase() {  # phase NAME COMMAND...: runs it and records its wall time
  local name=$1 t0=$SECONDS
  shift
  "$@"
  timings+=("$(printf '%-28s %4d s' "$name" $((SECONDS - t0)))")
}

phase deps bash ci/deps.sh
tool() {  # the clang-14 tool, or the unversioned one (Debian's llvm package)
  command -v "$1-14" || command -v "$1" || { echo "ci/fuzz-coverage.sh: no $1-14 or $1" >&2; exit 1; }
}
profdata="$(tool llvm-profdata)"
cov="$(tool llvm-cov)"

# --- build -----------------------------------------------------------------
mkdir -p "$out/logs"
flags="-fprofile-instr-generate -fcoverage-mapping"
configure() {
  cmake --preset default -B "$build" \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" \
    -DCMAKE_EXE_LINKER_FLAGS=-fprofile-instr-generate \
    -DCMAKE_SHARED_LINKER_FLAGS=-fprofile-instr-generate \
    -DCMAKE_UNITY_BUILD=ON -DASYNCCONF_DEBUG_INFO=lines >"$out/logs/configure.log"
}
build_targets() {
  # The log keeps clang's warnings (the project sets -Wall -Wextra, no -Werror).
  if ! cmake --build "$build" -j "$jobs" --target "${targets[@]}" asyncref >"$out/logs/build.log" 2>&1; then
    tail -n 60 "$out/logs/build.log" >&2
    echo "ci/fuzz-coverage.sh: build failed (log: $out/logs/build.log)" >&2
    exit 1
  fi
  local warnings
  warnings=$(grep -c ' warning: ' "$out/logs/build.log" || true)
  echo "build: $build, $warnings compiler warnings (log: $out/logs/build.log)"
}
phase configure configure
phase "build (-j$jobs)" build_targets

# --- replay ------------------------------------------------------------------
rm -rf "$out/profraw" "$out/html"
mkdir -p "$out/profraw"
# The measured implementation is this build's instrumented libasyncref.
export ASYNCCONF_IMPL=reference ASYNCCONF_IMPL2=openssl
levels="${ASYNCCONF_LEVELS:-must robustness}"
unset ASYNCCONF_REFERENCE_LIB ASYNCCONF_LEVEL ASYNCREF_STACK_GUARD
incomplete=()
replay() {  # replay LABEL TARGET [VAR=VALUE...]: the whole corpus in one process; on a failure, file by file
  local label=$1 target=$2
  shift 2
  local bin="$build/fuzz/$target" corpus="fuzz/corpus/$target" rc=0
  # %p: one file per process (a robustness level probe forks a child);
  # %m: one per instrumented module (the target and libasyncref.so).
  env "$@" LLVM_PROFILE_FILE="$out/profraw/$label-%p-%m.profraw" "$bin" "$corpus" >"$out/logs/$label.log" 2>&1 || rc=$?
  if [ "$rc" -eq 0 ]; then
    echo "replay $label: $(tail -n 1 "$out/logs/$label.log")"
    return
  fi
  # A finding aborts, and an aborted process writes no profile: replay each
  # input alone so that the others still count, and name the ones that fail.
  echo "replay: $label exited $rc on its corpus (log: $out/logs/$label.log); replaying input by input" >&2
  rm -f "$out/profraw/$label-"*.profraw
  local f
  for f in "$corpus"/*; do
    [ -f "$f" ] || continue
    if ! env "$@" LLVM_PROFILE_FILE="$out/profraw/$label-%p-%m.profraw" "$bin" "$f" >>"$out/logs/$label.inputs.log" 2>&1; then
      incomplete+=("$label: $f")
      echo "replay: $label: $f fails" >&2
    fi
  done
}
# Each corpus at each level (robustness runs the misuse ops must skips),
# and fuzz_differential's once more on the reference's guarded stacks
# (ASYNCREF_STACK_GUARD, reference_impl/README.md; fuzz_differential leaves
# the reference its own stack allocator, where fuzz_sequence installs the
# harness's counting one): the reference's code reached in each
# configuration it has.
for target in "${targets[@]}"; do
  for level in $levels; do
    phase "replay $target $level" replay "$target-$level" "$target" ASYNCCONF_LEVEL="$level"
  done
done
phase "replay fuzz_differential guarded" replay fuzz_differential-guarded fuzz_differential ASYNCCONF_LEVEL=must ASYNCREF_STACK_GUARD=1

# --- merge and report ----------------------------------------------------------
phase merge "$profdata" merge -sparse "$out"/profraw/*.profraw -o "$out/coverage.profdata"

root_re="$(sed 's/[][\.^$*+?(){}|\\]/\\&/g' <<<"$root")"
objects=("$build/fuzz/${targets[0]}")
for target in "${targets[@]:1}"; do objects+=(-object "$build/fuzz/$target"); done
objects+=(-object "$build/reference_impl/libasyncref.so")
# The project's own sources: no system headers (GoogleTest, Boost, libstdc++),
# nothing generated in the build tree, no tests.
cov_args=("${objects[@]}" -instr-profile="$out/coverage.profdata"
          "-ignore-filename-regex=^/usr/|^$root_re/build/|^$root_re/(.*/)?test/|gtest|gmock")
demangler=()
command -v c++filt >/dev/null && demangler=(-Xdemangler=c++filt)

html() {
  "$cov" show "${cov_args[@]}" "${demangler[@]}" -format=html -output-dir="$out/html" \
    -show-line-counts-or-regions -project-title="asyncconf: fuzz corpora replayed (levels $levels)"
}
phase "report (html)" html
"$cov" report "${cov_args[@]}" >"$out/report.txt"

# The component's directories that hold instrumented code (llvm-cov takes
# directories as sources).
component_dirs() {
  case "$1" in
    reference_impl/src) echo "$root/reference_impl/src" ;;
    "harness/*/src") ls -d "$root"/harness/*/src ;;
    fuzz/src) echo "$root/fuzz/src" ;;
    total) component_dirs reference_impl/src; component_dirs "harness/*/src"; component_dirs fuzz/src ;;
  esac
}
# summary NAME: "NAME: lines P% (covered/count), functions ..., regions ...",
# from the TOTAL row of llvm-cov report (regions, missed, cover, functions,
# missed, executed, lines, missed, cover).
declare -A lines_covered lines_count
summary() {
  local name=$1 row
  # shellcheck disable=SC2046
  row=$("$cov" report "${cov_args[@]}" -show-branch-summary=false $(component_dirs "$name") 2>/dev/null | awk '$1 == "TOTAL"')
  [ -n "$row" ] || { printf '%s: no instrumented code reached the report\n' "$name"; return; }
  read -r _ r rm _ f fm _ l lm _ <<<"$row"
  lines_covered[$name]=$((l - lm))
  lines_count[$name]=$l
  pct() { if [ "$2" -eq 0 ]; then echo "-"; else awk -v c="$1" -v n="$2" 'BEGIN { printf "%.1f%%", 100 * c / n }'; fi; }
  printf '%s: lines %s (%d/%d), functions %s (%d/%d), regions %s (%d/%d)\n' "$name" \
    "$(pct $((l - lm)) "$l")" $((l - lm)) "$l" \
    "$(pct $((f - fm)) "$f")" $((f - fm)) "$f" \
    "$(pct $((r - rm)) "$r")" $((r - rm)) "$r"
}

# Per file of the reference: the lines never executed, most first.
"$cov" report "${cov_args[@]}" -show-branch-summary=false "$root/reference_impl/src" 2>/dev/null |
  awk 'NR > 2 && $1 != "TOTAL" && NF >= 10 { printf "%-28s %5d of %5d lines uncovered (%s covered)\n", $1, $9, $8, $10 }' |
  sort -k2,2nr >"$out/reference-files.txt"
"$cov" report "${cov_args[@]}" "${demangler[@]}" -show-functions -show-branch-summary=false \
  "$root/reference_impl/src" >"$out/reference-functions.txt" 2>/dev/null || true
# llvm-cov show's text: "  LINE|  COUNT|source"; a count of 0 is a line never run.
"$cov" show "${cov_args[@]}" "${demangler[@]}" -format=text -show-instantiations=false \
  "$root/reference_impl/src" 2>/dev/null |
  awk '/^\/.*:$/ { file = $0; sub(/:$/, "", file); sub(".*/reference_impl/src/", "", file); next }
       /^ *[0-9]+\| *0\|/ { split($0, p, "|"); gsub(/ /, "", p[1]); line = $0; sub(/^[^|]*\|[^|]*\|/, "", line); printf "%s:%s: %s\n", file, p[1], line }' \
  >"$out/reference-uncovered.txt"

{
  echo "fuzz corpora replayed with ${targets[*]} (ASYNCCONF_IMPL=reference; levels $levels; fuzz_differential also with ASYNCREF_STACK_GUARD=1), $(date -u +%Y-%m-%d)"
  summary reference_impl/src
  summary "harness/*/src"
  summary fuzz/src
  summary total
} >"$out/summary.txt"
ref_c=${lines_covered[reference_impl/src]:-0}
ref_n=${lines_count[reference_impl/src]:-0}
if [ "$ref_n" -gt 0 ] && [ $((ref_c * 100)) -ge $((ref_n * goal)) ]; then
  verdict=PASS
else
  verdict="BELOW GOAL"
fi
echo "goal: lines of reference_impl/src >= $goal%: $verdict" >>"$out/summary.txt"

echo
echo "=== reference_impl/src: uncovered lines per file"
cat "$out/reference-files.txt"
echo
echo "=== where the time went"
printf '%s\n' "${timings[@]}"
printf '%-28s %4d s\n' total "$((SECONDS - start))"
echo
echo "=== coverage ($out/html/index.html)"
cat "$out/summary.txt"

if [ ${#incomplete[@]} -gt 0 ]; then
  echo
  echo "INCOMPLETE: ${#incomplete[@]} corpus inputs failed to replay (their coverage is missing):"
  printf '  %s\n' "${incomplete[@]}"
  exit 1
fi
if [ "$check" -eq 1 ] && [ "$verdict" != PASS ]; then exit 1; fi
exit 0
