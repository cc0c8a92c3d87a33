# The dynamic-linking ABI of an ASYNC implementation, read with readelf:
#
#   cmake -DLIBRARY=<libasyncref.so.1> -DREADELF=<readelf>
#         -DSYMBOLS_DEF=<asyncconf/async_symbols.def> [-DEXPECTED_COUNT=22]
#         [-DEXPECTED_SONAME=libasyncref.so.1] [-DLINK_NAME=<libasyncref.so>]
#         -P abi_exports.cmake
#
# 1. The defined dynamic symbols are exactly the functions of
#    async_symbols.def, each a GLOBAL DEFAULT FUNC under the default version
#    libcrypto.so.3 gives it (name@@OPENSSL_3.2.0 for the functions OpenSSL
#    3.2 added, name@@OPENSSL_3.0.0 for the rest). The ABS symbols of the
#    version nodes themselves (OPENSSL_3.0.0, OPENSSL_3.2.0) are ignored.
# 2. DT_NEEDED names neither libcrypto nor libssl, nor Boost (Boost.Context
#    is linked in, so the drop-in needs only libc and libstdc++). With
#    EXPECTED_SONAME, DT_SONAME is exactly that; with LINK_NAME, that file
#    (the unversioned link) resolves to LIBRARY.
# 3. No relocation references an ASYNC_ symbol and no ASYNC_ symbol is
#    imported: every call between the library's own functions binds to the
#    library itself (no PLT/GOT slot another libcrypto could interpose).
#
# Every difference is listed before the script fails.

cmake_minimum_required(VERSION 3.25)

foreach(var LIBRARY READELF SYMBOLS_DEF)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "abi_exports.cmake: ${var} is not set")
  endif()
endforeach()
if(NOT DEFINED EXPECTED_COUNT)
  set(EXPECTED_COUNT 22)
endif()
if(NOT EXISTS "${LIBRARY}")
  message(FATAL_ERROR "abi_exports.cmake: ${LIBRARY} does not exist")
endif()

set(failures "")

function(run_readelf out)
  execute_process(
    COMMAND "${READELF}" ${ARGN} "${LIBRARY}"
    RESULT_VARIABLE status
    OUTPUT_VARIABLE text
    ERROR_VARIABLE errors)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${READELF} ${ARGN} ${LIBRARY} failed (${status}):\n${errors}")
  endif()
  # Keep lines intact as list elements.
  string(REPLACE ";" "\\;" text "${text}")
  string(REPLACE "\n" ";" lines "${text}")
  set(${out} "${lines}" PARENT_SCOPE)
endfunction()

# --- The expected exports, from async_symbols.def ----------------------------

file(STRINGS "${SYMBOLS_DEF}" def_lines REGEX "^ASYNCCONF_SYMBOL\\(")
set(expected "")
foreach(line IN LISTS def_lines)
  if(NOT line MATCHES "^ASYNCCONF_SYMBOL\\(([A-Za-z_][A-Za-z0-9_]*), *([0-9]+), *([0-9]+)\\)")
    message(FATAL_ERROR "abi_exports.cmake: cannot parse '${line}' in ${SYMBOLS_DEF}")
  endif()
  set(name ${CMAKE_MATCH_1})
  set(major ${CMAKE_MATCH_2})
  set(minor ${CMAKE_MATCH_3})
  # libcrypto.so.3 versions everything older than 3.0 as OPENSSL_3.0.0.
  if(major LESS 3)
    set(version OPENSSL_3.0.0)
  else()
    set(version OPENSSL_${major}.${minor}.0)
  endif()
  list(APPEND expected "${name}@@${version}")
endforeach()
list(LENGTH expected n_expected)
if(NOT n_expected EQUAL EXPECTED_COUNT)
  string(APPEND failures
    "${SYMBOLS_DEF} lists ${n_expected} functions, expected ${EXPECTED_COUNT}\n")
endif()

# --- 1. Defined dynamic symbols ----------------------------------------------

# "   63: 0000000000002560   371 FUNC    GLOBAL DEFAULT   13 ASYNC_start_job@@OPENSSL_3.0.0"
run_readelf(dynsym --dyn-syms --wide)
set(exported "")        # name@@version of every defined FUNC
set(bad_kind "")        # defined symbols that are not GLOBAL DEFAULT FUNC
set(imported_async "")  # undefined ASYNC_* symbols
foreach(line IN LISTS dynsym)
  if(NOT line MATCHES "^ *[0-9]+: +[0-9a-fA-F]+ +[0-9x]+ +([A-Z_]+) +([A-Z_]+) +([A-Z_]+) +([A-Z0-9]+) +([^ ].*)$")
    continue()
  endif()
  set(type ${CMAKE_MATCH_1})
  set(bind ${CMAKE_MATCH_2})
  set(vis ${CMAKE_MATCH_3})
  set(ndx ${CMAKE_MATCH_4})
  string(STRIP "${CMAKE_MATCH_5}" sym)
  if(bind STREQUAL "LOCAL")
    continue()
  endif()
  if(ndx STREQUAL "UND")
    if(sym MATCHES "^ASYNC_")
      list(APPEND imported_async "${sym}")
    endif()
    continue()
  endif()
  # The version definitions: OPENSSL_3.0.0 ABS, shown without a version.
  if(ndx STREQUAL "ABS" AND sym MATCHES "^OPENSSL_[0-9.]+$")
    continue()
  endif()
  if(NOT type STREQUAL "FUNC" OR NOT bind STREQUAL "GLOBAL" OR NOT vis STREQUAL "DEFAULT")
    list(APPEND bad_kind "${sym} (${type} ${bind} ${vis} section ${ndx})")
    if(NOT type STREQUAL "FUNC")
      continue()
    endif()
  endif()
  list(APPEND exported "${sym}")
