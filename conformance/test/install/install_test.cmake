# install.relocatable: installs the build into a temporary prefix outside the
# source and build trees, then checks that
#  - exactly the shipped files are installed (no test libraries or programs);
#  - the installed asyncconf and libasyncref carry neither the source nor the
#    build directory in what is loaded at run time (debug info is stripped
#    from a scratch copy first: it names the sources by design and is never
#    read at run time), so their compile-time knowledge of either tree is
#    irrelevant;
#  - from a working directory in the temporary tree, `run --impl reference`
#    loads <prefix>/<libdir>/libasyncref.so.1, exits 0 with every applicable
#    case passing (144 today), and `run --impl openssl` picks its
#    expectations file from <prefix>/<datadir>/asyncconf/expectations and
#    exits 0 with its expected failures counted;
#  - the whole prefix still works after being moved elsewhere;
#  - with the expectations or the library gone, asyncconf exits 2 naming the
#    paths it tried;
#  - the man page names every subcommand and option of --help, and renders
#    with groff -ww without a warning.
# Run by ctest (conformance/test/install/CMakeLists.txt passes the -D values).
cmake_minimum_required(VERSION 3.25)

foreach(var BUILD_DIR SOURCE_DIR REFERENCE_BUILD_DIR BINDIR LIBDIR INCLUDEDIR DATADIR MANDIR OBJCOPY)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "install_test.cmake needs -D${var}=")
  endif()
endforeach()

# Outside both trees: $TMPDIR or /tmp, a fresh name per run.
set(tmp_root "$ENV{TMPDIR}")
if(tmp_root STREQUAL "")
  set(tmp_root /tmp)
endif()
string(RANDOM LENGTH 10 ALPHABET abcdefghijklmnopqrstuvwxyz0123456789 suffix)
set(work "${tmp_root}/asyncconf-install-test-${suffix}")
foreach(tree "${SOURCE_DIR}" "${BUILD_DIR}")
  cmake_path(IS_PREFIX tree "${work}" NORMALIZE inside)
  if(inside)
    message(FATAL_ERROR "the temporary dir ${work} is inside ${tree}: set TMPDIR elsewhere")
  endif()
endforeach()
set(prefix "${work}/prefix")
file(MAKE_DIRECTORY "${work}/cwd")

# Nothing may point asyncconf at the build tree behind the test's back.
unset(ENV{ASYNCCONF_REFERENCE_LIB})
unset(ENV{ASYNCCONF_EXPECTATIONS_DIR})

function(fail what)
  message(FATAL_ERROR "${what}\n(the temporary tree is kept: ${work})")
endfunction()

# Runs a command in ${work}/cwd; sets code, out, err in the caller.
function(run_in_tmp)
  execute_process(COMMAND ${ARGN} WORKING_DIRECTORY "${work}/cwd"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE o ERROR_VARIABLE e)
  set(code "${rc}" PARENT_SCOPE)
  set(out "${o}" PARENT_SCOPE)
  set(err "${e}" PARENT_SCOPE)
endfunction()

# --- install ---------------------------------------------------------------
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${prefix}"
                RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT code EQUAL 0)
  fail("cmake --install failed (${code}):\n${out}\n${err}")
endif()

# --- exactly the shipped files --------------------------------------------
file(GLOB shipped_json RELATIVE "${SOURCE_DIR}/conformance/expectations"
     "${SOURCE_DIR}/conformance/expectations/*.json")
set(expected
    "${BINDIR}/asyncconf" "${LIBDIR}/libasyncref.so" "${LIBDIR}/libasyncref.so.1"
    "${INCLUDEDIR}/asyncconf/async_abi.h" "${INCLUDEDIR}/asyncconf/async_symbols.def"
    "${MANDIR}/man1/asyncconf.1")
foreach(json IN LISTS shipped_json)
  list(APPEND expected "${DATADIR}/asyncconf/expectations/${json}")
endforeach()
file(GLOB_RECURSE installed LIST_DIRECTORIES false RELATIVE "${prefix}" "${prefix}/*")
list(SORT expected)
list(SORT installed)
if(NOT installed STREQUAL expected)
  list(JOIN installed "\n  " i)
  list(JOIN expected "\n  " x)
  fail("installed files differ from the shipped set\ninstalled:\n  ${i}\nexpected:\n  ${x}")
endif()
if(NOT IS_SYMLINK "${prefix}/${LIBDIR}/libasyncref.so")
  fail("${LIBDIR}/libasyncref.so is not the link to libasyncref.so.1")
endif()

# --- no compile-time path to either tree ----------------------------------
if(STRICT_STRINGS)
  set(forbidden "${SOURCE_DIR}" "${BUILD_DIR}")
else()
  set(forbidden "${SOURCE_DIR}/conformance/expectations" "${REFERENCE_BUILD_DIR}")
endif()
foreach(binary "${BINDIR}/asyncconf" "${LIBDIR}/libasyncref.so.1")
  get_filename_component(name "${binary}" NAME)
  set(scratch "${work}/strings-${name}")
  execute_process(COMMAND "${OBJCOPY}" --strip-debug "${prefix}/${binary}" "${scratch}"
                  RESULT_VARIABLE code ERROR_VARIABLE err)
  if(NOT code EQUAL 0)
    fail("${OBJCOPY} --strip-debug ${binary} failed: ${err}")
  endif()
  file(STRINGS "${scratch}" strings)
  foreach(path IN LISTS forbidden)
    foreach(s IN LISTS strings)
      string(FIND "${s}" "${path}" at)
      if(NOT at EQUAL -1)
        fail("the installed ${binary} contains the path ${path}: \"${s}\"")
      endif()
    endforeach()
  endforeach()
  file(REMOVE "${scratch}")
