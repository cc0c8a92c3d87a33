#include "asyncconf/conformance/case.hpp"

#include <dlfcn.h>

namespace asyncconf::conformance {

const char* to_string(Capability capability) noexcept {
  switch (capability) {
    case Capability::Callbacks: return "callbacks (ASYNC_WAIT_CTX_{set,get}_{callback,status}, OpenSSL 3.0)";
    case Capability::MemFunctions: return "mem-functions (ASYNC_{set,get}_mem_functions, OpenSSL 3.2)";
    case Capability::LibCtx: return "libctx (OSSL_LIB_CTX_{new,set0_default,free} in the implementation, libcrypto 3.x)";
  }
  return "?";
}

bool has(const harness::AsyncApi& api, Capability capability) noexcept {
  switch (capability) {
    case Capability::Callbacks: return api.has_callbacks;
    case Capability::MemFunctions: return api.has_mem_functions;
    case Capability::LibCtx:
      return impl_symbol(api, "OSSL_LIB_CTX_new") != nullptr &&
             impl_symbol(api, "OSSL_LIB_CTX_set0_default") != nullptr &&
             impl_symbol(api, "OSSL_LIB_CTX_free") != nullptr;
  }
  return false;
}

void* impl_symbol(const harness::AsyncApi& api, const char* name) noexcept {
  // The implementation is loaded RTLD_LOCAL and only its ASYNC table is at
  // hand: find its file from a function it defines, and get a handle to the
  // object already loaded (RTLD_NOLOAD never loads a second copy).
  Dl_info info{};
  if (api.ASYNC_start_job == nullptr ||
      dladdr(reinterpret_cast<void*>(api.ASYNC_start_job), &info) == 0 || info.dli_fname == nullptr) {
    return nullptr;
  }
  void* handle = dlopen(info.dli_fname, RTLD_LAZY | RTLD_LOCAL | RTLD_NOLOAD);
  if (handle == nullptr) return nullptr;
  void* symbol = dlsym(handle, name);
  dlclose(handle);  // drops only the reference RTLD_NOLOAD added
  return symbol;
}

std::string start_result_name(int result) {
  switch (result) {
    case ASYNC_ERR: return "ASYNC_ERR";
    case ASYNC_NO_JOBS: return "ASYNC_NO_JOBS";
    case ASYNC_PAUSE: return "ASYNC_PAUSE";
    case ASYNC_FINISH: return "ASYNC_FINISH";
    default: return std::to_string(result) + " (not an ASYNC_start_job result)";
  }
}

bool CaseContext::expect(bool ok, std::string_view what) {
  if (ok) return true;
  ++failures_;
  evidence_ += what;
  evidence_ += '\n';
  return false;
}

bool CaseContext::expect_start(int observed, int expected, std::string_view what) {
  if (observed == expected) return true;
  return expect(false, std::string(what) + ": observed " + start_result_name(observed) +
                           ", expected " + start_result_name(expected));
}

void CaseContext::note(std::string_view text) {
  evidence_ += "note: ";
  evidence_ += text;
  evidence_ += '\n';
}

}  // namespace asyncconf::conformance
