// One ASYNC_JOB: a fibre with its stack, and the life cycle of the job body
// that runs on it.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>

#include "asyncconf/async_abi.h"
#include "fault.hpp"
#include "fiber.hpp"
#include "stack.hpp"
#include "wait_ctx.hpp"

namespace asyncconf::ref {

/// The life cycle of a pooled job. Every change goes through Job::move_to,
/// which holds the only table of allowed transitions:
///
///   Idle --start--> Running --pause--> Paused --resume--> Running
///                   Running --body returns--> Finished --result taken--> Idle
enum class JobState { Idle, Running, Paused, Finished };

class Job {
public:
  using Body = int (*)(void*);

  /// A new idle job on a freshly allocated stack; null when the stack
  /// allocator fails or hands back less than kMinStackSize.
  static std::unique_ptr<Job> create() noexcept;
  ~Job();
  Job(const Job&) = delete;
  Job& operator=(const Job&) = delete;

  /// Idle -> Running: runs `body(args)` with a private copy of `size` bytes
  /// at `args` (null when args is null or size is 0) until it pauses or
  /// returns. False, with the job still idle, when the copy cannot be made.
  bool start(Body body, const void* args, std::size_t size, ASYNC_WAIT_CTX* wait_ctx) noexcept;
  /// Paused -> Running, until the body pauses again or returns.
  void resume() noexcept;
  /// Running -> Paused, called on the job's own stack; returns once resumed.
  void pause() noexcept;
  /// Finished -> Idle: the body's return value; releases the argument copy.
  int take_result() noexcept;

  JobState state() const noexcept { return state_; }
  /// Safe to call from any thread (see registry.hpp).
  ASYNC_WAIT_CTX* wait_ctx() const noexcept { return wait_ctx_.load(std::memory_order_relaxed); }
  /// The default OSSL_LIB_CTX the body had when it last stopped (lib_ctx.hpp).
  void* lib_ctx() const noexcept { return lib_ctx_; }
  void set_lib_ctx(void* ctx) noexcept { lib_ctx_ = ctx; }

private:
  explicit Job(Stack stack) noexcept;
  static void fiber_main(void* self) noexcept;
  void move_to(JobState next) noexcept;

  Stack stack_;  // declared before fiber_: outlives it
  Fiber fiber_;
  JobState state_ = JobState::Idle;
  Body body_ = nullptr;
  std::unique_ptr<std::byte[]> args_;
  std::atomic<ASYNC_WAIT_CTX*> wait_ctx_{nullptr};
  int result_ = 0;
  void* lib_ctx_ = nullptr;
};

/// Smaller stacks cannot hold the fibre's own frames; an allocator that
/// reports less is treated as failing.
inline constexpr std::size_t kMinStackSize = 4 * 1024;

namespace detail {

constexpr bool allowed(JobState from, JobState to) noexcept {
  switch (from) {
    case JobState::Idle: return to == JobState::Running;
    case JobState::Running: return to == JobState::Paused || to == JobState::Finished;
    case JobState::Paused: return to == JobState::Running;
    case JobState::Finished: return to == JobState::Idle;
  }
  return false;
}

}  // namespace detail

// The pause/resume path is inline so the stack switch sits one call frame
// deep in ASYNC_start_job and ASYNC_pause_job (see fiber.hpp).

inline void Job::move_to(JobState next) noexcept {
  // A wrong transition is a bug in this library, never a caller's misuse:
  // the API layer turns misuse into errors before it reaches a job.
  if (!detail::allowed(state_, next)) __builtin_trap();
  state_ = next;
}

inline void Job::resume() noexcept {
  move_to(JobState::Running);
  fiber_.resume();
}

inline void Job::pause() noexcept {
  move_to(JobState::Paused);
  fiber_.suspend();
  if (fault_active(Fault::ChangedFdsNotReset)) return;
  if (ASYNC_WAIT_CTX* ctx = wait_ctx(); ctx != nullptr) ctx->forget_changes();
}

}  // namespace asyncconf::ref
