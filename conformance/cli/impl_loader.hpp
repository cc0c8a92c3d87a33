// Turns --impl NAME into a loaded implementation.
#pragma once

#include <string>

#include "asyncconf/harness/async_api.hpp"

namespace asyncconf::cli {

/// "reference": libasyncref.so.1 found relative to the running executable
/// (installed: <prefix>/<libdir>; in the build tree: reference_impl/), or
/// $ASYNCCONF_REFERENCE_LIB; "openssl": libcrypto.so.3 through the dynamic loader;
/// anything else: a path to a shared object.
harness::LoadResult load_impl(const std::string& name);

}  // namespace asyncconf::cli
