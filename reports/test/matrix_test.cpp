#include "asyncconf/reports/matrix.hpp"

#include <gtest/gtest.h>

#include "sample_report.hpp"

namespace asyncconf::reports {
namespace {

using testing::make_case;

TEST(Severity, OrdersVerdictsFromNotApplicableToCrash) {
  const Verdict kOrder[] = {Verdict::NotApplicable, Verdict::Pass, Verdict::ExpectedFail,
                            Verdict::Error, Verdict::Fail,          Verdict::Timeout,
                            Verdict::Crash};
  for (std::size_t i = 1; i < std::size(kOrder); ++i) {
    SCOPED_TRACE(to_string(kOrder[i]));
    EXPECT_LT(severity(kOrder[i - 1]), severity(kOrder[i]));
    EXPECT_EQ(worst(kOrder[i - 1], kOrder[i]), kOrder[i]);
    EXPECT_EQ(worst(kOrder[i], kOrder[i - 1]), kOrder[i]);
  }
}

TEST(RequirementMatrix, VerdictIsTheWorstOfItsCases) {
  const std::vector<RequirementRow> rows = requirement_matrix(testing::sample_report());
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].id, "REQ-A");
  EXPECT_EQ(rows[0].verdict, Verdict::Fail);  // pass, fail, expected-fail, pass
  EXPECT_EQ(rows[0].cases, (std::vector<std::size_t>{0, 1, 5, 7}));
  EXPECT_EQ(rows[1].verdict, Verdict::Crash);
  EXPECT_EQ(rows[1].function, "ASYNC_pause_job");
}

TEST(RequirementMatrix, RequirementWithoutCasesWasNotRun) {
  const std::vector<RequirementRow> rows = requirement_matrix(testing::sample_report());
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[2].id, "REQ-C");
  EXPECT_EQ(rows[2].verdict, std::nullopt);
  EXPECT_TRUE(rows[2].cases.empty());
}

TEST(RequirementMatrix, IdMissingFromCatalogueGetsARowAtTheEnd) {
  RunReport report;
  report.requirements = {{"REQ-A", "must", "f", "", "", ""}};
  report.cases.push_back(make_case("x/1", Verdict::Pass, "", {"REQ-Z", "REQ-A", "REQ-Z"}));
  const std::vector<RequirementRow> rows = requirement_matrix(report);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].id, "REQ-Z");
  EXPECT_EQ(rows[1].level, "");
  EXPECT_EQ(rows[1].cases, (std::vector<std::size_t>{0}));  // cited twice, listed once
  EXPECT_EQ(rows[1].verdict, Verdict::Pass);
}

}  // namespace
}  // namespace asyncconf::reports
