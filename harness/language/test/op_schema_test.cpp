// The operand schema (op_schema.hpp, from ops.def): every op has one, the
// text and byte forms follow it for every op and operand, and the usage hint
// of parse errors is made from it.
#include "asyncconf/harness/op_schema.hpp"
#include "asyncconf/harness/sequence_bytes.hpp"
#include "asyncconf/harness/sequence_text.hpp"

#include "sequence_lang_test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace asyncconf::harness {
namespace {

using K = OpKind;
using Bytes = std::vector<std::uint8_t>;
namespace ts = testing_support;

/// Every (kind, place) the schema allows.
struct Placed {
  K kind;
  bool in_body;
};

std::vector<Placed> every_placed_kind() {
  std::vector<Placed> all;
  for (bool in_body : {false, true}) {
    for (K kind : ts::kinds_for(in_body)) all.push_back({kind, in_body});
  }
  return all;
}

std::string where(const Placed& p) {
  return std::string(op_name(p.kind)) + (p.in_body ? " in a body" : " as a driver op");
}

/// `op` as a whole sequence: a body op inside a start.
Sequence alone(const Op& op, bool in_body) {
  if (!in_body) return Sequence{{op}};
  Op start;
  start.kind = K::Start;
  start.job = 0;
  start.body = {op};
  return Sequence{{start}};
}

/// The field each form may fill.
bool form_fits_field(OperandForm form, OpField field) {
  switch (form) {
    case OperandForm::Job: return field == OpField::Job;
    case OperandForm::Ctx:
    case OperandForm::CtxOrNull:
    case OperandForm::WaitCtx: return field == OpField::Ctx;
    case OperandForm::Key: return field == OpField::Key;
    case OperandForm::Fd: return field == OpField::Fd;
    case OperandForm::ArgsMode: return field == OpField::Args;
    case OperandForm::Body: return field == OpField::Body;
    case OperandForm::PoolSize:
    case OperandForm::StackSize:
    case OperandForm::Int:
    case OperandForm::Long:
    case OperandForm::OnOff:
    case OperandForm::Wakeup:
    case OperandForm::Arg: return field == OpField::Value || field == OpField::Value2;
  }
  return false;
}

// --- every op has a schema ---------------------------------------------------

TEST(OpSchema, EveryOpInOpsDefHasASchema) {
  std::set<std::string> names;
  for (std::size_t k = 0; k < kOpKindCount; ++k) {
    const auto kind = static_cast<K>(k);
    const OpSchema& s = op_schema(kind);
    SCOPED_TRACE(s.name);
    EXPECT_EQ(s.kind, kind);
    EXPECT_STREQ(s.name, op_name(kind));
    EXPECT_TRUE(names.insert(s.name).second) << "name used twice";
    EXPECT_TRUE(s.driver() || s.body()) << "allowed nowhere";
    EXPECT_EQ(s.driver(), is_driver_op(kind));
    EXPECT_EQ(s.body(), is_body_op(kind));
    EXPECT_TRUE(schema_detail::well_formed(s));
    EXPECT_LE(s.count, kMaxOperands);
    for (const Operand& o : s.operands()) {
      EXPECT_TRUE(form_fits_field(o.form, o.field)) << field_name(o.field);
      EXPECT_LE(o.lo, o.hi) << field_name(o.field);
      EXPECT_NE(std::string(o.name), "") << field_name(o.field);
    }
  }
}

TEST(OpSchema, WaitCtxOpsAreThoseWithAWaitCtxOperand) {
  // The list is_wait_ctx_op had by hand before the schema.
  const std::set<K> expected{K::SetFd,         K::ClearFd,     K::GetFd,       K::GetAllFds, K::GetChangedFds,
                             K::SetCallback,   K::GetCallback, K::SetStatus,   K::GetStatus};
  std::set<K> got;
  for (std::size_t k = 0; k < kOpKindCount; ++k) {
    if (is_wait_ctx_op(static_cast<K>(k))) got.insert(static_cast<K>(k));
  }
  EXPECT_EQ(got, expected);
}

TEST(OpSchema, ABodyOpNamesNoWaitCtx) {
  for (const Placed& p : every_placed_kind()) {
    const OpSchema& s = op_schema(p.kind);
    const bool has_wait_ctx = std::any_of(s.operands().begin(), s.operands().end(),
                                          [](const Operand& o) { return o.form == OperandForm::WaitCtx; });
    const Operand* ctx = operand_for(p.kind, p.in_body, OpField::Ctx);
    if (has_wait_ctx) {
      EXPECT_EQ(ctx != nullptr, !p.in_body) << where(p);
    }
  }
}

// --- text: every kind, every operand at its range ends ----------------------

void expect_text_round_trip(const Op& op, bool in_body) {
  const Sequence s = alone(op, in_body);
  ASSERT_EQ(ts::problem(s, ts::text_ranges()), "") << ts::describe(op);
  const std::string text = print_sequence(s);
  const ParseResult back = parse_sequence(text);
  ASSERT_TRUE(back.ok()) << to_string(*back.error) << "\n" << text;
  EXPECT_EQ(*back.sequence, s) << text;
  EXPECT_EQ(print_sequence(*back.sequence), text);
}

TEST(OpSchemaText, ARandomOpOfEveryKindRoundTrips) {
  ts::Generator gen(0xa11c1d5, ts::text_ranges());
  for (const Placed& p : every_placed_kind()) {
    SCOPED_TRACE(where(p));
    for (int i = 0; i < 200; ++i) expect_text_round_trip(gen.op_of(p.kind, p.in_body), p.in_body);
  }
}

TEST(OpSchemaText, EveryOperandAtItsRangeEndsRoundTrips) {
  ts::Generator gen(0xe2d5, ts::text_ranges());
  const ts::Ranges r = ts::text_ranges();
  int checked = 0;
  for (const Placed& p : every_placed_kind()) {
    for (const Operand& o : ts::operands_of(p.kind, p.in_body)) {
      if (o.form == OperandForm::Body) continue;
      const ts::Domain d = r.domain(o);
      for (long v : {d.lo, d.hi}) {
        SCOPED_TRACE(where(p) + ", " + field_name(o.field) + " = " + std::to_string(v));
        Op op = gen.op_of(p.kind, p.in_body);
        set_field(op, o.field, v);
        expect_text_round_trip(op, p.in_body);
        ++checked;
      }
      // Just outside the domain (where the field can hold it) the printer refuses.
      for (long v : {d.lo == LONG_MIN ? d.lo : d.lo - 1, d.hi == LONG_MAX ? d.hi : d.hi + 1}) {
        if (d.contains(v) || (o.field != OpField::Value && o.field != OpField::Value2 && (v < INT_MIN || v > INT_MAX))) {
          continue;
        }
        Op op = gen.op_of(p.kind, p.in_body);
        set_field(op, o.field, v);
        EXPECT_THROW(print_sequence(alone(op, p.in_body)), std::invalid_argument)
            << where(p) << ", " << field_name(o.field) << " = " << v;
      }
    }
  }
  EXPECT_GT(checked, 40);
}

TEST(OpSchemaText, AnOpWithItsOperandsCutShortAsksForTheNext) {
  ts::Generator gen(0xc07, ts::text_ranges());
  for (K kind : ts::kinds_for(false)) {
    Op op = gen.op_of(kind, false);
    op.thread = 0;
    const std::string text = print_op(op);
    // Every cut before the body (keyword operands are optional, the rest are not).
    for (std::size_t cut = text.find(' '); cut < text.find('{'); cut = text.find(' ', cut + 1)) {
      const std::string shorter = text.substr(0, cut);
      const ParseResult r = parse_sequence(shorter);
      ASSERT_FALSE(r.ok()) << shorter;
      EXPECT_EQ(r.error->message.rfind(std::string(op_name(kind)) + " needs ", 0), 0u) << shorter << ": " << to_string(*r.error);
      EXPECT_EQ(r.error->column, static_cast<int>(cut) + 1) << shorter;
    }
  }
}

// --- bytes: every kind, every operand at the decoder's range ends -------------

void expect_byte_round_trip(const Op& op, bool in_body) {
  const Sequence s = alone(op, in_body);
  ASSERT_EQ(ts::problem(s, ts::byte_ranges()), "") << ts::describe(op);
  EXPECT_EQ(decode_sequence(encode_sequence(s)), s) << print_sequence(s);
}

TEST(OpSchemaBytes, ARandomOpOfEveryKindRoundTrips) {
  ts::Generator gen(0xb17e5, ts::byte_ranges());
  for (const Placed& p : every_placed_kind()) {
    SCOPED_TRACE(where(p));
    for (int i = 0; i < 200; ++i) expect_byte_round_trip(gen.op_of(p.kind, p.in_body), p.in_body);
  }
}

TEST(OpSchemaBytes, EveryOperandAtItsRangeEndsRoundTrips) {
  ts::Generator gen(0xe2d6, ts::byte_ranges());
  const ts::Ranges r = ts::byte_ranges();
  for (const Placed& p : every_placed_kind()) {
    for (const Operand& o : ts::operands_of(p.kind, p.in_body)) {
      if (o.form == OperandForm::Body) continue;
      const ts::Domain d = r.domain(o);
      const std::vector<long> ends =
          d.values.empty() ? std::vector<long>{d.lo, d.hi} : std::vector<long>{d.values.front(), d.values.back()};
      for (long v : ends) {
        SCOPED_TRACE(where(p) + ", " + field_name(o.field) + " = " + std::to_string(v));
        Op op = gen.op_of(p.kind, p.in_body);
        set_field(op, o.field, v);
        expect_byte_round_trip(op, p.in_body);
      }
    }
  }
}

TEST(OpSchemaBytes, DecodingIsTotalOnRandomBytesUnderRandomLimits) {
  std::mt19937_64 rng(0x7073a1);
  for (int i = 0; i < 3000; ++i) {
    DecodeLimits limits;
    limits.max_driver_ops = std::uniform_int_distribution<std::size_t>(0, 40)(rng);
    limits.max_body_ops = std::uniform_int_distribution<std::size_t>(0, 300)(rng);
    limits.threads = std::uniform_int_distribution<int>(-1, 6)(rng);
    limits.jobs = std::uniform_int_distribution<int>(-1, 300)(rng);
    limits.ctxs = std::uniform_int_distribution<int>(-1, 300)(rng);
    Bytes b(std::uniform_int_distribution<std::size_t>(0, 300)(rng));
    for (auto& x : b) x = static_cast<std::uint8_t>(rng());

    ts::Ranges r = ts::byte_ranges();
    r.max_driver_ops = limits.max_driver_ops == 0 ? 0 : limits.max_driver_ops;
    r.max_body_ops = std::min<std::size_t>(limits.max_body_ops, 255);
    r.threads = std::clamp(limits.threads, 1, kMaxThreads);
    r.jobs = std::clamp(limits.jobs, 1, 256);
    r.ctxs = std::clamp(limits.ctxs, 1, 255);
    const Sequence s = decode_sequence(b, limits);
    ASSERT_LE(s.ops.size(), limits.max_driver_ops);
    ASSERT_EQ(ts::problem(s, r), "") << ::testing::PrintToString(b);
    if (r.max_body_ops == 0) {
      for (const Op& op : s.ops) ASSERT_TRUE(op.body.empty());
    }
    ASSERT_EQ(decode_sequence(encode_sequence(s, limits), limits), s);
    const ParseResult back = parse_sequence(print_sequence(s));
    ASSERT_TRUE(back.ok());
    ASSERT_EQ(*back.sequence, s);
  }
}

// --- the usage hint is made from the schema ------------------------------------

TEST(OpSchemaUsage, IsMadeFromTheOperands) {
  using namespace operands;
  // Ops that are not in ops.def: what they say comes from their operands alone.
  EXPECT_EQ(usage_of(op(K::Pause, "fake", OpWhere::DB, {wait_ctx, key, fd, long_value(value2, "a thing")})),
            "fake [w<ctx>] <key> <fd> <thing>");
  EXPECT_EQ(usage_of(op(K::Pause, "fake", OpWhere::D, {wait_ctx, pool_size(value, "how many")})),
            "fake w<ctx> <how_many>");
  EXPECT_EQ(usage_of(op(K::Pause, "go", OpWhere::D, {ctx_or_null, job, arg(value2), args_mode, body})),
            "go w<ctx>|null j<job> [arg=<value2>] [args=null|size0] { <body> }");
  EXPECT_EQ(usage_of(op(K::Pause, "bare", OpWhere::B, {})), "bare");
}

TEST(OpSchemaUsage, EveryOpsHintHasOneTokenPerOperand) {
  for (std::size_t k = 0; k < kOpKindCount; ++k) {
    const auto kind = static_cast<K>(k);
    const OpSchema& s = op_schema(kind);
    const std::string usage = op_usage(kind);
    EXPECT_EQ(usage, usage_of(s));
    ASSERT_EQ(usage.rfind(s.name, 0), 0u) << usage;
    // Tokens after the name; a body's "{ <body> }" is three.
    std::vector<std::string> tokens;
    std::size_t pos = std::string(s.name).size();
    while (pos < usage.size()) {
      const std::size_t next = std::min(usage.find(' ', pos + 1), usage.size());
      tokens.push_back(usage.substr(pos + 1, next - pos - 1));
      pos = next;
    }
    std::size_t expected = 0;
    for (const Operand& o : s.operands()) {
      const bool body = o.form == OperandForm::Body;
      const std::string& token = tokens.at(expected + (body ? 1 : 0));
      expected += body ? 3 : 1;
      // Each token names its field or operand ("a stack size": "size").
      const std::string name = o.name;
      const std::string last_word = name.substr(name.rfind(' ') + 1);
      const bool names_it = token.find(field_name(o.field)) != std::string::npos || token.find(last_word) != std::string::npos;
      EXPECT_TRUE(names_it) << s.name << ": " << token;
    }
    EXPECT_EQ(tokens.size(), expected) << usage;
  }
}

TEST(OpSchemaUsage, TrailingTextErrorsShowTheDerivedHint) {
  ts::Generator gen(0x05a9e, ts::text_ranges());
  for (K kind : ts::kinds_for(false)) {
    Op op = gen.op_of(kind, false);
    op.thread = 0;
    const std::string text = print_op(op) + " junk";
    const ParseResult r = parse_sequence(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error->message,
              "trailing \"junk\" after " + std::string(op_name(kind)) + " (usage: " + op_usage(kind) + ")")
        << text;
    EXPECT_EQ(r.error->column, static_cast<int>(text.size() - 3));
  }
}

TEST(OpSchemaUsage, HintsOfSomeOps) {
  EXPECT_EQ(op_usage(K::Start), "start j<job> w<ctx>|null [arg=<value>] [args=null|size0] { <body> }");
  EXPECT_EQ(op_usage(K::SetFd), "set_fd [w<ctx>] <key> <fd>");
  EXPECT_EQ(op_usage(K::SetCallback), "set_callback w<ctx> on|off");
  EXPECT_EQ(op_usage(K::InitThread), "init_thread <max_size> <init_size>");
  EXPECT_EQ(op_usage(K::SetMemFunctions), "set_mem_functions <stack_size>");
  EXPECT_EQ(op_usage(K::Pause), "pause");
}

}  // namespace
}  // namespace asyncconf::harness
