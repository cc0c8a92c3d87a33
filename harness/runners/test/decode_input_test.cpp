// What asyncconf decode does without the CLI: fuzz inputs read and decoded
// as the fuzz targets decode them, a failure shrunk and said in words (some
// against libasyncref-faulty with finish-ret-not-written).
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include "asyncconf/harness/decode_input.hpp"
#include "asyncconf/harness/replay_text.hpp"
#include "asyncconf/harness/sequence_text.hpp"

namespace asyncconf::harness {
namespace {

namespace fs = std::filesystem;
using Kind = IsolatedOutcome::Kind;

bool has_text(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

Sequence parse(const std::string& text) {
  const ParseResult p = parse_sequence(text);
  EXPECT_TRUE(p.ok()) << text;
  return p.ok() ? *p.sequence : Sequence{};
}

class DecodeInputFile : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("asyncconf-decode-input-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path write(const std::string& name, const std::vector<std::uint8_t>& bytes) {
    std::ofstream(dir_ / name, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return dir_ / name;
  }
  fs::path dir_;
};

TEST(DecodeInput, TheFuzzLimitsReachEveryThreadAndAreSaidInWords) {
  EXPECT_EQ(kFuzzDecodeLimits.threads, kMaxThreads);
  EXPECT_GT(kFuzzDecodeLimits.max_body_ops, DecodeLimits{}.max_body_ops);
  EXPECT_EQ(limits_text(kFuzzDecodeLimits),
            "at most 512 driver ops, 32 ops per body, 4 threads, 16 jobs, 8 ctxs, 255 ops per body with repeats");
  EXPECT_EQ(limits_text(DecodeLimits{}), "at most 128 driver ops, 12 ops per body, 2 threads, 8 jobs, 4 ctxs");
}

TEST_F(DecodeInputFile, DecodesWhatEncodeSequenceWrote) {
  const Sequence s = parse("wctx_new w0\nstart j0 w0 arg=-5 { pause; set_fd 1 7; return 3 }\nt1: resume j0\n");
  const std::vector<std::uint8_t> bytes = encode_sequence(s, kFuzzDecodeLimits);
  const FuzzInput in = read_fuzz_input(write("crash-1", bytes));
  EXPECT_EQ(in.bytes, bytes.size());
  EXPECT_EQ(in.sequence, s) << print_sequence(in.sequence);
}

TEST_F(DecodeInputFile, AnEmptyFileIsTheEmptySequence) {
  const FuzzInput in = read_fuzz_input(write("empty", {}));
  EXPECT_EQ(in.bytes, 0u);
  EXPECT_TRUE(in.sequence.ops.empty());
}

TEST_F(DecodeInputFile, AnyBytesDecodeAsDecodeSequenceWithTheDefaults) {
  const std::vector<std::uint8_t> bytes = {0xff, 0x00, 0x13, 0x7f, 0x80, 0x01, 0xfe, 0x42, 0x00, 0x09, 0x11};
  EXPECT_EQ(read_fuzz_input(write("junk", bytes)).sequence, decode_sequence(bytes, kFuzzDecodeLimits));
}

TEST_F(DecodeInputFile, AFileThatCannotBeReadIsAnErrorNamingIt) {
  const fs::path missing = dir_ / "no-such-crash";
  try {
    read_fuzz_input(missing);
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_TRUE(has_text(e.what(), missing.string())) << e.what();
  }
  EXPECT_THROW(read_fuzz_input(dir_), std::runtime_error);  // a directory
}

TEST(DecodeFiles, AppendToTheInputsName) {
  const DecodeFiles f = decode_files("/tmp/fuzz/crash-0a1b", "out");
  EXPECT_EQ(f.decoded, fs::path("out/crash-0a1b.seq"));
  EXPECT_EQ(f.shrunk, fs::path("out/crash-0a1b.shrunk.seq"));
  EXPECT_EQ(f.c, fs::path("out/crash-0a1b.c"));
  EXPECT_EQ(decode_files("x/", "o").decoded, fs::path("o/input.seq"));
}

// --- against the faulty reference ------------------------------------------

class DecodeFaulty : public ::testing::Test {
protected:
  static void SetUpTestSuite() { ::setenv("ASYNCREF_FAULT", "finish-ret-not-written", 1); }
  static const AsyncApi& api() {
    static LoadResult r = LoadedImpl::load(ASYNCCONF_TEST_FAULTY);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.impl().api();
  }
  static ModelConfig config() { return replay_config(api(), Level::Must, kAllMisuse, kTimeout); }
  static constexpr std::chrono::milliseconds kTimeout{5000};
};

// Only the start of j1 breaks START-FINISH-RET; the rest is padding.
constexpr const char* kPadded =
    "wctx_new w0\n"
    "wctx_new w1\n"
    "start j0 w0 { pause }\n"
    "set_fd w1 2 9\n"
    "start j1 w1 { return 7 }\n"
    "resume j0\n"
    "wctx_free w1\n"
    "wctx_free w0\n";

TEST_F(DecodeFaulty, ShrinksAViolationKeepingTheRequirement) {
  const Sequence s = parse(kPadded);
  const ModelConfig c = config();
  const IsolatedOutcome alone = run_isolated(api(), s, Level::Must, kTimeout, &c);
  ASSERT_EQ(alone.kind, Kind::Violation);
  std::size_t progress_calls = 0;
  ShrinkFailureOptions options;
  options.progress = [&](std::size_t, const Sequence&) { ++progress_calls; };
  const ShrunkFailure f = shrink_failure(api(), s, alone, c, kTimeout, options);
  EXPECT_TRUE(f.confirmed);
  EXPECT_FALSE(f.interrupted);
  EXPECT_LT(op_count(f.sequence), op_count(s)) << print_sequence(f.sequence);
  EXPECT_EQ(f.outcome.kind, Kind::Violation);
  EXPECT_EQ(signature(f.outcome), signature(alone));
  EXPECT_GT(f.stats.attempts, 0u);
  EXPECT_EQ(progress_calls, f.stats.accepted);
  EXPECT_EQ(f.sequence, f.stats.sequence);
}

TEST_F(DecodeFaulty, APassIsNotShrunk) {
  const Sequence s = parse("wctx_new w0\nwctx_free w0\n");
  const ModelConfig c = config();
  const IsolatedOutcome alone = run_isolated(api(), s, Level::Must, kTimeout, &c);
  ASSERT_EQ(alone.kind, Kind::Pass);
  const ShrunkFailure f = shrink_failure(api(), s, alone, c, kTimeout);
  EXPECT_EQ(f.sequence, s);
  EXPECT_EQ(f.stats.attempts, 0u);
  EXPECT_EQ(f.outcome.kind, Kind::Pass);
}

TEST_F(DecodeFaulty, AStopKeepsTheInputAndSaysSo) {
  const Sequence s = parse(kPadded);
  const ModelConfig c = config();
  const IsolatedOutcome alone = run_isolated(api(), s, Level::Must, kTimeout, &c);
  std::atomic<bool> stop{true};
  ShrinkFailureOptions options;
  options.stop = &stop;
  const ShrunkFailure f = shrink_failure(api(), s, alone, c, kTimeout, options);
  EXPECT_TRUE(f.interrupted);
  EXPECT_EQ(f.sequence, s);
  EXPECT_EQ(f.outcome.kind, Kind::Violation);
}

TEST_F(DecodeFaulty, DescribesAViolationAndAPass) {
  const ModelConfig c = config();
  const Sequence bad = parse("wctx_new w0\nstart j0 w0 { return 7 }\n");
  const IsolatedOutcome v = run_isolated(api(), bad, Level::Must, kTimeout, &c);
  const OutcomeText t = describe_outcome(api(), bad, c, v, kTimeout, true);
  EXPECT_EQ(t.kind, Kind::Violation);
  EXPECT_EQ(t.requirement, "START-FINISH-RET");
  EXPECT_EQ(t.verdict, "VIOLATION of START-FINISH-RET (must)");
  EXPECT_TRUE(has_text(t.explanation, "start j0 w0   (op 2)")) << t.explanation;
  EXPECT_TRUE(has_text(t.explanation, "*ret untouched")) << t.explanation;

  const Sequence good = parse("wctx_new w0\nwctx_free w0\n");
  const IsolatedOutcome p = run_isolated(api(), good, Level::Must, kTimeout, &c);
  const OutcomeText pt = describe_outcome(api(), good, c, p, kTimeout, true);
  EXPECT_TRUE(pt.verdict.starts_with("PASS: ")) << pt.verdict;
  EXPECT_TRUE(pt.explanation.empty());
}

TEST_F(DecodeFaulty, TheSeqHeaderIsCommentsTheFileStillParses) {
  const ModelConfig c = config();
  const Sequence bad = parse("wctx_new w0\nstart j0 w0 { return 7 }\n");
  const IsolatedOutcome v = run_isolated(api(), bad, Level::Must, kTimeout, &c);
  const OutcomeText t = describe_outcome(api(), bad, c, v, kTimeout, false);
  const std::string header = decode_seq_header({"fuzz/crash-01", 9, "libasyncref-faulty", "must"}, t,
                                               "the shrunk sequence", t.explanation,
                                               "asyncconf replay x.seq --impl reference --level must");
  EXPECT_TRUE(header.starts_with("# asyncconf decode: the shrunk sequence\n")) << header;
  EXPECT_TRUE(has_text(header, "# input: fuzz/crash-01 (9 bytes, decoded with the fuzz targets' limits: at most 512"))
      << header;
  EXPECT_TRUE(has_text(header, "# kind: violation\n# requirement: START-FINISH-RET (must)\n")) << header;
  EXPECT_TRUE(has_text(header, "# replay with: asyncconf replay x.seq --impl reference --level must\n")) << header;
  EXPECT_EQ(parse(header + print_sequence(bad)), bad);
}

}  // namespace
}  // namespace asyncconf::harness
