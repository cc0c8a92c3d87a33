#include "job.hpp"

#include <cstdlib>
#include <cstring>
#include <new>

#include "registry.hpp"
#include "wait_ctx.hpp"

namespace asyncconf::ref {

std::unique_ptr<Job> Job::create() noexcept {
  Stack stack = Stack::allocate();
  if (!stack || stack.size() < kMinStackSize) return nullptr;
  std::unique_ptr<Job> job(new (std::nothrow) Job(std::move(stack)));
  if (job == nullptr || !registry::add(job.get())) return nullptr;
  return job;
}

Job::~Job() {
  if (fault_active(Fault::ArgsNotCopied)) (void)args_.release();  // the caller's buffer
  registry::remove(this);
}

Job::Job(Stack stack) noexcept
    : stack_(std::move(stack)), fiber_(stack_.low(), stack_.size(), &Job::fiber_main, this) {}

void Job::fiber_main(void* self) noexcept {
  auto* job = static_cast<Job*>(self);
  for (;;) {
    job->result_ = job->body_(job->args_.get());
    job->move_to(JobState::Finished);
    job->fiber_.suspend();
  }
}

bool Job::start(Body body, const void* args, std::size_t size, ASYNC_WAIT_CTX* wait_ctx) noexcept {
  if (args != nullptr && size > 0) {
    args_.reset(new (std::nothrow) std::byte[size]);
    if (args_ == nullptr) return false;
    std::memcpy(args_.get(), args, size);
    if (fault_active(Fault::ArgsNotCopied)) {
      args_.reset(static_cast<std::byte*>(const_cast<void*>(args)));  // not a copy
    }
  }
  if (fault_active(Fault::SizeZeroPassesArgs) && args != nullptr && size == 0) {
    args_.reset(new (std::nothrow) std::byte[1]{});
  }
  body_ = body;
  wait_ctx_.store(wait_ctx, std::memory_order_relaxed);
  move_to(JobState::Running);
  fiber_.resume();
  return true;
}

int Job::take_result() noexcept {
  move_to(JobState::Idle);
  // ArgsNotCopied: args_ is the caller's buffer, not ours to free.
  if (fault_active(Fault::ArgCopyLeaks) || fault_active(Fault::ArgsNotCopied)) {
    (void)args_.release();
  }
  args_.reset();
  wait_ctx_.store(nullptr, std::memory_order_relaxed);
  body_ = nullptr;
  return result_;
}

}  // namespace asyncconf::ref
