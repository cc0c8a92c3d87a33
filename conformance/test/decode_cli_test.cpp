// asyncconf decode, run as a user would: libFuzzer inputs (raw bytes, made
// here with encode_sequence) decoded, judged, shrunk and saved.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

#include "asyncconf/harness/decode_input.hpp"
#include "asyncconf/harness/sequence_bytes.hpp"
#include "asyncconf/harness/sequence_text.hpp"
#include "cli_fixture.hpp"

namespace {

namespace fs = std::filesystem;
using namespace asyncconf::cli::testing;
namespace harness = asyncconf::harness;

class DecodeCliTest : public CliFixture {
protected:
  DecodeCliTest() : CliFixture("asyncconf-decode-cli") {}

  /// A fuzz input whose bytes decode (with the default limits) to `seq_text`.
  fs::path input(const std::string& name, const std::string& seq_text) {
    const harness::ParseResult parsed = harness::parse_sequence(seq_text);
    EXPECT_TRUE(parsed.ok()) << seq_text;
    const std::vector<std::uint8_t> bytes = harness::encode_sequence(*parsed.sequence, harness::kFuzzDecodeLimits);
    EXPECT_EQ(harness::decode_sequence(bytes, harness::kFuzzDecodeLimits), *parsed.sequence) << "not exact";
    std::ofstream(dir_ / name, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return dir_ / name;
  }

  /// The ops of a .seq text, driver and body ops (op_count).
  static std::size_t op_count_of(const std::string& text) {
    const harness::ParseResult parsed = harness::parse_sequence(text);
    EXPECT_TRUE(parsed.ok()) << text;
    return parsed.ok() ? harness::op_count(*parsed.sequence) : 0;
  }
};

// A job finishing with 3 breaks START-FINISH-RET under finish-ret-not-written;
// the other ops are padding the shrinker removes.
constexpr const char* kFailing =
    "wctx_new w0\n"
    "wctx_new w1\n"
    "start j0 w0 { pause }\n"
    "set_fd w1 2 9\n"
    "start j1 w1 { return 3 }\n"
    "resume j0\n"
    "wctx_free w1\n"
    "wctx_free w0\n";

TEST_F(DecodeCliTest, HelpListsTheOptionsAndTheLimits) {
  const Result top = run({"--help"});
  EXPECT_EQ(top.exit_code, 0);
  EXPECT_TRUE(contains(top.out, "decode")) << top.out;
  const Result r = run({"decode", "--help"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  for (const char* option :
       {"--impl", "--level", "--misuse", "--timeout-ms", "--out", "--shrink-attempts", "--repro"}) {
    EXPECT_TRUE(contains(r.out, option)) << option << ": " << r.out;
  }
  EXPECT_TRUE(contains(r.out, "kFuzzDecodeLimits")) << r.out;
  EXPECT_TRUE(contains(r.out, "Exit codes")) << r.out;
}

TEST_F(DecodeCliTest, AMissingOrUnreadableFileIsExit2WithAMessage) {
  const fs::path missing = dir_ / "crash-missing";
  const Result r = run({"decode", missing.string()});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, "asyncconf decode: ")) << r.err;
  EXPECT_TRUE(contains(r.err, missing.string())) << r.err;
  const Result dir = run({"decode", dir_.string()});
  EXPECT_EQ(dir.exit_code, 2) << dir.out << dir.err;
  EXPECT_TRUE(contains(dir.err, "is a directory")) << dir.err;
  EXPECT_EQ(run({"decode"}).exit_code, 2);
}

TEST_F(DecodeCliTest, UsageErrorsAreExit2AndWriteNothing) {
  const fs::path in = input("crash-1", "wctx_new w0\n");
  const fs::path out = dir_ / "x";
  const std::vector<std::vector<std::string>> bad = {
      {"--level", "sometimes"},
      {"--misuse", "stale-handle"},  // not at must
      {"--level", "robustness", "--misuse", "bogus"},
      {"--timeout-ms", "0"},
      {"--shrink-attempts", "-1"},
      {"--impl", "/nonexistent/libnothing.so"},
      {"--no-such-flag"},
  };
  for (const auto& extra : bad) {
    std::vector<std::string> args = {"decode", in.string(), "--out", out.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    const Result r = run(args);
    EXPECT_EQ(r.exit_code, 2) << extra.front() << ": " << r.out << r.err;
    EXPECT_FALSE(r.err.empty()) << extra.front();
  }
  EXPECT_FALSE(fs::exists(out)) << "a usage error wrote files";
}

TEST_F(DecodeCliTest, AnEmptyFileIsTheEmptySequenceAndPasses) {
  std::ofstream(dir_ / "empty").flush();
  const Result r = run({"decode", (dir_ / "empty").string(), "--out", (dir_ / "x").string()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "(0 bytes)")) << r.out;
  EXPECT_TRUE(contains(r.out, ": 0 ops")) << r.out;
  EXPECT_TRUE(contains(r.out, "PASS")) << r.out;
  EXPECT_FALSE(fs::exists(dir_ / "x")) << "a pass wrote files";
}

TEST_F(DecodeCliTest, APassingInputPrintsItsSequenceAndSaysItPasses) {
  const fs::path in = input("crash-ok", "wctx_new w0\nstart j0 w0 { pause; return 3 }\nresume j0\nwctx_free w0\n");
  const Result r = run({"decode", in.string(), "--out", (dir_ / "x").string()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "against reference")) << r.out;
  EXPECT_TRUE(contains(r.out, "at level must")) << r.out;
  EXPECT_TRUE(contains(r.out, "    start j0 w0 { pause; return 3 }\n")) << r.out;
  EXPECT_TRUE(contains(r.out, "PASS")) << r.out;
  EXPECT_TRUE(contains(r.out, "passes at level must")) << r.out;
  EXPECT_TRUE(contains(r.out, "does not reproduce in isolation")) << r.out;
  EXPECT_FALSE(fs::exists(dir_ / "x"));
}

TEST_F(DecodeCliTest, AFailingInputIsShrunkAndSaved) {
  const fs::path in = input("crash-0123abcd", kFailing);
  const fs::path out = dir_ / "x";
  ::setenv("ASYNCREF_FAULT", "finish-ret-not-written", 1);
  const Result r = run({"decode", in.string(), "--impl", ASYNCCONF_TEST_FAULTY, "--out", out.string()});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "VIOLATION of START-FINISH-RET (must)")) << r.out;
  const std::size_t ops = op_count_of(kFailing);  // driver and body ops, as decode counts them
  EXPECT_TRUE(contains(r.out, "shrunk from " + std::to_string(ops) + " to ")) << r.out;

