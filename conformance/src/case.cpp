#include "asyncconf/conformance/case.hpp"

namespace asyncconf::conformance {

const char* to_string(Capability capability) noexcept {
  switch (capability) {
    case Capability::Callbacks: return "callbacks (ASYNC_WAIT_CTX_{set,get}_{callback,status}, OpenSSL 3.0)";
    case Capability::MemFunctions: return "mem-functions (ASYNC_{set,get}_mem_functions, OpenSSL 3.2)";
  }
  return "?";
}

bool has(const harness::AsyncApi& api, Capability capability) noexcept {
  switch (capability) {
    case Capability::Callbacks: return api.has_callbacks;
    case Capability::MemFunctions: return api.has_mem_functions;
  }
  return false;
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
