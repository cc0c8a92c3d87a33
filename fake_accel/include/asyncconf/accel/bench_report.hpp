// The benchmark's results as a JSON table and as a self-contained HTML page.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "asyncconf/accel/bench.hpp"

namespace asyncconf::accel {

/// What the points have in common, for the reports' headers.
struct BenchMeta {
  std::string impl;     ///< how the implementation was named (--impl)
  std::uint64_t seed = 0;
  std::string command;  ///< the command line that repeats the run
};

/// One object per point: in_flight, mode, latency_model, latency_mean_us,
/// workers, queue_depth, requests, failed, seconds, throughput, ideal,
/// cpu_bound, device_bound, pct_of_ideal, p50_us, p90_us, p99_us, max_us, mean_us, impl,
/// seed (throughputs in requests/s).
nlohmann::json bench_json(const std::vector<BenchResult>& points, const BenchMeta& meta);

/// A page with no external reference (no script, style sheet, font or
/// image): an inline SVG of throughput (measured, ideal, cpu_bound) and of
/// p50 and p99 latency against jobs in flight on a log axis, one marker per
/// point and series, and the table.
std::string bench_html(const std::vector<BenchResult>& points, const BenchMeta& meta);

}  // namespace asyncconf::accel
