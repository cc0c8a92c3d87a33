#include "impl_loader.hpp"

#include <cstdlib>

namespace asyncconf::cli {

harness::LoadResult load_impl(const std::string& name) {
  if (name == "reference") {
    const char* override_path = std::getenv("ASYNCCONF_REFERENCE_LIB");
    return harness::LoadedImpl::load(override_path != nullptr && *override_path != '\0'
                                         ? override_path
                                         : ASYNCCONF_REFERENCE_LIB);
  }
  if (name == "openssl") return harness::LoadedImpl::load_system("libcrypto.so.3");
  return harness::LoadedImpl::load(name);
}

}  // namespace asyncconf::cli
