// Robustness: each ASYNC_WAIT_CTX_* function given a NULL ctx must fail
// (or, for ASYNC_WAIT_CTX_free, do nothing) without crashing. One case per
// function, so that one crash does not hide the others.
#include <cstdint>

#include "asyncconf/conformance/catalogue.hpp"
#include "asyncconf/harness/probes.hpp"
#include "case_support.hpp"

namespace asyncconf::conformance {

namespace {

namespace probes = harness::probes;

const char g_key = 0;
int g_cleanups = 0;
void count_cleanup(ASYNC_WAIT_CTX*, const void*, OSSL_ASYNC_FD, void*) { ++g_cleanups; }
int some_callback(void*) { return 1; }

void free_null_does_nothing(CaseContext& c) {
  if (!c.expect(
          probes::allocation_counting(),
          "this process does not count heap blocks (not linked with asyncconf::alloc_probe)")) {
    return;
  }
  const std::int64_t before = probes::live_allocations();
  api().ASYNC_WAIT_CTX_free(nullptr);
  c.expect_eq(probes::live_allocations() - before, std::int64_t{0},
              "heap blocks allocated or freed by ASYNC_WAIT_CTX_free(NULL)");
}

void set_wait_fd_null_ctx(CaseContext& c) {
  g_cleanups = 0;
  c.expect_eq(api().ASYNC_WAIT_CTX_set_wait_fd(nullptr, &g_key, 100000, nullptr, count_cleanup), 0,
              "ASYNC_WAIT_CTX_set_wait_fd(NULL, ...)");
  c.expect_eq(g_cleanups, 0, "cleanup calls made by set_wait_fd with a NULL ctx");
}

void get_fd_null_ctx(CaseContext& c) {
  OSSL_ASYNC_FD fd = -1;
  void* data = nullptr;
  c.expect_eq(api().ASYNC_WAIT_CTX_get_fd(nullptr, &g_key, &fd, &data), 0,
              "ASYNC_WAIT_CTX_get_fd(NULL, ...)");
}

void get_all_fds_null_ctx(CaseContext& c) {
  OSSL_ASYNC_FD fds[4] = {};
  std::size_t n = 0;
  c.expect_eq(api().ASYNC_WAIT_CTX_get_all_fds(nullptr, fds, &n), 0,
              "ASYNC_WAIT_CTX_get_all_fds(NULL, ...)");
}

void get_changed_fds_null_ctx(CaseContext& c) {
  OSSL_ASYNC_FD added[4] = {};
  OSSL_ASYNC_FD deleted[4] = {};
  std::size_t n_added = 0;
  std::size_t n_deleted = 0;
  c.expect_eq(api().ASYNC_WAIT_CTX_get_changed_fds(nullptr, added, &n_added, deleted, &n_deleted),
              0, "ASYNC_WAIT_CTX_get_changed_fds(NULL, ...)");
}

void clear_fd_null_ctx(CaseContext& c) {
  c.expect_eq(api().ASYNC_WAIT_CTX_clear_fd(nullptr, &g_key), 0,
              "ASYNC_WAIT_CTX_clear_fd(NULL, key)");
}

void set_callback_null_ctx(CaseContext& c) {
  c.expect_eq(api().ASYNC_WAIT_CTX_set_callback(nullptr, some_callback, nullptr), 0,
              "ASYNC_WAIT_CTX_set_callback(NULL, ...)");
}

void get_callback_null_ctx(CaseContext& c) {
  ASYNC_callback_fn callback = nullptr;
  void* arg = nullptr;
  c.expect_eq(api().ASYNC_WAIT_CTX_get_callback(nullptr, &callback, &arg), 0,
              "ASYNC_WAIT_CTX_get_callback(NULL, ...)");
}

void set_status_null_ctx(CaseContext& c) {
  c.expect_eq(api().ASYNC_WAIT_CTX_set_status(nullptr, ASYNC_STATUS_OK), 0,
              "ASYNC_WAIT_CTX_set_status(NULL, ASYNC_STATUS_OK)");
}

void get_status_null_ctx(CaseContext& c) {
  const int status = api().ASYNC_WAIT_CTX_get_status(nullptr);
  c.expect(status != ASYNC_STATUS_OK,
           "ASYNC_WAIT_CTX_get_status(NULL): observed ASYNC_STATUS_OK (" + std::to_string(status) +
               "), expected any other value");
}

}  // namespace

void add_robustness_wait_ctx_cases(std::vector<Case>& out) {
  const std::vector<Capability> callbacks = {Capability::Callbacks};
  out.push_back({"robustness/wait-ctx-free-null-does-nothing",
                 "ASYNC_WAIT_CTX_free(NULL) allocates and frees nothing",
                 {"ROBUST-NULL-CTX-FREE"},
                 {},
                 free_null_does_nothing});
  out.push_back({"robustness/set-wait-fd-null-ctx-returns-0",
                 "ASYNC_WAIT_CTX_set_wait_fd with a NULL ctx returns 0 and calls no cleanup",
                 {"ROBUST-NULL-CTX-SET-WAIT-FD"},
                 {},
                 set_wait_fd_null_ctx});
  out.push_back({"robustness/get-fd-null-ctx-returns-0",
                 "ASYNC_WAIT_CTX_get_fd with a NULL ctx returns 0",
                 {"ROBUST-NULL-CTX-GET-FD"},
                 {},
                 get_fd_null_ctx});
  out.push_back({"robustness/get-all-fds-null-ctx-returns-0",
                 "ASYNC_WAIT_CTX_get_all_fds with a NULL ctx returns 0",
                 {"ROBUST-NULL-CTX-GET-ALL-FDS"},
                 {},
                 get_all_fds_null_ctx});
  out.push_back({"robustness/get-changed-fds-null-ctx-returns-0",
                 "ASYNC_WAIT_CTX_get_changed_fds with a NULL ctx returns 0",
                 {"ROBUST-NULL-CTX-GET-CHANGED-FDS"},
                 {},
                 get_changed_fds_null_ctx});
  out.push_back({"robustness/clear-fd-null-ctx-returns-0",
                 "ASYNC_WAIT_CTX_clear_fd with a NULL ctx returns 0",
                 {"ROBUST-NULL-CTX-CLEAR-FD"},
                 {},
                 clear_fd_null_ctx});
  out.push_back({"robustness/set-callback-null-ctx-returns-0",
                 "ASYNC_WAIT_CTX_set_callback with a NULL ctx returns 0",
                 {"ROBUST-NULL-CTX-SET-CALLBACK"},
                 callbacks,
                 set_callback_null_ctx});
  out.push_back({"robustness/get-callback-null-ctx-returns-0",
                 "ASYNC_WAIT_CTX_get_callback with a NULL ctx returns 0",
                 {"ROBUST-NULL-CTX-GET-CALLBACK"},
                 callbacks,
                 get_callback_null_ctx});
  out.push_back({"robustness/set-status-null-ctx-returns-0",
                 "ASYNC_WAIT_CTX_set_status with a NULL ctx returns 0",
                 {"ROBUST-NULL-CTX-SET-STATUS"},
                 callbacks,
                 set_status_null_ctx});
  out.push_back(
      {"robustness/get-status-null-ctx-is-not-ok",
       "ASYNC_WAIT_CTX_get_status with a NULL ctx returns a value other than ASYNC_STATUS_OK",
       {"ROBUST-NULL-CTX-GET-STATUS"},
       callbacks,
       get_status_null_ctx});
}

}  // namespace asyncconf::conformance
