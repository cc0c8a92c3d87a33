#include "asyncconf/accel/bench_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string_view>

namespace asyncconf::accel {
namespace {

std::string fixed(double x, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, x);
  return buf;
}

std::string escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

struct Series {
  std::string name;   // the marker class: s-<name>
  std::string label;  // in the legend
  std::string colour;
  bool line_only = false;  // a reference curve (ideal, cpu_bound): dashed, small markers
  std::vector<double> values;
};

// One plot: y linear from 0, x log2 of jobs in flight.
std::string chart(const std::string& title, const std::string& y_unit, const std::vector<double>& xs,
                  const std::vector<Series>& series) {
  constexpr double kW = 560, kH = 320, kLeft = 70, kRight = 150, kTop = 30, kBottom = 40;
  double lo = xs.empty() ? 0 : std::log2(std::max(1.0, *std::min_element(xs.begin(), xs.end())));
  double hi = xs.empty() ? 1 : std::log2(std::max(1.0, *std::max_element(xs.begin(), xs.end())));
  if (hi - lo < 1) {  // one point, or close ones: a visible axis around them
    lo -= 1;
    hi += 1;
  }
  double ymax = 0;
  for (const Series& s : series) {
    for (double v : s.values) {
      if (std::isfinite(v)) ymax = std::max(ymax, v);
    }
  }
  ymax = ymax > 0 ? ymax * 1.1 : 1;
  const auto px = [&](double x) {
    return kLeft + (std::log2(std::max(1.0, x)) - lo) / (hi - lo) * (kW - kLeft - kRight);
  };
  const auto py = [&](double y) { return kTop + (1 - y / ymax) * (kH - kTop - kBottom); };

  std::string svg = "<svg class=\"chart\" width=\"" + fixed(kW, 0) + "\" height=\"" + fixed(kH, 0) +
                    "\" viewBox=\"0 0 " + fixed(kW, 0) + " " + fixed(kH, 0) + "\" role=\"img\">\n";
  svg += "<text x=\"" + fixed(kLeft, 0) + "\" y=\"18\" class=\"title\">" + escape(title) + "</text>\n";
  // Axes, y ticks at fifths, x ticks at each measured N.
  svg += "<line class=\"axis\" x1=\"" + fixed(kLeft, 1) + "\" y1=\"" + fixed(kH - kBottom, 1) + "\" x2=\"" +
         fixed(kW - kRight, 1) + "\" y2=\"" + fixed(kH - kBottom, 1) + "\"/>\n";
  svg += "<line class=\"axis\" x1=\"" + fixed(kLeft, 1) + "\" y1=\"" + fixed(kTop, 1) + "\" x2=\"" + fixed(kLeft, 1) +
         "\" y2=\"" + fixed(kH - kBottom, 1) + "\"/>\n";
  for (int i = 0; i <= 5; ++i) {
    const double y = ymax * i / 5;
    svg += "<text class=\"tick\" x=\"" + fixed(kLeft - 6, 1) + "\" y=\"" + fixed(py(y) + 4, 1) +
           "\" text-anchor=\"end\">" + fixed(y, y >= 100 ? 0 : 1) + "</text>\n";
  }
  for (double x : xs) {
    svg += "<text class=\"tick\" x=\"" + fixed(px(x), 1) + "\" y=\"" + fixed(kH - kBottom + 16, 1) +
           "\" text-anchor=\"middle\">" + fixed(x, 0) + "</text>\n";
  }
  svg += "<text class=\"tick\" x=\"" + fixed((kLeft + kW - kRight) / 2, 1) + "\" y=\"" + fixed(kH - 6, 1) +
         "\" text-anchor=\"middle\">jobs in flight (log scale)</text>\n";
  svg += "<text class=\"tick\" x=\"12\" y=\"" + fixed(kTop - 8, 1) + "\">" + escape(y_unit) + "</text>\n";
  int legend = 0;
  for (const Series& s : series) {
    std::string path;
    for (std::size_t i = 0; i < xs.size() && i < s.values.size(); ++i) {
      if (!std::isfinite(s.values[i])) continue;
      path += (path.empty() ? "M" : " L") + fixed(px(xs[i]), 1) + " " + fixed(py(s.values[i]), 1);
    }
    svg += "<path d=\"" + path + "\" fill=\"none\" stroke=\"" + s.colour + "\" stroke-width=\"" +
           (s.line_only ? "1.5\" stroke-dasharray=\"5 4\"" : "2\"") + "/>\n";
    for (std::size_t i = 0; i < xs.size() && i < s.values.size(); ++i) {
      if (!std::isfinite(s.values[i])) continue;
      svg += "<circle class=\"pt s-" + s.name + "\" cx=\"" + fixed(px(xs[i]), 1) + "\" cy=\"" +
             fixed(py(s.values[i]), 1) + "\" r=\"" + (s.line_only ? "2.5" : "4") + "\" fill=\"" + s.colour +
             "\"><title>" + escape(s.label) + " at " + fixed(xs[i], 0) + ": " + fixed(s.values[i], 1) +
             "</title></circle>\n";
    }
    const double ly = kTop + 10 + 18 * legend++;
    svg += "<line x1=\"" + fixed(kW - kRight + 12, 1) + "\" y1=\"" + fixed(ly, 1) + "\" x2=\"" +
           fixed(kW - kRight + 32, 1) + "\" y2=\"" + fixed(ly, 1) + "\" stroke=\"" + s.colour +
           "\" stroke-width=\"2\"" + (s.line_only ? " stroke-dasharray=\"5 4\"" : "") + "/>\n";
    svg += "<text class=\"tick\" x=\"" + fixed(kW - kRight + 38, 1) + "\" y=\"" + fixed(ly + 4, 1) + "\">" +
           escape(s.label) + "</text>\n";
  }
  return svg + "</svg>\n";
}

}  // namespace

