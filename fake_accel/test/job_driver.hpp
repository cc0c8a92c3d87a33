// Drives ASYNC jobs of a loaded implementation the way an application
// does: starts them, waits on their wait fds or WAIT_CTX callbacks, and
// resumes each one it is woken for until all have finished.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

#include "asyncconf/accel/offload.hpp"
#include "asyncconf/harness/async_api.hpp"

namespace asyncconf::accel::testing {

/// libasyncref, loaded once per test process through the harness's loader.
const harness::AsyncApi& reference_api();

/// How many fds this process has open (/proc/self/fd).
int open_fd_count();

/// Work that returns `value` only once the device has counted `pauses`
/// pauses of the helper (it counts one just before each ASYNC_pause_job),
/// so that a test expecting a job to pause never finds the request done
/// first, however late a loaded machine runs the job. Gives up after 10 s.
std::function<int()> after_pauses(const Device& device, std::uint64_t pauses, int value);

class JobDriver {
public:
  enum class WakeBy {
    Fds,       ///< the application waits on the WAIT_CTX's fds
    Callback,  ///< and sets a callback on each WAIT_CTX (OpenSSL 3.0+)
  };

  struct Job {
    std::function<OffloadResult()> body;
    int context = 0;
    ASYNC_JOB* handle = nullptr;
    bool finished = false;
    int ret = -1;
    int resumes = 0;
    OffloadResult result{OffloadResult::Status::PauseFailed, -1};
    std::vector<int> status_at_pause;  // WakeBy::Callback: the WAIT_CTX's status at each pause
  };

  JobDriver(const harness::AsyncApi& api, Device& device, WakeBy wake = WakeBy::Fds);
  /// Frees the contexts still held and the thread's job pool.
  ~JobDriver();
  JobDriver(const JobDriver&) = delete;
  JobDriver& operator=(const JobDriver&) = delete;

  /// A new WAIT_CTX; returns its number.
  int add_context();
  ASYNC_WAIT_CTX* context(int number) const { return contexts_[number]->ctx; }
  /// The number of fds the context holds (ASYNC_WAIT_CTX_get_all_fds).
  std::size_t fds_of(int number) const;

  /// Starts a job on a context, its body offloading `work` to the device;
  /// it runs until it first pauses or finishes. Returns its number.
  int start(int context, std::function<int()> work);
  /// The same with any body.
  int start_body(int context, std::function<OffloadResult()> body);
  /// Also calls Device::poll() while waiting (notify=poll, poll_interval=0).
  void poll_device(bool on) { poll_device_ = on; }

  /// Resumes woken jobs until every job finished; a failure if some are
  /// still paused after 30 s.
  ::testing::AssertionResult run();

  const Job& job(int number) const { return *jobs_[number]; }
  /// How many times any context's callback was called.
  int callbacks() const { return callbacks_.load(); }
  std::size_t job_count() const { return jobs_.size(); }
  /// ASYNC_WAIT_CTX_free on every context.
  void free_contexts();

private:
  struct Context {
    JobDriver* driver = nullptr;
    ASYNC_WAIT_CTX* ctx = nullptr;
    std::atomic<bool> woken{false};
  };
  static int on_callback(void* arg);
  static int job_body(void* arg);
  void step(Job& job);
  std::vector<Job*> woken_jobs(int timeout_ms);

  const harness::AsyncApi& api_;
  Device& device_;
  WakeBy wake_;
  bool poll_device_ = false;
  std::atomic<int> callbacks_{0};
  int doorbell_ = -1;  // the callbacks write it, so that poll() wakes for them too
  std::vector<std::unique_ptr<Context>> contexts_;
  std::deque<std::unique_ptr<Job>> jobs_;
};

}  // namespace asyncconf::accel::testing