endforeach()
list(JOIN forbidden " nor " f)
message(STATUS "installed binaries contain neither ${f}")

# --- the runs ---------------------------------------------------------------
# Checks `run --impl reference` from prefix ${p}: exit 0, the library loaded
# from ${p}, every applicable case passed.
function(check_reference p)
  run_in_tmp("${p}/${BINDIR}/asyncconf" run --impl reference --quiet)
  if(NOT code EQUAL 0)
    fail("run --impl reference from ${p}: exit ${code}, expected 0\n${out}\n${err}")
  endif()
  string(FIND "${out}" "(${p}/${LIBDIR}/libasyncref.so.1" at)
  if(at EQUAL -1)
    fail("run --impl reference from ${p} did not load ${p}/${LIBDIR}/libasyncref.so.1:\n${out}")
  endif()
  if(NOT out MATCHES "([0-9]+) cases: ([0-9]+) pass, 0 fail, 0 crash, 0 timeout, ([0-9]+) not applicable, 0 expected fail, 0 error")
    fail("run --impl reference from ${p}: unexpected summary\n${out}")
  endif()
  math(EXPR applicable "${CMAKE_MATCH_1} - ${CMAKE_MATCH_3}")
  if(NOT CMAKE_MATCH_2 EQUAL applicable OR CMAKE_MATCH_2 LESS 144)
    fail("run --impl reference from ${p}: ${CMAKE_MATCH_2} passed, expected ${applicable} (144 or more)\n${out}")
  endif()
  string(REGEX MATCH "[0-9]+ cases:[^\n]*" summary "${out}")
  message(STATUS "reference from ${p}: ${summary}")
endfunction()

check_reference("${prefix}")

run_in_tmp("${prefix}/${BINDIR}/asyncconf" run --impl openssl --quiet)
if(NOT code EQUAL 0)
  fail("run --impl openssl: exit ${code}, expected 0\n${out}\n${err}")
endif()
string(FIND "${out}" "expectations: ${prefix}/${DATADIR}/asyncconf/expectations/openssl-" at)
if(at EQUAL -1)
  fail("run --impl openssl did not use an expectations file of the install:\n${out}")
endif()
if(NOT out MATCHES "([0-9]+) expected fail" OR CMAKE_MATCH_1 EQUAL 0)
  fail("run --impl openssl counted no expected failure:\n${out}")
endif()
string(REGEX MATCH "[0-9]+ cases:[^\n]*" summary "${out}")
string(REGEX MATCH "expectations: [^\n]*" used "${out}")
message(STATUS "openssl: ${summary}; ${used}")

# Relocation: the same tree, moved.
set(moved "${work}/moved")
file(RENAME "${prefix}" "${moved}")
check_reference("${moved}")

# Missing pieces: exit 2 (a load error) with the paths tried, no crash.
file(RENAME "${moved}/${DATADIR}/asyncconf/expectations" "${work}/expectations-away")
run_in_tmp("${moved}/${BINDIR}/asyncconf" run --impl openssl --quiet)
string(FIND "${err}" "no shipped expectations directory found (tried: ${moved}/${DATADIR}/asyncconf/expectations" at)
if(NOT code EQUAL 2 OR at EQUAL -1)
  fail("without the expectations: exit ${code} (expected 2 and the paths tried)\n${out}\n${err}")
endif()
message(STATUS "without the expectations: exit 2, ${err}")
file(RENAME "${moved}/${LIBDIR}/libasyncref.so.1" "${work}/libasyncref-away")
run_in_tmp("${moved}/${BINDIR}/asyncconf" run --impl reference --quiet)
string(FIND "${err}" "no libasyncref.so.1 found (tried: ${moved}/${LIBDIR}/libasyncref.so.1" at)
if(NOT code EQUAL 2 OR at EQUAL -1)
  fail("without libasyncref.so.1: exit ${code} (expected 2 and the paths tried)\n${out}\n${err}")
endif()
message(STATUS "without libasyncref.so.1: exit 2, ${err}")

# --- the man page -----------------------------------------------------------
# It must name every subcommand and every option --help lists.
set(man "${moved}/${MANDIR}/man1/asyncconf.1")
file(READ "${man}" man_source)
foreach(sub run list report explore replay diff decode)
  run_in_tmp("${moved}/${BINDIR}/asyncconf" ${sub} --help)
  string(REGEX MATCHALL "--[a-z][a-z-]*" options "${out}")
  list(REMOVE_DUPLICATES options)
  foreach(option IN LISTS options)
    string(REPLACE "-" "\\-" escaped "${option}")
    string(FIND "${man_source}" "${escaped}" at)
    if(at EQUAL -1)
      fail("asyncconf.1 does not mention ${option} of `asyncconf ${sub} --help`")
    endif()
  endforeach()
  string(FIND "${man_source}" ".SS \"${sub} " at)
  if(at EQUAL -1)
    fail("asyncconf.1 has no section for ${sub}")
  endif()
endforeach()
message(STATUS "asyncconf.1 names every subcommand and option of --help")
find_program(GROFF groff)
if(GROFF)
  execute_process(COMMAND "${GROFF}" -man -Tutf8 -ww -P-cbou "${man}"
                  RESULT_VARIABLE code OUTPUT_VARIABLE page ERROR_VARIABLE warnings)
  if(NOT code EQUAL 0 OR NOT warnings STREQUAL "" OR NOT page MATCHES "EXIT STATUS")
    fail("groff -man -ww on the installed asyncconf.1: exit ${code}\n${warnings}")
  endif()
  message(STATUS "asyncconf.1 renders without warnings")
else()
  message(STATUS "no groff (ci/deps.sh installs groff-base): man page not rendered")
endif()

file(REMOVE_RECURSE "${work}")
