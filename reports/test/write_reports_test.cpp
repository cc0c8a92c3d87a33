#include "asyncconf/reports/write_reports.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "asyncconf/reports/json_report.hpp"
#include "sample_report.hpp"

namespace asyncconf::reports {
namespace {

namespace fs = std::filesystem;
using testing::contains;

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    names.push_back(entry.path().filename());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string error_of(const std::string& list) {
  try {
    parse_formats(list);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

class WriteReports : public ::testing::Test {
protected:
  void SetUp() override {
    char name[] = "/tmp/asyncconf-reports-XXXXXX";
    ASSERT_NE(::mkdtemp(name), nullptr);
    dir_ = name;
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST(ParseFormats, ReadsACommaList) {
  EXPECT_EQ(parse_formats("json,junit,md,html"), (Formats{true, true, true, true}));
  EXPECT_EQ(parse_formats("md"), (Formats{false, false, true, false}));
  EXPECT_EQ(parse_formats(" html , json "), (Formats{true, false, false, true}));
  EXPECT_EQ(parse_formats("junit,junit"), (Formats{false, true, false, false}));
}

TEST(ParseFormats, RejectsUnknownAndEmptyNames) {
  EXPECT_EQ(error_of("json,xml"),
            "unknown report format \"xml\" in \"json,xml\": expected a comma-separated list of "
            "json, junit, md, html");
  EXPECT_TRUE(contains(error_of("json,,md"), "empty report format in \"json,,md\""));
  EXPECT_TRUE(contains(error_of(""), "no report format given"));
  EXPECT_TRUE(contains(error_of("JSON"), "unknown report format \"JSON\""));
}

TEST_F(WriteReports, WritesEachChosenFormatAndNothingElse) {
  const fs::path out = dir_ / "nested" / "out";  // created with its parents
  const std::vector<fs::path> written = write_reports(testing::sample_report(), out);
  EXPECT_EQ(written, (std::vector<fs::path>{out / "report.json", out / "junit.xml",
                                            out / "report.md", out / "report.html"}));
  EXPECT_EQ(names_in(out),
            (std::vector<std::string>{"junit.xml", "report.html", "report.json", "report.md"}));
  EXPECT_EQ(read_json_report(out / "report.json"), testing::sample_report());
  EXPECT_TRUE(contains(read(out / "junit.xml"), "<testsuites"));
}

TEST_F(WriteReports, WritesOnlyTheChosenFormats) {
  const std::vector<fs::path> written =
      write_reports(testing::sample_report(), dir_, parse_formats("md,junit"));
  EXPECT_EQ(written, (std::vector<fs::path>{dir_ / "junit.xml", dir_ / "report.md"}));
  EXPECT_EQ(names_in(dir_), (std::vector<std::string>{"junit.xml", "report.md"}));
}

TEST_F(WriteReports, ReplacesAnExistingFileByRename) {
  const fs::path target = dir_ / "report.md";
  std::ofstream(target) << "old content that is longer than nothing";
  // A second name for the old file: an in-place rewrite would change what
  // it shows, a rename leaves it alone.
  fs::create_hard_link(target, dir_ / "old-link");
  write_reports(testing::sample_report(), dir_, parse_formats("md"));
  EXPECT_EQ(read(dir_ / "old-link"), "old content that is longer than nothing");
  EXPECT_EQ(read(target).rfind("# asyncconf report: reference\n", 0), 0u);
  EXPECT_EQ(names_in(dir_), (std::vector<std::string>{"old-link", "report.md"}));  // no temp files
}

TEST_F(WriteReports, FilesAreReadableByOthers) {
  write_reports(testing::sample_report(), dir_, parse_formats("json"));
  struct stat info {};
  ASSERT_EQ(::stat((dir_ / "report.json").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0644u);
}

TEST_F(WriteReports, FailureNamesThePathAndTheReason) {
  const fs::path blocker = dir_ / "file";
  std::ofstream(blocker) << "not a directory";
  try {
    write_reports(testing::sample_report(), blocker / "out");
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_TRUE(contains(e.what(), (blocker / "out").string())) << e.what();
    EXPECT_TRUE(contains(e.what(), "Not a directory")) << e.what();
  }
}

TEST_F(WriteReports, FailedRenameLeavesNoTempFile) {
  fs::create_directory(dir_ / "report.html");  // rename() cannot replace a directory by a file
  try {
    write_reports(testing::sample_report(), dir_, parse_formats("html"));
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_TRUE(
        contains(e.what(), "cannot write " + (dir_ / "report.html").string() + ": rename: "))
        << e.what();
  }
  EXPECT_EQ(names_in(dir_), (std::vector<std::string>{"report.html"}));
}

TEST_F(WriteReports, CompareWritesBothFiles) {
  const std::vector<fs::path> written =
      write_compare({testing::sample_report(), testing::sample_report()}, dir_);
  EXPECT_EQ(written, (std::vector<fs::path>{dir_ / "compare.md", dir_ / "compare.html"}));
  EXPECT_EQ(names_in(dir_), (std::vector<std::string>{"compare.html", "compare.md"}));
  EXPECT_TRUE(
      contains(read(dir_ / "compare.md"), "| reference asyncref 0.1 | reference asyncref 0.1 |"));
}

}  // namespace
}  // namespace asyncconf::reports
