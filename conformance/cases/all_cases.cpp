// The suite: every area's cases, in report order.
#include "asyncconf/conformance/catalogue.hpp"

namespace asyncconf::conformance {

void add_pool_cases(std::vector<Case>& out);
void add_start_cases(std::vector<Case>& out);
void add_pause_cases(std::vector<Case>& out);
void add_current_job_cases(std::vector<Case>& out);
void add_block_cases(std::vector<Case>& out);
void add_wait_ctx_fd_cases(std::vector<Case>& out);
void add_changed_fds_cases(std::vector<Case>& out);
void add_cleanup_cases(std::vector<Case>& out);
void add_wait_ctx_callback_cases(std::vector<Case>& out);
void add_mem_cases(std::vector<Case>& out);
void add_thread_cases(std::vector<Case>& out);
void add_leak_cases(std::vector<Case>& out);
void add_robustness_cases(std::vector<Case>& out);
void add_robustness_thread_state_cases(std::vector<Case>& out);
void add_robustness_wait_ctx_cases(std::vector<Case>& out);
void add_offload_cases(std::vector<Case>& out);

const std::vector<Case>& all_cases() {
  static const std::vector<Case> cases = [] {
    std::vector<Case> out;
    add_pool_cases(out);
    add_start_cases(out);
    add_pause_cases(out);
    add_current_job_cases(out);
    add_block_cases(out);
    add_wait_ctx_fd_cases(out);
    add_changed_fds_cases(out);
    add_cleanup_cases(out);
    add_wait_ctx_callback_cases(out);
    add_mem_cases(out);
    add_thread_cases(out);
    add_leak_cases(out);
    add_robustness_cases(out);
    add_robustness_thread_state_cases(out);
    add_robustness_wait_ctx_cases(out);
    add_offload_cases(out);
    return out;
  }();
  return cases;
}

}  // namespace asyncconf::conformance
