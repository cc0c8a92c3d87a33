#include "impl_loader.hpp"

#include <cstdlib>
#include <filesystem>

#include "asyncconf/conformance/expectations.hpp"

namespace asyncconf::cli {

namespace {

// libasyncref.so.1 relative to the running executable: no build path is
// compiled in, so an installed tree works wherever it is copied.
// ASYNCCONF_REFERENCE_LIB_RELPATHS (from CMake, ':'-separated): the installed
// layout (<prefix>/<libdir>/libasyncref.so.1), then the build tree's.
harness::LoadResult load_reference() {
  const char* override_path = std::getenv("ASYNCCONF_REFERENCE_LIB");
  if (override_path != nullptr && *override_path != '\0') return harness::LoadedImpl::load(override_path);
  const std::vector<std::string> candidates =
      conformance::beside_executable(ASYNCCONF_REFERENCE_LIB_RELPATHS);
  std::string tried;
  for (const std::string& path : candidates) {
    std::error_code ec;
    if (std::filesystem::exists(path, ec)) return harness::LoadedImpl::load(path);
    tried += (tried.empty() ? "" : ", ") + path;
  }
  return harness::LoadError{
      harness::LoadError::Kind::FileNotFound,
      "no libasyncref.so.1 found (tried: " +
          (tried.empty() ? std::string("none, /proc/self/exe unreadable") : tried) +
          "); set ASYNCCONF_REFERENCE_LIB to its path"};
}

}  // namespace

harness::LoadResult load_impl(const std::string& name) {
  if (name == "reference") return load_reference();
  if (name == "openssl") return harness::LoadedImpl::load_system("libcrypto.so.3");
  return harness::LoadedImpl::load(name);
}

}  // namespace asyncconf::cli
