#include "asyncconf/reports/markdown_report.hpp"

#include <gtest/gtest.h>

#include "sample_report.hpp"

namespace asyncconf::reports {
namespace {

using testing::contains;
using testing::count;

// The lines of `text` that start with `prefix`.
std::vector<std::string> lines_starting(const std::string& text, const std::string& prefix) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    const std::string line = text.substr(start, end - start);
    if (line.rfind(prefix, 0) == 0) out.push_back(line);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

// The cells of a table row, splitting at pipes not preceded by a backslash.
std::size_t unescaped_pipes(const std::string& row) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < row.size(); ++i) {
    if (row[i] == '\\') {
      ++i;
    } else if (row[i] == '|') {
      ++n;
    }
  }
  return n;
}

TEST(MarkdownReport, TitleNamesTheImplementation) {
  const std::string md = write_markdown(testing::sample_report());
  EXPECT_EQ(md.rfind("# asyncconf report: reference\n", 0), 0u) << md.substr(0, 80);
}

TEST(MarkdownReport, EscapesPipesAndNewlinesInCells) {
  RunReport report = testing::sample_report();
  report.implementation.path = "/lib/a|b\nc.so";
  report.requirements[0].function = "f|g";
  const std::string md = write_markdown(report);
  EXPECT_TRUE(contains(md, "| Path | /lib/a\\|b<br>c.so |\n")) << md;
  EXPECT_TRUE(contains(md, "| REQ-A | must | f\\|g | fail |"));
}

TEST(MarkdownReport, EveryTableRowHasItsColumns) {
  RunReport report = testing::sample_report();
  report.cases[0].id = "start/a|b";
  report.requirements[1].id = "REQ-|B";
  report.cases[2].requirements = {"REQ-|B"};
  const std::string md = write_markdown(report);
  // REQ-A, REQ-|B, REQ-C, and REQ-B that the other cases still cite.
  const std::vector<std::string> matrix = lines_starting(md, "| REQ-");
  ASSERT_EQ(matrix.size(), 4u) << md;
  EXPECT_EQ(matrix[1].rfind("| REQ-\\|B | de-facto |", 0), 0u) << matrix[1];
  for (const std::string& row : matrix) EXPECT_EQ(unescaped_pipes(row), 6u) << row;
}

TEST(MarkdownReport, SummaryCountsEachVerdict) {
  const std::string md = write_markdown(testing::sample_report());
  for (const char* row : {"| pass | 2 |", "| fail | 1 |", "| crash | 1 |", "| timeout | 1 |",
                          "| not-applicable | 1 |", "| expected-fail | 1 |", "| error | 1 |",
                          "| **total** | **8** |"}) {
    EXPECT_TRUE(contains(md, row)) << row;
  }
}

TEST(MarkdownReport, MatrixShowsWorstVerdictAndTheCases) {
  const std::string md = write_markdown(testing::sample_report());
  EXPECT_TRUE(
      contains(md,
               "| REQ-A | must | ASYNC_start_job | fail | start/pass (pass)<br>start/fail (fail)"
               "<br>pool/xfail (expected-fail)<br>pool/fixed (pass) |"))
      << md;
  EXPECT_TRUE(contains(md, "| REQ-C | robustness | ASYNC_WAIT_CTX_new | not run | (none) |"));
}

TEST(MarkdownReport, EveryNonPassCaseHasEvidence) {
  const RunReport report = testing::sample_report();
  const std::string md = write_markdown(report);
  for (const CaseResult& c : report.cases) {
    SCOPED_TRACE(c.id);
    const std::string heading = "### " + c.id + ": " + to_string(c.verdict) + "\n";
    if (c.verdict == Verdict::Pass) {
      EXPECT_FALSE(contains(md, "### " + c.id + ":"));
      continue;
    }
    const std::size_t at = md.find(heading);
    ASSERT_NE(at, std::string::npos);
    const std::size_t next = md.find("\n#", at + 1);
    const std::string section = md.substr(at, next - at);
    EXPECT_TRUE(contains(section, "```text\n" + c.evidence + "\n```\n")) << section;
  }
}

TEST(MarkdownReport, FenceIsLongerThanBackticksInEvidence) {
  RunReport report = testing::sample_report();
  report.cases[1].evidence = "before\n```\n# not a heading\n````";
  const std::string md = write_markdown(report);
  EXPECT_TRUE(contains(md, "`````text\nbefore\n```\n# not a heading\n````\n`````\n")) << md;
}

TEST(MarkdownReport, ListsExpectedFailuresWithReasons) {
  const std::string md = write_markdown(testing::sample_report());
  EXPECT_TRUE(
      contains(md, "| pool/xfail | fail | expected-fail | pool size off by one (issue 12) |"));
  EXPECT_TRUE(contains(md,
                       "| pool/fixed | pass | passed: remove it from the expectations file | "
                       "was broken before 3.0 |"));
}

TEST(MarkdownReport, SaysWhenTheRunWasInterrupted) {
  RunReport report = testing::sample_report();
  EXPECT_FALSE(contains(write_markdown(report), "Interrupted run"));
  report.complete = false;
  EXPECT_TRUE(contains(write_markdown(report), "Interrupted run"));
}

TEST(MarkdownReport, StripsControlCharacters) {
  RunReport report = testing::sample_report();
  report.cases[1].evidence = "\x1b[31mred\x1b[0m";
  const std::string md = write_markdown(report);
  EXPECT_FALSE(contains(md, "\x1b"));
  EXPECT_TRUE(contains(md, "[31mred[0m"));
  EXPECT_EQ(count(md, "```text\n"), 6u);
}

}  // namespace
}  // namespace asyncconf::reports
