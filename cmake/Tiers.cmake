# Test tiers. Every test carries one of these labels, and ci/test.sh runs each
# tier in the builds where it adds information (README, "Tests"):
#   unit      one function or component, in-process or one small run
#   suite     whole conformance runs (reference, libasyncalt, the drop-in),
#             writing every report format
#   format    the CLI's options and messages and the report formats, one
#             by one (string work; the suite runs the CLI and the report
#             writers end to end in the sanitizer builds)
#   mutation  broken variants of the reference must be caught
#   explore   generated sequences: explore, replay, diff, shrinking
#   property  RapidCheck state-machine properties
#   threads   several threads switching job stacks (the tsan build runs these)
#   fuzz      the language and the oracle, what the fuzzers build on, the
#             fuzz targets' logic and mutator, and every corpus replayed: the
#             fuzz preset builds and runs them with clang, libFuzzer and
#             ASan + UBSan, the default build too
#   openssl   the same checks against the system OpenSSL (and copies of it):
#             a sanitizer instruments our code, not libcrypto, and the
#             reference's runs already take our code through it
#   catalogue the requirement data: quotes verbatim, ids and levels agree
#             with the model (data, not code: once)
#   install   the installed tree, run away from the build
#   bench     the benchmarks' smoke runs (that they run, not how fast)
#   e2e       a real server end to end: HAProxy with ssl-mode-async on the
#             fakeaccel provider (ci/haproxy-e2e.sh; about 15 s, default
#             build only)
# A test program registered with gtest_discover_tests gets one label only
# (its PROPERTIES flatten a list), so each such program is in one tier.
set(ASYNCCONF_TIERS unit format suite mutation explore property threads fuzz openssl catalogue install bench e2e)
foreach(tier IN LISTS ASYNCCONF_TIERS)
  add_custom_target(tier_${tier})
endforeach()

# asyncconf_tier(<tier>... TARGETS <target>...): the tier's tests need these
# targets built. `cmake --build --target tier_<tier>` then builds only what a
# tier runs, instead of a target list kept by hand in the ci scripts.
function(asyncconf_tier)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "" "TARGETS")
  foreach(tier IN LISTS arg_UNPARSED_ARGUMENTS)
    if(NOT tier IN_LIST ASYNCCONF_TIERS)
      message(FATAL_ERROR "asyncconf_tier: unknown tier '${tier}' (one of: ${ASYNCCONF_TIERS})")
    endif()
    add_dependencies(tier_${tier} ${arg_TARGETS})
  endforeach()
endfunction()