endforeach()

set(missing ${expected})
list(REMOVE_ITEM missing ${exported})
set(unexpected ${exported})
list(REMOVE_ITEM unexpected ${expected})

# Tell a wrong version apart from a missing name.
set(version_diffs "")
set(versioned_wrong "")
foreach(want IN LISTS missing)
  string(REGEX REPLACE "@.*" "" name "${want}")
  foreach(got IN LISTS unexpected)
    if(got MATCHES "^${name}(@|$)")
      list(APPEND version_diffs "${name}: expected ${want}, exported as ${got}")
      list(APPEND versioned_wrong "${want}" "${got}")
    endif()
  endforeach()
endforeach()
if(versioned_wrong)
  list(REMOVE_ITEM missing ${versioned_wrong})
  list(REMOVE_ITEM unexpected ${versioned_wrong})
endif()

list(LENGTH exported n_exported)
if(missing OR unexpected OR bad_kind OR version_diffs)
  string(APPEND failures "exported functions differ from ${SYMBOLS_DEF} "
                         "(${n_exported} exported, ${n_expected} expected):\n")
  foreach(d IN LISTS version_diffs)
    string(APPEND failures "  wrong version: ${d}\n")
  endforeach()
  foreach(s IN LISTS missing)
    string(APPEND failures "  missing:       ${s}\n")
  endforeach()
  foreach(s IN LISTS unexpected)
    string(APPEND failures "  unexpected:    ${s}\n")
  endforeach()
  foreach(s IN LISTS bad_kind)
    string(APPEND failures "  not a GLOBAL DEFAULT FUNC: ${s}\n")
  endforeach()
endif()
if(imported_async)
  string(REPLACE ";" ", " shown "${imported_async}")
  string(APPEND failures "imports (undefined) ASYNC_ symbols: ${shown}\n")
endif()

# --- 2. DT_NEEDED ------------------------------------------------------------

# " 0x0000000000000001 (NEEDED)             Shared library: [libc.so.6]"
run_readelf(dynamic --dynamic --wide)
set(needed "")
foreach(line IN LISTS dynamic)
  if(line MATCHES "\\(NEEDED\\) +Shared library: \\[([^]]+)\\]")
    list(APPEND needed "${CMAKE_MATCH_1}")
  endif()
endforeach()
foreach(lib IN LISTS needed)
  if(lib MATCHES "^lib(crypto|ssl)[.-]")
    string(APPEND failures "DT_NEEDED has ${lib}: the library must not depend on OpenSSL\n")
  endif()
  if(lib MATCHES "^libboost")
    string(APPEND failures "DT_NEEDED has ${lib}: Boost.Context must be linked in statically\n")
  endif()
endforeach()

# " 0x000000000000000e (SONAME)             Library soname: [libasyncref.so.1]"
set(soname "")
foreach(line IN LISTS dynamic)
  if(line MATCHES "\\(SONAME\\) +Library soname: \\[([^]]+)\\]")
    set(soname "${CMAKE_MATCH_1}")
  endif()
endforeach()
if(DEFINED EXPECTED_SONAME AND NOT soname STREQUAL EXPECTED_SONAME)
  string(APPEND failures "DT_SONAME is '${soname}', expected '${EXPECTED_SONAME}'\n")
endif()
if(DEFINED LINK_NAME)
  get_filename_component(link_target "${LINK_NAME}" REALPATH)
  get_filename_component(library_real "${LIBRARY}" REALPATH)
  if(NOT EXISTS "${LINK_NAME}" OR NOT link_target STREQUAL library_real)
    string(APPEND failures "${LINK_NAME} does not resolve to ${LIBRARY} (it resolves to '${link_target}')\n")
  endif()
endif()

# --- 3. Relocations ----------------------------------------------------------

# "0000000000008060  0000000f00000007 R_X86_64_JUMP_SLOT  0000000000000000 jump_fcontext + 0"
run_readelf(relocs --relocs --wide)
set(async_relocs "")
set(n_relocs 0)
foreach(line IN LISTS relocs)
  if(NOT line MATCHES "^ *[0-9a-fA-F]+ +[0-9a-fA-F]+ +R_[A-Za-z0-9_]+")
    continue()
  endif()
  math(EXPR n_relocs "${n_relocs} + 1")
  if(line MATCHES "[ \t]ASYNC_[A-Za-z0-9_]*")
    string(REGEX REPLACE "  +" "  " line "${line}")
    list(APPEND async_relocs "${line}")
  endif()
endforeach()
if(async_relocs)
  string(APPEND failures
    "relocations reference ASYNC_ symbols (calls that do not bind to the library itself):\n")
  foreach(r IN LISTS async_relocs)
    string(APPEND failures "  ${r}\n")
  endforeach()
endif()

# --- Verdict -----------------------------------------------------------------

if(failures)
  message(FATAL_ERROR "ABI check of ${LIBRARY} FAILED:\n${failures}")
endif()
string(REPLACE ";" ", " needed_shown "${needed}")
message(STATUS "${LIBRARY}: exports exactly the ${n_expected} ASYNC functions at their "
               "libcrypto versions; SONAME: ${soname}; NEEDED: ${needed_shown}; "
               "none of its ${n_relocs} relocations references an ASYNC_ symbol")
