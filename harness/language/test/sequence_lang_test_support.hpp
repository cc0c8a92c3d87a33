// For the sequence language tests: a well-formedness checker and a random
// sequence generator, both driven by the operand schema (op_schema.hpp):
// which fields each kind uses and where it may appear come from there; what
// each form's domain is in the text or the byte form is stated here, once per
// form, from the spec (sequence_text.hpp, sequence_bytes.hpp).
#pragma once

#include "asyncconf/harness/op_schema.hpp"
#include "asyncconf/harness/sequence.hpp"

#include <algorithm>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace asyncconf::harness::testing_support {

/// A set of values an operand may hold: lo..hi, or one of `values` when set.
struct Domain {
  long lo = 0;
  long hi = 0;
  std::vector<long> values{};
  bool contains(long v) const {
    if (values.empty()) return lo <= v && v <= hi;
    return std::find(values.begin(), values.end(), v) != values.end();
  }
};

/// What the ops of a sequence may hold.
struct Ranges {
  std::size_t max_driver_ops = 0;  ///< 0 = no limit
  std::size_t max_body_ops = 0;    ///< 0 = no limit
  int threads = kMaxThreads;
  int jobs = kMaxTextName;  ///< job names 0..jobs-1
  int ctxs = kMaxTextName;  ///< ctx names 0..ctxs-1
  /// Forms whose domain is narrower than the schema's (the byte form's).
  std::map<OperandForm, Domain> narrowed{};

  Domain domain(const Operand& o) const {
    switch (o.form) {
      case OperandForm::Job: return {0, jobs - 1};
      case OperandForm::Ctx:
      case OperandForm::WaitCtx: return {0, ctxs - 1};
      case OperandForm::CtxOrNull: return {-1, ctxs - 1};
      default: break;
    }
    const auto it = narrowed.find(o.form);
    return it != narrowed.end() ? it->second : Domain{o.lo, o.hi};
  }
};

/// What the text form can say: the schema's own domains.
inline Ranges text_ranges() { return Ranges{}; }

/// What decode_sequence with default DecodeLimits produces.
inline Ranges byte_ranges() {
  Ranges r;
  r.max_driver_ops = 128;
  r.max_body_ops = 12;
  r.threads = 2;
  r.jobs = 8;
  r.ctxs = 4;
  r.narrowed = {
      {OperandForm::Fd, {0, 255}},
      {OperandForm::PoolSize, {0, 8}},
      {OperandForm::StackSize, {0, 0, {0, 65536, 131072}}},
      {OperandForm::Int, {-2, 5}},
      {OperandForm::Long, {-2, 5}},
  };
  return r;
}

inline bool allowed(OpKind kind, bool in_body) { return in_body ? op_schema(kind).body() : op_schema(kind).driver(); }

inline std::vector<OpKind> kinds_for(bool in_body) {
  std::vector<OpKind> kinds;
  for (std::size_t k = 0; k < kOpKindCount; ++k) {
    if (allowed(static_cast<OpKind>(k), in_body)) kinds.push_back(static_cast<OpKind>(k));
  }
  return kinds;
}

/// The operands a kind has in a place.
inline std::vector<Operand> operands_of(OpKind kind, bool in_body) {
  std::vector<Operand> list;
  for (const Operand& o : op_schema(kind).operands()) {
    if (in_place(o, in_body)) list.push_back(o);
  }
  return list;
}

inline std::string describe(const Op& op) {
  return "kind " + std::to_string(static_cast<int>(op.kind)) + " thread " + std::to_string(op.thread) + " job " +
         std::to_string(op.job) + " ctx " + std::to_string(op.ctx) + " key " + std::to_string(op.key) + " fd " +
         std::to_string(op.fd) + " value " + std::to_string(op.value) + " value2 " + std::to_string(op.value2) +
         " args " + std::to_string(static_cast<int>(op.args)) + " body " + std::to_string(op.body.size());
}

inline bool in(long v, long lo, long hi) { return lo <= v && v <= hi; }

inline std::string op_problem(const Op& op, bool in_body, const Ranges& r);

