#!/usr/bin/env bash
# Fuzzing: builds the libFuzzer targets (the fuzz preset: clang, ASan+UBSan,
# the reference instrumented too) and runs each for SECONDS against IMPL,
# starting from its corpus in fuzz/corpus/<target>/. New inputs go to
# fuzz-out/<target>/corpus (the checked-in corpus is not touched); each
# crash, leak or timeout is saved in fuzz-out/<target>/ and turned into a
# decoded `.seq`, a shrunk `.seq` and a C reproducer by `asyncconf decode`.
# Usage: ci/fuzz.sh [SECONDS] [IMPL] [TARGET...]
#   SECONDS  per target (default 60)
#   IMPL     reference (default), openssl, or a path (ASYNCCONF_IMPL);
#            fuzz_differential compares it with ASYNCCONF_IMPL2 (default openssl)
#   TARGET   default: all four
# ASYNCCONF_LEVEL (default must) is the level the model judges at. Exit 1
# when any target found something, 2 on a usage error.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
impl="${2:-reference}"
shift $(( $# > 2 ? 2 : $# ))
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(fuzz_sequence fuzz_differential fuzz_wait_ctx fuzz_seq_text)
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "ci/fuzz.sh: SECONDS must be a number, not '$seconds'" >&2; exit 2; }
out="${ASYNCCONF_FUZZ_OUT:-fuzz-out}"

bash ci/deps.sh
cmake --preset fuzz -DCMAKE_UNITY_BUILD=ON -DASYNCCONF_DEBUG_INFO=lines >/dev/null
cmake --build --preset fuzz --target "${targets[@]}" asyncref asyncconf

export ASYNCCONF_IMPL="$impl"
export ASYNCCONF_LEVEL="${ASYNCCONF_LEVEL:-must}"
found=0
summary=()
for target in "${targets[@]}"; do
  bin="build/fuzz/fuzz/$target"
  [ -x "$bin" ] || { echo "ci/fuzz.sh: unknown target '$target'" >&2; exit 2; }
  dir="$out/$target"
  mkdir -p "$dir/corpus"
  flags=(-max_total_time="$seconds" -timeout=10 -print_final_stats=1 -artifact_prefix="$dir/")
  [ -f "fuzz/config/$target.dict" ] && flags+=(-dict="fuzz/config/$target.dict")
  max_len=$(sed -nE "s/^max_len *= *([0-9]+)/\1/p" "fuzz/config/$target.options" 2>/dev/null || true)
  [ -n "$max_len" ] && flags+=(-max_len="$max_len")
  echo
  echo "== $target, $seconds s, ASYNCCONF_IMPL=$impl ASYNCCONF_LEVEL=$ASYNCCONF_LEVEL"
  rc=0
  "$bin" "${flags[@]}" "$dir/corpus" "fuzz/corpus/$target" 2>&1 | tee "$dir/log" | grep -E '^(#[0-9]+ +(INITED|DONE|pulse)|==[0-9]+==|SUMMARY|stat::|fuzz_|.*violation of)' || true
  rc=${PIPESTATUS[0]}
  execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$dir/log" | grep -oE '[0-9]+$' || echo 0)
  artifacts=$(find "$dir" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | sort)
  if [ -n "$artifacts" ] || [ "$rc" -ne 0 ]; then
    found=1
    summary+=("$(printf '%-18s FOUND   %s executions, exit %s' "$target" "$execs" "$rc")")
    for a in $artifacts; do
      echo "-- $a"
      if [ "$target" = fuzz_seq_text ]; then
        echo "   (text input: the parser's finding; the input is the file itself)"
        continue
      fi
      build/fuzz/conformance/asyncconf decode "$a" --target "$target" --impl "$impl" --level "$ASYNCCONF_LEVEL" --out "$dir" || true
    done
  else
    summary+=("$(printf '%-18s clean   %s executions in %s s (%s/s)' "$target" "$execs" "$seconds" $(( execs / (seconds > 0 ? seconds : 1) )))")
  fi
done
echo
echo "=== fuzzing summary (ASYNCCONF_IMPL=$impl, level $ASYNCCONF_LEVEL)"
printf '%s\n' "${summary[@]}"
echo "Inputs, logs and findings: $out/<target>/"
exit $found
