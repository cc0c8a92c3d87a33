#include "job.hpp"

#include <cstdlib>
#include <cstring>
#include <new>

#include "registry.hpp"
#include "wait_ctx.hpp"

namespace asyncconf::ref {

const char* to_string(JobState state) noexcept {
  switch (state) {
    case JobState::Idle: return "idle";
    case JobState::Running: return "running";
    case JobState::Paused: return "paused";
    case JobState::Finished: return "finished";
  }
  return "?";
}

namespace {

constexpr bool allowed(JobState from, JobState to) noexcept {
  switch (from) {
    case JobState::Idle: return to == JobState::Running;
    case JobState::Running: return to == JobState::Paused || to == JobState::Finished;
    case JobState::Paused: return to == JobState::Running;
    case JobState::Finished: return to == JobState::Idle;
  }
  return false;
}

}  // namespace

void Job::move_to(JobState next) noexcept {
  // A wrong transition is a bug in this library, never a caller's misuse:
  // the API layer turns misuse into errors before it reaches a job.
  if (!allowed(state_, next)) std::abort();
  state_ = next;
}

std::unique_ptr<Job> Job::create() noexcept {
  Stack stack = Stack::allocate();
  if (!stack || stack.size() < kMinStackSize) return nullptr;
  std::unique_ptr<Job> job(new (std::nothrow) Job(std::move(stack)));
  if (job == nullptr || !registry::add(job.get())) return nullptr;
  return job;
}

Job::~Job() { registry::remove(this); }

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
  }
  body_ = body;
  wait_ctx_.store(wait_ctx, std::memory_order_relaxed);
  move_to(JobState::Running);
  fiber_.resume();
  return true;
}

void Job::resume() noexcept {
  move_to(JobState::Running);
  fiber_.resume();
}

void Job::pause() noexcept {
  move_to(JobState::Paused);
  fiber_.suspend();
  if (ASYNC_WAIT_CTX* ctx = wait_ctx(); ctx != nullptr) ctx->forget_changes();
}

int Job::take_result() noexcept {
  move_to(JobState::Idle);
  args_.reset();
  wait_ctx_.store(nullptr, std::memory_order_relaxed);
  body_ = nullptr;
  return result_;
}

}  // namespace asyncconf::ref
