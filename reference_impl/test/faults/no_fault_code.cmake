# libasyncref.so has no fault code; libasyncref-faulty.so has it.
#
#   cmake -DLIBRARY=<libasyncref.so> -DFAULTY_LIBRARY=<libasyncref-faulty.so>
#         -DNM=<nm> -P no_fault_code.cmake
#
# Looks for the environment variable's name among the library's strings
# (what `strings` prints) and for fault_active among its symbols (`nm -C`,
# local ones included).

cmake_minimum_required(VERSION 3.25)

foreach(var LIBRARY FAULTY_LIBRARY NM)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "no_fault_code.cmake: ${var} is not set")
  endif()
endforeach()

# Sets ${out} to a list of what `library` holds of the fault code.
function(fault_traces library out)
  if(NOT EXISTS "${library}")
    message(FATAL_ERROR "${library} does not exist")
  endif()
  set(found "")
  file(STRINGS "${library}" env_strings REGEX "ASYNCREF_FAULT")
  if(env_strings)
    list(APPEND found "the string ASYNCREF_FAULT")
  endif()
  execute_process(COMMAND "${NM}" -C "${library}"
    RESULT_VARIABLE status OUTPUT_VARIABLE symbols ERROR_VARIABLE errors)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${NM} -C ${library} failed (${status}):\n${errors}")
  endif()
  if(symbols MATCHES "asyncconf::ref::fault_active")
    list(APPEND found "the symbol asyncconf::ref::fault_active")
  endif()
  set(${out} "${found}" PARENT_SCOPE)
endfunction()

fault_traces("${FAULTY_LIBRARY}" faulty_found)
list(LENGTH faulty_found n)
if(NOT n EQUAL 2)
  message(FATAL_ERROR "${FAULTY_LIBRARY} should hold both the string ASYNCREF_FAULT and "
                      "the symbol fault_active (found: ${faulty_found}); the check is blind")
endif()

fault_traces("${LIBRARY}" found)
if(found)
  string(REPLACE ";" ", " shown "${found}")
  message(FATAL_ERROR "${LIBRARY} contains fault code: ${shown}")
endif()
message(STATUS "${LIBRARY}: no fault code (no ASYNCREF_FAULT string, no fault_active symbol)")
