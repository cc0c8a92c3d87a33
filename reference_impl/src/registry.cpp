#include "registry.hpp"

#include <mutex>
#include <new>
#include <unordered_set>

#include "job.hpp"

namespace asyncconf::ref::registry {

namespace {

// Taken when jobs are created or freed and for lookups of handles that are
// not the calling thread's running job: never on the pause/resume path.
std::mutex g_mutex;
std::unordered_set<const void*> g_jobs;

}  // namespace

bool add(const Job* job) noexcept {
  const std::lock_guard lock(g_mutex);
  try {
    g_jobs.insert(job);
  } catch (const std::bad_alloc&) {
    return false;
  }
  return true;
}

void remove(const Job* job) noexcept {
  const std::lock_guard lock(g_mutex);
  g_jobs.erase(job);
}

ASYNC_WAIT_CTX* wait_ctx_of(const ASYNC_JOB* handle) noexcept {
  const std::lock_guard lock(g_mutex);
  if (!g_jobs.contains(handle)) return nullptr;
  return reinterpret_cast<const Job*>(handle)->wait_ctx();
}

}  // namespace asyncconf::ref::registry
