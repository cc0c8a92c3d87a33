// A throughput and latency benchmark of ASYNC jobs offloading to the
// device: one application thread keeps N jobs in flight, as nginx or
// `openssl speed -async_jobs` do, and is compared with what N requests of
// the device's latency could give at best.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "asyncconf/accel/config.hpp"
#include "asyncconf/accel/counters.hpp"
#include "asyncconf/accel/offload.hpp"

namespace asyncconf::accel {

struct BenchOptions {
  /// The device: its latency, its notify mode (how the loop waits), workers,
  /// queue depth, seed. Faults are allowed; failed requests are reported.
  DeviceConfig device;
  /// Jobs in flight at once: one ASYNC_WAIT_CTX and at most one job each.
  std::size_t in_flight = 64;
  /// Requests measured (after a warm-up of in_flight requests, not measured).
  std::uint64_t requests = 20000;
  /// > 0: measure for this long instead of a request count.
  double seconds = 0;
  /// The timer slack the device's threads start with (prctl
  /// PR_SET_TIMERSLACK, inherited from the thread that creates them; at
  /// least 1 ns). Linux's default of 50 µs would stretch each latency wait
  /// by up to that much. Empty: this thread's, unchanged.
  std::optional<Nanos> timer_slack = Nanos(1);
};

/// Latency percentiles (nearest rank) of the measured requests, in µs.
struct LatencySummary {
  double p50_us = 0;
  double p90_us = 0;
  double p99_us = 0;
  double max_us = 0;
  double mean_us = 0;
};

/// One measured run of the loop.
struct BenchRun {
  std::uint64_t requests = 0;  ///< measured requests that finished (ok or not)
  std::uint64_t failed = 0;    ///< of which the job returned 0 (the offload did not end Ok)
  double seconds = 0;          ///< from the first measured start to the last finish
  double throughput = 0;       ///< requests / seconds
  LatencySummary latency;      ///< submit (the job calls offload) to ASYNC_FINISH seen by the loop
  double cpu_seconds = 0;      ///< CPU time of this process (every thread: loop, device) over those seconds
  double loop_cpu_seconds = 0; ///< of which the loop's thread (the application's one thread)
  DeviceCounters counters;     ///< the device's, at the end (after every WAIT_CTX was freed)
  std::string error;           ///< empty when the run went through
};

/// One point: the run and the ideal.
struct BenchResult {
  std::size_t in_flight = 0;
  NotifyMode mode = NotifyMode::Fd;
  std::string latency_model;   ///< the model's text (fixed:100us)
  double latency_mean_us = 0;  ///< mean service time the device drew for the run's requests
  std::size_t workers = 0;
  std::size_t queue_depth = 0;
  BenchRun run;
  std::size_t cpus = 0;        ///< CPUs this process may run on
  /// The throughput at which the run's CPU cost per request would use up
  /// the CPUs: the smaller of cpus / (cpu_seconds / requests), all CPUs
  /// busy, and 1 / (loop_cpu_seconds / requests), the loop's one thread
  /// busy (0: not measured). A run that spins (poll mode) pays for its
  /// spinning here too.
  double cpu_bound = 0;
  double device_bound = 0;     ///< in_flight / latency mean (0: a zero latency, no bound)
  double ideal = 0;            ///< ideal_throughput(in_flight, latency mean, cpu_bound)
  double pct_of_ideal = 0;     ///< 100 * run.throughput / ideal

  bool ok() const noexcept { return run.error.empty(); }
  const std::string& error() const noexcept { return run.error; }
};

/// The p-th quantile (0 < p <= 1) by nearest rank of sorted values: the
/// smallest value with at least p of them at or below it. 0 when empty.
double percentile(const std::vector<double>& sorted, double p) noexcept;
/// Percentiles, max and mean of latencies in µs (any order).
LatencySummary summarize(std::vector<double> latencies_us);
/// min(in_flight / latency_mean, cpu_bound) in requests/s; a zero mean
/// leaves cpu_bound, a cpu_bound <= 0 (not measured) leaves the first.
double ideal_throughput(std::size_t in_flight, double latency_mean_s, double cpu_bound) noexcept;

namespace detail {

/// The ASYNC functions the loop calls besides the helper's. set_callback and
/// get_status are null without OpenSSL 3.0's callbacks.
struct BenchCalls {
  AsyncCalls offload;
  decltype(&::ASYNC_init_thread) init_thread = nullptr;
  decltype(&::ASYNC_cleanup_thread) cleanup_thread = nullptr;
  decltype(&::ASYNC_start_job) start_job = nullptr;
  decltype(&::ASYNC_WAIT_CTX_new) wait_ctx_new = nullptr;
  decltype(&::ASYNC_WAIT_CTX_free) wait_ctx_free = nullptr;
  decltype(&::ASYNC_WAIT_CTX_get_all_fds) get_all_fds = nullptr;
  decltype(&::ASYNC_WAIT_CTX_get_changed_fds) get_changed_fds = nullptr;
  decltype(&::ASYNC_WAIT_CTX_set_callback) set_callback = nullptr;
  decltype(&::ASYNC_WAIT_CTX_get_status) get_status = nullptr;
};

template <class Api>
BenchCalls bench_calls(const Api& api) noexcept {
  BenchCalls calls;
  calls.offload = async_calls(api);
  calls.init_thread = api.ASYNC_init_thread;
  calls.cleanup_thread = api.ASYNC_cleanup_thread;
  calls.start_job = api.ASYNC_start_job;
  calls.wait_ctx_new = api.ASYNC_WAIT_CTX_new;
  calls.wait_ctx_free = api.ASYNC_WAIT_CTX_free;
  calls.get_all_fds = api.ASYNC_WAIT_CTX_get_all_fds;
  calls.get_changed_fds = api.ASYNC_WAIT_CTX_get_changed_fds;
  if (calls.offload.get_callback != nullptr) {
    calls.set_callback = api.ASYNC_WAIT_CTX_set_callback;
    calls.get_status = api.ASYNC_WAIT_CTX_get_status;
  }
  return calls;
}

BenchResult run_bench(const BenchCalls& calls, const BenchOptions& options);

}  // namespace detail

/// Runs one benchmark point in this thread: ASYNC_init_thread(N, N), N
/// WAIT_CTXs, N jobs in flight each offloading one tiny work item to a
/// fresh device, resumed as the mode says (fd: level-triggered epoll on the
/// WAIT_CTX fds; callback: WAIT_CTX callbacks feeding a ready queue; poll:
/// Device::poll() when nothing is ready), until the requests are done; then
/// every WAIT_CTX is freed, ASYNC_cleanup_thread, and the device must have
/// no fd left open. cpu_bound comes from the run's CPU time (getrusage).
/// `api`: any table named like the C functions.
template <class Api>
BenchResult run_bench(const Api& api, const BenchOptions& options) {
  return detail::run_bench(detail::bench_calls(api), options);
}

}  // namespace asyncconf::accel
