// asyncconf explore, replay and diff, run as a user would: exit codes,
// what they print, the files they write, interruption.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>
#include <tuple>

#include "cli_fixture.hpp"

namespace {

namespace fs = std::filesystem;
using namespace asyncconf::cli::testing;

class ExploreCliTest : public CliFixture {
protected:
  ExploreCliTest() : CliFixture("asyncconf-explore-cli") {}

  fs::path write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return dir_ / name;
  }
};

TEST_F(ExploreCliTest, NewSubcommandsHaveHelp) {
  const Result top = run({"--help"});
  EXPECT_EQ(top.exit_code, 0);
  for (const char* sub : {"explore", "replay", "diff"}) {
    EXPECT_TRUE(contains(top.out, sub)) << sub;
    const Result r = run({sub, "--help"});
    EXPECT_EQ(r.exit_code, 0) << sub;
    EXPECT_TRUE(contains(r.out, "--impl")) << sub << ": " << r.out;
    EXPECT_TRUE(contains(r.out, "Exit codes")) << sub << ": " << r.out;
  }
}

TEST_F(ExploreCliTest, ExploreReferenceFindsNothingAndPrintsTheSeed) {
  const Result r = run({"explore", "--impl", "reference", "--sequences", "300", "--seed", "1", "--out",
                        (dir_ / "x").string()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "seed 1")) << r.out;
  EXPECT_TRUE(contains(r.out, "300 sequences")) << r.out;
  EXPECT_TRUE(contains(r.out, "repeat with: asyncconf explore --impl reference --seed 1 --sequences 300"))
      << r.out;
  const nlohmann::json report = nlohmann::json::parse(read_file(dir_ / "x" / "report.json"));
  ASSERT_EQ(report.at("cases").size(), 1u);
  EXPECT_EQ(report.at("cases").at(0).at("id"), "explore/must");
  EXPECT_EQ(report.at("cases").at(0).at("verdict"), "pass");
  EXPECT_TRUE(contains(report.at("cases").at(0).at("evidence").get<std::string>(), "300 sequences"));
  for (const char* file : {"junit.xml", "report.md", "report.html"}) {
    EXPECT_TRUE(fs::exists(dir_ / "x" / file)) << file;
  }
}

TEST_F(ExploreCliTest, ExploreWithoutSeedPrintsTheClockSeed) {
  const Result r = run({"explore", "--impl", "reference", "--sequences", "5", "--format", "json", "--out",
                        (dir_ / "x").string(), "--quiet"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "(from the clock)")) << r.out;
  EXPECT_TRUE(contains(r.out, "repeat with: asyncconf explore --impl reference --seed ")) << r.out;
  EXPECT_TRUE(r.err.empty()) << "--quiet printed: " << r.err;
}

TEST_F(ExploreCliTest, ExploreUsageErrorsAreExit2) {
  const std::string out = (dir_ / "x").string();
  const std::vector<std::vector<std::string>> bad = {
      {"explore", "--impl", "reference", "--no-such-flag"},
      {"explore", "--impl", "reference", "--sequences", "10", "--time", "1"},
      {"explore", "--impl", "reference", "--misuse", "stale-handle"},
      {"explore", "--impl", "reference", "--level", "de-facto", "--misuse", "stale-handle"},
      {"explore", "--impl", "reference", "--level", "robustness", "--misuse", "stale-handle,bogus"},
      {"explore", "--impl", "reference", "--threads", "5"},
      {"explore", "--impl", "reference", "--sequences", "0"},
      {"explore", "--impl", "reference", "--seed", "-3"},
      {"explore", "--impl", "reference", "--level", "sometimes"},
      {"explore", "--impl", "reference", "--format", "pdf"},
      {"explore", "--impl", "/nonexistent/libnothing.so"},
      {"explore", "--sequences", "10"},
      {"explore", "--impl", "reference", "--device-faults", "ring_full=0.1"},
      {"explore", "--impl", "reference", "--device-faults", "lost=often"},
  };
  for (const auto& args : bad) {
    std::vector<std::string> with_out = args;
    with_out.insert(with_out.end(), {"--out", out});
    const Result r = run(with_out);
    EXPECT_EQ(r.exit_code, 2) << args.back() << ": " << r.out << r.err;
    EXPECT_FALSE(r.err.empty()) << args.back();
  }
  EXPECT_TRUE(contains(run({"explore", "--impl", "reference", "--sequences", "1", "--time", "1"}).err,
                       "cannot be used together"));
  EXPECT_TRUE(contains(run({"explore", "--impl", "reference", "--misuse", "init-twice"}).err, "robustness"));
  EXPECT_TRUE(contains(run({"explore", "--impl", "reference", "--device-faults", "fd_fail=first:1"}).err,
                       "--device-faults: the harness's device cannot have fd_fail"));
  EXPECT_FALSE(fs::exists(out)) << "a usage error wrote files";
}

