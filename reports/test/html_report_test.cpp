#include "asyncconf/reports/html_report.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>

#include "sample_report.hpp"

namespace asyncconf::reports {
namespace {

using testing::contains;
using testing::count;

RunReport hostile_report() {
  RunReport report = testing::sample_report();
  report.implementation.name = "<script>alert(1)</script>";
  report.cases[1].evidence =
      "<script src=\"http://evil.example/x.js\"></script><img src=x onerror=alert(1)>";
  report.cases[2].title = "<SCRIPT>bad()</SCRIPT>";
  report.cases[3].id = "pause/\"><script>";
  report.requirements[0].text = "<style>@import url(http://evil.example/a.css)</style>";
  report.cases[5].expected_failure = "<a href=\"http://evil.example\">reason</a>";
  return report;
}

// Every value of `attribute="..."` in `html`.
std::vector<std::string> attribute_values(const std::string& html, const std::string& attribute) {
  std::vector<std::string> values;
  const std::string key = " " + attribute + "=\"";
  for (std::size_t at = html.find(key); at != std::string::npos; at = html.find(key, at + 1)) {
    const std::size_t start = at + key.size();
    values.push_back(html.substr(start, html.find('"', start) - start));
  }
  return values;
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

TEST(HtmlReport, NoScriptFromInputSurvives) {
  const std::string html = lower(write_html(hostile_report()));
  EXPECT_FALSE(contains(html, "<script")) << html;
  EXPECT_FALSE(contains(html, "<img"));
  EXPECT_FALSE(contains(html, "<a href=\"http"));
  EXPECT_TRUE(contains(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
}

TEST(HtmlReport, NoExternalReferences) {
  EXPECT_FALSE(contains(write_html(testing::sample_report()), "http"));
  const std::string html = write_html(hostile_report());
  EXPECT_TRUE(attribute_values(html, "src").empty());
  for (const std::string& href : attribute_values(html, "href")) {
    EXPECT_EQ(href.rfind("#", 0), 0u) << href;
  }
  ASSERT_EQ(count(html, "<style>"), 1u);
  const std::size_t style = html.find("<style>");
  const std::string css = lower(html.substr(style, html.find("</style>") - style));
  EXPECT_FALSE(contains(css, "url(")) << css;
  EXPECT_FALSE(contains(css, "@import")) << css;
  EXPECT_FALSE(contains(html, "<link"));
}

TEST(HtmlReport, EveryNonPassCaseHasAnAnchoredSectionTheMatrixLinksTo) {
  const RunReport report = testing::sample_report();
  const std::string html = write_html(report);
  for (const CaseResult& c : report.cases) {
    SCOPED_TRACE(c.id);
    const std::string anchor = case_anchor(c.id);
    const bool has_details = c.verdict != Verdict::Pass;
    EXPECT_EQ(count(html, "id=\"" + anchor + "\""), has_details ? 1u : 0u);
    EXPECT_EQ(contains(html, "href=\"#" + anchor + "\""), has_details);
    if (has_details) {
      const std::size_t at = html.find("id=\"" + anchor + "\"");
      const std::string section = html.substr(at, html.find("</section>", at) - at);
      EXPECT_TRUE(contains(section, "<pre>" + c.evidence + "</pre>")) << section;
    }
  }
}

TEST(HtmlReport, AnchorsOfDistinctIdsDiffer) {
  EXPECT_EQ(case_anchor("pool/max-size.1"), "case-pool/max-size.1");
  EXPECT_EQ(case_anchor("a b\"<"), "case-a_20b_22_3C");
  EXPECT_NE(case_anchor("a_20"), case_anchor("a "));
}

TEST(HtmlReport, EveryHrefPointsAtAnAnchorInThePage) {
  const std::string html = write_html(hostile_report());
  const std::vector<std::string> ids = attribute_values(html, "id");
  for (const std::string& href : attribute_values(html, "href")) {
    EXPECT_NE(std::find(ids.begin(), ids.end(), href.substr(1)), ids.end()) << href;
  }
}

TEST(HtmlReport, ColoursVerdicts) {
  const std::string html = write_html(testing::sample_report());
  for (const Verdict verdict : {Verdict::Pass, Verdict::Fail, Verdict::Crash, Verdict::Timeout,
                                Verdict::NotApplicable, Verdict::ExpectedFail, Verdict::Error}) {
    const std::string cls = std::string(".v-") + to_string(verdict) + " {";
    EXPECT_TRUE(contains(html, cls)) << cls;
  }
  EXPECT_TRUE(contains(html, "<td class=\"v-fail\">fail</td>"));  // REQ-A in the matrix
}

TEST(HtmlReport, RequirementTextIsTheTooltipOfItsId) {
  RunReport report = testing::sample_report();
  report.requirements[0].text = "A \"job\" <starts>.";
  EXPECT_TRUE(
      contains(write_html(report), "<td title=\"A &quot;job&quot; &lt;starts&gt;.\">REQ-A</td>"));
}

TEST(HtmlReport, ListsExpectedFailuresWithReasons) {
  const std::string html = write_html(testing::sample_report());
  EXPECT_TRUE(contains(html, "<td>pool size off by one (issue 12)</td>"));
  EXPECT_TRUE(contains(html, "passed: remove it from the expectations file"));
}

}  // namespace
}  // namespace asyncconf::reports
