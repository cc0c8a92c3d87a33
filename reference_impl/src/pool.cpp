#include "pool.hpp"

#include <new>

namespace asyncconf::ref {

void Pool::configure(std::size_t max_size, std::size_t init_size) noexcept {
  for (Job* job : idle_) erase(job);
  idle_.clear();
  max_size_ = max_size;
  if (fault_active(Fault::InitSizeIgnored)) init_size = 0;
  for (std::size_t i = 0; i < init_size; ++i) {
    Job* job = add_new_job();
    if (job == nullptr) break;
    try {
      idle_.push_back(job);
    } catch (const std::bad_alloc&) {
      erase(job);
      break;
    }
  }
}

Job* Pool::add_new_job() noexcept {
  std::unique_ptr<Job> job = Job::create();
  if (job == nullptr) return nullptr;
  Job* raw = job.get();
  try {
    jobs_.emplace(raw, std::move(job));
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
  return raw;
}

Job* Pool::acquire(Shortage& why) noexcept {
  why = Shortage::None;
  if (!idle_.empty()) {
    recent_ = idle_.back();
    idle_.pop_back();
    return recent_;
  }
  const std::size_t allowed = max_size_ + (fault_active(Fault::PoolMaxOffByOne) ? 1 : 0);
  if (max_size_ != 0 && jobs_.size() >= allowed) {
    why = Shortage::AtMaxSize;
    return nullptr;
  }
  Job* job = add_new_job();
  if (job == nullptr) why = Shortage::OutOfMemory;
  recent_ = job;
  return job;
}

void Pool::release(Job* job) noexcept {
  try {
    idle_.push_back(job);
  } catch (const std::bad_alloc&) {
    erase(job);  // cannot keep it idle: free it instead
  }
}

void Pool::erase(Job* job) noexcept {
  if (job == recent_) recent_ = nullptr;
  jobs_.erase(job);
}

Job* Pool::find_slow(const ASYNC_JOB* handle) noexcept {
  const auto it = jobs_.find(handle);
  if (it == jobs_.end()) return nullptr;
  recent_ = it->second.get();
  return recent_;
}

}  // namespace asyncconf::ref