TEST_F(ExploreCliTest, ExploreMisuseAtRobustnessRuns) {
  const Result r = run({"explore", "--impl", "reference", "--level", "robustness", "--misuse",
                        "stale-handle,nested-start", "--sequences", "100", "--seed", "4", "--threads", "2",
                        "--format", "json", "--out", (dir_ / "x").string()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "misuse: nested-start, stale-handle")) << r.out;
  EXPECT_TRUE(contains(r.out, "--misuse stale-handle,nested-start")) << "repeat line: " << r.out;
}

TEST_F(ExploreCliTest, ExploreInterruptedExits130AndReportsWhatRan) {
  const pid_t pid = spawn({"explore", "--impl", "reference", "--time", "60", "--seed", "2", "--format", "json",
                           "--out", (dir_ / "x").string()});
  // Wait until it explores (its signal handlers are in place by then).
  const fs::path children = "/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children";
  for (int i = 0; i < 3000 && read_file(children).empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_FALSE(read_file(children).empty()) << "asyncconf never started a child";
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // let some sequences run
  ::kill(pid, SIGINT);
  const Result r = wait_for(pid);
  EXPECT_EQ(r.exit_code, 130) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "INTERRUPTED")) << r.out;
  EXPECT_TRUE(contains(r.out, "repeat these sequences with:")) << r.out;
  const nlohmann::json report = nlohmann::json::parse(read_file(dir_ / "x" / "report.json"));
  EXPECT_EQ(report.at("run").at("complete"), false);
}

// Every thread count against both libraries: with four threads a batch
// thread and four plan threads outnumbered glibc's cache of thread stacks,
// and explore reported violations that did not come back alone (issue 8).
class ExploreThreadsCliTest : public ExploreCliTest,
                              public ::testing::WithParamInterface<std::tuple<const char*, int>> {};

TEST_P(ExploreThreadsCliTest, FindsNothing) {
  const auto [impl, threads] = GetParam();
  const Result r = run({"explore", "--impl", impl, "--threads", std::to_string(threads), "--seed", "2",
                        "--sequences", "500", "--level", "must", "--quiet", "--format", "json", "--out",
                        (dir_ / "x").string()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "explored 500 sequences")) << r.out;
  EXPECT_TRUE(contains(r.out, "no violation, crash or hang found")) << r.out;
  EXPECT_TRUE(contains(r.out, " 0 unattributed leak(s)")) << r.out;
}

INSTANTIATE_TEST_SUITE_P(Impls, ExploreThreadsCliTest,
                         ::testing::Combine(::testing::Values("reference", "openssl"), ::testing::Range(1, 5)),
                         [](const auto& info) {
                           return std::string(std::get<0>(info.param)) + "_threads" +
                                  std::to_string(std::get<1>(info.param));
                         });

