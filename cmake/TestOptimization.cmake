# Test programs are built at -O1 in the optimised builds: GoogleTest's macros
# and RapidCheck's templates take a quarter less compile time than at -O2,
# and a test's own code is not what it measures (the libraries it tests keep
# the build type's level). Tests are 60% of the default build's compile time.
#
# asyncconf_test_programs_at_o1(DIR): every executable under DIR that links
# GoogleTest.
function(asyncconf_test_programs_at_o1 dir)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  foreach(t IN LISTS targets)
    get_target_property(type ${t} TYPE)
    get_target_property(libs ${t} LINK_LIBRARIES)
    if(type STREQUAL "EXECUTABLE" AND "GTest::gtest" IN_LIST libs)
      target_compile_options(${t} PRIVATE $<$<CONFIG:RelWithDebInfo,Release>:-O1>)
    endif()
  endforeach()
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(sub IN LISTS subdirs)
    asyncconf_test_programs_at_o1(${sub})
  endforeach()
endfunction()
