// Runs a plan against a loaded implementation: each step's driver op is
// called for real, job bodies run inside real jobs, and every observation is
// recorded and (when checking) compared with the model's prediction as it
// is made, so the run stops at the first violation before later ops can
// crash on its consequences. Allocation-free while the sequence runs, so
// the heap count at the end sees the implementation only.
#pragma once

#include <cstddef>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "asyncconf/harness/async_api.hpp"
#include "asyncconf/harness/model.hpp"
#include "asyncconf/harness/observation.hpp"

namespace asyncconf::harness {

/// A thread on a stack the harness owns. glibc allocates each thread's DTV
/// and the TLS blocks of dlopen'ed libraries (the implementation's
/// thread_local state) with malloc. On a stack of its own making it keeps
/// them with the stack in its cache of exited threads' stacks (40 MiB: four
/// default stacks) and frees them only when it drops or reuses the stack, so
/// whether making and joining a thread changed the heap count depended on how
/// many other threads were alive. On a stack the caller provides, glibc frees
/// them when the thread is joined: a HarnessThread leaves the heap as it found
/// it. Starting one allocates nothing; the stacks are mmap'ed and reused.
class HarnessThread {
public:
  HarnessThread() noexcept = default;
  /// Starts `fn(arg)`. Throws std::system_error when no thread can be made.
  HarnessThread(void (*fn)(void*), void* arg);
  HarnessThread(HarnessThread&& other) noexcept;
  HarnessThread& operator=(HarnessThread&& other) noexcept;  ///< joins this one first
  ~HarnessThread();                                           ///< joins
  bool joinable() const noexcept { return stack_ != nullptr; }
  void join() noexcept;

private:
  unsigned long id_ = 0;  // pthread_t
  void* stack_ = nullptr;
};

/// Runs `f()` on a HarnessThread and waits for it.
template <class F>
void run_on_harness_thread(F&& f) {
  using Fn = std::remove_reference_t<F>;
  HarnessThread t([](void* p) { (*static_cast<Fn*>(p))(); }, const_cast<void*>(static_cast<const void*>(&f)));
  t.join();
}

/// Threads a process keeps to run thread t of many plans: making a thread
/// costs more than a short plan. Each plan's ASYNC_cleanup_thread resets
/// them; the destructor joins them, and their exit frees what the
/// implementation keeps per thread (destroy it before unloading that).
class KeptThreads {
public:
  KeptThreads();
  ~KeptThreads();
  KeptThreads(const KeptThreads&) = delete;
  KeptThreads& operator=(const KeptThreads&) = delete;
  struct Impl;
  Impl& impl() noexcept { return *impl_; }

private:
  std::unique_ptr<Impl> impl_;
};

struct InterpreterOptions {
  /// Compare with the plan and stop at the first difference the plan's
  /// level checks (a value only a looser level fixes is noted in
  /// RunResult::looser and the run goes on, when the same op ran; a
  /// different op stops it). Off: record
  /// everything (for comparing two implementations), up to the plan's
  /// length plus a margin.
  bool check = true;
  /// Run thread 0 on the calling thread (the plan must be planned with
  /// ModelConfig::thread_exits false, and its other threads need
  /// kept_threads): the end checks job stacks only.
  bool inline_thread = false;
  /// Run thread t (thread 0 too, without inline_thread) on kept_threads'
  /// thread t (the plan must be planned with ModelConfig::thread_exits
  /// false): no thread is made after the first runs, and the end checks job
  /// stacks only.
  KeptThreads* kept_threads = nullptr;
  /// The plan's threads stay after it (ModelConfig::thread_exits false).
  /// A run that stopped before its teardown resets them with
  /// ASYNC_cleanup_thread, so the next plan starts on fresh thread state.
  bool reuses_threads() const noexcept { return inline_thread || kept_threads != nullptr; }
};

/// A process that runs many plans: thread 0 of `s` on the calling thread,
/// its other threads on `kept` (plan it with ModelConfig::thread_exits false).
InterpreterOptions reusing_threads(const Sequence& s, KeptThreads& kept);

struct RunResult {
  static constexpr std::size_t npos = std::numeric_limits<std::size_t>::max();
  std::vector<Observation> observed;
  /// Index (in observed and plan.expected) of the difference that stopped
  /// the run, or npos.
  std::size_t mismatch = npos;
  Difference difference;
  /// The difference is one the run's level checks: a violation. Otherwise
  /// the implementation left the level's ground (the model cannot follow).
  bool violation() const noexcept { return mismatch != npos && enforced; }
  bool enforced = false;
  /// The first value that differed where only a looser level fixes it and
  /// the same op ran (the run went on), or npos.
  std::size_t looser = npos;
};

/// Installs the interpreter's counting stack allocator (which also hands
/// out the stack size a SetMemFunctions op asks for) in `api`. One
/// implementation per process: call it before any job; false when the
/// implementation has no mem functions, refused (a stack already exists),
/// or another implementation of this process has the allocator.
bool install_counting_stacks(const AsyncApi& api) noexcept;
/// True after a successful install_counting_stacks (in any implementation).
bool counting_stacks() noexcept;
/// True when `api`'s stacks are the ones counted.
bool counting_stacks(const AsyncApi& api) noexcept;

/// Runs a fixed, unchecked sequence on four threads that makes the
/// implementation's one-time allocations (OpenSSL loads its error strings on
/// its first error; the reference sizes its job registry), so that heap
/// counts afterwards see leaks only. It allocates job stacks, so the process
/// is no longer fresh (ASYNC_set_mem_functions returns 0 from then on).
void warm_up(const AsyncApi& api);

/// A model config for `api` in this process at `level`: its capabilities,
/// whether stacks and heap blocks are counted here, and whether a job stack
/// was allocated yet (known only while stacks are counted; otherwise the
/// process is taken as fresh, the stricter assumption).
ModelConfig model_config(const AsyncApi& api, Level level) noexcept;

/// The faults of the simulated device this process's offload ops use
/// (fake_accel's rule text, "spurious=0.2,lost=every:50", rates drawn from
/// `seed`); before any plan offloads. Plans of such a process are planned
/// with ModelConfig::device_faults. Empty when set; else what is wrong: a
/// malformed rule, a fault the harness's device may not have (ring_full,
/// fd_fail, slow_poll), or a device already in use.
std::string set_device_faults(std::string_view rules, std::uint64_t seed);

/// Runs the plan. Each thread t0..plan.threads-1 is a new thread that exits
/// at the end, so the implementation's per-thread state goes with it.
RunResult run_plan(const AsyncApi& api, const Plan& plan, const InterpreterOptions& options = {});
/// The same, recording into the memory of `spent`, a result no longer used
/// (a fuzz target's previous input's).
RunResult run_plan(const AsyncApi& api, const Plan& plan, const InterpreterOptions& options, RunResult&& spent);

/// A plan built and run one driver op at a time (for RapidCheck's state
/// machine tests, which choose each op after the last one ran). Checks like
/// run_plan, except heap blocks: the caller allocates between ops.
class Session {
public:
  Session(const AsyncApi& api, const ModelConfig& config);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  /// Why the model would skip `op` now; empty when it would run.
  std::string skip_reason(const Op& op) const;
  /// Plans and runs one driver op (it must outlive the session). False
  /// once a difference was found; nothing runs after that.
  bool run(const Op& op);
  /// Resumes paused jobs to their end, frees the wait ctxs, ends the
  /// threads and checks for leaks. Idempotent.
  const RunResult& finish();
  const RunResult& result() const noexcept;
  const Plan& plan() const noexcept;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace asyncconf::harness
