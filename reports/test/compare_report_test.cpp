#include "asyncconf/reports/compare_report.hpp"

#include <gtest/gtest.h>

#include "sample_report.hpp"

namespace asyncconf::reports {
namespace {

using testing::contains;
using testing::make_case;

// Two runs: "reference" has all sample cases; "openssl" ran a subset plus
// a case of its own, citing a requirement the first catalogue lacks.
std::vector<RunReport> two_runs() {
  RunReport openssl = testing::sample_report();
  openssl.implementation.name = "openssl";
  openssl.implementation.version = "OpenSSL 3.0.11";
  openssl.cases = {make_case("start/pass", Verdict::Pass), make_case("start/fail", Verdict::Pass),
                   make_case("only/openssl", Verdict::Crash, "SIGABRT", {"REQ-NEW"})};
  openssl.requirements.push_back({"REQ-NEW", "de-facto", "ASYNC_cleanup_thread", "", "", ""});
  RunReport reference = testing::sample_report();
  reference.implementation.version = "";
  return {reference, openssl};
}

TEST(CompareReport, ColumnIsNameAndVersion) {
  const std::vector<RunReport> runs = two_runs();
  EXPECT_EQ(column_label(runs[0]), "reference");
  EXPECT_EQ(column_label(runs[1]), "openssl OpenSSL 3.0.11");
}

TEST(CompareMarkdown, CaseMatrixShowsDashWhereAReportLacksTheCase) {
  const std::string md = write_compare_markdown(two_runs());
  EXPECT_TRUE(contains(md, "| Case | Level | reference | openssl OpenSSL 3.0.11 |\n")) << md;
  EXPECT_TRUE(contains(md, "| start/fail | must | fail | pass |\n"));
  EXPECT_TRUE(contains(md, "| pause/crash | must | crash | \u2014 |\n"));
  EXPECT_TRUE(contains(md, "| only/openssl | must | \u2014 | crash |\n"));
}

TEST(CompareMarkdown, RequirementMatrixShowsWorstVerdictPerImplementation) {
  const std::string md = write_compare_markdown(two_runs());
  EXPECT_TRUE(contains(md, "| Requirement | Level | reference | openssl OpenSSL 3.0.11 |\n")) << md;
  EXPECT_TRUE(contains(md, "| REQ-A | must | fail | pass |\n"));
  EXPECT_TRUE(contains(md, "| REQ-B | de-facto | crash | \u2014 |\n"));
  EXPECT_TRUE(contains(md, "| REQ-NEW | de-facto | \u2014 | crash |\n"));
}

TEST(CompareMarkdown, RowsFollowFirstAppearance) {
  const std::string md = write_compare_markdown(two_runs());
  EXPECT_LT(md.find("| pool/fixed |"), md.find("| only/openssl |"));
  EXPECT_LT(md.find("| REQ-C |"), md.find("| REQ-NEW |"));
}

TEST(CompareHtml, CellsAreColouredAndMissingOnesShowADash) {
  const std::string html = write_compare_html(two_runs());
  EXPECT_TRUE(contains(html,
                       "<tr><td>only/openssl</td><td>must</td><td class=\"v-missing\">\u2014</td>"
                       "<td class=\"v-crash\">crash</td></tr>"))
      << html;
  EXPECT_TRUE(contains(html, "<th>openssl OpenSSL 3.0.11</th>"));
}

TEST(CompareHtml, IsSelfContainedAndEscaped) {
  std::vector<RunReport> runs = two_runs();
  runs[1].implementation.name = "<script>x</script>";
  runs[1].cases[0].id = "<img src=x>";
  const std::string html = write_compare_html(runs);
  EXPECT_FALSE(contains(html, "<script"));
  EXPECT_FALSE(contains(html, "<img"));
  EXPECT_FALSE(contains(html, "http"));
  EXPECT_TRUE(contains(html, "&lt;script&gt;x&lt;/script&gt;"));
}

}  // namespace
}  // namespace asyncconf::reports
