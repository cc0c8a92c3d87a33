#include <algorithm>
#include <cmath>
#include <limits>

#include "asyncconf/accel/bench.hpp"

namespace asyncconf::accel {

double percentile(const std::vector<double>& sorted, double p) noexcept {
  if (sorted.empty()) return 0;
  p = std::clamp(p, 0.0, 1.0);
  // Nearest rank: the ceil(p * n)-th smallest, counting from 1 (at least the first).
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

LatencySummary summarize(std::vector<double> latencies_us) {
  LatencySummary s;
  if (latencies_us.empty()) return s;
  std::sort(latencies_us.begin(), latencies_us.end());
  s.p50_us = percentile(latencies_us, 0.50);
  s.p90_us = percentile(latencies_us, 0.90);
  s.p99_us = percentile(latencies_us, 0.99);
  s.max_us = latencies_us.back();
  double sum = 0;
  for (double x : latencies_us) sum += x;
  s.mean_us = sum / static_cast<double>(latencies_us.size());
  return s;
}

double ideal_throughput(std::size_t in_flight, double latency_mean_s, double cpu_bound) noexcept {
  const double device_bound = latency_mean_s > 0 ? static_cast<double>(in_flight) / latency_mean_s
                                                 : std::numeric_limits<double>::infinity();
  if (cpu_bound <= 0) return std::isinf(device_bound) ? 0 : device_bound;
  return std::min(device_bound, cpu_bound);
}

}  // namespace asyncconf::accel