  const fs::path decoded = out / "crash-0123abcd.seq";
  const fs::path shrunk = out / "crash-0123abcd.shrunk.seq";
  const fs::path c = out / "crash-0123abcd.c";
  for (const fs::path& p : {decoded, shrunk, c}) {
    ASSERT_TRUE(fs::exists(p)) << p << "\n" << r.out;
    EXPECT_TRUE(contains(r.out, p.string())) << "not named: " << p << "\n" << r.out;
  }
  const std::string decoded_text = read_file(decoded);
  const std::string shrunk_text = read_file(shrunk);
  EXPECT_EQ(op_count_of(decoded_text), ops) << decoded_text;
  EXPECT_LE(op_count_of(shrunk_text), op_count_of(decoded_text)) << shrunk_text;
  EXPECT_LT(op_count_of(shrunk_text), ops) << "nothing shrunk: " << shrunk_text;
  EXPECT_TRUE(contains(shrunk_text, "# requirement: START-FINISH-RET (must)")) << shrunk_text;
  EXPECT_TRUE(contains(shrunk_text, "# replay with: asyncconf replay ")) << shrunk_text;
  EXPECT_TRUE(contains(read_file(c), "ASYNC_start_job")) << "no C reproducer";

  // The shrunk file replays to the same violation; without the fault it passes.
  const Result replay = run({"replay", shrunk.string(), "--impl", ASYNCCONF_TEST_FAULTY, "--level", "must"});
  EXPECT_EQ(replay.exit_code, 1) << replay.out << replay.err;
  EXPECT_TRUE(contains(replay.out, "VIOLATION of START-FINISH-RET")) << replay.out;
  ::unsetenv("ASYNCREF_FAULT");
  EXPECT_EQ(run({"decode", in.string(), "--impl", ASYNCCONF_TEST_FAULTY, "--out", (dir_ / "y").string()}).exit_code,
            0);
}

TEST_F(DecodeCliTest, ReproWritesTheCReproducerWhereItIsTold) {
  const fs::path in = input("crash-ok", "wctx_new w0\nstart j0 w0 { return 3 }\n");
  const fs::path repro = dir_ / "elsewhere" / "repro.c";
  const Result pass = run({"decode", in.string(), "--repro", repro.string(), "--out", (dir_ / "x").string()});
  EXPECT_EQ(pass.exit_code, 0) << pass.out << pass.err;
  EXPECT_TRUE(contains(read_file(repro), "ASYNC_start_job")) << "--repro wrote nothing on a pass";
  fs::remove(repro);

  ::setenv("ASYNCREF_FAULT", "finish-ret-not-written", 1);
  const Result fail = run({"decode", in.string(), "--impl", ASYNCCONF_TEST_FAULTY, "--repro", repro.string(),
                           "--out", (dir_ / "x").string()});
  EXPECT_EQ(fail.exit_code, 1) << fail.out << fail.err;
  EXPECT_TRUE(fs::exists(repro)) << fail.out;
  EXPECT_FALSE(fs::exists(dir_ / "x" / "crash-ok.c")) << "written to --out as well";
  EXPECT_TRUE(fs::exists(dir_ / "x" / "crash-ok.shrunk.seq")) << fail.out;
}

}  // namespace
