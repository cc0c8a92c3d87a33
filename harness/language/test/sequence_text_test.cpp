#include "asyncconf/harness/sequence_text.hpp"

#include "sequence_lang_test_support.hpp"

#include <gtest/gtest.h>

// Op{.kind = ..., .key = 1} leaves Op::body to its default; gcc warns for it
// because body has no default member initializer in sequence.hpp.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <algorithm>
#include <climits>
#include <random>
#include <set>
#include <string>
#include <utility>

namespace asyncconf::harness {
namespace {

using K = OpKind;

// A canonical text that uses every op kind, in every place it may appear.
constexpr const char* kRich =
    "init_thread 4 2\n"
    "set_mem_functions 65536\n"
    "is_capable\n"
    "get_mem_functions\n"
    "wctx_new w0\n"
    "set_callback w0 on\n"
    "start j0 w0 arg=-5 args=size0 { pause; set_fd 1 7; get_fd 1; clear_fd 1; get_all_fds; get_changed_fds; "
    "set_status -3; get_status; block; unblock; current_job; wait_ctx; check_arg; nested_start; offload; "
    "cleanup_thread; return 3 }\n"
    "start j1 null args=null { }\n"
    "t1: start j2 w1 arg=9 { pause }\n"
    "resume j0\n"
    "t1: resume j2\n"
    "t2: job_wait_ctx j2\n"
    "await j0 select\n"
    "t1: await j2 epoll\n"
    "await j0 callback\n"
    "await j0 busy\n"
    "pause\n"
    "block\n"
    "unblock\n"
    "current_job\n"
    "set_fd w0 3 107\n"
    "clear_fd w0 3\n"
    "get_fd w0 3\n"
    "get_all_fds w0\n"
    "get_changed_fds w0\n"
    "set_callback w0 off\n"
    "get_callback w0\n"
    "set_status w0 -1\n"
    "get_status w0\n"
    "wctx_free w0\n"
    "t3: cleanup_thread\n"
    "cleanup_thread\n";

Op op(K kind) {
  Op o;
  o.kind = kind;
  return o;
}

Sequence rich_sequence() {
  std::vector<Op> body0 = {
      op(K::Pause),
      Op{.kind = K::SetFd, .key = 1, .fd = 7},
      Op{.kind = K::GetFd, .key = 1},
      Op{.kind = K::ClearFd, .key = 1},
      op(K::GetAllFds),
      op(K::GetChangedFds),
      Op{.kind = K::SetStatus, .value = -3},
      op(K::GetStatus),
      op(K::Block),
      op(K::Unblock),
      op(K::CurrentJob),
      op(K::WaitCtx),
      op(K::CheckArg),
      op(K::NestedStart),
      op(K::Offload),
      op(K::CleanupThread),
      Op{.kind = K::Return, .value = 3},
  };
  return Sequence{{
      Op{.kind = K::InitThread, .value = 4, .value2 = 2},
      Op{.kind = K::SetMemFunctions, .value = 65536},
      op(K::IsCapable),
      op(K::GetMemFunctions),
      Op{.kind = K::WaitCtxNew, .ctx = 0},
      Op{.kind = K::SetCallback, .ctx = 0, .value = 1},
      Op{.kind = K::Start, .job = 0, .ctx = 0, .value = -5, .args = ArgsMode::SizeZero, .body = body0},
      Op{.kind = K::Start, .job = 1, .ctx = -1, .args = ArgsMode::Null},
      Op{.kind = K::Start, .thread = 1, .job = 2, .ctx = 1, .value = 9, .body = {op(K::Pause)}},
      Op{.kind = K::Resume, .job = 0},
      Op{.kind = K::Resume, .thread = 1, .job = 2},
      Op{.kind = K::JobWaitCtx, .thread = 2, .job = 2},
      Op{.kind = K::Await, .job = 0, .value = static_cast<long>(Wakeup::Select)},
      Op{.kind = K::Await, .thread = 1, .job = 2, .value = static_cast<long>(Wakeup::Epoll)},
      Op{.kind = K::Await, .job = 0, .value = static_cast<long>(Wakeup::Callback)},
      Op{.kind = K::Await, .job = 0, .value = static_cast<long>(Wakeup::Busy)},
      op(K::Pause),
      op(K::Block),
      op(K::Unblock),
      op(K::CurrentJob),
      Op{.kind = K::SetFd, .ctx = 0, .key = 3, .fd = 107},
      Op{.kind = K::ClearFd, .ctx = 0, .key = 3},
      Op{.kind = K::GetFd, .ctx = 0, .key = 3},
      Op{.kind = K::GetAllFds, .ctx = 0},
      Op{.kind = K::GetChangedFds, .ctx = 0},
      Op{.kind = K::SetCallback, .ctx = 0, .value = 0},
      Op{.kind = K::GetCallback, .ctx = 0},
      Op{.kind = K::SetStatus, .ctx = 0, .value = -1},
      Op{.kind = K::GetStatus, .ctx = 0},
      Op{.kind = K::WaitCtxFree, .ctx = 0},
      Op{.kind = K::CleanupThread, .thread = 3},
      op(K::CleanupThread),
  }};
}

Sequence parse_ok(std::string_view text) {
  ParseResult r = parse_sequence(text);
  EXPECT_TRUE(r.ok()) << to_string(*r.error);
  EXPECT_FALSE(r.ok() && r.error.has_value()) << "both a sequence and an error";
  return r.sequence.value_or(Sequence{});
}

/// "line:column: message" of the first error, or "parsed" when there is none.
std::string error_of(std::string_view text) {
  ParseResult r = parse_sequence(text);
  if (r.ok()) return "parsed";
  EXPECT_FALSE(r.sequence.has_value()) << "both a sequence and an error";
  return to_string(*r.error);
}

// --- the rich example --------------------------------------------------------

TEST(SequenceText, RichExampleParsesToTheOpsItSays) { EXPECT_EQ(parse_ok(kRich), rich_sequence()); }

TEST(SequenceText, RichExamplePrintsBackToTheSameText) { EXPECT_EQ(print_sequence(parse_ok(kRich)), kRich); }

TEST(SequenceText, RichSequenceRoundTripsThroughText) {
  EXPECT_EQ(parse_ok(print_sequence(rich_sequence())), rich_sequence());
}

TEST(SequenceText, RichExampleUsesEveryOpKindInEveryPlaceItMayAppear) {
  std::set<K> driver, body;
  for (const Op& o : rich_sequence().ops) {
    driver.insert(o.kind);
    for (const Op& b : o.body) body.insert(b.kind);
  }
  for (std::size_t k = 0; k < kOpKindCount; ++k) {
    const auto kind = static_cast<K>(k);
    EXPECT_EQ(driver.count(kind) == 1, is_driver_op(kind)) << op_name(kind) << " as a driver op";
    EXPECT_EQ(body.count(kind) == 1, is_body_op(kind)) << op_name(kind) << " as a body op";
  }
}

// --- what the parser accepts -------------------------------------------------

TEST(SequenceText, EmptyTextIsTheEmptySequence) {
  EXPECT_EQ(parse_ok(""), Sequence{});
  EXPECT_EQ(print_sequence(Sequence{}), "");
}

TEST(SequenceText, CommentsAndBlankLinesAreIgnored) {
  const Sequence s = parse_ok(
      "# a whole-line comment\n"
      "\n"
      "   \t  \n"
      "pause   # a trailing comment { ; }\n"
      "#resume j0\n"
      "block#no space before the comment\n");
  EXPECT_EQ(s, (Sequence{{op(K::Pause), op(K::Block)}}));
}

TEST(SequenceText, AnyRunOfSpacesAndTabsSeparatesTokens) {
  EXPECT_EQ(parse_ok("\t set_fd \t w0   3\t\t107  \n  t1:\tresume    j2"),
            parse_ok("set_fd w0 3 107\nt1: resume j2\n"));
}

TEST(SequenceText, SpacesAroundBracesSemicolonsAndColonsAreOptional) {
  EXPECT_EQ(parse_ok("t1:start j0 w0{pause;set_fd 1 7;return 3}"),
            parse_ok("t1: start j0 w0 { pause; set_fd 1 7; return 3 }"));
  EXPECT_EQ(parse_ok("start j0 w0{}"), parse_ok("start j0 w0 { }"));
}

TEST(SequenceText, CrLfLineEndingsAndAMissingFinalNewlineAreFine) {
  EXPECT_EQ(parse_ok("pause\r\nblock\r\nunblock"), (Sequence{{op(K::Pause), op(K::Block), op(K::Unblock)}}));
}

TEST(SequenceText, ArgAndArgsMayComeInEitherOrder) {
  EXPECT_EQ(parse_ok("start j0 null args=null arg=7 { }"), parse_ok("start j0 null arg=7 args=null { }"));
}

TEST(SequenceText, ThreadZeroPrefixIsAcceptedAndNotPrinted) {
  const Sequence s = parse_ok("t0: pause\n");
  EXPECT_EQ(s, (Sequence{{op(K::Pause)}}));
  EXPECT_EQ(print_sequence(s), "pause\n");
}

TEST(SequenceText, LargeNumbersParseAsLong) {
  EXPECT_EQ(parse_ok("init_thread 9223372036854775807 4294967296").ops.at(0),
            (Op{.kind = K::InitThread, .value = LONG_MAX, .value2 = 4294967296L}));
  EXPECT_EQ(parse_ok("start j999999 w999999 arg=-9223372036854775808 { return -9223372036854775808 }").ops.at(0),
            (Op{.kind = K::Start, .job = 999999, .ctx = 999999, .value = LONG_MIN,
                .body = {Op{.kind = K::Return, .value = LONG_MIN}}}));
}

TEST(SequenceText, ZeroIsAValidStackSizeAndFdAndKey) {
  EXPECT_EQ(parse_ok("set_mem_functions 0\nset_fd w0 0 0\n"),
            (Sequence{{Op{.kind = K::SetMemFunctions}, Op{.kind = K::SetFd, .ctx = 0}}}));
}

// --- canonical printing ------------------------------------------------------

TEST(SequenceText, CanonicalPrintOmitsArgZeroAndArgsCopy) {
  EXPECT_EQ(print_op(Op{.kind = K::Start, .job = 3, .ctx = -1}), "start j3 null { }");
  EXPECT_EQ(print_op(Op{.kind = K::Start, .job = 3, .ctx = 2, .value = 1, .args = ArgsMode::Null}),
            "start j3 w2 arg=1 args=null { }");
}

TEST(SequenceText, NonCanonicalTextPrintsCanonically) {
  EXPECT_EQ(print_sequence(parse_ok("# c\n\n t0:  start  j01 w2 args=size0  arg=0{pause ;block}\nset_callback w0 on  # x\n")),
            "start j1 w2 args=size0 { pause; block }\nset_callback w0 on\n");
}

TEST(SequenceText, PrintOpPrefixesDriverOpsOnOtherThreads) {
  EXPECT_EQ(print_op(Op{.kind = K::GetStatus, .thread = 2, .ctx = 1}), "t2: get_status w1");
  EXPECT_EQ(print_op(Op{.kind = K::GetStatus, .ctx = 1}), "get_status w1");
}

TEST(SequenceText, PrintOpInBodyUsesTheBodyForm) {
  EXPECT_EQ(print_op(Op{.kind = K::SetFd, .key = 1, .fd = 7}, true), "set_fd 1 7");
  EXPECT_EQ(print_op(Op{.kind = K::SetStatus, .value = -2}, true), "set_status -2");
  EXPECT_EQ(print_op(Op{.kind = K::Return, .value = 3}, true), "return 3");
}

TEST(SequenceText, PrintBodyBracesOpsWithSemicolons) {
  EXPECT_EQ(print_body({}), "{ }");
  EXPECT_EQ(print_body({op(K::Pause)}), "{ pause }");
  EXPECT_EQ(print_body({op(K::Pause), Op{.kind = K::Return, .value = 3}}), "{ pause; return 3 }");
}

TEST(SequenceText, PrinterRefusesWhatTheTextCannotSayExactly) {
  const auto refuses = [](const Op& o, bool in_body) {
    EXPECT_THROW(print_op(o, in_body), std::invalid_argument) << testing_support::describe(o);
    if (in_body) {
      EXPECT_THROW(print_body({o}), std::invalid_argument);
    } else {
      EXPECT_THROW(print_sequence(Sequence{{o}}), std::invalid_argument);
    }
  };
  refuses(op(K::WaitCtx), false);                                   // body op among driver ops
  refuses(op(K::Resume), true);                                     // driver op in a body
  refuses(Op{.kind = K::Start, .job = 0, .ctx = 0}, true);          // nested start
  refuses(Op{.kind = K::Pause, .thread = 4}, false);                // thread out of range
  refuses(Op{.kind = K::Pause, .thread = 1}, true);                 // body op with a thread
  refuses(Op{.kind = K::SetFd, .ctx = 0, .key = kMaxKeys}, false);  // key out of range
  refuses(Op{.kind = K::SetFd, .ctx = 0, .fd = -1}, false);         // negative fd
  refuses(Op{.kind = K::Resume, .job = -1}, false);                 // no job name
  refuses(Op{.kind = K::Resume, .job = kMaxTextName}, false);       // job name too big
  refuses(Op{.kind = K::Start, .job = 0, .ctx = -2}, false);        // ctx below null
  refuses(Op{.kind = K::WaitCtxNew, .ctx = -1}, false);             // only Start may have no ctx
  refuses(Op{.kind = K::SetFd, .ctx = 0}, true);                    // body form names no ctx
  refuses(Op{.kind = K::SetCallback, .ctx = 0, .value = 2}, false); // neither on nor off
  refuses(Op{.kind = K::SetStatus, .ctx = 0, .value = 1L << 40}, false);
  refuses(Op{.kind = K::InitThread, .value = -1}, false);
  refuses(Op{.kind = K::Pause, .value = 5}, false);                 // unused field not at its default
  refuses(Op{.kind = K::Pause, .key = 1}, false);
  refuses(Op{.kind = K::Resume, .job = 0, .args = ArgsMode::Null}, false);
  refuses(Op{.kind = K::Pause, .body = {op(K::Pause)}}, false);
  refuses(Op{.kind = K::Start, .job = 0, .ctx = 0, .body = {op(K::Resume)}}, false);  // bad op in the body
  refuses(op(static_cast<K>(kOpKindCount)), false);
}

TEST(SequenceText, RandomSequencesRoundTripThroughText) {
  testing_support::Generator gen(20240601, testing_support::text_ranges());
  for (int i = 0; i < 2000; ++i) {
    const Sequence s = gen.sequence(8);
    ASSERT_EQ(testing_support::problem(s, testing_support::text_ranges()), "");
    const std::string text = print_sequence(s);
    ASSERT_EQ(parse_ok(text), s) << text;
    ASSERT_EQ(print_sequence(parse_ok(text)), text);
  }
}

TEST(SequenceText, ArbitraryTextEitherParsesOrPointsInsideTheText) {
  const std::vector<std::string> vocabulary = {
      "start", "j0", "w1", "null", "{", "}", ";", "pause", "set_fd", "1", "7", "-3", "t1:", "t9:", "arg=5",
      "args=null", "#c", "\n", " ", "\t", "return", "init_thread", "99999999999999999999", "x", ":", "wait_ctx",
      "resume", "set_callback", "on", "get_status", "\r\n"};
  std::mt19937_64 rng(7);
  for (int i = 0; i < 5000; ++i) {
    std::string text;
    const int n = std::uniform_int_distribution<int>(0, 24)(rng);
    for (int k = 0; k < n; ++k) {
      text += vocabulary[std::uniform_int_distribution<std::size_t>(0, vocabulary.size() - 1)(rng)];
      if (rng() % 2 == 0) text += ' ';
    }
    const ParseResult r = parse_sequence(text);
    ASSERT_NE(r.sequence.has_value(), r.error.has_value()) << text;
    if (r.ok()) {
      ASSERT_EQ(parse_ok(print_sequence(*r.sequence)), *r.sequence) << text;
      continue;
    }
    // The error's line exists and its column is at most one past the line's end.
    std::size_t begin = 0;
    for (int line = 1; line < r.error->line; ++line) {
      begin = text.find('\n', begin);
      ASSERT_NE(begin, std::string::npos) << text;
      ++begin;
    }
    const std::size_t end = std::min(text.find('\n', begin), text.size());
    ASSERT_GE(r.error->column, 1) << text;
    ASSERT_LE(static_cast<std::size_t>(r.error->column), end - begin + 1) << text;
    ASSERT_FALSE(r.error->message.empty());
  }
}

TEST(SequenceText, RepeatSuffixStandsForThatManyEqualOps) {
  Op start = op(K::Start);
  start.job = 0;
  start.ctx = 0;
  start.body = std::vector<Op>(200, op(K::Pause));
  start.body.push_back(op(K::GetStatus));
  Op resume = op(K::Resume);
  resume.job = 0;
  resume.thread = 1;
  std::vector<Op> ops{start};
  ops.insert(ops.end(), 200, resume);
  EXPECT_EQ(parse_ok("start j0 w0 { pause x200; get_status }\nt1: resume j0 x200\n"), Sequence{ops});
  // Printed op by op: the suffix is only shorthand.
  EXPECT_EQ(parse_ok("resume j0 x1\npause x2\n"), parse_ok("resume j0\npause\npause\n"));
  EXPECT_EQ(print_sequence(parse_ok("pause x2\n")), "pause\npause\n");
}

// --- errors: line:column and message -----------------------------------------

TEST(SequenceTextError, RepeatOutOfRange) {
  EXPECT_EQ(error_of("pause x0"), "1:7: repeat \"x0\" is out of range (1..1024)");
  EXPECT_EQ(error_of("start j0 w0 { pause x1025 }"), "1:21: repeat \"x1025\" is out of range (1..1024)");
  EXPECT_EQ(error_of("resume j0 x2 x2"), "1:14: trailing \"x2\" after resume (usage: resume j<job>)");
  EXPECT_EQ(error_of("pause x99999999999999999999"), "1:8: number \"99999999999999999999\" is out of range");
}

TEST(SequenceTextError, UnknownOpIsNamed) {
  EXPECT_EQ(error_of("init_thread 1 1\n  pasue # typo\n"), "2:3: unknown op \"pasue\"");
}

TEST(SequenceTextError, UnknownOpInABody) {
  EXPECT_EQ(error_of("start j0 w0 { pause; blok }"), "1:22: unknown op \"blok\"");
}

TEST(SequenceTextError, LinesCountCommentsAndBlankLines) {
  EXPECT_EQ(error_of("# one\n\n   # three\npause\nresume\n"), "5:7: resume needs a job name j<N>");
}

TEST(SequenceTextError, MissingJobPointsJustAfterTheLastToken) {
  EXPECT_EQ(error_of("start   # no job"), "1:6: start needs a job name j<N>");
}

TEST(SequenceTextError, MissingJobNamesWhatCameInstead) {
  EXPECT_EQ(error_of("start { }"), "1:7: start needs a job name j<N>, not \"{\"");
  EXPECT_EQ(error_of("resume 0"), "1:8: resume needs a job name j<N>, not \"0\"");
}

TEST(SequenceTextError, MissingCtx) {
  EXPECT_EQ(error_of("wctx_new"), "1:9: wctx_new needs a wait ctx name w<N>");
  EXPECT_EQ(error_of("wctx_new j0"), "1:10: wctx_new needs a wait ctx name w<N>, not \"j0\"");
  EXPECT_EQ(error_of("start j0 { }"), "1:10: start needs a wait ctx name w<N> or null, not \"{\"");
}

TEST(SequenceTextError, MissingKeyAndFd) {
  EXPECT_EQ(error_of("set_fd w0"), "1:10: set_fd needs a key 0..7");
  EXPECT_EQ(error_of("set_fd w0 1"), "1:12: set_fd needs an fd (a non-negative integer)");
  EXPECT_EQ(error_of("start j0 w0 { get_fd }"), "1:22: get_fd needs a key 0..7, not \"}\"");
}

TEST(SequenceTextError, MissingInitThreadOperands) {
  EXPECT_EQ(error_of("init_thread 4"), "1:14: init_thread needs init_size (a non-negative integer)");
}

TEST(SequenceTextError, BadNumber) {
  EXPECT_EQ(error_of("init_thread 4x 2"), "1:13: bad number \"4x\"");
  EXPECT_EQ(error_of("set_status w0 +3"), "1:15: bad number \"+3\"");
  EXPECT_EQ(error_of("start j0 w0 { return three }"), "1:22: bad number \"three\"");
}

TEST(SequenceTextError, NegativeWhereOnlyNonNegativeIsAllowed) {
  EXPECT_EQ(error_of("init_thread -1 2"), "1:13: bad number \"-1\" (max_size must not be negative)");
  EXPECT_EQ(error_of("set_mem_functions -4096"), "1:19: bad number \"-4096\" (the stack size must not be negative)");
  EXPECT_EQ(error_of("set_fd w0 1 -7"), "1:13: bad number \"-7\" (the fd must not be negative)");
}

TEST(SequenceTextError, NumberTooBigForLong) {
  EXPECT_EQ(error_of("set_mem_functions 99999999999999999999"),
            "1:19: number \"99999999999999999999\" is out of range");
}

TEST(SequenceTextError, StatusMustFitAnInt) {
  EXPECT_EQ(error_of("set_status w0 3000000000"), "1:15: status 3000000000 is out of the range of int");
}

TEST(SequenceTextError, FdMustFitAnInt) {
  EXPECT_EQ(error_of("set_fd w0 1 2147483648"), "1:13: fd 2147483648 is out of range (0..2147483647)");
}

TEST(SequenceTextError, BadArgPointsAtTheValue) {
  EXPECT_EQ(error_of("start j0 w0 arg=x { }"), "1:17: bad number \"x\"");
  EXPECT_EQ(error_of("start j0 w0 arg= { }"), "1:17: bad number \"\"");
}

TEST(SequenceTextError, BadArgsMode) {
  EXPECT_EQ(error_of("start j0 w0 args=copy { }"), "1:13: args= must be null or size0, not \"copy\"");
}

TEST(SequenceTextError, ArgGivenTwice) {
  EXPECT_EQ(error_of("start j0 w0 arg=1 arg=2 { }"), "1:19: arg= given twice");
}

TEST(SequenceTextError, BadSetCallbackValue) {
  EXPECT_EQ(error_of("set_callback w0 yes"), "1:17: set_callback needs on or off, not \"yes\"");
}

TEST(SequenceTextError, NameOutOfRange) {
  EXPECT_EQ(error_of("resume j1000000"), "1:8: name \"j1000000\" is out of range (j0..j999999)");
  EXPECT_EQ(error_of("wctx_free w99999999999999999999"),
            "1:11: name \"w99999999999999999999\" is out of range (w0..w999999)");
}

TEST(SequenceTextError, TrailingGarbageAfterAnOp) {
  EXPECT_EQ(error_of("resume j0 j1"), "1:11: trailing \"j1\" after resume (usage: resume j<job>)");
  EXPECT_EQ(error_of("pause now"), "1:7: trailing \"now\" after pause (usage: pause)");
  EXPECT_EQ(error_of("resume j0 }"), "1:11: trailing \"}\" after resume (usage: resume j<job>)");
}

TEST(SequenceTextError, TrailingGarbageAfterABody) {
  EXPECT_EQ(error_of("start j0 w0 { } pause"),
            "1:17: trailing \"pause\" after start (usage: start j<job> w<ctx>|null [arg=<value>] "
            "[args=null|size0] { <body> })");
}

TEST(SequenceTextError, MissingBody) {
  EXPECT_EQ(error_of("start j0 w0"), "1:12: start needs a body { ... }");
  EXPECT_EQ(error_of("start j0 w0 pause"), "1:13: start needs a body { ... }, not \"pause\"");
}

TEST(SequenceTextError, UnterminatedBodyPointsAtTheBrace) {
  EXPECT_EQ(error_of("pause\nstart j0 w0 { pause; block\n}\n"), "2:13: unterminated \"{\": no \"}\" on this line");
  EXPECT_EQ(error_of("start j0 w0 {"), "1:13: unterminated \"{\": no \"}\" on this line");
  EXPECT_EQ(error_of("start j0 w0 { pause;"), "1:13: unterminated \"{\": no \"}\" on this line");
}

TEST(SequenceTextError, EmptyBodyOpBetweenSemicolons) {
  EXPECT_EQ(error_of("start j0 w0 { pause; }"), "1:22: expected a body op, not \"}\"");
  EXPECT_EQ(error_of("start j0 w0 { ; }"), "1:15: expected a body op, not \";\"");
}

TEST(SequenceTextError, MissingSemicolonInABody) {
  EXPECT_EQ(error_of("start j0 w0 { pause block }"), "1:21: unexpected \"block\" after pause (expected \";\" or \"}\")");
}

TEST(SequenceTextError, KeyOutOfRange) {
  EXPECT_EQ(error_of("set_fd w0 8 3"), "1:11: key 8 is out of range (0..7)");
  EXPECT_EQ(error_of("get_fd w0 -1"), "1:11: key -1 is out of range (0..7)");
  EXPECT_EQ(error_of("start j0 null { clear_fd 9 }"), "1:26: key 9 is out of range (0..7)");
}

TEST(SequenceTextError, ThreadOutOfRange) {
  EXPECT_EQ(error_of("pause\n t4: pause"), "2:2: thread t4 is out of range (t0..t3)");
  EXPECT_EQ(error_of("t99999999999999999999: pause"), "1:1: thread t99999999999999999999 is out of range (t0..t3)");
}

TEST(SequenceTextError, BadThreadPrefix) {
  EXPECT_EQ(error_of("x1: pause"), "1:1: bad thread prefix \"x1:\" (expected t<N>:)");
  EXPECT_EQ(error_of("t1:"), "1:4: expected an op name after the thread prefix");
  EXPECT_EQ(error_of("{ pause }"), "1:1: expected an op name, not \"{\"");
}

TEST(SequenceTextError, BodyOpAsADriverOp) {
  EXPECT_EQ(error_of("wait_ctx"), "1:1: wait_ctx is a body op; it cannot be a driver op");
  EXPECT_EQ(error_of("t1: return 3"), "1:5: return is a body op; it cannot be a driver op");
}

TEST(SequenceTextError, DriverOpInABody) {
  EXPECT_EQ(error_of("start j0 w0 { pause; resume j1 }"), "1:22: resume is a driver op; it cannot be a body op");
  EXPECT_EQ(error_of("start j0 w0 { set_callback on }"),
            "1:15: set_callback is a driver op; it cannot be a body op");
}

TEST(SequenceTextError, BodiesDoNotNest) {
  EXPECT_EQ(error_of("start j0 w0 { start j1 w0 { } }"),
            "1:15: start is a driver op; it cannot be a body op (bodies do not nest: use nested_start)");
}

TEST(SequenceTextError, BodyOpsHaveNoThreadPrefix) {
  EXPECT_EQ(error_of("start j0 w0 { t1: pause }"), "1:15: a body op has no thread prefix");
}

TEST(SequenceTextError, BodyOpsNameNoCtx) {
  EXPECT_EQ(error_of("start j0 w0 { set_fd w0 1 7 }"), "1:22: set_fd in a body names no wait ctx (it uses its job's)");
  EXPECT_EQ(error_of("start j0 w0 { get_status w1 }"),
            "1:26: get_status in a body names no wait ctx (it uses its job's)");
}

TEST(SequenceTextError, OnlyTheFirstErrorIsReported) {
  EXPECT_EQ(error_of("pause\nfoo\nbar\n"), "2:1: unknown op \"foo\"");
}

TEST(SequenceTextError, ParseOrThrowThrowsTheError) {
  try {
    parse_sequence_or_throw("pause\n  resume j0 x\n");
    FAIL() << "did not throw";
  } catch (const SequenceParseError& e) {
    EXPECT_STREQ(e.what(), "2:13: trailing \"x\" after resume (usage: resume j<job>)");
    EXPECT_EQ(e.error(), (ParseError{2, 13, "trailing \"x\" after resume (usage: resume j<job>)"}));
  }
  EXPECT_EQ(parse_sequence_or_throw("pause\n"), (Sequence{{op(K::Pause)}}));
}

}  // namespace
}  // namespace asyncconf::harness
