// The suite's integrity (every case cites real requirements, every
// requirement is checked) and the runner's pieces, in-process.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <utility>

#include "asyncconf/conformance/catalogue.hpp"
#include "asyncconf/conformance/expectations.hpp"
#include "asyncconf/conformance/runner.hpp"

namespace asyncconf::conformance {
namespace {

using reports::Verdict;

TEST(SuiteTest, HasAtLeastAHundredCases) { EXPECT_GE(all_cases().size(), 100u); }

TEST(SuiteTest, CaseIdsAreUniqueAndWellFormed) {
  const std::regex form("[a-z][a-z0-9-]*/[a-z0-9][a-z0-9-]*");
  std::set<std::string> seen;
  for (const Case& c : all_cases()) {
    EXPECT_TRUE(std::regex_match(c.id, form)) << c.id;
    EXPECT_TRUE(seen.insert(c.id).second) << "duplicate " << c.id;
    EXPECT_FALSE(c.title.empty()) << c.id;
    EXPECT_NE(c.run, nullptr) << c.id;
  }
}

TEST(SuiteTest, EveryCaseCitesExistingRequirements) {
  for (const Case& c : all_cases()) {
    EXPECT_FALSE(c.requirements.empty()) << c.id;
    for (const std::string& id : c.requirements) {
      EXPECT_NE(find_requirement(id), nullptr) << c.id << " cites unknown " << id;
    }
  }
}

TEST(SuiteTest, EveryRequirementIsCheckedByACase) {
  std::set<std::string> cited;
  for (const Case& c : all_cases()) cited.insert(c.requirements.begin(), c.requirements.end());
  for (const reports::Requirement& r : requirements()) {
    EXPECT_EQ(cited.count(r.id), 1u) << r.id << " (" << r.level << ") has no case";
  }
}

TEST(SuiteTest, CasesNeedingMemFunctionsSayWhichCapability) {
  // A case citing a 3.2 requirement must declare it, or it would fail
  // (rather than be not applicable) on OpenSSL 3.0 and 1.1.
  for (const Case& c : all_cases()) {
    for (const std::string& id : c.requirements) {
      const reports::Requirement* r = find_requirement(id);
      if (r == nullptr || r->since != "3.2") continue;
      EXPECT_NE(std::find(c.needs.begin(), c.needs.end(), Capability::MemFunctions), c.needs.end())
          << c.id << " cites " << id;
    }
  }
}

TEST(RunnerTest, ExpectedFailureTurnsFailuresIntoExpectedFail) {
  const struct {
    Verdict observed;
    bool expected;
    Verdict result;
  } kTable[] = {
      {Verdict::Fail, true, Verdict::ExpectedFail},
      {Verdict::Crash, true, Verdict::ExpectedFail},
      {Verdict::Timeout, true, Verdict::ExpectedFail},
      {Verdict::Pass, true, Verdict::Pass},
      {Verdict::Error, true, Verdict::Error},
      {Verdict::NotApplicable, true, Verdict::NotApplicable},
      {Verdict::Fail, false, Verdict::Fail},
      {Verdict::Crash, false, Verdict::Crash},
  };
  for (const auto& row : kTable) {
    SCOPED_TRACE(std::string(reports::to_string(row.observed)) + (row.expected ? " expected" : ""));
    EXPECT_EQ(apply_expectation(row.observed, row.expected), row.result);
  }
}

TEST(RunnerTest, FilterIsAGlobOverIds) {
  const auto start = select_cases("start/*", Level::Robustness);
  ASSERT_FALSE(start.empty());
  for (const Case* c : start) EXPECT_EQ(c->area(), "start");
  EXPECT_TRUE(select_cases("no-such-area/*", Level::Robustness).empty());
  EXPECT_EQ(select_cases("", Level::Robustness).size(), all_cases().size());
}

TEST(RunnerTest, LevelLeavesOutLooserCases) {
  for (const Case* c : select_cases("", Level::Must)) EXPECT_EQ(case_level(*c), Level::Must) << c->id;
  for (const Case* c : select_cases("", Level::DeFacto)) {
    EXPECT_NE(case_level(*c), Level::Robustness) << c->id;
  }
}

class ExpectationsTest : public testing::Test {
protected:
  std::string write(const std::string& text) {
    const std::string path = testing::TempDir() + "/asyncconf-expect-" + std::to_string(n_++) + ".json";
    std::ofstream(path) << text;
    return path;
  }
  int n_ = 0;
};

TEST_F(ExpectationsTest, ReadsEntries) {
  const std::string id = all_cases().front().id;
  const Expectations e = load_expectations(write(
      R"({"implementation": "X 1.0", "match": {"version_prefix": "X 1."},
          "expected_failures": [{"case": ")" + id + R"(", "reason": "because"}]})"));
  EXPECT_EQ(e.implementation, "X 1.0");
  EXPECT_EQ(e.version_prefix, "X 1.");
  ASSERT_NE(e.find(id), nullptr);
  EXPECT_EQ(e.find(id)->reason, "because");
  EXPECT_EQ(e.find("other/case"), nullptr);
}

TEST_F(ExpectationsTest, RejectsWhatCannotBeTrusted) {
  const std::string id = all_cases().front().id;
  const struct {
    const char* why;
    std::string text;
    const char* message;
  } kBad[] = {
      {"not json", "{", "not valid JSON"},
      {"no implementation", R"({"expected_failures": []})", "implementation"},
      {"no list", R"({"implementation": "X"})", "expected_failures"},
      {"unknown case", R"({"implementation": "X", "expected_failures": [{"case": "no/such", "reason": "r"}]})",
       "no/such"},
      {"no reason", R"({"implementation": "X", "expected_failures": [{"case": ")" + id + R"("}]})",
       "reason"},
      {"twice", R"({"implementation": "X", "expected_failures": [{"case": ")" + id +
                    R"(", "reason": "r"}, {"case": ")" + id + R"(", "reason": "r"}]})",
       "twice"},
  };
  for (const auto& row : kBad) {
    SCOPED_TRACE(row.why);
    try {
      load_expectations(write(row.text));
      ADD_FAILURE() << "accepted";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(row.message), std::string::npos) << e.what();
    }
  }
}

