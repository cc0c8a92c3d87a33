#include "asyncconf/harness/sequence_bytes.hpp"
#include "asyncconf/harness/sequence_text.hpp"

#include "sequence_lang_test_support.hpp"

#include <gtest/gtest.h>

// Op{.kind = ..., .key = 1} leaves Op::body to its default; gcc warns for it
// because body has no default member initializer in sequence.hpp.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <climits>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <vector>

namespace asyncconf::harness {
namespace {

using K = OpKind;
using Bytes = std::vector<std::uint8_t>;
namespace ts = testing_support;

constexpr std::uint64_t kSeed = 0x5eedcafe;

Bytes random_bytes(std::mt19937_64& rng, std::size_t max_len) {
  Bytes b(std::uniform_int_distribution<std::size_t>(0, max_len)(rng));
  for (auto& x : b) x = static_cast<std::uint8_t>(rng());
  return b;
}

/// The 10 000 fixed-seed byte strings the totality tests decode.
const std::vector<Bytes>& random_inputs() {
  static const std::vector<Bytes> inputs = [] {
    std::mt19937_64 rng(kSeed);
    std::vector<Bytes> v;
    for (int i = 0; i < 10000; ++i) v.push_back(random_bytes(rng, 400));
    return v;
  }();
  return inputs;
}

/// The kind byte for a driver op (with the thread), from the documented layout.
std::uint8_t kind_byte(K kind, int thread) {
  int index = 0, count = 0;
  for (std::size_t k = 0; k < kOpKindCount; ++k) {
    if (!is_driver_op(static_cast<K>(k))) continue;
    if (static_cast<K>(k) == kind) index = count;
    ++count;
  }
  return static_cast<std::uint8_t>(static_cast<std::size_t>(index) + kKindSlots * static_cast<std::size_t>(thread));
}

std::uint8_t body_kind_byte(K kind) {
  int index = 0;
  for (std::size_t k = 0; k < kOpKindCount && static_cast<K>(k) != kind; ++k) {
    if (is_body_op(static_cast<K>(k))) ++index;
  }
  return static_cast<std::uint8_t>(index);
}

// --- totality ------------------------------------------------------------------

TEST(SequenceBytes, EmptyInputIsTheEmptySequence) { EXPECT_EQ(decode_sequence({}), Sequence{}); }

TEST(SequenceBytes, AllZeroBytesAreInitThreadZeroZeroOnTheMainThread) {
  const Bytes zeros(64, 0x00);
  const Sequence s = decode_sequence(zeros);
  EXPECT_EQ(ts::problem(s, ts::byte_ranges()), "");
  // init_thread takes 2 operand bytes: 64 bytes are 21 whole ops and one cut short.
  ASSERT_EQ(s.ops.size(), 22u);
  for (const Op& o : s.ops) EXPECT_EQ(o, (Op{.kind = K::InitThread}));
}

TEST(SequenceBytes, AllFfBytesAreRepeatsOfNothing) {
  for (std::size_t n : {1u, 2u, 7u, 64u, 1000u, 100000u}) {
    EXPECT_EQ(decode_sequence(Bytes(n, kRepeatByte)), Sequence{}) << n << " bytes";
  }
}

TEST(SequenceBytes, AllFeBytesAreWellFormed) {
  for (std::size_t n : {1u, 2u, 7u, 64u, 1000u, 100000u}) {
    const Sequence s = decode_sequence(Bytes(n, 0xfe));
    EXPECT_EQ(ts::problem(s, ts::byte_ranges()), "") << n << " bytes";
    EXPECT_FALSE(s.ops.empty());
  }
}

TEST(SequenceBytes, ARepeatMakesTheOpBeforeStandMoreTimes) {
  // start j0 w0 { pause, then 199 more }, resume j0, then 199 more
  const Bytes b = {kind_byte(K::Start, 0), 0, 1, 0, 0, 2, body_kind_byte(K::Pause), kRepeatByte, 199,
                   kind_byte(K::Resume, 0), 0, kRepeatByte, 199};
  const DecodeLimits limits{.max_driver_ops = 512, .max_repeated_body_ops = 255};
  const Sequence s = decode_sequence(b, limits);
  ASSERT_EQ(s.ops.size(), 201u);
  EXPECT_EQ(s.ops[0].body, std::vector<Op>(200, Op{.kind = K::Pause}));
  EXPECT_EQ(std::vector<Op>(s.ops.begin() + 1, s.ops.end()), std::vector<Op>(200, Op{.kind = K::Resume, .job = 0}));
  EXPECT_EQ(encode_sequence(s, limits), b);
  // Up to the limits: 12 ops per body by default, 128 driver ops.
  const Sequence capped = decode_sequence(b);
  EXPECT_EQ(capped.ops[0].body.size(), 12u);
  EXPECT_EQ(capped.ops.size(), 128u);
  // With nothing before it, or after a start, a repeat adds nothing.
  EXPECT_EQ(decode_sequence(Bytes{kRepeatByte, 9, kind_byte(K::Pause, 0)}), (Sequence{{Op{.kind = K::Pause}}}));
  EXPECT_EQ(decode_sequence(Bytes{kind_byte(K::Start, 0), 0, 1, 0, 0, 0, kRepeatByte, 9}, limits).ops.size(), 1u);
  // Equal starts are written one by one.
  const Sequence starts{{Op{.kind = K::Start, .job = 0, .ctx = 0}, Op{.kind = K::Start, .job = 0, .ctx = 0}}};
  EXPECT_EQ(decode_sequence(encode_sequence(starts, limits), limits), starts);
  EXPECT_EQ(entry_count(starts.ops), 2u);
}

TEST(SequenceBytes, RunsEncodeAsRepeatsAndRoundTrip) {
  const DecodeLimits limits{.max_driver_ops = 512, .max_body_ops = 4, .max_repeated_body_ops = 255};
  Sequence s;
  Op start{.kind = K::Start, .job = 0, .ctx = 0};
  start.body.assign(255, Op{.kind = K::Pause});
  s.ops.push_back(start);
  s.ops.insert(s.ops.end(), 300, Op{.kind = K::Resume, .job = 0});
  const Bytes b = encode_sequence(s, limits);
  EXPECT_EQ(decode_sequence(b, limits), s);
  EXPECT_LE(b.size(), 20u);
  EXPECT_EQ(entry_count(start.body), 2u);
  EXPECT_EQ(entry_count(std::vector<Op>(300, Op{.kind = K::Pause})), 3u);
}

TEST(SequenceBytes, TenThousandRandomInputsDecodeToWellFormedSequences) {
  for (const Bytes& b : random_inputs()) {
    const Sequence s = decode_sequence(b);
    ASSERT_EQ(ts::problem(s, ts::byte_ranges()), "") << ::testing::PrintToString(b);
    ASSERT_EQ(s.ops.empty(), b.empty());
  }
}

TEST(SequenceBytes, DecodedSequencesRoundTripThroughText) {
  for (std::size_t i = 0; i < 1000; ++i) {
    const Sequence s = decode_sequence(random_inputs()[i]);
    const std::string text = print_sequence(s);
    const ParseResult back = parse_sequence(text);
    ASSERT_TRUE(back.ok()) << to_string(*back.error) << "\n" << text;
    ASSERT_EQ(*back.sequence, s) << text;
  }
}

TEST(SequenceBytes, DecodingIsDeterministic) {
  for (std::size_t i = 0; i < 1000; ++i) {
    ASSERT_EQ(decode_sequence(random_inputs()[i]), decode_sequence(random_inputs()[i]));
  }
}

TEST(SequenceBytes, RandomInputsReachEveryKindThreadAndArgsMode) {
  std::set<K> driver, body;
  std::set<int> threads, start_ctxs;
  std::set<ArgsMode> modes;
  std::set<long> statuses;
  std::size_t longest_body = 0, most_ops = 0;
  for (const Bytes& b : random_inputs()) {
    const Sequence s = decode_sequence(b);
    most_ops = std::max(most_ops, s.ops.size());
    for (const Op& o : s.ops) {
      driver.insert(o.kind);
      threads.insert(o.thread);
      if (o.kind == K::Start) {
        modes.insert(o.args);
        start_ctxs.insert(o.ctx);
        longest_body = std::max(longest_body, o.body.size());
      }
      for (const Op& x : o.body) {
        body.insert(x.kind);
        if (x.kind == K::SetStatus || x.kind == K::Return) statuses.insert(x.value);
      }
      if (o.kind == K::SetStatus) statuses.insert(o.value);
    }
  }
  const std::vector<K> driver_kinds = ts::kinds_for(false), body_kinds = ts::kinds_for(true);
  EXPECT_EQ(driver, std::set<K>(driver_kinds.begin(), driver_kinds.end()));
  EXPECT_EQ(body, std::set<K>(body_kinds.begin(), body_kinds.end()));
  EXPECT_EQ(threads, (std::set<int>{0, 1}));
  EXPECT_EQ(start_ctxs, (std::set<int>{-1, 0, 1, 2, 3}));
  EXPECT_EQ(modes, (std::set<ArgsMode>{ArgsMode::Copy, ArgsMode::Null, ArgsMode::SizeZero}));
  EXPECT_EQ(statuses, (std::set<long>{-2, -1, 0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(longest_body, 12u);
  EXPECT_GT(most_ops, 50u);
}

TEST(SequenceBytes, NeverReadsPastTheEnd) {
  // The same bytes followed by different junk decode the same: nothing past
  // the span is read. (Under ASan the exact-size copy also catches it.)
  std::mt19937_64 rng(kSeed + 1);
  for (int i = 0; i < 2000; ++i) {
    const Bytes b = random_bytes(rng, 64);
    Bytes padded = b;
    padded.insert(padded.end(), 16, static_cast<std::uint8_t>(rng()));
    const Sequence exact = decode_sequence(b);
    ASSERT_EQ(decode_sequence(std::span<const std::uint8_t>(padded.data(), b.size())), exact);
  }
}

TEST(SequenceBytes, MissingBytesReadAsZero) {
  std::mt19937_64 rng(kSeed + 2);
  for (int i = 0; i < 2000; ++i) {
    Bytes b = random_bytes(rng, 64);
    const Sequence s = decode_sequence(b);
    if (s.ops.empty()) continue;
    // Appending zeros only completes the last op the way it was already read;
    // any further ops are zero-byte ops (init_thread 0 0).
    const std::size_t n = s.ops.size();
    b.resize(b.size() + 40, 0);
    const Sequence longer = decode_sequence(b);
    ASSERT_GE(longer.ops.size(), n);
    for (std::size_t k = 0; k < n; ++k) ASSERT_EQ(longer.ops[k], s.ops[k]) << k;
    for (std::size_t k = n; k < longer.ops.size(); ++k) ASSERT_EQ(longer.ops[k], (Op{.kind = K::InitThread}));
  }
}

TEST(SequenceBytes, APrefixDecodesToThePrefixOfTheOpsButTheLast) {
  std::mt19937_64 rng(kSeed + 3);
  for (int i = 0; i < 2000; ++i) {
    const Bytes b = random_bytes(rng, 200);
    const std::size_t cut = std::uniform_int_distribution<std::size_t>(0, b.size())(rng);
    const Sequence whole = decode_sequence(b);
    const Sequence prefix = decode_sequence(std::span<const std::uint8_t>(b.data(), cut));
    ASSERT_LE(prefix.ops.size(), whole.ops.size());
    for (std::size_t k = 0; k + 1 < prefix.ops.size(); ++k) ASSERT_EQ(prefix.ops[k], whole.ops[k]) << k;
  }
}

TEST(SequenceBytes, DriverOpsStopAtMaxDriverOps) {
  EXPECT_EQ(decode_sequence(Bytes(10000, 0x05)).ops.size(), 128u);
  EXPECT_EQ(decode_sequence(Bytes(10000, 0x05), DecodeLimits{.max_driver_ops = 3}).ops.size(), 3u);
  EXPECT_EQ(decode_sequence(Bytes(10000, 0x05), DecodeLimits{.max_driver_ops = 0}).ops.size(), 0u);
}

TEST(SequenceBytes, CustomLimitsAreRespected) {
  const DecodeLimits limits{.max_driver_ops = 5, .max_body_ops = 2, .threads = 4, .jobs = 3, .ctxs = 1};
  ts::Ranges r = ts::byte_ranges();
  r.max_driver_ops = 5;
  r.max_body_ops = 2;
  r.threads = 4;
  r.jobs = 3;
  r.ctxs = 1;
  std::set<int> threads;
  for (std::size_t i = 0; i < 3000; ++i) {
    const Sequence s = decode_sequence(random_inputs()[i], limits);
    ASSERT_EQ(ts::problem(s, r), "");
    for (const Op& o : s.ops) threads.insert(o.thread);
  }
  EXPECT_EQ(threads, (std::set<int>{0, 1, 2, 3}));
}

TEST(SequenceBytes, OutOfRangeLimitsAreClamped) {
  ts::Ranges r = ts::byte_ranges();
  r.threads = 1;
  r.jobs = 1;
  r.ctxs = 1;
  r.max_body_ops = 0;
  const DecodeLimits tiny{.max_body_ops = 0, .threads = 0, .jobs = -5, .ctxs = 0};
  ts::Ranges big = ts::byte_ranges();
  big.threads = kMaxThreads;
  big.jobs = 256;
  big.ctxs = 255;
  big.max_body_ops = 255;
  const DecodeLimits huge{.max_body_ops = 100000, .threads = 100, .jobs = 100000, .ctxs = 100000};
  for (std::size_t i = 0; i < 2000; ++i) {
    const Sequence s = decode_sequence(random_inputs()[i], tiny);
    ASSERT_EQ(ts::problem(s, r), "");
    for (const Op& o : s.ops) ASSERT_TRUE(o.body.empty());
    ASSERT_EQ(ts::problem(decode_sequence(random_inputs()[i], huge), big), "");
  }
}

// --- the documented layout -------------------------------------------------------

TEST(SequenceBytes, KindByteChoosesKindAndThread) {
  const Bytes b = {kind_byte(K::SetFd, 1), 1, 3, 200};
  EXPECT_EQ(decode_sequence(b), (Sequence{{Op{.kind = K::SetFd, .thread = 1, .ctx = 1, .key = 3, .fd = 200}}}));
}

// Fuzz corpora outlive language versions: these bytes were written before
// get_mem_functions (the first op added at the end of ops.def) and must keep
// their meaning. An op inserted before the end of ops.def fails this.
TEST(SequenceBytes, BytesKeepTheirMeaningAsOpsAreAdded) {
  const Bytes b = {4, 1, 1, 0, 0, 3, 1, 2, 3,  // start (driver op 4), j1, w0, no arg, copy, 3 body ops
                   5, 1,                       // resume j1
                   13 + 63, 1, 2, 7,           // set_fd (13) on thread 1, w1, key 2, fd 7
                   5 + 63, 1,                  // resume j1 on thread 1
                   1 + 63};                    // cleanup_thread on thread 1
  EXPECT_EQ(print_sequence(decode_sequence(b)),
            "start j1 w0 { pause; block; unblock }\n"
            "resume j1\n"
            "t1: set_fd w1 2 7\n"
            "t1: resume j1\n"
            "t1: cleanup_thread\n");
  // A slot past the last op wraps around the table, as every byte decodes.
  EXPECT_EQ(decode_sequence(Bytes{static_cast<std::uint8_t>(kKindSlots - 1)}).ops.size(), 1u);
}

TEST(SequenceBytes, StartReadsJobCtxArgAndBody) {
  // j5, ctx byte 0 = null, a 2-byte arg 0xff80 = -128, args=null, a 2-op body
  const Bytes b = {kind_byte(K::Start, 0), 5, 0, 2, 0x80, 0xff, 1, 2,
                   body_kind_byte(K::SetStatus), 0, body_kind_byte(K::Pause)};
  EXPECT_EQ(decode_sequence(b),
            (Sequence{{Op{.kind = K::Start, .job = 5, .ctx = -1, .value = -128, .args = ArgsMode::Null,
                          .body = {Op{.kind = K::SetStatus, .value = kDecodeSmallMin}, Op{.kind = K::Pause}}}}}));
}

TEST(SequenceBytes, AChangedOperandByteChangesOnlyThatOperand) {
  Bytes b = {kind_byte(K::Resume, 0), 2, kind_byte(K::SetFd, 0), 1, 3, 200, kind_byte(K::Pause, 1)};
  const Sequence before = decode_sequence(b);
  b[5] = 201;
  Sequence expected = before;
  expected.ops[1].fd = 201;
  EXPECT_EQ(decode_sequence(b), expected);
}

// --- encoding ----------------------------------------------------------------------

TEST(SequenceBytes, EncodeThenDecodeIsTheIdentityOnInRangeSequences) {
  ts::Generator gen(kSeed + 4, ts::byte_ranges());
  for (int i = 0; i < 3000; ++i) {
    const Sequence s = gen.sequence(i % 10 == 0 ? 128 : 12);
    ASSERT_EQ(ts::problem(s, ts::byte_ranges()), "");
    ASSERT_EQ(decode_sequence(encode_sequence(s)), s) << print_sequence(s);
  }
}

TEST(SequenceBytes, EncodeThenDecodeIsTheIdentityUnderCustomLimits) {
  const DecodeLimits limits{.max_driver_ops = 20, .max_body_ops = 3, .threads = 4, .jobs = 200, .ctxs = 100};
  ts::Ranges r = ts::byte_ranges();
  r.max_driver_ops = 20;
  r.max_body_ops = 3;
  r.threads = 4;
  r.jobs = 200;
  r.ctxs = 100;
  ts::Generator gen(kSeed + 5, r);
  for (int i = 0; i < 2000; ++i) {
    const Sequence s = gen.sequence(20);
    ASSERT_EQ(decode_sequence(encode_sequence(s, limits), limits), s) << print_sequence(s);
  }
}

TEST(SequenceBytes, EveryStartArgRoundTripsInAsFewBytesAsItNeeds) {
  const std::map<long, std::size_t> arg_bytes = {
      {0, 0}, {1, 1}, {-1, 1}, {127, 1}, {-128, 1}, {128, 2}, {-129, 2}, {65535, 3},
      {LONG_MAX, 8}, {LONG_MIN, 8}, {1L << 40, 6}, {-(1L << 40), 6}};
  for (const auto& [arg, n] : arg_bytes) {
    const Sequence s{{Op{.kind = K::Start, .job = 0, .ctx = 0, .value = arg}}};
    const Bytes b = encode_sequence(s);
    EXPECT_EQ(b.size(), 1 + 3 + n + 2) << arg;  // kind, job, ctx, length; arg; mode, count
    EXPECT_EQ(decode_sequence(b), s) << arg;
  }
  // The most negative and the most positive arg of each length n.
  for (int n = 1; n <= 8; ++n) {
    const long lowest = n == 8 ? LONG_MIN : -(1L << (8 * n - 1));
    const long highest = n == 8 ? LONG_MAX : (1L << (8 * n - 1)) - 1;
    for (long arg : {lowest, highest}) {
      const Sequence s{{Op{.kind = K::Start, .job = 0, .ctx = 0, .value = arg}}};
      const Bytes b = encode_sequence(s);
      EXPECT_EQ(b.size(), 1 + 3 + static_cast<std::size_t>(n) + 2) << arg;
      EXPECT_EQ(decode_sequence(b), s) << arg;
    }
  }
}

TEST(SequenceBytes, DecodeEncodeDecodeIsDecode) {
  for (std::size_t i = 0; i < 3000; ++i) {
    const Sequence s = decode_sequence(random_inputs()[i]);
    ASSERT_EQ(decode_sequence(encode_sequence(s)), s);
  }
}

TEST(SequenceBytes, EncodingOutOfRangeSequencesStillDecodesWellFormed) {
  ts::Generator gen(kSeed + 6, ts::text_ranges());
  for (int i = 0; i < 3000; ++i) {
    const Sequence s = gen.sequence(200);
    ASSERT_EQ(ts::problem(decode_sequence(encode_sequence(s)), ts::byte_ranges()), "") << print_sequence(s);
  }
}

TEST(SequenceBytes, EncodeDropsOpsInTheWrongPlace) {
  const Sequence s{{Op{.kind = K::WaitCtx}, Op{.kind = K::Pause},
                    Op{.kind = K::Start, .job = 1, .ctx = 0, .body = {Op{.kind = K::Resume, .job = 0}, Op{.kind = K::Block}}}}};
  EXPECT_EQ(decode_sequence(encode_sequence(s)),
            (Sequence{{Op{.kind = K::Pause}, Op{.kind = K::Start, .job = 1, .ctx = 0, .body = {Op{.kind = K::Block}}}}}));
}

TEST(SequenceBytes, EncodeCutsTooLongSequencesAndBodies) {
  const DecodeLimits limits{.max_driver_ops = 2, .max_body_ops = 1};
  const Sequence s{{Op{.kind = K::Start, .job = 1, .ctx = 0, .body = {Op{.kind = K::Pause}, Op{.kind = K::Block}}},
                    Op{.kind = K::Pause}, Op{.kind = K::Block}}};
  EXPECT_EQ(decode_sequence(encode_sequence(s, limits), limits),
            (Sequence{{Op{.kind = K::Start, .job = 1, .ctx = 0, .body = {Op{.kind = K::Pause}}}, Op{.kind = K::Pause}}}));
}

TEST(SequenceBytes, EncodeWrapsOutOfRangeOperands) {
  const Sequence s{{Op{.kind = K::Resume, .thread = 3, .job = 9},
                    Op{.kind = K::SetMemFunctions, .value = 4096},
                    Op{.kind = K::SetCallback, .ctx = 5, .value = 7},
                    Op{.kind = K::SetFd, .ctx = 0, .key = 1, .fd = 300},
                    Op{.kind = K::SetStatus, .ctx = 0, .value = 6}}};
  EXPECT_EQ(decode_sequence(encode_sequence(s)),
            (Sequence{{Op{.kind = K::Resume, .thread = 1, .job = 1},
                       Op{.kind = K::SetMemFunctions, .value = 0},
                       Op{.kind = K::SetCallback, .ctx = 1, .value = 1},
                       Op{.kind = K::SetFd, .ctx = 0, .key = 1, .fd = 300 - 256},
                       Op{.kind = K::SetStatus, .ctx = 0, .value = kDecodeSmallMin}}}));
}

TEST(SequenceBytes, EncodeDropsFieldsTheKindDoesNotUse) {
  const Sequence s{{Op{.kind = K::Pause, .job = 4, .key = 2, .value = 9, .args = ArgsMode::Null}}};
  EXPECT_EQ(decode_sequence(encode_sequence(s)), (Sequence{{Op{.kind = K::Pause}}}));
}

}  // namespace
}  // namespace asyncconf::harness
