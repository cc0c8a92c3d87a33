#include "lib_ctx.hpp"

#include <dlfcn.h>

namespace asyncconf::ref::lib_ctx {

Set0DefaultFn resolve_set0_default() noexcept {
  // By version: only a libcrypto 3.x has library contexts, and an
  // unrelated library's symbol of the same name must not be taken for it.
  return reinterpret_cast<Set0DefaultFn>(
      dlvsym(RTLD_DEFAULT, "OSSL_LIB_CTX_set0_default", "OPENSSL_3.0.0"));
}

}  // namespace asyncconf::ref::lib_ctx
