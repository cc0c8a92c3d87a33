// The asyncconf command line, run as a user would: exit codes, messages,
// report files, crashes and hangs of the implementation, interruption.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli_fixture.hpp"

namespace {

namespace fs = std::filesystem;
using namespace asyncconf::cli::testing;

class CliTest : public CliFixture {
protected:
  CliTest() : CliFixture("asyncconf-cli") {}

  nlohmann::json report_json() { return nlohmann::json::parse(read_file(dir_ / "r" / "report.json")); }
};

TEST_F(CliTest, HelpExitsZeroAndListsSubcommands) {
  const Result r = run({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* sub : {"run", "list", "report"}) EXPECT_NE(r.out.find(sub), std::string::npos) << sub;
}

TEST_F(CliTest, EverySubcommandHasHelp) {
  for (const char* sub : {"run", "list", "report"}) {
    const Result r = run({sub, "--help"});
    EXPECT_EQ(r.exit_code, 0) << sub;
    EXPECT_NE(r.out.find("--"), std::string::npos) << sub;
  }
}

TEST_F(CliTest, NoSubcommandIsAUsageError) { EXPECT_EQ(run({}).exit_code, 2); }

TEST_F(CliTest, RunWithoutImplIsAUsageError) {
  const Result r = run({"run"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--impl"), std::string::npos) << r.err;
}

TEST_F(CliTest, MissingLibraryIsExit2NamingThePath) {
  const Result r = run({"run", "--impl", "/nonexistent/libnothing.so"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("/nonexistent/libnothing.so"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
}

TEST_F(CliTest, LibraryWithoutTheAbiIsExit2NamingTheMissingSymbols) {
  const Result r = run({"run", "--impl", ASYNCCONF_TEST_NOT_ASYNC});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("ASYNC_start_job"), std::string::npos) << r.err;
}

TEST_F(CliTest, NonLibraryFileIsExit2) {
  std::ofstream(dir_ / "text.so") << "not an ELF file\n";
  const Result r = run({"run", "--impl", (dir_ / "text.so").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("text.so"), std::string::npos) << r.err;
}

TEST_F(CliTest, BadOptionValuesAreExit2) {
  const std::vector<std::vector<std::string>> bad = {
      {"run", "--impl", "reference", "--level", "sometimes"},
      {"run", "--impl", "reference", "--format", "json,pdf"},
      {"run", "--impl", "reference", "--filter", "no-such-area/*"},
      {"run", "--impl", "reference", "--timeout-ms", "0"},
      {"run", "--impl", "reference", "--expect", "/nonexistent/expectations.json"},
      {"report", "--compare", "/nonexistent/report.json"},
  };
  for (const auto& args : bad) {
    const Result r = run(args);
    EXPECT_EQ(r.exit_code, 2) << args.back() << ": " << r.err;
    EXPECT_FALSE(r.err.empty()) << args.back();
  }
}

TEST_F(CliTest, MalformedExpectationsFileIsExit2) {
  std::ofstream(dir_ / "bad.json") << "{\"implementation\": \"x\", \"expected_failures\": [{\"case\": "
                                      "\"no-such/case\", \"reason\": \"r\"}]}";
  const Result r = run({"run", "--impl", "reference", "--expect", (dir_ / "bad.json").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no-such/case"), std::string::npos) << r.err;
}

TEST_F(CliTest, ReferencePassesAndWritesAllFourReports) {
  const Result r = run({"run", "--impl", "reference", "--report-dir", (dir_ / "r").string()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* file : {"report.json", "junit.xml", "report.md", "report.html"}) {
    EXPECT_TRUE(fs::exists(dir_ / "r" / file)) << file;
  }
  const nlohmann::json report = report_json();
  const auto& s = report.at("summary");
  EXPECT_GT(s.at("total").get<int>(), 0);
  EXPECT_EQ(s.at("pass").get<int>() + s.at("not_applicable").get<int>(), s.at("total").get<int>());
  EXPECT_EQ(report.at("cases").size(), s.at("total").get<std::size_t>());
  EXPECT_EQ(report.at("run").at("complete"), true);
}

TEST_F(CliTest, FormatChoosesTheFiles) {
  const Result r = run({"run", "--impl", "reference", "--filter", "start/*", "--format", "junit",
                        "--report-dir", (dir_ / "r").string(), "--quiet"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(fs::exists(dir_ / "r" / "junit.xml"));
  EXPECT_FALSE(fs::exists(dir_ / "r" / "report.json"));
  EXPECT_TRUE(r.err.empty()) << "--quiet printed: " << r.err;
}

TEST_F(CliTest, HangingImplementationTimesOutAndFailsTheRun) {
  const Result r = run({"run", "--impl", ASYNCCONF_TEST_HANG_IMPL, "--filter", "start/*",
                        "--timeout-ms", "200", "--report-dir", (dir_ / "r").string()});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const nlohmann::json report = report_json();
  // Every case that ran hung (start/job-keeps-own-default-libctx is not
  // applicable: no OSSL_LIB_CTX in this implementation).
  const auto& summary = report.at("summary");
  EXPECT_GT(summary.at("timeout").get<int>(), 0);
  EXPECT_EQ(summary.at("timeout").get<int>() + summary.at("not_applicable").get<int>(),
            summary.at("total").get<int>());
  EXPECT_NE(report.at("cases").at(0).at("evidence").get<std::string>().find("200 ms"),
            std::string::npos);
}

TEST_F(CliTest, CrashingImplementationIsReportedWithTheSignal) {
  const Result r = run({"run", "--impl", ASYNCCONF_TEST_CRASH_IMPL, "--filter", "start/*",
                        "--report-dir", (dir_ / "r").string()});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const nlohmann::json report = report_json();
  // Every case that ran crashed (see HangingImplementationTimesOutAndFailsTheRun).
  const auto& summary = report.at("summary");
  EXPECT_GT(summary.at("crash").get<int>(), 0);
  EXPECT_EQ(summary.at("crash").get<int>() + summary.at("not_applicable").get<int>(),
            summary.at("total").get<int>());
  // "killed by SIGSEGV", or ASan's "SEGV on unknown address" report.
  EXPECT_NE(report.at("cases").at(0).at("evidence").get<std::string>().find("SEGV"),
            std::string::npos);
}

TEST_F(CliTest, OpenSsl11LevelLibraryGetsNotApplicableForLaterFunctions) {
  // The misbehaving library exports only the OpenSSL 1.1.0 functions: the
  // callback/status (3.0) and mem-function (3.2) cases cannot run, and say why.
  for (const char* area : {"callback/*", "status/*", "mem/*"}) {
    SCOPED_TRACE(area);
    const Result r = run({"run", "--impl", ASYNCCONF_TEST_HANG_IMPL, "--filter", area, "--format",
                          "json", "--report-dir", (dir_ / "r").string(), "--quiet"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;  // nothing ran that could fail
    const nlohmann::json report = report_json();
    EXPECT_EQ(report.at("implementation").at("abi_level"), "1.1");
    ASSERT_FALSE(report.at("cases").empty());
    for (const auto& c : report.at("cases")) {
      EXPECT_EQ(c.at("verdict"), "not-applicable") << c.at("id");
      EXPECT_NE(c.at("evidence").get<std::string>().find("lacks"), std::string::npos) << c.at("id");
    }
  }
}

TEST_F(CliTest, InterruptWritesAnIncompleteReport) {
  const pid_t pid = spawn({"run", "--impl", ASYNCCONF_TEST_HANG_IMPL, "--timeout-ms", "60000",
                           "--report-dir", (dir_ / "r").string()});
  // Wait until it runs cases (its signal handlers are in place by then).
  const fs::path children = "/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children";
  for (int i = 0; i < 3000 && read_file(children).empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_FALSE(read_file(children).empty()) << "asyncconf never started a case";
  ::kill(pid, SIGINT);
  const Result r = wait_for(pid);
  EXPECT_EQ(r.exit_code, 130) << r.out << r.err;
  EXPECT_NE(r.out.find("INCOMPLETE"), std::string::npos) << r.out;
  EXPECT_EQ(report_json().at("run").at("complete"), false);
}

TEST_F(CliTest, ListShowsEveryCaseAndRequirement) {
  const Result r = run({"list", "--json"});
  ASSERT_EQ(r.exit_code, 0);
  const nlohmann::json doc = nlohmann::json::parse(r.out);
  EXPECT_GE(doc.at("cases").size(), 1u);
  EXPECT_GE(doc.at("requirements").size(), 1u);
  const Result text = run({"list"});
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_NE(text.out.find(doc.at("cases").at(0).at("id").get<std::string>()), std::string::npos);
}

TEST_F(CliTest, CompareMakesOneMatrixOfTwoRuns) {
  ASSERT_EQ(run({"run", "--impl", "reference", "--filter", "start/*", "--format", "json",
                 "--report-dir", (dir_ / "a").string(), "--quiet"})
                .exit_code,
            0);
  ASSERT_EQ(run({"run", "--impl", "openssl", "--filter", "start/*", "--format", "json",
                 "--report-dir", (dir_ / "b").string(), "--quiet"})
                .exit_code,
            0);
  const Result r = run({"report", "--compare", (dir_ / "a" / "report.json").string(),
                        (dir_ / "b" / "report.json").string(), "--report-dir",
                        (dir_ / "c").string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const std::string md = read_file(dir_ / "c" / "compare.md");
  EXPECT_NE(md.find("reference"), std::string::npos);
  EXPECT_NE(md.find("openssl"), std::string::npos);
  EXPECT_TRUE(fs::exists(dir_ / "c" / "compare.html"));
}

TEST_F(CliTest, CompareRejectsAMalformedReport) {
  std::ofstream(dir_ / "bad.json") << "{\"schema_version\": 99}";
  const Result r = run({"report", "--compare", (dir_ / "bad.json").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.json"), std::string::npos) << r.err;
}

}  // namespace
