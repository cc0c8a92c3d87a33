#include "asyncconf/accel/parse.hpp"

#include <gtest/gtest.h>

#include <link.h>

#include <string>

namespace asyncconf::accel {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(DurationTest, ReadsEveryUnit) {
  const struct {
    const char* text;
    Nanos expected;
  } kTests[] = {
      {"7ns", Nanos{7}},       {"100us", Nanos{100'000}}, {"1.5ms", Nanos{1'500'000}},
      {"2s", seconds{2}},      {"0", Nanos{0}},           {" 3ms\t", milliseconds{3}},
      {"0.5us", Nanos{500}},   {"1000000s", seconds{1'000'000}},
  };
  for (const auto& t : kTests) {
    SCOPED_TRACE(t.text);
    const Parsed<Nanos> d = parse_duration(t.text);
    ASSERT_TRUE(d.ok()) << d.error();
    EXPECT_EQ(d.value(), t.expected);
  }
}

TEST(DurationTest, RejectsMalformedText) {
  for (const char* text : {"", "100", "ms", "-1ms", "+1ms", "1 ms", "1.2.3ms", "1e3ms", "5min", ".5ms", "0ms5"}) {
    SCOPED_TRACE(text);
    const Parsed<Nanos> d = parse_duration(text);
    ASSERT_FALSE(d.ok());
    EXPECT_NE(d.error().find("expected a duration"), std::string::npos) << d.error();
    EXPECT_NE(d.error().find("'" + std::string(text) + "'"), std::string::npos) << d.error();
  }
}

TEST(DurationTest, RejectsMoreThanAMillionSeconds) {
  const Parsed<Nanos> d = parse_duration("1000001s");
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().find("too long"), std::string::npos) << d.error();
}

TEST(DurationTest, FormatUsesTheLargestExactUnit) {
  EXPECT_EQ(format_duration(Nanos{0}), "0");
  EXPECT_EQ(format_duration(Nanos{1'500}), "1500ns");
  EXPECT_EQ(format_duration(Nanos{1'500'000}), "1500us");
  EXPECT_EQ(format_duration(milliseconds{5}), "5ms");
  EXPECT_EQ(format_duration(seconds{2}), "2s");
}

TEST(DurationTest, FormatReadsBackAsTheSameDuration) {
  for (const Nanos d : {Nanos{0}, Nanos{1}, Nanos{1'234'567}, Nanos{100'000}, Nanos{3'000'000'000}}) {
    const Parsed<Nanos> back = parse_duration(format_duration(d));
    ASSERT_TRUE(back.ok()) << back.error();
    EXPECT_EQ(back.value(), d);
  }
}

TEST(NumberTest, UnsignedReadsDecimalAndHex) {
  EXPECT_EQ(parse_unsigned("42").value(), 42u);
  EXPECT_EQ(parse_unsigned("0x2a").value(), 42u);
  EXPECT_EQ(parse_unsigned("18446744073709551615").value(), UINT64_MAX);
}

TEST(NumberTest, UnsignedRejectsSignsJunkAndOverflow) {
  for (const char* text : {"", "-1", "+1", "4x", "0x", "1.0"}) {
    SCOPED_TRACE(text);
    EXPECT_FALSE(parse_unsigned(text).ok());
  }
  const Parsed<std::uint64_t> big = parse_unsigned("18446744073709551616");
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.error().find("too large"), std::string::npos) << big.error();
}

TEST(NumberTest, ProbabilityMustLieInZeroToOne) {
  EXPECT_EQ(parse_probability("0").value(), 0.0);
  EXPECT_EQ(parse_probability("1").value(), 1.0);
  EXPECT_EQ(parse_probability("0.25").value(), 0.25);
  for (const char* text : {"-0.1", "1.01", "x", "", "nan", "inf"}) {
    SCOPED_TRACE(text);
    const Parsed<double> p = parse_probability(text);
    ASSERT_FALSE(p.ok());
    EXPECT_NE(p.error().find("expected a probability in [0, 1]"), std::string::npos) << p.error();
  }
}

TEST(NumberTest, FormatReadsBackAsTheSameNumber) {
  for (const double x : {0.0, 0.01, 1.0 / 3.0, 0.5, 7.25}) {
    EXPECT_EQ(parse_number(format_number(x)).value(), x);
  }
}

// The library is meant for a provider inside libcrypto's own process and
// for the harness, which loads implementations by path: it must bring no
// libcrypto of its own. This program links only it and GoogleTest.
int find_libcrypto(dl_phdr_info* info, size_t, void* found) {
  const std::string name = info->dlpi_name == nullptr ? "" : info->dlpi_name;
  if (name.find("libcrypto") != std::string::npos || name.find("libssl") != std::string::npos) {
    *static_cast<std::string*>(found) = name;
  }
  return 0;
}

TEST(LinkTest, LibraryBringsNoLibcryptoIntoTheProcess) {
  std::string found;
  dl_iterate_phdr(find_libcrypto, &found);
  EXPECT_EQ(found, "");
}

}  // namespace
}  // namespace asyncconf::accel
