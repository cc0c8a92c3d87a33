// The simulated offload device: a bounded ring of requests served by
// worker threads after a sampled latency, with faults on demand.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "asyncconf/accel/completion.hpp"
#include "asyncconf/accel/config.hpp"
#include "asyncconf/accel/counters.hpp"
#include "asyncconf/accel/notifier.hpp"

namespace asyncconf::accel {

/// A device serves each accepted request once: a worker takes it from the
/// ring, waits its latency (config.latency sampled at (seed, index), plus
/// late_by for a late one), runs its work item in software, publishes the
/// result into its Completion and only then notifies its Notifier. In poll
/// mode the served request waits in a completion queue and poll() does the
/// publishing and notifying. A request's index is the 0-based count of
/// submit() calls, rejected ones included; the faults apply by index.
///
/// Thread-safe. Not copyable or movable. Must outlive every job waiting on
/// it (the job-side helper calls it on each resume).
class Device {
public:
  enum class SubmitStatus { Accepted, RingFull };

  struct Submission {
    SubmitStatus status = SubmitStatus::RingFull;
    /// Accepted: the result slot, done once published. Else null.
    std::shared_ptr<const Completion> completion;
    std::uint64_t index = 0;

    bool accepted() const noexcept { return status == SubmitStatus::Accepted; }
  };

  /// Starts the workers (and the poll thread in poll mode with a
  /// poll_interval). A queue_depth of 0 is taken as 1; with 0 workers
  /// nothing is served but by serve_queued() (the destructor fails what is
  /// left).
  /// Throws std::system_error if a thread cannot be started.
  explicit Device(DeviceConfig config);
  /// Stops the threads (a request being served is failed as Cancelled
  /// unless its work is already running) and settles every pending request
  /// visibly: queued ones are published Cancelled and notified, served ones
  /// waiting for poll() are delivered. No request is left unfinished
  /// silently (a lost one was counted when it was lost).
  ~Device();
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;

  const DeviceConfig& config() const noexcept;

  /// Queues `work`, to be woken through `notifier` (may be null: nobody to
  /// wake). RingFull when the ring_full fault hits this index, or when the
  /// ring holds queue_depth requests and the policy is not Block; with
  /// Block it waits for room. The work must not throw across the device
  /// (a throw is caught and becomes DeviceError).
  Submission submit(std::function<int()> work, std::shared_ptr<Notifier> notifier);

  /// Poll mode: delivers the served requests waiting in the completion
  /// queue (a slow_poll one is left for the next poll()). Returns how many
  /// it delivered; 0 in the other modes. A notify_early delivery sleeps a
  /// millisecond between its notify and its publish.
  std::size_t poll();

  /// Serves every queued request on the calling thread, as a worker would
  /// (latency, work, faults, publish, notify; in poll mode it then waits for
  /// poll()). Returns how many. For a device of 0 workers, whose owner
  /// decides when requests are served: a test harness serving a job's
  /// request just before the job pauses, with no thread hand-off.
  std::size_t serve_queued();

  /// A notifier owning a fresh eventfd, counted in open_fds while open.
  /// Null with errno EMFILE when the fd_fail fault hits this creation
  /// (its index: the 0-based count of calls), or errno from eventfd().
  std::shared_ptr<Notifier> open_fd_notifier();

  /// Wakes `notifier` at `deadline` if `completion` still exists then (the
  /// helper waiting on it holds it until it returns): the helper's
  /// give_up_after, so that a job waiting on a lost completion is resumed
  /// to see its timeout. Holds neither; not counted in notifications.
  void wake_at(std::chrono::steady_clock::time_point deadline, std::weak_ptr<Notifier> notifier,
               std::weak_ptr<const Completion> completion);
  /// Drops the wake_at() watches of `completion` (its helper stopped
  /// waiting), so that nothing of its request outlives the offload: a watch
  /// would keep the completion's and notifier's control blocks until its
  /// deadline.
  void forget_wake(const std::weak_ptr<const Completion>& completion);
  /// Watches wake_at() holds (settled ones included until forgotten, due or
  /// pruned).
  std::size_t watches() const;

  /// The key this device's wait fds have in a WAIT_CTX.
  const void* wait_key() const noexcept { return this; }

  DeviceCounters counters() const noexcept;

  /// The job-side helper's own events, counted with the device's.
  void count_pause() noexcept;
  void count_spurious_resume() noexcept;
  void count_retry() noexcept;
  void count_timeout() noexcept;

private:
  struct Impl;
  struct Request;
  static void publish(Completion& completion, CompletionStatus status, int value) noexcept {
    completion.publish(status, value);
  }

  std::unique_ptr<Impl> impl_;
};

}  // namespace asyncconf::accel