nlohmann::json bench_json(const std::vector<BenchResult>& points, const BenchMeta& meta) {
  nlohmann::json table = nlohmann::json::array();
  for (const BenchResult& p : points) {
    table.push_back({
        {"in_flight", p.in_flight},
        {"mode", std::string(to_string(p.mode))},
        {"latency_model", p.latency_model},
        {"latency_mean_us", p.latency_mean_us},
        {"workers", p.workers},
        {"queue_depth", p.queue_depth},
        {"requests", p.run.requests},
        {"failed", p.run.failed},
        {"seconds", p.run.seconds},
        {"throughput", p.run.throughput},
        {"ideal", p.ideal},
        {"cpu_bound", p.cpu_bound},
        {"cpus", p.cpus},
        {"cpu_seconds", p.run.cpu_seconds},
        {"loop_cpu_seconds", p.run.loop_cpu_seconds},
        {"device_bound", p.device_bound},
        {"pct_of_ideal", p.pct_of_ideal},
        {"p50_us", p.run.latency.p50_us},
        {"p90_us", p.run.latency.p90_us},
        {"p99_us", p.run.latency.p99_us},
        {"max_us", p.run.latency.max_us},
        {"mean_us", p.run.latency.mean_us},
        {"impl", meta.impl},
        {"seed", meta.seed},
        {"error", p.error()},
    });
  }
  return table;
}

std::string bench_html(const std::vector<BenchResult>& points, const BenchMeta& meta) {
  std::vector<double> xs;
  Series measured{"throughput", "measured", "#1f5fbf", false, {}};
  Series ideal{"ideal", "ideal", "#2a9d3a", true, {}};
  Series cpu{"cpu_bound", "cpu_bound (CPU time)", "#888888", true, {}};
  Series p50{"p50", "p50", "#1f5fbf", false, {}};
  Series p99{"p99", "p99", "#c0392b", false, {}};
  for (const BenchResult& p : points) {
    xs.push_back(static_cast<double>(p.in_flight));
    measured.values.push_back(p.run.throughput);
    ideal.values.push_back(p.ideal);
    cpu.values.push_back(p.cpu_bound);
    p50.values.push_back(p.run.latency.p50_us);
    p99.values.push_back(p.run.latency.p99_us);
  }
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>asyncconf accel bench</title>\n<style>\n"
      "body{font-family:sans-serif;margin:2em;color:#222}\n"
      "table{border-collapse:collapse;margin-top:1em}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}\n"
      ".chart{margin:0 1em 1em 0;border:1px solid #eee}.axis{stroke:#444}.tick{font-size:11px;fill:#444}"
      ".title{font-size:13px;font-weight:bold}\n.err{color:#b00}\n"
      "</style>\n</head>\n<body>\n<h1>asyncconf accel bench</h1>\n";
  html += "<p>implementation <code>" + escape(meta.impl) + "</code>, seed " + std::to_string(meta.seed) +
          (meta.command.empty() ? "" : ", repeat with <code>" + escape(meta.command) + "</code>") + "</p>\n";
  html += "<p>ideal = min(N / mean latency, cpu_bound); cpu_bound = the throughput at which each request's CPU "
          "time in the run would use up the CPUs: every CPU this process may use (the loop's and the device's "
          "threads), or the loop's one thread, whichever comes first.</p>\n";
  html += chart("Throughput", "requests/s", xs, {measured, ideal, cpu});
  html += chart("Latency (submit to ASYNC_FINISH)", "µs", xs, {p50, p99});
  html += "<table>\n<tr><th>in flight</th><th>mode</th><th>latency</th><th>requests</th><th>seconds</th>"
          "<th>throughput/s</th><th>ideal/s</th><th>cpu_bound/s</th><th>% of ideal</th>"
          "<th>p50 µs</th><th>p90 µs</th><th>p99 µs</th><th>max µs</th></tr>\n";
  for (const BenchResult& p : points) {
    html += "<tr><td>" + std::to_string(p.in_flight) + "</td><td>" + std::string(to_string(p.mode)) + "</td><td>" +
            escape(p.latency_model) + "</td><td>" + std::to_string(p.run.requests) + "</td><td>" +
            fixed(p.run.seconds, 3) + "</td><td>" + fixed(p.run.throughput, 0) + "</td><td>" + fixed(p.ideal, 0) +
            "</td><td>" + fixed(p.cpu_bound, 0) + "</td><td>" + fixed(p.pct_of_ideal, 1) + "</td><td>" +
            fixed(p.run.latency.p50_us, 1) + "</td><td>" + fixed(p.run.latency.p90_us, 1) + "</td><td>" +
            fixed(p.run.latency.p99_us, 1) + "</td><td>" + fixed(p.run.latency.max_us, 1) + "</td></tr>\n";
    if (!p.ok()) html += "<tr><td colspan=\"13\" class=\"err\">" + escape(p.error()) + "</td></tr>\n";
  }
  return html + "</table>\n</body>\n</html>\n";
}

}  // namespace asyncconf::accel
