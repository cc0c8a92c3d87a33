// What explore, replay and diff print and write, without the CLI: option
// values, shell words, file names and files, text blocks, where a failure
// first shows, and what is said about a finding.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "asyncconf/harness/disagreement_text.hpp"
#include "asyncconf/harness/failure_point.hpp"
#include "asyncconf/harness/finding_files.hpp"
#include "asyncconf/harness/finding_text.hpp"
#include "asyncconf/harness/interpreter.hpp"
#include "asyncconf/harness/option_values.hpp"
#include "asyncconf/harness/repeat_commands.hpp"
#include "asyncconf/harness/replay_text.hpp"
#include "asyncconf/harness/sequence_text.hpp"
#include "asyncconf/harness/shell_words.hpp"
#include "asyncconf/harness/text_blocks.hpp"

namespace asyncconf::harness {
namespace {

namespace fs = std::filesystem;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}

// --- seeds ----------------------------------------------------------------

TEST(ParseSeed, TakesDecimalAndHex) {
  EXPECT_EQ(parse_seed("0"), 0u);
  EXPECT_EQ(parse_seed("42"), 42u);
  EXPECT_EQ(parse_seed("010"), 10u) << "decimal, not octal";
  EXPECT_EQ(parse_seed("0x1f"), 31u);
  EXPECT_EQ(parse_seed("0XFF"), 255u);
}

TEST(ParseSeed, TakesTheWholeRangeAndNoMore) {
  EXPECT_EQ(parse_seed("18446744073709551615"), 18446744073709551615ULL);
  EXPECT_EQ(parse_seed("0xffffffffffffffff"), 18446744073709551615ULL);
  EXPECT_THROW(parse_seed("18446744073709551616"), std::invalid_argument);
  EXPECT_THROW(parse_seed("0x10000000000000000"), std::invalid_argument);
}

TEST(ParseSeed, RefusesJunkSayingWhatASeedIs) {
  for (const char* junk : {"", "-3", "+3", " 3", "3 ", "3x", "0x", "0xg", "1e3", "seed"}) {
    EXPECT_THROW(parse_seed(junk), std::invalid_argument) << "'" << junk << "'";
  }
  EXPECT_EQ(error_of([] { parse_seed("-3"); }),
            "must be a whole number from 0 to 18446744073709551615 (or 0x hex), not '-3'");
}

TEST(ClockSeed, IsShortEnoughToType) { EXPECT_LE(clock_seed(), 0xffffffffULL); }

// --- misuse lists -----------------------------------------------------------

TEST(ParseMisuseList, TakesNamesAllAndNone) {
  EXPECT_EQ(parse_misuse_list("stale-handle"), misuse_bit(Misuse::StaleHandle));
  EXPECT_EQ(parse_misuse_list("stale-handle, nested-start"),
            misuse_bit(Misuse::StaleHandle) | misuse_bit(Misuse::NestedStart));
  EXPECT_EQ(parse_misuse_list("all"), kAllMisuse);
  EXPECT_EQ(parse_misuse_list("none"), 0u);
  EXPECT_EQ(parse_misuse_list("none,stale-handle"), misuse_bit(Misuse::StaleHandle));
}

TEST(ParseMisuseList, NamesTheBadItemAndTheValidNames) {
  const std::string bad = error_of([] { parse_misuse_list("stale-handle,bogus"); });
  EXPECT_TRUE(bad.starts_with("unknown misuse 'bogus' (valid: ")) << bad;
  EXPECT_TRUE(contains(bad, "nested-start")) << bad;
  EXPECT_TRUE(contains(bad, ", all, none)")) << bad;
  EXPECT_TRUE(contains(error_of([] { parse_misuse_list("stale-handle,,nested-start"); }), "empty item")) ;
  EXPECT_TRUE(contains(error_of([] { parse_misuse_list(""); }), "empty list"));
  EXPECT_TRUE(contains(error_of([] { parse_misuse_list("stale-handle,"); }), "empty item"));
}

// --- shell words --------------------------------------------------------------

// What `sh` makes of a command line: its words, one a line, as printf gives them.
std::string through_sh(const std::string& line) {
  const std::string script = "printf '%s\\n' " + line;
  int out[2];
  EXPECT_EQ(::pipe(out), 0);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::close(out[0]);
    ::execl("/bin/sh", "sh", "-c", script.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(out[1]);
  std::string text;
  char buffer[4096];
  for (ssize_t n; (n = ::read(out[0], buffer, sizeof buffer)) > 0;) text.append(buffer, static_cast<std::size_t>(n));
  ::close(out[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << script;
  return text;
}

TEST(ShellWord, LeavesPlainWordsAlone) {
  EXPECT_EQ(shell_word("--impl"), "--impl");
  EXPECT_EQ(shell_word("/usr/lib/libcrypto.so.3"), "/usr/lib/libcrypto.so.3");
  EXPECT_EQ(shell_word("stale-handle,nested-start"), "stale-handle,nested-start");
  EXPECT_EQ(shell_word(""), "''");
  EXPECT_EQ(shell_word("it's"), "'it'\\''s'");
}

TEST(ShellWord, EveryWordComesBackFromShUnchanged) {
  const std::vector<std::string> nasty = {
      "", " ", "two words", "it's", "'", "''", "\"", "$HOME", "`id`", "$(id)", "a;b", "a|b", "a&b",
      "*", "?", "[a]", "~", "#", "a\\b", "\\", "tab\there", "new\nline", "!", "{a,b}", "-n", "%s", "ü"};
  std::string expected;
  for (const std::string& w : nasty) expected += w + "\n";
  EXPECT_EQ(through_sh(command_line(nasty)), expected) << command_line(nasty);
}

TEST(RepeatCommands, LeaveDefaultsOutAndKeepMisuseAsTyped) {
  ExploreCommand c{"reference", 7, 300, std::nullopt, 64, 2, "robustness", "stale-handle,nested-start", 5000, false, ""};
  EXPECT_EQ(command_line(explore_words(c)),
            "asyncconf explore --impl reference --seed 7 --sequences 300 --max-ops 64 --threads 2 --level "
            "robustness --misuse stale-handle,nested-start");
  c.seconds = 2.5;
  c.timeout_ms = 100;
  EXPECT_TRUE(contains(command_line(explore_words(c)), "--seed 7 --time 2.5 --max-ops")) << command_line(explore_words(c));
  EXPECT_TRUE(command_line(explore_words(c)).ends_with("--timeout-ms 100"));
  EXPECT_EQ(command_line(replay_words("my dir/x.seq", "openssl", "must")),
            "asyncconf replay 'my dir/x.seq' --impl openssl --level must");
}

TEST(RepeatCommands, CarryTheDevicesOptions) {
  ExploreCommand c{"openssl", 3, 10, std::nullopt, 64, 1, "must", "", 5000, true, ""};
  EXPECT_TRUE(command_line(explore_words(c)).ends_with("--level must --device")) << command_line(explore_words(c));
  c.device_faults = "spurious=0.5,lost=every:9";
  EXPECT_TRUE(command_line(explore_words(c)).ends_with("--device --device-faults spurious=0.5,lost=every:9"))
      << command_line(explore_words(c));
  EXPECT_EQ(command_line(replay_words("x.seq", "openssl", "must", "", 5000, "error=0.1", 3)),
            "asyncconf replay x.seq --impl openssl --level must --device-faults error=0.1 --device-seed 3");
}

// --- file names and files ------------------------------------------------------

TEST(FileSafe, KeepsOnlySafeCharacters) {
  EXPECT_EQ(file_safe("START-FINISH-RET"), "start-finish-ret");
  EXPECT_EQ(file_safe("a b/c"), "a-b-c");
  EXPECT_EQ(file_safe("a -- b"), "a-b");
  EXPECT_EQ(file_safe("--x--"), "x");
  EXPECT_EQ(file_safe(".hidden"), "hidden");
  EXPECT_EQ(file_safe("../../etc/passwd"), "etc-passwd");
  EXPECT_EQ(file_safe("lib_1.2"), "lib_1.2");
  EXPECT_EQ(file_safe(""), "x");
  EXPECT_EQ(file_safe("///"), "x");
}

TEST(ImplFileName, IsTheLibraryNameWithoutSo) {
  EXPECT_EQ(impl_file_name("reference"), "reference");
  EXPECT_EQ(impl_file_name("/opt/ssl/lib/libcrypto.so.3"), "libcrypto");
  EXPECT_EQ(impl_file_name("build/libasyncref-faulty.so"), "libasyncref-faulty");
}

class TempDir : public ::testing::Test {
protected:
  void SetUp() override {
    char name[] = "/tmp/finding-text-test-XXXXXX";
    ASSERT_NE(::mkdtemp(name), nullptr);
    dir_ = name;
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

using WriteTextFile = TempDir;

TEST_F(WriteTextFile, CreatesTheParentsAndReplacesTheFileWhole) {
  const fs::path path = dir_ / "a" / "b" / "x.seq";
  write_text_file(path, "first\n");
  EXPECT_EQ(read_text_file(path), "first\n");
  write_text_file(path, "second\n");
  EXPECT_EQ(read_text_file(path), "second\n");
  // Nothing left beside it: the temporary file was renamed over it.
  EXPECT_EQ(std::distance(fs::directory_iterator(path.parent_path()), fs::directory_iterator()), 1);
}

TEST_F(WriteTextFile, KeepsTheOldFileWhenItCannotWrite) {
  const fs::path path = dir_ / "x.seq";
  write_text_file(path, "old\n");
  // A directory where the temporary file would go: the write fails, the
  // file stays as it was.
  fs::create_directory(path.string() + ".tmp-" + std::to_string(::getpid()));
  const std::string error = error_of([&] { write_text_file(path, "new\n"); });
  EXPECT_TRUE(contains(error, "x.seq")) << error;
  EXPECT_TRUE(contains(error, "cannot write")) << error;
  EXPECT_EQ(read_text_file(path), "old\n");
}

TEST_F(WriteTextFile, NamesTheDirectoryItCannotCreate) {
  write_text_file(dir_ / "file", "x");
  const std::string error = error_of([&] { write_text_file(dir_ / "file" / "x.seq", "y"); });
  EXPECT_TRUE(contains(error, (dir_ / "file").string() + ": cannot create the directory")) << error;
}

TEST_F(WriteTextFile, ReadingNamesTheFile) {
  EXPECT_TRUE(contains(error_of([&] { read_text_file(dir_ / "missing.seq"); }), "missing.seq: cannot open"));
  EXPECT_EQ(error_of([&] { read_text_file(dir_); }), dir_.string() + ": is a directory");
}

// --- text blocks -------------------------------------------------------------

TEST(CommentLines, CommentsEveryLine) {
  EXPECT_EQ(comment_lines("a\n\nb  \r\n"), "# a\n#\n# b\n");
  EXPECT_EQ(comment_lines("no newline"), "# no newline\n");
  EXPECT_EQ(comment_lines(""), "");
}

TEST(Indent, PrefixesEveryLine) {
  EXPECT_EQ(indent("a\nb\n"), "    a\n    b\n");
  EXPECT_EQ(indent("a", "> "), "> a\n");
}

TEST(TailOf, KeepsTheLastBytesFromALineStart) {
  EXPECT_EQ(tail_of("short", 10), "short");
  EXPECT_EQ(tail_of("line one\nline two\nline three\n", 16), "[...]\nline three\n");
  EXPECT_EQ(tail_of("abcdefghij", 4), "[...]\nghij");  // no line start: the bytes as they are
}

// --- replay's notes ----------------------------------------------------------

TEST(LineNote, SaysWhereTheOpsAreWhenNotOnLinesOneToN) {
  EXPECT_EQ(op_lines("# c\nwctx_new w0\n\n  resume j0 # r\n"), (std::vector<int>{2, 4}));
  EXPECT_EQ(line_note("f.seq", "wctx_new w0\nresume j0\n", 2), "");
  EXPECT_EQ(line_note("f.seq", "# c\nwctx_new w0\nresume j0\n", 2),
            "note: \"line N\" in the trace is the N-th op of the sequence; in f.seq op N is on line N+1 "
            "(ops 1-2 on lines 2-3)\n");
  EXPECT_TRUE(line_note("f.seq", "wctx_new w0\n\nresume j0\n", 2).ends_with("the ops are on lines 1, 3\n"));
}

// --- against the faulty reference ------------------------------------------

// finish-ret-not-written: ASYNC_start_job finishes without writing *ret.
class Faulty : public ::testing::Test {
protected:
  static void SetUpTestSuite() { ::setenv("ASYNCREF_FAULT", "finish-ret-not-written", 1); }
  static const AsyncApi& api() {
    static LoadResult r = LoadedImpl::load(ASYNCCONF_TEST_FAULTY);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.impl().api();
  }
  static Sequence parse(const std::string& text) {
    const ParseResult p = parse_sequence(text);
    EXPECT_TRUE(p.ok()) << text;
    return *p.sequence;
  }
  static constexpr std::chrono::milliseconds kTimeout{5000};
};

// Op 3 of 5 is the first whose prefix fails.
constexpr const char* kFailsAtOp3 =
    "wctx_new w0\n"
    "wctx_new w1\n"
    "start j0 w0 { return 7 }\n"
    "wctx_free w1\n"
    "wctx_free w0\n";

TEST_F(Faulty, LocateFailureFindsTheFirstFailingOp) {
  const Sequence s = parse(kFailsAtOp3);
  const ModelConfig config = replay_config(api(), Level::Must, kAllMisuse, kTimeout);
  const IsolatedOutcome whole = run_isolated(api(), s, Level::Must, kTimeout, &config);
  ASSERT_EQ(whole.kind, IsolatedOutcome::Kind::Violation);
  const FailurePoint point = locate_failure(api(), s, config, kTimeout, signature(whole));
  EXPECT_EQ(point.op_index, 2);
  EXPECT_EQ(point.op, "start j0 w0 { return 7 }");
  EXPECT_GE(point.runs, 2);
  EXPECT_LE(point.runs, 4);  // bisection, not every prefix
  EXPECT_TRUE(contains(failure_point_text(point), "once op 3 (`start j0 w0 { return 7 }`) is included"))
      << failure_point_text(point);
}

TEST_F(Faulty, LocateFailureSaysWhenEvenNoOpsFail) {
  const Sequence s = parse(kFailsAtOp3);
  const ModelConfig config = replay_config(api(), Level::Must, kAllMisuse, kTimeout);
  // "Failing" as the empty sequence does: passing.
  const FailurePoint point = locate_failure(api(), s, config, kTimeout, FailureSignature{});
  EXPECT_EQ(point.op_index, kBeforeAnyOp);
  EXPECT_TRUE(contains(failure_point_text(point), "none of the sequence's ops"));
  EXPECT_EQ(locate_failure(api(), Sequence{}, config, kTimeout, FailureSignature{}).op_index, -1);
}

TEST_F(Faulty, DescribeFindingNamesTheRequirementAndWhatDiffered) {
  Finding f;
  f.index = 12;
  f.original = parse(kFailsAtOp3);
  f.shrunk = parse("wctx_new w0\nstart j0 w0 { return 7 }\n");
  f.config = replay_config(api(), Level::Must, kAllMisuse, kTimeout);
  f.outcome = run_isolated(api(), f.shrunk, Level::Must, kTimeout, &f.config);
  f.kind = f.outcome.kind;
  ASSERT_EQ(f.kind, IsolatedOutcome::Kind::Violation);

  const FindingText t = describe_finding(api(), f, 99, kTimeout);
  EXPECT_EQ(t.kind_name, "violation");
  EXPECT_EQ(t.requirement, "START-FINISH-RET");
  EXPECT_EQ(t.requirement_level, "must");
  EXPECT_EQ(t.headline, "a violation of START-FINISH-RET (must) in sequence #12 (seed 99)");
  EXPECT_TRUE(contains(t.explanation, "requirement START-FINISH-RET (must)")) << t.explanation;
  EXPECT_TRUE(contains(t.explanation, "*ret")) << t.explanation;
  EXPECT_EQ(t.shrunk_text, print_sequence(f.shrunk));
  EXPECT_EQ(t.original_text, print_sequence(f.original));
  EXPECT_EQ(finding_stem("/x/libasyncref-faulty.so", t), "libasyncref-faulty-violation-start-finish-ret");

  const std::string header = finding_seq_header({99, "must", 64, 1}, "faulty (ABI 3.2)", f, t,
                                                "the shrunk sequence", t.explanation, "asyncconf replay x.seq");
  EXPECT_TRUE(header.starts_with("# asyncconf explore: the shrunk sequence\n# implementation: faulty (ABI 3.2)\n"))
      << header;
  EXPECT_TRUE(contains(header, "# requirement: START-FINISH-RET (must)\n")) << header;
  EXPECT_TRUE(header.ends_with("# replay with: asyncconf replay x.seq\n\n")) << header;

  const std::string c = c_reproducer(f.shrunk, f.config, &f.outcome.result, t.headline, "faulty", false);
  EXPECT_TRUE(contains(c, "ASYNC_start_job")) << c;
  EXPECT_TRUE(contains(c, "START-FINISH-RET")) << c;
}

TEST_F(Faulty, DescribeFindingOfAFindingNotReproducedAloneSaysSo) {
  Finding f;
  f.index = 3;
  f.original = f.shrunk = parse("wctx_new w0\n");
  f.reproduced_alone = false;
  f.kind = IsolatedOutcome::Kind::Violation;
  f.config = f.batch_config = replay_config(api(), Level::Must, kAllMisuse, kTimeout);
  f.outcome.kind = IsolatedOutcome::Kind::Pass;
  const FindingText t = describe_finding(api(), f, 1, kTimeout);
  EXPECT_EQ(t.headline, "a violation in sequence #3 (seed 1), not reproduced alone");
  EXPECT_EQ(t.detail, "sequence-3");
  EXPECT_TRUE(contains(t.explanation, "the sequence gave: pass")) << t.explanation;
}

TEST_F(Faulty, DisagreementTextShowsBothSides) {
  const Sequence s = parse("wctx_new w0\nstart j0 w0 { return 7 }\n");
  const ModelConfig config = replay_config(api(), Level::Must, kAllMisuse, kTimeout);
  Disagreement d;
  d.sequence = s;
  d.config = config;
  d.a = run_isolated(api(), s, Level::Must, kTimeout, &config);
  d.b = d.a;
  d.b.kind = IsolatedOutcome::Kind::Crash;
  d.b.signal = SIGSEGV;
  ASSERT_GE(d.a.result.observed.size(), 2u);
  d.b.result.observed.resize(1);  // the same first observation, then the crash
  d.position = 1;
  const Plan p = plan(s, config);
  const std::string first = first_difference_text(p, d, "ref", "other", kTimeout);
  EXPECT_TRUE(first.starts_with("first difference at observation 2, step 1: start j0 w0")) << first;
  EXPECT_TRUE(contains(first, "  other: nothing: killed by SIGSEGV\n")) << first;
  const std::string both = side_by_side(p, d, "ref", "other", kTimeout);
  EXPECT_TRUE(contains(both, "  same      ")) << both;
  EXPECT_TRUE(contains(both, "  DIFFERS   ref: ")) << both;
  EXPECT_TRUE(both.ends_with("ended: ref ran to the end; other killed by SIGSEGV\n")) << both;
  EXPECT_EQ(side_names("reference", "/x/reference.so"), std::make_pair(std::string("A"), std::string("B")));
  EXPECT_EQ(disagreement_file_name("reference", "libasyncref-faulty"), "diff-reference-libasyncref-faulty.seq");
}

}  // namespace
}  // namespace asyncconf::harness
