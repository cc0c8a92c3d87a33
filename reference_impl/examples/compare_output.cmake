# Runs a program and checks its exit status, its stdout (byte for byte) and
# its stderr. Used by the man-page example's ctests:
#
#   cmake -DPROGRAM=<exe> [-DARG=<argv[1]>]
#         [-DEXPECTED_STDOUT_FILE=<file>]    stdout must equal the file exactly
#         [-DEXPECTED_EXIT=<status>]         default 0
#         [-DEXPECTED_STDERR_REGEX=<regex>]  stderr must match
#         [-DTIMEOUT=<seconds>]              default 60
#         -P compare_output.cmake
#
# Any difference fails (FATAL_ERROR) with what was expected next to what
# the program did.

cmake_minimum_required(VERSION 3.25)

if(NOT DEFINED PROGRAM)
  message(FATAL_ERROR "compare_output.cmake: PROGRAM is not set")
endif()
if(NOT DEFINED EXPECTED_EXIT)
  set(EXPECTED_EXIT 0)
endif()
if(NOT DEFINED TIMEOUT)
  set(TIMEOUT 60)
endif()

set(command "${PROGRAM}")
if(DEFINED ARG)
  list(APPEND command "${ARG}")
endif()

execute_process(
  COMMAND ${command}
  RESULT_VARIABLE status
  OUTPUT_VARIABLE actual
  ERROR_VARIABLE errors
  TIMEOUT ${TIMEOUT})

set(failures "")

# The characters a CMake list does not keep verbatim, and stand-ins for them
# (control characters that program output here never contains).
string(ASCII 1 sc_backslash)
string(ASCII 2 sc_semicolon)
string(ASCII 3 sc_open)
string(ASCII 4 sc_close)

# Lines of `text` as a CMake list of encoded lines (see decode_line). A last
# line without a newline is marked, so a missing final newline shows.
function(split_lines text out)
  if(text STREQUAL "")
    set(${out} "" PARENT_SCOPE)
    return()
  endif()
  string(REPLACE "\\" "${sc_backslash}" text "${text}")
  string(REPLACE ";" "${sc_semicolon}" text "${text}")
  string(REPLACE "[" "${sc_open}" text "${text}")
  string(REPLACE "]" "${sc_close}" text "${text}")
  string(REPLACE "\n" ";" lines "${text}")
  # "a\nb\n" splits into a;b;"" - the empty last element is the final newline.
  list(LENGTH lines n)
  math(EXPR last "${n} - 1")
  list(GET lines ${last} tail)
  list(REMOVE_AT lines ${last})
  if(NOT tail STREQUAL "")
    list(APPEND lines "${tail}<no newline at end>")
  endif()
  set(${out} "${lines}" PARENT_SCOPE)
endfunction()

function(decode_line line out)
  string(REPLACE "${sc_backslash}" "\\" line "${line}")
  string(REPLACE "${sc_semicolon}" ";" line "${line}")
  string(REPLACE "${sc_open}" "[" line "${line}")
  string(REPLACE "${sc_close}" "]" line "${line}")
  set(${out} "${line}" PARENT_SCOPE)
endfunction()

if(DEFINED EXPECTED_STDOUT_FILE)
  file(READ "${EXPECTED_STDOUT_FILE}" expected)
  if(NOT actual STREQUAL expected)
    split_lines("${expected}" expected_lines)
    split_lines("${actual}" actual_lines)
    list(LENGTH expected_lines n_expected)
    list(LENGTH actual_lines n_actual)
    set(n ${n_expected})
    if(n_actual GREATER n)
      set(n ${n_actual})
    endif()
    set(diff "")
    if(n GREATER 0)
      math(EXPR last "${n} - 1")
      foreach(i RANGE ${last})
        math(EXPR line "${i} + 1")
        set(e "")
        set(a "")
        set(have_e FALSE)
        set(have_a FALSE)
        if(i LESS n_expected)
          list(GET expected_lines ${i} e)
          decode_line("${e}" e)
          set(have_e TRUE)
        endif()
        if(i LESS n_actual)
          list(GET actual_lines ${i} a)
          decode_line("${a}" a)
          set(have_a TRUE)
        endif()
        if(have_e AND have_a AND e STREQUAL a)
          string(APPEND diff "     ${line}  ${e}\n")
        else()
          if(have_e)
            string(APPEND diff "   - ${line}  ${e}\n")
          endif()
          if(have_a)
            string(APPEND diff "   + ${line}  ${a}\n")
          endif()
        endif()
      endforeach()
    endif()
    string(LENGTH "${expected}" expected_bytes)
    string(LENGTH "${actual}" actual_bytes)
    string(APPEND failures
      "  stdout differs from ${EXPECTED_STDOUT_FILE}\n"
      "  (- expected, + actual; ${n_expected} vs ${n_actual} lines, "
      "${expected_bytes} vs ${actual_bytes} bytes):\n${diff}")
  endif()
endif()

if(NOT status STREQUAL "${EXPECTED_EXIT}")
  string(APPEND failures "  exit status: expected ${EXPECTED_EXIT}, got '${status}'\n")
endif()

if(DEFINED EXPECTED_STDERR_REGEX AND NOT errors MATCHES "${EXPECTED_STDERR_REGEX}")
  string(APPEND failures "  stderr does not match the regular expression '${EXPECTED_STDERR_REGEX}'\n")
endif()

string(JOIN " " shown ${command})
if(failures)
  string(REGEX REPLACE "\n$" "" errors "${errors}")
  string(REPLACE "\n" "\n    " errors "    ${errors}")
  string(APPEND errors "\n")
  message(FATAL_ERROR
    "FAILED: ${shown}\n${failures}"
    "  --- stderr of the program ---\n${errors}"
    "  --- end of stderr ---")
endif()
message(STATUS "OK: ${shown} (exit ${status})")
if(NOT errors STREQUAL "")
  message(STATUS "stderr:\n${errors}")
endif()
