// The benchmark's pure parts: percentiles, the ideal, the JSON table and
// the HTML page.
#include "asyncconf/accel/bench.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "asyncconf/accel/bench_report.hpp"

namespace asyncconf::accel {
namespace {

std::size_t count(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++n;
  return n;
}

BenchResult point(std::size_t in_flight, double throughput) {
  BenchResult p;
  p.in_flight = in_flight;
  p.mode = NotifyMode::Fd;
  p.latency_model = "fixed:100us";
  p.latency_mean_us = 100;
  p.run.requests = 1000;
  p.run.seconds = 1000 / throughput;
  p.run.throughput = throughput;
  p.run.latency = {100, 120, 150, 200, 110};
  p.cpu_bound = 50000;
  p.ideal = ideal_throughput(in_flight, 100e-6, p.cpu_bound);
  p.pct_of_ideal = 100 * throughput / p.ideal;
  return p;
}

TEST(BenchStatsTest, PercentileIsTheNearestRank) {
  const std::vector<double> sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  const struct {
    double p;
    double expected;
  } kTests[] = {{0.5, 5}, {0.9, 9}, {0.99, 10}, {1.0, 10}, {0.01, 1}, {0.51, 6}};
  for (const auto& t : kTests) {
    SCOPED_TRACE(t.p);
    EXPECT_EQ(percentile(sorted, t.p), t.expected);
  }
  EXPECT_EQ(percentile({}, 0.5), 0);
  EXPECT_EQ(percentile({42}, 0.99), 42);
}

TEST(BenchStatsTest, SummarizeSortsAndOrdersThePercentiles) {
  std::vector<double> values;
  for (int i = 1000; i >= 1; --i) values.push_back(i);
  const LatencySummary s = summarize(values);
  EXPECT_EQ(s.p50_us, 500);
  EXPECT_EQ(s.p90_us, 900);
  EXPECT_EQ(s.p99_us, 990);
  EXPECT_EQ(s.max_us, 1000);
  EXPECT_DOUBLE_EQ(s.mean_us, 500.5);
  EXPECT_EQ(summarize({}).max_us, 0);
}

TEST(BenchStatsTest, IdealIsTheLowerOfDeviceAndCpuBounds) {
  EXPECT_DOUBLE_EQ(ideal_throughput(64, 100e-6, 50000), 50000);  // cpu bound
  EXPECT_DOUBLE_EQ(ideal_throughput(1, 100e-6, 50000), 10000);   // device bound: 1 / 100 us
  EXPECT_DOUBLE_EQ(ideal_throughput(4, 100e-6, 0), 40000);       // cpu_bound not measured
  EXPECT_DOUBLE_EQ(ideal_throughput(4, 0, 30000), 30000);        // zero latency
  EXPECT_EQ(ideal_throughput(4, 0, 0), 0);
}

TEST(BenchReportTest, JsonIsOneObjectPerPointWithEveryColumn) {
  const std::vector<BenchResult> points = {point(1, 8000), point(64, 45000)};
  const nlohmann::json table = bench_json(points, {"reference", 7, ""});
  ASSERT_TRUE(table.is_array());
  ASSERT_EQ(table.size(), 2u);
  for (const char* key : {"in_flight", "mode", "latency_model", "requests", "seconds", "throughput", "ideal",
                          "cpu_bound", "cpus", "cpu_seconds", "loop_cpu_seconds", "pct_of_ideal", "p50_us", "p90_us", "p99_us", "max_us", "seed"}) {
    SCOPED_TRACE(key);
    EXPECT_TRUE(table[0].contains(key));
  }
  EXPECT_EQ(table[1]["in_flight"], 64);
  EXPECT_EQ(table[1]["mode"], "fd");
  EXPECT_EQ(table[1]["latency_model"], "fixed:100us");
  EXPECT_EQ(table[0]["seed"], 7);
  EXPECT_DOUBLE_EQ(table[0]["ideal"].get<double>(), 10000);
  EXPECT_DOUBLE_EQ(table[1]["pct_of_ideal"].get<double>(), 90);
}

TEST(BenchReportTest, HtmlHasAnSvgWithOnePointPerSweepEntry) {
  const std::vector<BenchResult> points = {point(1, 8000), point(4, 30000), point(16, 44000), point(64, 45000),
                                           point(256, 46000)};
  const std::string html = bench_html(points, {"reference", 0, "asyncconf accel bench --sweep in-flight=1,4"});
  EXPECT_EQ(count(html, "<svg"), 2u);  // throughput, latency
  for (const char* series : {"s-throughput\"", "s-ideal\"", "s-cpu_bound\"", "s-p50\"", "s-p99\""}) {
    SCOPED_TRACE(series);
    EXPECT_EQ(count(html, series), points.size());
  }
  EXPECT_EQ(count(html, "<tr><td>"), points.size());
}

TEST(BenchReportTest, HtmlIsSelfContained) {
  const std::string html = bench_html({point(64, 45000)}, {"<odd & name>", 0, ""});
  for (const char* external : {"http:", "https:", "<script", "<link", "src=", "url(", "@import", "<img"}) {
    SCOPED_TRACE(external);
    EXPECT_EQ(html.find(external), std::string::npos);
  }
  EXPECT_NE(html.find("&lt;odd &amp; name&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<odd"), std::string::npos);
}

}  // namespace
}  // namespace asyncconf::accel
