# Runs a command and checks its exit code, for tests that a whole
# `asyncconf run` ends as it should. Prints the command's output on a
# mismatch.
#   cmake -DEXPECTED=<code> -DFAULT=<name or empty> [-DREPORTS=<dir>] -P expect_exit.cmake -- <command...>
# With REPORTS, the run must (re)write the four reports there.
set(command "")
set(past_separator FALSE)
foreach(i RANGE ${CMAKE_ARGC})
  if(past_separator AND DEFINED CMAKE_ARGV${i})
    list(APPEND command "${CMAKE_ARGV${i}}")
  elseif("${CMAKE_ARGV${i}}" STREQUAL "--")
    set(past_separator TRUE)
  endif()
endforeach()
if(FAULT)
  set(ENV{ASYNCREF_FAULT} "${FAULT}")
else()
  unset(ENV{ASYNCREF_FAULT})
endif()
if(REPORTS)
  file(REMOVE_RECURSE "${REPORTS}")
endif()
execute_process(COMMAND ${command} RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT "${code}" STREQUAL "${EXPECTED}")
  message(FATAL_ERROR "exit code ${code}, expected ${EXPECTED}"
                      "${FAULT}\n--- stdout ---\n${out}\n--- stderr ---\n${err}")
endif()
# The summary line, so the log shows what was caught.
string(REGEX MATCH "[0-9]+ cases:[^\n]*" summary "${out}")
message(STATUS "exit ${code} as expected: ${summary}")
foreach(report IN ITEMS report.json junit.xml report.md report.html)
  if(REPORTS AND NOT EXISTS "${REPORTS}/${report}")
    message(FATAL_ERROR "the run wrote no ${REPORTS}/${report}")
  endif()
endforeach()
