#include "asyncconf/reports/result.hpp"

#include <gtest/gtest.h>

#include "asyncconf/reports/matrix.hpp"
#include "sample_report.hpp"

namespace asyncconf::reports {
namespace {

using testing::make_case;

TEST(Verdict, ToStringNamesEachVerdict) {
  EXPECT_STREQ(to_string(Verdict::Pass), "pass");
  EXPECT_STREQ(to_string(Verdict::Fail), "fail");
  EXPECT_STREQ(to_string(Verdict::Crash), "crash");
  EXPECT_STREQ(to_string(Verdict::Timeout), "timeout");
  EXPECT_STREQ(to_string(Verdict::NotApplicable), "not-applicable");
  EXPECT_STREQ(to_string(Verdict::ExpectedFail), "expected-fail");
  EXPECT_STREQ(to_string(Verdict::Error), "error");
}

TEST(Verdict, FromStringInvertsToString) {
  for (const Verdict verdict : kAllVerdicts) {
    SCOPED_TRACE(to_string(verdict));
    EXPECT_EQ(verdict_from_string(to_string(verdict)), verdict);
  }
}

TEST(Verdict, FromStringRejectsOtherText) {
  for (const char* text : {"", "PASS", "passed", "not_applicable", "pass "}) {
    SCOPED_TRACE(text);
    EXPECT_EQ(verdict_from_string(text), std::nullopt);
  }
}

RunReport with_verdicts(const std::vector<Verdict>& verdicts) {
  RunReport report;
  int n = 0;
  for (const Verdict verdict : verdicts) {
    report.cases.push_back(make_case("c/" + std::to_string(n++), verdict));
  }
  return report;
}

TEST(RunReportSummary, EmptyRunCountsNothing) { EXPECT_EQ(RunReport{}.summary(), Summary{}); }

TEST(RunReportSummary, CountsEachVerdictOnce) {
  const RunReport report = with_verdicts({Verdict::Pass, Verdict::Pass, Verdict::Fail,
                                          Verdict::Crash, Verdict::Timeout, Verdict::NotApplicable,
                                          Verdict::ExpectedFail, Verdict::Error, Verdict::Error});
  Summary expected;
  expected.total = 9, expected.pass = 2, expected.fail = 1, expected.crash = 1,
  expected.timeout = 1;
  expected.not_applicable = 1, expected.expected_fail = 1, expected.error = 2;
  EXPECT_EQ(report.summary(), expected);
}

TEST(RunReportSummary, ExpectedFailureThatPassedIsPassAndUnexpectedPass) {
  RunReport report = with_verdicts({Verdict::Pass, Verdict::Pass});
  report.cases[1].expected_failure = "was broken";
  const Summary s = report.summary();
  EXPECT_EQ(s.total, 2);
  EXPECT_EQ(s.pass, 2);
  EXPECT_EQ(s.unexpected_pass, 1);
}

TEST(RunReportExitCode, ZeroOnlyWhenNothingFailed) {
  const struct {
    std::vector<Verdict> verdicts;
    int exit_code;
  } kTests[] = {
      {{}, 0},
      {{Verdict::Pass}, 0},
      {{Verdict::Pass, Verdict::NotApplicable, Verdict::ExpectedFail}, 0},
      {{Verdict::Pass, Verdict::Fail}, 1},
      {{Verdict::Crash}, 1},
      {{Verdict::NotApplicable, Verdict::Timeout}, 1},
      {{Verdict::ExpectedFail, Verdict::Error}, 1},
  };
  for (std::size_t i = 0; i < std::size(kTests); ++i) {
    SCOPED_TRACE("kTests[" + std::to_string(i) + "]");
    EXPECT_EQ(with_verdicts(kTests[i].verdicts).exit_code(), kTests[i].exit_code);
  }
}

}  // namespace
}  // namespace asyncconf::reports