// A violation that only a long-lived child shows (worn_out_impl.c: its
// WAIT_CTX_new fails after 100 ctxs in the process) is not reproduced
// alone; what the long-lived child saw is all the evidence there is, so it
// must be printed and saved: the requirement, expected and observed.
TEST_F(ExploreCliTest, AViolationNotReproducedAloneStillSaysWhatWasBroken) {
  const fs::path out = dir_ / "x";
  const Result r = run({"explore", "--impl", ASYNCCONF_TEST_WORN_OUT_IMPL, "--seed", "1", "--sequences", "300",
                        "--quiet", "--out", out.string()});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "FOUND a violation of WAITCTX-NEW-RETURN-VALUE (must) in sequence #")) << r.out;
  EXPECT_TRUE(contains(r.out, "not reproduced alone")) << r.out;
  EXPECT_TRUE(contains(r.out, "reproduced alone: no (run alone it gave: pass)")) << r.out;
  EXPECT_TRUE(contains(r.out, "expected wctx_new (returns 1)")) << r.out;
  EXPECT_TRUE(contains(r.out, "observed wctx_new (returns 0)")) << r.out;
  EXPECT_TRUE(contains(r.out, "requirement WAITCTX-NEW-RETURN-VALUE (must)")) << r.out;

  const fs::path seq = out / "libworn_out_impl-violation-waitctx-new-return-value.seq";
  ASSERT_TRUE(fs::exists(seq)) << r.out;
  const std::string text = read_file(seq);
  EXPECT_TRUE(contains(text, "# kind: violation (not reproduced alone)")) << text;
  EXPECT_TRUE(contains(text, "# requirement: WAITCTX-NEW-RETURN-VALUE (must)")) << text;
  EXPECT_TRUE(contains(text, "#   expected wctx_new (returns 1)")) << text;
  EXPECT_TRUE(contains(text, "#   observed wctx_new (returns 0)")) << text;

  const nlohmann::json report = nlohmann::json::parse(read_file(out / "report.json"));
  ASSERT_EQ(report.at("cases").size(), 1u);
  const nlohmann::json& c = report.at("cases").at(0);
  EXPECT_EQ(c.at("id"), "explore/violation/WAITCTX-NEW-RETURN-VALUE");
  EXPECT_EQ(c.at("verdict"), "fail");
  EXPECT_EQ(c.at("requirements"), nlohmann::json::array({"WAITCTX-NEW-RETURN-VALUE"}));
  const std::string evidence = c.at("evidence").get<std::string>();
  EXPECT_TRUE(contains(evidence, "expected wctx_new (returns 1)")) << evidence;
  EXPECT_TRUE(contains(evidence, "observed wctx_new (returns 0)")) << evidence;

  // The saved file is a sequence that passes when replayed alone, as the
  // finding says.
  EXPECT_EQ(run({"replay", seq.string(), "--impl", ASYNCCONF_TEST_WORN_OUT_IMPL, "--level", "must"}).exit_code, 0);
}

// The device's ops run from a file, with faults; a bad fault rule is a usage error.
TEST_F(ExploreCliTest, ReplayOffloadsWithDeviceFaults) {
  const fs::path seq = write("offload.seq",
                             "wctx_new w0\n"
                             "start j0 w0 { offload; offload; return 7 }\n"
                             "await j0 select\n"
                             "await j0 epoll\n");
  Result r = run({"replay", seq.string(), "--impl", "reference", "--device-faults", "spurious=1,error=every:2",
                  "--device-seed", "3"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "offload (done or failed visibly 1)")) << r.out;
  EXPECT_TRUE(contains(r.out, "PASS")) << r.out;
  r = run({"replay", seq.string(), "--impl", "reference", "--device-faults", "slow_poll=1"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, "slow_poll")) << r.err;
}

TEST_F(ExploreCliTest, ReplayOfAPassingFilePrintsTheTrace) {
  const fs::path seq = write("ok.seq",
                             "# a job that pauses once, then returns 7\n"
                             "wctx_new w0\n"
                             "start j0 w0 { pause; return 7 }\n"
                             "resume j0\n"
                             "wctx_free w0\n");
  const Result r = run({"replay", seq.string(), "--impl", "reference"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "step 0  wctx_new w0")) << r.out;
  EXPECT_TRUE(contains(r.out, "resume j0")) << r.out;
  EXPECT_TRUE(contains(r.out, "*ret 7")) << r.out;
  EXPECT_TRUE(contains(r.out, "sequence end")) << r.out;
  EXPECT_TRUE(contains(r.out, "PASS")) << r.out;
}

TEST_F(ExploreCliTest, ReplayListsSkippedOps) {
  // At level must, a resume of a job that never started is skipped, and says so.
  const fs::path seq = write("skip.seq", "wctx_new w0\nresume j3\n");
  const Result r = run({"replay", seq.string(), "--impl", "reference", "--level", "must"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "skipped op 2")) << r.out;
}

