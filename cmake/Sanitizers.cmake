# ASYNCCONF_SANITIZE selects a sanitizer build for the whole tree:
#   ""                 none (default)
#   "address"          ASan + UBSan (LSan included)
#   "thread"           TSan
#   "fuzzer"           libFuzzer instrumentation with ASan + UBSan (clang only)
set(ASYNCCONF_SANITIZE "" CACHE STRING "Sanitizer build: '', address, thread, fuzzer")
set_property(CACHE ASYNCCONF_SANITIZE PROPERTY STRINGS "" address thread fuzzer)

set(ASYNCCONF_SANITIZER_FLAGS "")
if(ASYNCCONF_SANITIZE STREQUAL "address")
  set(ASYNCCONF_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all
                                -fno-omit-frame-pointer)
elseif(ASYNCCONF_SANITIZE STREQUAL "thread")
  set(ASYNCCONF_SANITIZER_FLAGS -fsanitize=thread -fno-omit-frame-pointer)
elseif(ASYNCCONF_SANITIZE STREQUAL "fuzzer")
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "ASYNCCONF_SANITIZE=fuzzer needs clang (use the 'fuzz' preset)")
  endif()
  # The sanitizers beside libFuzzer's instrumentation; empty for a build
  # that measures the targets' own speed (ci/fuzz-bench.sh).
  set(ASYNCCONF_FUZZ_SANITIZERS "address,undefined" CACHE STRING
      "Sanitizers of the fuzz build, comma-separated (empty: libFuzzer alone)")
  # libFuzzer is steered by the implementation, the model and the language;
  # the runner's plumbing and the standard library's templates only cost it
  # time (fuzz/config/coverage_ignorelist.txt).
  set(_fuzz_ignore -fsanitize-coverage-ignorelist=${CMAKE_SOURCE_DIR}/fuzz/config/coverage_ignorelist.txt)
  if(ASYNCCONF_FUZZ_SANITIZERS)
    set(ASYNCCONF_SANITIZER_FLAGS -fsanitize=fuzzer-no-link,${ASYNCCONF_FUZZ_SANITIZERS}
                                  -fno-sanitize-recover=all -fno-omit-frame-pointer)
  else()
    set(ASYNCCONF_SANITIZER_FLAGS -fsanitize=fuzzer-no-link -fno-omit-frame-pointer)
  endif()
  add_compile_options(${_fuzz_ignore})
  # The harness's own code (harness/, fuzz/) without comparison tracing:
  # the op mutator decodes bytes modulo ranges, so the compared values
  # libFuzzer would learn from teach it nothing, and tracing every compare
  # of the model cost fuzz_sequence a sixth of its time. The implementation
  # under test keeps it (its limits and sizes are worth learning).
  set(ASYNCCONF_HARNESS_FUZZ_FLAGS -fno-sanitize-coverage=trace-cmp)
elseif(NOT ASYNCCONF_SANITIZE STREQUAL "")
  message(FATAL_ERROR "Unknown ASYNCCONF_SANITIZE='${ASYNCCONF_SANITIZE}'")
endif()

if(ASYNCCONF_SANITIZER_FLAGS)
  add_compile_options(${ASYNCCONF_SANITIZER_FLAGS})
  add_link_options(${ASYNCCONF_SANITIZER_FLAGS})
endif()
