#include "pool.hpp"

#include <new>

namespace asyncconf::ref {

void Pool::configure(std::size_t max_size, std::size_t init_size) noexcept {
  for (Job* job : idle_) jobs_.erase(job);
  idle_.clear();
  max_size_ = max_size;
  for (std::size_t i = 0; i < init_size; ++i) {
    Job* job = add_new_job();
    if (job == nullptr) break;
    try {
      idle_.push_back(job);
    } catch (const std::bad_alloc&) {
      jobs_.erase(job);
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
    Job* job = idle_.back();
    idle_.pop_back();
    return job;
  }
  if (max_size_ != 0 && jobs_.size() >= max_size_) {
    why = Shortage::AtMaxSize;
    return nullptr;
  }
  Job* job = add_new_job();
  if (job == nullptr) why = Shortage::OutOfMemory;
  return job;
}

void Pool::release(Job* job) noexcept {
  try {
    idle_.push_back(job);
  } catch (const std::bad_alloc&) {
    jobs_.erase(job);  // cannot keep it idle: free it instead
  }
}

Job* Pool::find(const ASYNC_JOB* handle) const noexcept {
  const auto it = jobs_.find(handle);
  return it == jobs_.end() ? nullptr : it->second.get();
}

}  // namespace asyncconf::ref
