# explore finds a fault, writes its files, and the .seq it wrote replays:
#   cmake -DCLI=<asyncconf> -DIMPL=<libasyncref-faulty.so> -DFAULT=<name>
#         -DOUT=<dir> -P explore_chain.cmake
# 1. explore --impl IMPL with ASYNCREF_FAULT=FAULT: exit 1, and OUT holds the
#    shrunk .seq, the .original.seq, the .c reproducer and report.json;
# 2. replay of that .seq against IMPL (same fault): exit 1 again;
# 3. replay of it against IMPL without the fault: exit 0 (the sequence
#    fails because of the fault, not because of the harness).
foreach(var CLI IMPL FAULT OUT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "explore_chain.cmake needs -D${var}=...")
  endif()
endforeach()
file(REMOVE_RECURSE "${OUT}")

set(ENV{ASYNCREF_FAULT} "${FAULT}")
execute_process(
  COMMAND "${CLI}" explore --impl "${IMPL}" --seed 1 --sequences 300 --out "${OUT}" --quiet
  RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT code STREQUAL "1")
  message(FATAL_ERROR "explore: exit code ${code}, expected 1\n--- stdout ---\n${out}\n--- stderr ---\n${err}")
endif()

file(GLOB seqs "${OUT}/*.seq")
list(FILTER seqs EXCLUDE REGEX "\\.original\\.seq$")
file(GLOB originals "${OUT}/*.original.seq")
file(GLOB reproducers "${OUT}/*.c")
list(LENGTH seqs n_seq)
list(LENGTH originals n_original)
list(LENGTH reproducers n_c)
if(NOT n_seq EQUAL 1 OR NOT n_original EQUAL 1 OR NOT n_c EQUAL 1 OR NOT EXISTS "${OUT}/report.json")
  file(GLOB all "${OUT}/*")
  message(FATAL_ERROR "explore wrote: ${all}\nexpected one .seq, one .original.seq, one .c and report.json\n"
                      "--- stdout ---\n${out}")
endif()
file(READ "${seqs}" seq_text)
if(NOT seq_text MATCHES "# replay with: asyncconf replay")
  message(FATAL_ERROR "${seqs} has no replay line:\n${seq_text}")
endif()
file(READ "${OUT}/report.json" report)
if(NOT report MATCHES "\"verdict\": \"fail\"")
  message(FATAL_ERROR "report.json has no failing case:\n${report}")
endif()

execute_process(
  COMMAND "${CLI}" replay "${seqs}" --impl "${IMPL}" --level must
  RESULT_VARIABLE code OUTPUT_VARIABLE replay_out ERROR_VARIABLE replay_err)
if(NOT code STREQUAL "1")
  message(FATAL_ERROR "replay of ${seqs} with ASYNCREF_FAULT=${FAULT}: exit code ${code}, expected 1\n"
                      "--- stdout ---\n${replay_out}\n--- stderr ---\n${replay_err}")
endif()

unset(ENV{ASYNCREF_FAULT})
execute_process(
  COMMAND "${CLI}" replay "${seqs}" --impl "${IMPL}" --level must
  RESULT_VARIABLE code OUTPUT_VARIABLE clean_out ERROR_VARIABLE clean_err)
if(NOT code STREQUAL "0")
  message(FATAL_ERROR "replay of ${seqs} without the fault: exit code ${code}, expected 0\n"
                      "--- stdout ---\n${clean_out}\n--- stderr ---\n${clean_err}")
endif()

string(REGEX MATCH "FOUND [^\n]*" found "${out}")
message(STATUS "${found}; ${seqs} replays with exit 1 (and 0 without the fault)")
