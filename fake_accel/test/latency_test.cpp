#include "asyncconf/accel/latency.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace asyncconf::accel {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

std::vector<Nanos> latency_samples(const LatencyModel& m, std::uint64_t seed, std::uint64_t n) {
  std::vector<Nanos> out;
  for (std::uint64_t i = 0; i < n; ++i) out.push_back(m.sample(seed, i));
  return out;
}

TEST(LatencyTest, FixedAlwaysGivesItsValue) {
  const LatencyModel m = LatencyModel::fixed(microseconds{100});
  for (std::uint64_t i = 0; i < 100; ++i) EXPECT_EQ(m.sample(i * 7, i), microseconds{100});
}

TEST(LatencyTest, SampleDependsOnlyOnSeedAndIndex) {
  const LatencyModel m = LatencyModel::bimodal(LatencyModel::uniform(microseconds{1}, microseconds{900}),
                                               LatencyModel::lognormal(milliseconds{5}, 0.5), 0.3);
  const std::vector<Nanos> forward = latency_samples(m, 42, 200);
  // Asked again in reverse order, by another copy: the same values.
  const LatencyModel copy = m;
  for (std::uint64_t i = 200; i-- > 0;) EXPECT_EQ(copy.sample(42, i), forward[i]) << "index " << i;
}

TEST(LatencyTest, DifferentSeedsGiveDifferentSequences) {
  const LatencyModel m = LatencyModel::uniform(microseconds{1}, milliseconds{1});
  EXPECT_NE(latency_samples(m, 1, 50), latency_samples(m, 2, 50));
}

TEST(LatencyTest, UniformStaysWithinBoundsAndSpreadsOverThem) {
  const LatencyModel m = LatencyModel::uniform(microseconds{50}, microseconds{150});
  const std::vector<Nanos> s = latency_samples(m, 7, 10'000);
  const auto [lo, hi] = std::minmax_element(s.begin(), s.end());
  EXPECT_GE(*lo, microseconds{50});
  EXPECT_LE(*hi, microseconds{150});
  EXPECT_LT(*lo, microseconds{51});
  EXPECT_GT(*hi, microseconds{149});
  double mean = 0;
  for (Nanos d : s) mean += static_cast<double>(d.count()) / static_cast<double>(s.size());
  EXPECT_NEAR(mean, 100'000.0, 2'000.0);
}

TEST(LatencyTest, LogNormalMedianIsNearItsParameter) {
  const LatencyModel m = LatencyModel::lognormal(microseconds{100}, 0.5);
  std::vector<Nanos> s = latency_samples(m, 3, 10'001);
  std::nth_element(s.begin(), s.begin() + 5'000, s.end());
  EXPECT_NEAR(static_cast<double>(s[5'000].count()), 100'000.0, 5'000.0);
  // sigma 0.5: about 16% of samples lie above median * e^0.5.
  const auto above = std::count_if(s.begin(), s.end(), [](Nanos d) { return d > Nanos{164'872}; });
  EXPECT_NEAR(static_cast<double>(above) / 10'001.0, 0.1587, 0.02);
}

TEST(LatencyTest, BimodalSlowShareIsNearPSlow) {
  const LatencyModel m = LatencyModel::bimodal(LatencyModel::fixed(microseconds{100}),
                                               LatencyModel::fixed(milliseconds{5}), 0.1);
  const std::vector<Nanos> s = latency_samples(m, 11, 10'000);
  const auto slow = std::count(s.begin(), s.end(), milliseconds{5});
  const auto fast = std::count(s.begin(), s.end(), microseconds{100});
  EXPECT_EQ(slow + fast, 10'000);
  EXPECT_NEAR(static_cast<double>(slow), 1'000.0, 150.0);
}

TEST(LatencyTest, ParsesEveryModel) {
  const struct {
    const char* text;
    LatencyModel expected;
  } kTests[] = {
      {"fixed:100us", LatencyModel::fixed(microseconds{100})},
      {"250ns", LatencyModel::fixed(Nanos{250})},
      {"uniform:50us..150us", LatencyModel::uniform(microseconds{50}, microseconds{150})},
      {"lognormal:100us,0.5", LatencyModel::lognormal(microseconds{100}, 0.5)},
      {"bimodal:100us,5ms,0.01",
       LatencyModel::bimodal(LatencyModel::fixed(microseconds{100}), LatencyModel::fixed(milliseconds{5}), 0.01)},
      {" bimodal: [uniform:1us..2us] , [lognormal:5ms,0.3] , 0.5 ",
       LatencyModel::bimodal(LatencyModel::uniform(microseconds{1}, microseconds{2}),
                             LatencyModel::lognormal(milliseconds{5}, 0.3), 0.5)},
  };
  for (const auto& t : kTests) {
    SCOPED_TRACE(t.text);
    const Parsed<LatencyModel> m = parse_latency(t.text);
    ASSERT_TRUE(m.ok()) << m.error();
    EXPECT_TRUE(m.value() == t.expected) << m.value().to_string();
  }
}

TEST(LatencyTest, MalformedTextIsAnErrorSayingWhatWasExpected) {
  const struct {
    const char* text;
    const char* says;
  } kTests[] = {
      {"", "expected fixed:D"},
      {"gaussian:1ms", "expected fixed:D"},
      {"fixed:", "expected a duration"},
      {"fixed:10", "expected a duration"},
      {"uniform:50us", "expected uniform:LO..HI"},
      {"uniform:150us..50us", "LO must not exceed HI"},
      {"uniform:1ms..x", "expected a duration"},
      {"lognormal:100us", "expected lognormal:MEDIAN,SIGMA"},
      {"lognormal:100us,-1", "expected SIGMA in [0, 10]"},
      {"bimodal:100us,5ms", "expected bimodal:FAST,SLOW,P_SLOW"},
      {"bimodal:100us,5ms,2", "P_SLOW: expected a probability"},
      {"bimodal:[fixed:1us,5ms,0.1", "expected bimodal:FAST,SLOW,P_SLOW"},
      {"bimodal:[bimodal:[bimodal:[bimodal:[bimodal:[fixed:1us],1us,0],1us,0],1us,0],1us,0],1us,0",
       "nest at most 4 deep"},
  };
  for (const auto& t : kTests) {
    SCOPED_TRACE(t.text);
    const Parsed<LatencyModel> m = parse_latency(t.text);
    ASSERT_FALSE(m.ok());
    EXPECT_NE(m.error().find(t.says), std::string::npos) << m.error();
    EXPECT_EQ(m.error().rfind("latency '", 0), 0u) << m.error();
  }
}

TEST(LatencyTest, ToStringReadsBackAsAnEqualModel) {
  for (const char* text : {"fixed:100us", "uniform:50us..150us", "lognormal:100us,0.5",
                           "bimodal:100us,5ms,0.01", "bimodal:[uniform:1us..2us],3ms,0.25"}) {
    SCOPED_TRACE(text);
    const LatencyModel m = parse_latency(text).value();
    EXPECT_EQ(m.to_string(), text);
    EXPECT_TRUE(parse_latency(m.to_string()).value() == m);
  }
}

TEST(LatencyTest, DefaultIsFixedHundredMicroseconds) {
  EXPECT_TRUE(LatencyModel() == LatencyModel::fixed(microseconds{100}));
}

}  // namespace
}  // namespace asyncconf::accel
