// Turns --impl NAME into a loaded implementation.
#pragma once

#include <string>

#include "asyncconf/harness/async_api.hpp"

namespace asyncconf::cli {

/// "reference": the built libasyncref.so ($ASYNCCONF_REFERENCE_LIB
/// overrides); "openssl": libcrypto.so.3 through the dynamic loader;
/// anything else: a path to a shared object.
harness::LoadResult load_impl(const std::string& name);

}  // namespace asyncconf::cli