TEST_F(ExploreCliTest, ReplayOfAMalformedFileIsExit2WithFileLineColumn) {
  const fs::path seq = write("bad.seq", "wctx_new w0\nstart j0 w0 { pause \n");
  const Result r = run({"replay", seq.string(), "--impl", "reference"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, seq.string() + ":2:")) << r.err;
  const Result unknown = run({"replay", write("bad2.seq", "wctx_new w0\n  frobnicate j0\n").string(), "--impl",
                              "reference"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_TRUE(contains(unknown.err, "bad2.seq:2:3:")) << unknown.err;
}

TEST_F(ExploreCliTest, ReplayUsageErrorsAreExit2) {
  const fs::path seq = write("ok.seq", "wctx_new w0\n");
  const Result missing = run({"replay", (dir_ / "missing.seq").string(), "--impl", "reference"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_TRUE(contains(missing.err, "missing.seq")) << missing.err;
  EXPECT_EQ(run({"replay", "--impl", "reference"}).exit_code, 2);
  EXPECT_EQ(run({"replay", seq.string()}).exit_code, 2);
  EXPECT_EQ(run({"replay", seq.string(), "--impl", "reference", "--level", "must", "--misuse", "init-twice"}).exit_code,
            2);
  EXPECT_EQ(run({"replay", seq.string(), "--impl", "/nonexistent/libnothing.so"}).exit_code, 2);
}

TEST_F(ExploreCliTest, ReplayAgainstAFaultyLibraryIsAViolationNamingTheRequirement) {
  const fs::path seq = write("ret.seq", "wctx_new w0\nstart j0 w0 { return 7 }\n");
  ::setenv("ASYNCREF_FAULT", "finish-ret-not-written", 1);
  const Result r = run({"replay", seq.string(), "--impl", ASYNCCONF_TEST_FAULTY, "--repro",
                        (dir_ / "ret.c").string()});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "VIOLATION of START-FINISH-RET")) << r.out;
  EXPECT_TRUE(contains(r.out, "DIFFERS")) << r.out;
  EXPECT_TRUE(contains(read_file(dir_ / "ret.c"), "ASYNC_start_job")) << "no C reproducer";
  ::unsetenv("ASYNCREF_FAULT");
  // The same file passes on the library without the fault.
  EXPECT_EQ(run({"replay", seq.string(), "--impl", ASYNCCONF_TEST_FAULTY}).exit_code, 0);
}

TEST_F(ExploreCliTest, ReplayOfACrashNamesTheSignal) {
  const fs::path seq = write("any.seq", "wctx_new w0\nstart j0 w0 { }\n");
  const Result r = run({"replay", seq.string(), "--impl", ASYNCCONF_TEST_CRASH_IMPL});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "CRASH")) << r.out;
  // Under a sanitizer (abort_on_error) the SIGSEGV comes out as SIGABRT.
  EXPECT_TRUE(contains(r.out, "killed by SIGSEGV") || contains(r.out, "killed by SIGABRT")) << r.out;
}

TEST_F(ExploreCliTest, DiffReferenceAndOpenSslAgreeAtMust) {
  const Result r = run({"diff", "--impl", "reference", "--impl", "openssl", "--sequences", "50", "--seed", "1",
                        "--out", (dir_ / "x").string()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "seed 1")) << r.out;
  EXPECT_TRUE(contains(r.out, "repeat with: asyncconf diff --impl reference --impl openssl --seed 1")) << r.out;
  EXPECT_TRUE(contains(r.out, "they agree")) << r.out;
}

TEST_F(ExploreCliTest, DiffFindsAFaultAndWritesTheSequence) {
  ::setenv("ASYNCREF_FAULT", "status-default-ok", 1);
  const Result r = run({"diff", "--impl", "reference", "--impl", ASYNCCONF_TEST_FAULTY, "--sequences", "50",
                        "--seed", "1", "--out", (dir_ / "x").string()});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "DISAGREEMENT")) << r.out;
  EXPECT_TRUE(contains(r.out, "get_status")) << r.out;
  const fs::path seq = dir_ / "x" / "diff-reference-libasyncref-faulty.seq";
  ASSERT_TRUE(fs::exists(seq)) << r.out;
  const std::string text = read_file(seq);
  EXPECT_TRUE(contains(text, "# replay with: asyncconf replay")) << text;
  // The file replays: the faulty side violates the status requirement.
  const Result replay = run({"replay", seq.string(), "--impl", ASYNCCONF_TEST_FAULTY, "--level", "must"});
  EXPECT_EQ(replay.exit_code, 1) << replay.out << replay.err;
}

TEST_F(ExploreCliTest, DiffUsageErrorsAreExit2) {
  EXPECT_EQ(run({"diff", "--impl", "reference"}).exit_code, 2);
  EXPECT_EQ(run({"diff", "--impl", "reference", "--impl", "openssl", "--impl", "reference"}).exit_code, 2);
  EXPECT_EQ(run({"diff", "--impl", "reference", "--impl", "/nonexistent/libnothing.so"}).exit_code, 2);
  EXPECT_EQ(run({"diff", "--impl", "reference", "--impl", "openssl", "--level", "x"}).exit_code, 2);
}

}  // namespace
