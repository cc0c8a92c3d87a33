// A thread's pool of jobs (ASYNC_init_thread): the jobs it owns, which of
// them are idle, and the max_size limit.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

#include "fault.hpp"
#include "job.hpp"

namespace asyncconf::ref {

inline ASYNC_JOB* to_handle(Job* job) noexcept { return reinterpret_cast<ASYNC_JOB*>(job); }

class Pool {
public:
  /// Why acquire() gave no job.
  enum class Shortage { None, AtMaxSize, OutOfMemory };

  Pool() = default;
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  /// ASYNC_init_thread's limits: frees the idle jobs, then pre-creates
  /// `init_size` (fewer if allocation fails, as OpenSSL does). Jobs in use
  /// stay valid and count against the new max_size (0: unlimited).
  void configure(std::size_t max_size, std::size_t init_size) noexcept;

  /// An idle job, created when none is idle and max_size allows.
  Job* acquire(Shortage& why) noexcept;
  /// Puts a job whose result was taken back among the idle ones.
  void release(Job* job) noexcept;

  /// The job behind a caller's handle, or null when this pool never created
  /// it (stale, foreign or garbage). Never dereferences `handle`.
  Job* find(const ASYNC_JOB* handle) noexcept {
    // One-entry cache: the job just paused is usually the next one resumed.
    if (handle == to_handle(recent_) && handle != nullptr) return recent_;
    if (fault_active(Fault::ResumeRunsRecentJob) && recent_ != nullptr) return recent_;
    return find_slow(handle);
  }

private:
  Job* add_new_job() noexcept;
  Job* find_slow(const ASYNC_JOB* handle) noexcept;
  void erase(Job* job) noexcept;

  std::size_t max_size_ = 0;
  // Every job, by address. Looked up on each resume: open addressing with a
  // power-of-two table, no division or node chasing.
  boost::unordered_flat_map<const void*, std::unique_ptr<Job>> jobs_;
  std::vector<Job*> idle_;  // reused last-in first-out
  Job* recent_ = nullptr;   // null or a live job of this pool
};


}  // namespace asyncconf::ref
