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
  set(ASYNCCONF_SANITIZER_FLAGS -fsanitize=fuzzer-no-link,address,undefined
                                -fno-sanitize-recover=all -fno-omit-frame-pointer)
elseif(NOT ASYNCCONF_SANITIZE STREQUAL "")
  message(FATAL_ERROR "Unknown ASYNCCONF_SANITIZE='${ASYNCCONF_SANITIZE}'")
endif()

if(ASYNCCONF_SANITIZER_FLAGS)
  add_compile_options(${ASYNCCONF_SANITIZER_FLAGS})
  add_link_options(${ASYNCCONF_SANITIZER_FLAGS})
endif()