/// Why one field of `op` is not well-formed, or "".
inline std::string field_problem(const Op& op, bool in_body, OpField f, const Ranges& r) {
  const Operand* o = operand_for(op.kind, in_body, f);
  const auto bad = [&](const char* what) { return std::string("bad ") + what + " " + field_name(f) + ": " + describe(op); };
  if (o == nullptr) return get_field(op, f) == get_field(Op{}, f) ? "" : bad("unused");
  if (o->form != OperandForm::Body) return r.domain(*o).contains(get_field(op, f)) ? "" : bad("out-of-range");
  if (r.max_body_ops != 0 && op.body.size() > r.max_body_ops) return bad("too long");
  for (const Op& b : op.body) {
    std::string p = op_problem(b, true, r);
    if (!p.empty()) return "in a body: " + p;
  }
  return "";
}

/// Why `op` is not well-formed in this place, or "".
inline std::string op_problem(const Op& op, bool in_body, const Ranges& r) {
  if (static_cast<std::size_t>(op.kind) >= kOpKindCount) return "bad kind: " + describe(op);
  if (!allowed(op.kind, in_body)) return std::string("op in the wrong place: ") + describe(op);
  if (in_body ? op.thread != 0 : !in(op.thread, 0, r.threads - 1)) return "bad thread: " + describe(op);
  for (OpField f : kFields) {
    std::string p = field_problem(op, in_body, f, r);
    if (!p.empty()) return p;
  }
  return "";
}

/// Why `sequence` is not well-formed, or "".
inline std::string problem(const Sequence& sequence, const Ranges& r) {
  if (r.max_driver_ops != 0 && sequence.ops.size() > r.max_driver_ops) return "too many driver ops";
  for (std::size_t i = 0; i < sequence.ops.size(); ++i) {
    std::string p = op_problem(sequence.ops[i], false, r);
    if (!p.empty()) return "op " + std::to_string(i) + ": " + p;
  }
  return "";
}

// ---------------------------------------------------------------------------
// Random sequences within Ranges.

class Generator {
 public:
  Generator(std::uint64_t seed, Ranges ranges) : rng_(seed), r_(std::move(ranges)) {}

  /// lo..hi, one of the ends a quarter of the time.
  long draw(long lo, long hi) {
    switch (std::uniform_int_distribution<int>(0, 7)(rng_)) {
      case 0: return lo;
      case 1: return hi;
      default: return std::uniform_int_distribution<long>(lo, hi)(rng_);
    }
  }

  /// A value of the domain, an end of it (or 0) a third of the time.
  long draw(const Domain& d) {
    if (!d.values.empty()) return d.values[static_cast<std::size_t>(draw(0, static_cast<long>(d.values.size()) - 1))];
    if (in(0, d.lo, d.hi) && std::uniform_int_distribution<int>(0, 11)(rng_) == 0) return 0;
    return draw(d.lo, d.hi);
  }

  Op op(bool in_body) {
    const std::vector<OpKind> kinds = kinds_for(in_body);
    return op_of(kinds[static_cast<std::size_t>(draw(0, static_cast<long>(kinds.size()) - 1))], in_body);
  }

  /// A random op of `kind`, which must be allowed in this place.
  Op op_of(OpKind kind, bool in_body) {
    Op o;
    o.kind = kind;
    if (!in_body) o.thread = static_cast<int>(draw(0, r_.threads - 1));
    for (const Operand& x : operands_of(o.kind, in_body)) {
      if (x.form == OperandForm::Body) {
        const long n = draw(0, r_.max_body_ops != 0 ? static_cast<long>(r_.max_body_ops) : 6);
        for (long i = 0; i < n; ++i) o.body.push_back(op(true));
      } else {
        set_field(o, x.field, draw(r_.domain(x)));
      }
    }
    return o;
  }

  Sequence sequence(std::size_t max_ops) {
    Sequence s;
    const long n = draw(0, static_cast<long>(max_ops));
    for (long i = 0; i < n; ++i) s.ops.push_back(op(false));
    return s;
  }

  std::mt19937_64& rng() { return rng_; }

 private:
  std::mt19937_64 rng_;
  Ranges r_;
};

}  // namespace asyncconf::harness::testing_support