TEST_F(ExpectationsTest, ShippedFilesAreValidAndMatchByVersion) {
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(shipped_expectations_dir())) {
    if (entry.path().extension() != ".json") continue;
    ++files;
    const Expectations e = load_expectations(entry.path().string());
    EXPECT_FALSE(e.version_prefix.empty()) << entry.path();
    for (const ExpectedFailure& f : e.failures) EXPECT_GE(f.reason.size(), 20u) << f.case_id;
  }
  EXPECT_GE(files, 1u);
  harness::Identity openssl30;
  openssl30.version = "OpenSSL 3.0.19 27 Jan 2026";
  EXPECT_NE(shipped_expectations_for(openssl30), "");
  // ci/openssl-versions.sh's matrix: each release picks its own file.
  const std::pair<std::string, std::string> releases[] = {
      {"OpenSSL 1.1.1w  11 Sep 2023", "openssl-1.1.1.json"},
      {"OpenSSL 3.0.20 7 Apr 2026", "openssl-3.0.json"},
      {"OpenSSL 3.5.7 9 Jun 2026", "openssl-3.5.json"}};
  for (const auto& [version, file] : releases) {
    harness::Identity identity;
    identity.version = version;
    EXPECT_EQ(std::filesystem::path(shipped_expectations_for(identity)).filename().string(), file)
        << version;
  }
  harness::Identity reference;
  EXPECT_EQ(shipped_expectations_for(reference), "");
}

}  // namespace
}  // namespace asyncconf::conformance
