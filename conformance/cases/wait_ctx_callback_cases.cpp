#include "asyncconf/conformance/catalogue.hpp"
#include "case_support.hpp"

namespace asyncconf::conformance {

void add_wait_ctx_callback_cases(std::vector<Case>& out) { (void)out; }

}  // namespace asyncconf::conformance
