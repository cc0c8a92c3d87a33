// The operand schema of the op-sequence language: for every op of ops.def,
// where it may appear and its operands in order (which Op field, how it is
// written, its domain). The text parser and printer, the byte decoder and
// encoder and the tests iterate over it; none of them lists an op's fields.
#pragma once

#include "asyncconf/harness/sequence.hpp"

#include <array>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>

namespace asyncconf::harness {

/// Job names j<N> and ctx names w<N> have 0 <= N < kMaxTextName.
inline constexpr int kMaxTextName = 1000000;
/// The repeat suffix x<N> of the text form has 1 <= N <= kMaxTextRepeat.
inline constexpr long kMaxTextRepeat = 1024;

/// The Op fields an operand fills (Op::thread is a driver op's prefix, not an operand).
enum class OpField : std::uint8_t { Job, Ctx, Key, Fd, Value, Value2, Args, Body };
inline constexpr std::array<OpField, 8> kFields{OpField::Job,   OpField::Ctx,    OpField::Key,  OpField::Fd,
                                              OpField::Value, OpField::Value2, OpField::Args, OpField::Body};

/// How an operand is written in the text and read from bytes. The text and
/// byte code has one arm per form, none per op.
enum class OperandForm : std::uint8_t {
  Job,        ///< j<n>
  Ctx,        ///< w<n>: the ctx wctx_new makes, wctx_free frees
  CtxOrNull,  ///< w<n> or null (-1)
  WaitCtx,    ///< [w<n>]: the ctx a wait-ctx op works on; named in the driver form only (a body uses its job's)
  Key,        ///< a wait-fd key
  Fd,         ///< a number (bytes: one byte)
  PoolSize,   ///< a number (bytes: 0..kDecodeMaxPoolSize)
  StackSize,  ///< a number (bytes: one of kDecodeStackSizes)
  Int,        ///< a number (bytes: kDecodeSmallMin..kDecodeSmallMax)
  Long,       ///< a number (bytes: kDecodeSmallMin..kDecodeSmallMax)
  OnOff,      ///< on (1) or off (0)
  Wakeup,     ///< select|epoll|callback|busy (a Wakeup)
  Arg,        ///< optional arg=<n>, left out when 0 (bytes: a length byte, then that many bytes)
  ArgsMode,   ///< optional args=null|size0, left out for ArgsMode::Copy
  Body,       ///< { op; op }: body ops
};

/// Optional `name=value` operands: in the text they come in any order, each at most once.
constexpr bool is_keyword(OperandForm form) { return form == OperandForm::Arg || form == OperandForm::ArgsMode; }

/// One operand of an op.
struct Operand {
  OperandForm form = OperandForm::Job;
  OpField field = OpField::Job;
  /// In messages and the usage hint: "max_size", "a stack size" (hint <stack_size>), "arg" (arg=).
  const char* name = "";
  /// The values the text form (and so an Op) may hold; for Body, the number of ops.
  long lo = 0;
  long hi = 0;
};

/// Where an op may appear: D = among the driver ops, B = in a job body, DB = both.
enum class OpWhere : std::uint8_t { D = 1, B = 2, DB = 3 };

inline constexpr std::size_t kMaxOperands = 5;

/// One line of ops.def.
struct OpSchema {
  OpKind kind{};
  const char* name = "";
  OpWhere where = OpWhere::D;
  std::array<Operand, kMaxOperands> operand{};
  std::size_t count = 0;

