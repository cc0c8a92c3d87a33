#include "asyncconf/reports/json_report.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <stdexcept>

#include "sample_report.hpp"

namespace asyncconf::reports {
namespace {

using nlohmann::json;
using testing::contains;

// The message of the runtime_error that reading `document` throws, or ""
// when it does not throw.
std::string rejection(const json& document) {
  try {
    run_report_from_json(document, "a.json");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(JsonReport, RoundTripKeepsEveryField) {
  RunReport report = testing::sample_report();
  report.complete = false;
  report.implementation.missing_optional = {"ASYNC_set_mem_functions"};
  report.cases[0].duration_ms = 0.1 + 0.2;  // not exactly representable in decimal
  report.cases[1].evidence = "tab\there \"quoted\" \\ back\nslash, unicode \u00e9\u2014";
  const RunReport back = run_report_from_json(json::parse(write_json(report)));
  EXPECT_EQ(back.implementation, report.implementation);
  EXPECT_EQ(back.requirements, report.requirements);
  EXPECT_EQ(back.cases, report.cases);
  EXPECT_EQ(back, report);
}

TEST(JsonReport, SummaryHoldsIntegerCounts) {
  const json document = to_json(testing::sample_report());
  const json& summary = document.at("summary");
  for (const char* key : {"total", "pass", "fail", "crash", "timeout", "not_applicable",
                          "expected_fail", "error", "unexpected_pass"}) {
    SCOPED_TRACE(key);
    ASSERT_TRUE(summary.contains(key));
    EXPECT_TRUE(summary.at(key).is_number_integer());
  }
  EXPECT_EQ(summary.at("total"), 8);
  EXPECT_EQ(summary.at("pass"), 2);
  EXPECT_EQ(summary.at("unexpected_pass"), 1);
  EXPECT_EQ(document.at("schema_version"), kSchemaVersion);
}

TEST(JsonReport, ExpectedFailureIsStringOrNull) {
  const json document = to_json(testing::sample_report());
  EXPECT_TRUE(document.at("cases").at(0).at("expected_failure").is_null());
  EXPECT_EQ(document.at("cases").at(5).at("expected_failure"), "pool size off by one (issue 12)");
}

TEST(JsonReport, WriteIsPrettyWithTwoSpaces) {
  const std::string text = write_json(testing::sample_report());
  EXPECT_EQ(
      text.rfind("{\n  \"schema_version\": 1,\n  \"tool\": {\n    \"name\": \"asyncconf\",", 0), 0u)
      << text.substr(0, 100);
  EXPECT_TRUE(contains(text, "\n  \"cases\": [\n    {\n      \"id\": "));
  EXPECT_EQ(text.back(), '\n');
}

TEST(JsonReport, InvalidUtf8EvidenceIsWrittenWithReplacementCharacters) {
  RunReport report = testing::sample_report();
  report.cases[1].evidence = "raw \xff\xfe stderr";
  const RunReport back = run_report_from_json(json::parse(write_json(report)));
  EXPECT_EQ(back.cases[1].evidence, "raw \xEF\xBF\xBD\xEF\xBF\xBD stderr");
}

TEST(JsonReport, RejectsUnknownSchemaVersion) {
  json document = to_json(testing::sample_report());
  document["schema_version"] = kSchemaVersion + 1;
  const std::string message = rejection(document);
  EXPECT_TRUE(contains(message, "a.json: schema_version")) << message;
  EXPECT_TRUE(contains(message, "not supported")) << message;
}

TEST(JsonReport, ChecksSchemaVersionBeforeOtherFields) {
  const std::string message = rejection({{"schema_version", 99}, {"something", "else"}});
  EXPECT_TRUE(contains(message, "schema_version")) << message;
}

TEST(JsonReport, RejectionNamesTheField) {
  const json good = to_json(testing::sample_report());
  const struct {
    const char* pointer;
    json value;
    const char* field;  // as the message must name it
    const char* says;
  } kTests[] = {
      {"/schema_version", "1", "schema_version", "expected an integer, got string"},
      {"/implementation/sha256", 42, "implementation.sha256", "expected a string, got number"},
      {"/run/timeout_ms", 1.5, "run.timeout_ms", "expected an integer"},
      {"/run/jobs", 1LL << 40, "run.jobs", "out of range"},
      {"/run/complete", "yes", "run.complete", "expected true or false"},
      {"/cases/2/verdict", "passed", "cases[2].verdict", "unknown verdict \"passed\""},
      {"/cases/3/requirements/0", 7, "cases[3].requirements[0]", "expected a string"},
      {"/cases/1", "not an object", "cases[1]", "expected an object, got string"},
      {"/cases/0/expected_failure", false, "cases[0].expected_failure", "expected a string"},
      {"/requirements", json::object(), "requirements", "expected an array"},
      {"/summary/fail", 5, "summary.fail", "is 5 but the cases give 1"},
      {"/summary/total", 8.0, "summary.total", "expected an integer"},
      {"/tool/name", "other-tool", "tool.name", "is not \"asyncconf\""},
  };
  for (const auto& test : kTests) {
    SCOPED_TRACE(test.pointer);
    json bad = good;
    bad[json::json_pointer(test.pointer)] = test.value;
    const std::string message = rejection(bad);
    EXPECT_TRUE(contains(message, std::string("a.json: ") + test.field + ": ")) << message;
    EXPECT_TRUE(contains(message, test.says)) << message;
  }
}

TEST(JsonReport, RejectsMissingField) {
  json bad = to_json(testing::sample_report());
  bad["cases"][4].erase("observed");
  EXPECT_EQ(rejection(bad), "a.json: cases[4].observed: missing");
}

TEST(JsonReport, RejectsNonObjectDocument) {
  EXPECT_EQ(rejection(json::array()), "a.json: top level: expected an object, got array");
}

TEST(JsonReport, IgnoresUnknownFields) {
  json document = to_json(testing::sample_report());
  document["added_later"] = {1, 2};
  document["cases"][0]["also_new"] = "x";
  EXPECT_EQ(run_report_from_json(document), testing::sample_report());
}

class JsonReportFile : public ::testing::Test {
protected:
  void SetUp() override {
    char name[] = "/tmp/asyncconf-json-XXXXXX";
    const int fd = ::mkstemp(name);
    ASSERT_GE(fd, 0);
    ::close(fd);
    path_ = name;
  }
  void TearDown() override { std::remove(path_.c_str()); }
  void write(const std::string& text) { std::ofstream(path_, std::ios::binary) << text; }
  std::string path_;
};

TEST_F(JsonReportFile, ReadsWhatWriteJsonWrote) {
  write(write_json(testing::sample_report()));
  EXPECT_EQ(read_json_report(path_), testing::sample_report());
}

TEST_F(JsonReportFile, RejectsTextThatIsNotJsonNamingTheFile) {
  write("{\"schema_version\": 1,");
  try {
    read_json_report(path_);
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_TRUE(contains(e.what(), path_ + ": not valid JSON")) << e.what();
  }
}

TEST_F(JsonReportFile, RejectionOfContentNamesTheFile) {
  write("{\"schema_version\": 2}");
  try {
    read_json_report(path_);
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_TRUE(contains(e.what(), path_ + ": schema_version: ")) << e.what();
  }
}

TEST(JsonReportRead, MissingFileNamesPathAndReason) {
  try {
    read_json_report("/nonexistent/report.json");
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()),
              "/nonexistent/report.json: cannot open: No such file or directory");
  }
}

}  // namespace
}  // namespace asyncconf::reports
