# explore alone reaches one of OpenSSL 3.0's misuse crashes, and the C
# reproducer it writes crashes the real libcrypto:
#   cmake -DCLI=<asyncconf> -DMISUSE=<nested-start|null-wait-ctx|stale-handle>
#         -DCC=<c compiler> -DOUT=<dir> -P openssl_misuse.cmake
# 1. explore --impl openssl --level robustness --misuse MISUSE: exit 1, a
#    crash, and OUT holds the shrunk .seq (committing that misuse) and a .c;
# 2. the .c, built with `cc repro.c -lcrypto`, dies of a signal;
# 3. replay of the .seq crashes again (exit 1).
foreach(var CLI MISUSE CC OUT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "openssl_misuse.cmake needs -D${var}=...")
  endif()
endforeach()
file(REMOVE_RECURSE "${OUT}")
unset(ENV{ASYNCREF_FAULT})

execute_process(
  COMMAND "${CLI}" explore --impl openssl --level robustness --misuse "${MISUSE}" --seed 1
          --sequences 500 --out "${OUT}" --format json --quiet
  RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT code STREQUAL "1" OR NOT out MATCHES "FOUND a crash")
  message(FATAL_ERROR "explore: exit code ${code}, expected 1 and a crash\n--- stdout ---\n${out}\n--- stderr ---\n${err}")
endif()
if(NOT out MATCHES "${MISUSE}")
  message(FATAL_ERROR "the finding does not name the misuse ${MISUSE}:\n${out}")
endif()

file(GLOB seqs "${OUT}/*.seq")
list(FILTER seqs EXCLUDE REGEX "\\.original\\.seq$")
file(GLOB reproducers "${OUT}/*.c")
list(LENGTH seqs n_seq)
list(LENGTH reproducers n_c)
if(NOT n_seq EQUAL 1 OR NOT n_c EQUAL 1)
  message(FATAL_ERROR "expected one .seq and one .c in ${OUT}\n--- stdout ---\n${out}")
endif()

execute_process(
  COMMAND "${CC}" -std=c11 -Wall -Wextra -o "${OUT}/repro" "${reproducers}" -lcrypto -lpthread
  RESULT_VARIABLE code OUTPUT_VARIABLE cc_out ERROR_VARIABLE cc_err)
if(NOT code STREQUAL "0")
  message(FATAL_ERROR "${CC} ${reproducers}: exit code ${code}\n${cc_out}\n${cc_err}")
endif()
execute_process(COMMAND "${OUT}/repro" RESULT_VARIABLE died OUTPUT_VARIABLE run_out ERROR_VARIABLE run_err)
# A signal comes back as its description ("Segmentation fault", "Child aborted"), not a number.
if(died MATCHES "^[0-9]+$")
  message(FATAL_ERROR "the reproducer exited with ${died} instead of crashing\n"
                      "--- stdout ---\n${run_out}\n--- stderr ---\n${run_err}")
endif()

execute_process(
  COMMAND "${CLI}" replay "${seqs}" --impl openssl --level robustness --misuse "${MISUSE}"
  RESULT_VARIABLE code OUTPUT_VARIABLE replay_out ERROR_VARIABLE replay_err)
if(NOT code STREQUAL "1" OR NOT replay_out MATCHES "crash")
  message(FATAL_ERROR "replay of ${seqs}: exit code ${code}, expected 1 and a crash\n"
                      "--- stdout ---\n${replay_out}\n--- stderr ---\n${replay_err}")
endif()

file(READ "${seqs}" seq_text)
string(REGEX REPLACE "#[^\n]*\n" "" ops "${seq_text}")
message(STATUS "${MISUSE}: the reproducer died (${died}); shrunk sequence:\n${ops}")
