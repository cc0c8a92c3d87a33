#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build of the four libFuzzer targets.
#
# Runs inside gcr.io/oss-fuzz-base/base-builder, whose `compile` calls
# $SRC/build.sh (.clusterfuzzlite/build.sh execs this script) with:
#   CC CXX CFLAGS CXXFLAGS  the compilers and every instrumentation flag:
#                           the sanitizer of $SANITIZER, -fsanitize=fuzzer-no-link,
#                           -O1 -gline-tables-only, -stdlib=libc++ for C++
#   LIB_FUZZING_ENGINE      how to link the engine (-fsanitize=fuzzer)
#   SRC WORK OUT            sources, scratch space, what gets shipped
# It can also be run by hand with those variables exported (fuzz/README.md).
#
# The tree's own sanitizer switch stays off (ASYNCCONF_SANITIZE empty: no
# -fsanitize flag of our own on top of OSS-Fuzz's), and ASYNCCONF_FUZZ_ENGINE
# makes the targets libFuzzer targets linked with $LIB_FUZZING_ENGINE
# instead of replay programs (fuzz/CMakeLists.txt).
#
# $OUT gets, for each target T:
#   T                    the fuzz target
#   T.options            libFuzzer's max_len and timeout (fuzz/config/)
#   T_seed_corpus.zip    fuzz/corpus/T/
# plus fuzz_seq_text.dict, and libasyncref.so.1: "reference" (the default
# ASYNCCONF_IMPL) is this build's libasyncref, which a target loads from
# its own directory when it is there (fuzz/src/fuzz_env.cpp).

src="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="$WORK/asyncconf-build"
targets=(fuzz_sequence fuzz_differential fuzz_wait_ctx fuzz_seq_text)

generator="Unix Makefiles"
command -v ninja >/dev/null 2>&1 && generator=Ninja

# With libFuzzer's instrumentation, its coverage leaves out the runner's
# plumbing and the standard library, as in the fuzz preset
# (fuzz/config/coverage_ignorelist.txt); a coverage build measures all.
ignore=""
case "$CXXFLAGS" in
  *-fsanitize=fuzzer-no-link*) ignore=" -fsanitize-coverage-ignorelist=$src/fuzz/config/coverage_ignorelist.txt" ;;
esac

# CMAKE_BUILD_TYPE empty: no -O or -DNDEBUG of CMake's over $CFLAGS (the
# harness's asserts stay on). ASYNCCONF_DEBUG_INFO=full adds no -g of ours
# ($CFLAGS has -gline-tables-only).
cmake -S "$src" -B "$build" -G "$generator" \
  -DCMAKE_C_COMPILER="$CC" \
  -DCMAKE_CXX_COMPILER="$CXX" \
  -DCMAKE_C_FLAGS="$CFLAGS$ignore" \
  -DCMAKE_CXX_FLAGS="$CXXFLAGS$ignore" \
  -DCMAKE_BUILD_TYPE= \
  -DASYNCCONF_DEBUG_INFO=full \
  -DASYNCCONF_SANITIZE= \
  -DASYNCCONF_FUZZ_ENGINE="$LIB_FUZZING_ENGINE"
cmake --build "$build" --target "${targets[@]}" asyncref -j"$(nproc)"

reference="$build/reference_impl/libasyncref.so.1"
[ -f "$reference" ] || { echo "build.sh: no $reference after the build" >&2; exit 1; }
cp -L "$reference" "$OUT/libasyncref.so.1"

for target in "${targets[@]}"; do
  cp "$build/fuzz/$target" "$OUT/$target"
  if [ -f "$src/fuzz/config/$target.options" ]; then
    cp "$src/fuzz/config/$target.options" "$OUT/"
  fi
  corpus="$src/fuzz/corpus/$target"
  if [ -d "$corpus" ] && [ -n "$(ls -A "$corpus")" ]; then
    rm -f "$OUT/${target}_seed_corpus.zip"
    (cd "$corpus" && zip -q -r "$OUT/${target}_seed_corpus.zip" .)
  fi
done
for dict in "$src"/fuzz/config/*.dict; do
  [ -f "$dict" ] && cp "$dict" "$OUT/"
done

echo "build.sh: in $OUT:"
ls -l "$OUT"