  constexpr std::span<const Operand> operands() const { return {operand.data(), count}; }
  constexpr bool driver() const { return (static_cast<int>(where) & static_cast<int>(OpWhere::D)) != 0; }
  constexpr bool body() const { return (static_cast<int>(where) & static_cast<int>(OpWhere::B)) != 0; }
};

/// The vocabulary of ops.def's operands column.
namespace operands {

inline constexpr OpField value = OpField::Value;
inline constexpr OpField value2 = OpField::Value2;

inline constexpr Operand job{OperandForm::Job, OpField::Job, "job", 0, kMaxTextName - 1};
inline constexpr Operand ctx{OperandForm::Ctx, OpField::Ctx, "ctx", 0, kMaxTextName - 1};
inline constexpr Operand ctx_or_null{OperandForm::CtxOrNull, OpField::Ctx, "ctx", -1, kMaxTextName - 1};
inline constexpr Operand wait_ctx{OperandForm::WaitCtx, OpField::Ctx, "ctx", 0, kMaxTextName - 1};
inline constexpr Operand key{OperandForm::Key, OpField::Key, "key", 0, kMaxKeys - 1};
inline constexpr Operand fd{OperandForm::Fd, OpField::Fd, "an fd", 0, INT_MAX};
inline constexpr Operand args_mode{OperandForm::ArgsMode, OpField::Args, "args", static_cast<long>(ArgsMode::Copy),
                                   static_cast<long>(ArgsMode::SizeZero)};
inline constexpr Operand body{OperandForm::Body, OpField::Body, "a body", 0, LONG_MAX};

constexpr Operand pool_size(OpField field, const char* name) { return {OperandForm::PoolSize, field, name, 0, LONG_MAX}; }
constexpr Operand stack_size(OpField field, const char* name) { return {OperandForm::StackSize, field, name, 0, LONG_MAX}; }
constexpr Operand int_value(OpField field, const char* name) { return {OperandForm::Int, field, name, INT_MIN, INT_MAX}; }
constexpr Operand long_value(OpField field, const char* name) { return {OperandForm::Long, field, name, LONG_MIN, LONG_MAX}; }
constexpr Operand on_off(OpField field) { return {OperandForm::OnOff, field, "on or off", 0, 1}; }
constexpr Operand wakeup(OpField field) {
  return {OperandForm::Wakeup, field, "select, epoll, callback or busy", 0, kWakeupCount - 1};
}
constexpr Operand arg(OpField field) { return {OperandForm::Arg, field, "arg", LONG_MIN, LONG_MAX}; }

constexpr OpSchema op(OpKind kind, const char* name, OpWhere where, std::initializer_list<Operand> list) {
  OpSchema s{kind, name, where, {}, 0};
  for (const Operand& o : list) s.operand[s.count++] = o;
  return s;
}

#define ASYNCCONF_OPERANDS_(...) __VA_ARGS__
inline constexpr std::array<OpSchema, kOpKindCount> kSchemas{{
#define ASYNCCONF_OP(kind, name, where, operands) op(OpKind::kind, name, OpWhere::where, {ASYNCCONF_OPERANDS_ operands}),
#include "asyncconf/harness/ops.def"
#undef ASYNCCONF_OP
}};
#undef ASYNCCONF_OPERANDS_

}  // namespace operands

/// The schema of `kind` (which must be in ops.def).
constexpr const OpSchema& op_schema(OpKind kind) { return operands::kSchemas[static_cast<std::size_t>(kind)]; }

/// The operands an op has in one place: a body op names no wait ctx.
constexpr bool in_place(const Operand& o, bool in_body) { return !(in_body && o.form == OperandForm::WaitCtx); }

/// The operand that fills `field` in this place, or nullptr.
constexpr const Operand* operand_for(OpKind kind, bool in_body, OpField field) {
  for (const Operand& o : op_schema(kind).operands()) {
    if (o.field == field && in_place(o, in_body)) return &o;
  }
  return nullptr;
}

/// "job", "ctx", ..., as the Op member is called.
constexpr const char* field_name(OpField field) {
  constexpr std::array<const char*, kFields.size()> names{"job", "ctx", "key", "fd", "value", "value2", "args", "body"};
  return names[static_cast<std::size_t>(field)];
}

/// A field as a number (Args: the enum's value; Body: its number of ops).
inline long get_field(const Op& op, OpField field) {
  switch (field) {
    case OpField::Job: return op.job;
    case OpField::Ctx: return op.ctx;
    case OpField::Key: return op.key;
    case OpField::Fd: return op.fd;
    case OpField::Value: return op.value;
    case OpField::Value2: return op.value2;
    case OpField::Args: return static_cast<long>(op.args);
    case OpField::Body: return static_cast<long>(op.body.size());
  }
  return 0;
}

/// Sets a number field (not Body). `v` must be in the field's type.
inline void set_field(Op& op, OpField field, long v) {
  switch (field) {
    case OpField::Job: op.job = static_cast<int>(v); return;
    case OpField::Ctx: op.ctx = static_cast<int>(v); return;
    case OpField::Key: op.key = static_cast<int>(v); return;
    case OpField::Fd: op.fd = static_cast<int>(v); return;
    case OpField::Value: op.value = v; return;
    case OpField::Value2: op.value2 = v; return;
    case OpField::Args: op.args = static_cast<ArgsMode>(v); return;
    case OpField::Body: return;
  }
}

namespace schema_detail {

constexpr bool fits_field(const Operand& o) {
  const bool is_int = o.field == OpField::Job || o.field == OpField::Ctx || o.field == OpField::Key || o.field == OpField::Fd;
  return o.lo <= o.hi && (!is_int || (o.lo >= INT_MIN && o.hi <= INT_MAX));
}

/// What the generic code relies on: each field at most once, a wait ctx
/// first, keyword operands together, a body last and only in driver-only
/// ops (bodies do not nest), and every operand's domain within its field.
constexpr bool well_formed(const OpSchema& s) {
  const auto list = s.operands();
  for (std::size_t i = 0; i < list.size(); ++i) {
    const Operand& o = list[i];
    if (!fits_field(o)) return false;
    for (std::size_t j = 0; j < i; ++j) {
      if (list[j].field == o.field) return false;
    }
    if (o.form == OperandForm::WaitCtx && i != 0) return false;
    if (o.form == OperandForm::Body && (i + 1 != list.size() || s.body())) return false;
    if (is_keyword(o.form)) {
      for (std::size_t j = i + 1; j < list.size(); ++j) {
        if (!is_keyword(list[j].form) && list[j].form != OperandForm::Body) return false;
      }
    }
  }
  return true;
}

constexpr bool all_well_formed() {
  for (std::size_t k = 0; k < kOpKindCount; ++k) {
    const OpSchema& s = operands::kSchemas[k];
    if (s.kind != static_cast<OpKind>(k) || !well_formed(s)) return false;
  }
  return true;
}

}  // namespace schema_detail

static_assert(schema_detail::all_well_formed(), "an ops.def line breaks a rule the generic code relies on");

}  // namespace asyncconf::harness
