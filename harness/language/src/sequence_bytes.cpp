#include "asyncconf/harness/sequence_bytes.hpp"

#include "asyncconf/harness/op_schema.hpp"

#include <algorithm>
#include <cstdint>
#include <iterator>

namespace asyncconf::harness {

namespace {

// One kind byte chooses the kind and the thread: it must be able to name
// every driver kind on every thread, and still be told from a repeat.
static_assert(kOpKindCount <= kKindSlots, "more ops than kind slots: a kind byte can no longer name every op");
static_assert(kKindSlots * kMaxThreads <= kRepeatByte, "a kind byte on the last thread could read as a repeat");

constexpr long kSmallRange = kDecodeSmallMax - kDecodeSmallMin + 1;
constexpr std::size_t kStackSizeCount = std::size(kDecodeStackSizes);
constexpr int kArgsModes = 3;
constexpr int kMaxArgBytes = 8;

/// The kinds a kind byte chooses from, in ops.def order.
struct KindTables {
  std::vector<OpKind> driver;
  std::vector<OpKind> body;
  /// index in driver / body, or -1 when the kind is not allowed there
  std::vector<int> driver_index;
  std::vector<int> body_index;
};

const KindTables& kind_tables() {
  static const KindTables tables = [] {
    KindTables t;
    for (std::size_t k = 0; k < kOpKindCount; ++k) {
      const auto kind = static_cast<OpKind>(k);
      t.driver_index.push_back(is_driver_op(kind) ? static_cast<int>(t.driver.size()) : -1);
      t.body_index.push_back(is_body_op(kind) ? static_cast<int>(t.body.size()) : -1);
      if (is_driver_op(kind)) t.driver.push_back(kind);
      if (is_body_op(kind)) t.body.push_back(kind);
    }
    return t;
  }();
  return tables;
}

using Limits = DecodeLimits;
Limits clamp(const DecodeLimits& l) { return clamp_limits(l); }

/// The mathematical modulo: 0 <= result < m.
long wrap(long value, long m) {
  const long r = value % m;
  return r < 0 ? r + m : r;
}

std::int64_t sign_extend(std::uint64_t bits, int bytes) {
  if (bytes > 0 && bytes < 8 && ((bits >> (8 * bytes - 1)) & 1u) != 0) bits |= ~std::uint64_t{0} << (8 * bytes);
  if (bytes == 0) bits = 0;
  return static_cast<std::int64_t>(bits);
}

std::uint64_t truncate(std::int64_t value, int bytes) {
  const auto bits = static_cast<std::uint64_t>(value);
  return bytes >= 8 ? bits : bits & ((std::uint64_t{1} << (8 * bytes)) - 1);
}

// ---------------------------------------------------------------------------
// Decoding

class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
  bool at_end() const { return pos_ >= bytes_.size(); }
  /// The next byte; 0 past the end.
  std::uint8_t next() { return pos_ < bytes_.size() ? bytes_[pos_++] : 0; }

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t pos_ = 0;
};

void decode_operands(Reader& r, Op& op, bool in_body, const Limits& l);

// Whether a repeat may follow the op: not one that carries a body (a start:
// its copies would start the same job again, and copy its body each time).
bool repeatable(const Op& op) {
  for (const Operand& o : op_schema(op.kind).operands()) {
    if (o.form == OperandForm::Body) return false;
  }
  return true;
}

// A repeat: the op before stands the count byte's number of times more.
void repeat_last(Reader& r, std::vector<Op>& ops, std::size_t cap) {
  const std::size_t more = r.next();
  if (ops.empty() || !repeatable(ops.back())) return;
  const std::size_t n = std::min(more, cap > ops.size() ? cap - ops.size() : 0);
  if (n == 0) return;
  const Op last = ops.back();
  ops.insert(ops.end(), n, last);
}

void decode_body_entry(Reader& r, std::vector<Op>& body, const Limits& l) {
  const std::uint8_t b = r.next();
  if (b == kRepeatByte) return repeat_last(r, body, body_capacity(l));
  const auto& kinds = kind_tables().body;
  Op op;
  op.kind = kinds[(b % kKindSlots) % kinds.size()];
  decode_operands(r, op, true, l);
  if (body.size() < body_capacity(l)) body.push_back(std::move(op));  // its bytes are read either way
}

long decode_small(Reader& r) { return kDecodeSmallMin + static_cast<long>(r.next() % kSmallRange); }

long decode_arg(Reader& r) {
  const int n = r.next() % (kMaxArgBytes + 1);
  std::uint64_t bits = 0;
  for (int i = 0; i < n; ++i) bits |= std::uint64_t{r.next()} << (8 * i);
  return static_cast<long>(sign_extend(bits, n));
}

void decode_operand(Reader& r, Op& op, const Operand& o, const Limits& l) {
  const auto set = [&](long v) { set_field(op, o.field, v); };
  switch (o.form) {
    case OperandForm::Job: set(r.next() % l.jobs); return;
    case OperandForm::Ctx:
    case OperandForm::WaitCtx: set(r.next() % l.ctxs); return;
    case OperandForm::CtxOrNull: set(static_cast<long>(r.next() % (l.ctxs + 1)) - 1); return;
    case OperandForm::Key: set(r.next() % kMaxKeys); return;
    case OperandForm::Fd: set(r.next()); return;
    case OperandForm::PoolSize: set(r.next() % (kDecodeMaxPoolSize + 1)); return;
    case OperandForm::StackSize: set(kDecodeStackSizes[r.next() % kStackSizeCount]); return;
    case OperandForm::Int:
    case OperandForm::Long: set(decode_small(r)); return;
    case OperandForm::OnOff: set(r.next() % 2); return;
    case OperandForm::Wakeup: set(r.next() % kWakeupCount); return;
    case OperandForm::Arg: set(decode_arg(r)); return;
    case OperandForm::ArgsMode: set(r.next() % kArgsModes); return;
    case OperandForm::Body: {
      const std::size_t count = r.next() % (l.max_body_ops + 1);
      for (std::size_t i = 0; i < count; ++i) decode_body_entry(r, op.body, l);
      return;
    }
  }
}

void decode_operands(Reader& r, Op& op, bool in_body, const Limits& l) {
  for (const Operand& o : op_schema(op.kind).operands()) {
    if (in_place(o, in_body)) decode_operand(r, op, o, l);
  }
}

// ---------------------------------------------------------------------------
// Encoding

/// The index of `kind` in the driver (or body) table, or -1.
int index_of(OpKind kind, bool in_body) {
  const auto k = static_cast<std::size_t>(kind);
  if (k >= kOpKindCount) return -1;
  const KindTables& t = kind_tables();
  return in_body ? t.body_index[k] : t.driver_index[k];
}

void encode_operands(std::vector<std::uint8_t>& out, const Op& op, bool in_body, const Limits& l);

void encode_arg(std::vector<std::uint8_t>& out, long arg) {
  const auto value = static_cast<std::int64_t>(arg);
  int n = 0;
  while (n < kMaxArgBytes && sign_extend(truncate(value, n), n) != value) ++n;
  out.push_back(static_cast<std::uint8_t>(n));
  const std::uint64_t bits = truncate(value, n);
  for (int i = 0; i < n; ++i) out.push_back(static_cast<std::uint8_t>((bits >> (8 * i)) & 0xffu));
}

/// One entry of the byte form: an op, or a repeat of the op before.
struct Entry {
  const Op* op = nullptr;  ///< null: a repeat
  std::size_t more = 0;    ///< a repeat's count
};

// The entries that write `ops` (those allowed there): each run of equal ops
// as the op and repeats, at most `max_entries` entries and `max_ops` ops.
std::vector<Entry> entries(const std::vector<Op>& ops, bool in_body, std::size_t max_entries, std::size_t max_ops) {
  std::vector<Entry> out;
  std::size_t total = 0;
  for (std::size_t i = 0; i < ops.size() && out.size() < max_entries && total < max_ops;) {
    if (index_of(ops[i].kind, in_body) < 0) {
      ++i;
      continue;
    }
    std::size_t run = 1;
    while (repeatable(ops[i]) && i + run < ops.size() && ops[i + run] == ops[i]) ++run;
    run = std::min(run, max_ops - total);
    out.push_back({&ops[i], 0});
    std::size_t left = run - 1;
    while (left > 0 && out.size() < max_entries) {
      const std::size_t more = std::min<std::size_t>(left, 255);
      out.push_back({nullptr, more});
      left -= more;
    }
    total += run - left;
    i += run;
  }
  return out;
}

void encode_body(std::vector<std::uint8_t>& out, const std::vector<Op>& ops, const Limits& l) {
  const std::vector<Entry> body = entries(ops, true, l.max_body_ops, body_capacity(l));
  out.push_back(static_cast<std::uint8_t>(body.size()));
  for (const Entry& e : body) {
    if (e.op == nullptr) {
      out.push_back(kRepeatByte);
      out.push_back(static_cast<std::uint8_t>(e.more));
      continue;
    }
    out.push_back(static_cast<std::uint8_t>(index_of(e.op->kind, true)));
    encode_operands(out, *e.op, true, l);
  }
}

long stack_size_index(long value) {
  const auto* it = std::find(std::begin(kDecodeStackSizes), std::end(kDecodeStackSizes), value);
  return it == std::end(kDecodeStackSizes) ? 0 : it - std::begin(kDecodeStackSizes);
}

void encode_operand(std::vector<std::uint8_t>& out, const Op& op, const Operand& o, const Limits& l) {
  const auto put = [&](long byte) { out.push_back(static_cast<std::uint8_t>(byte)); };
  const long v = get_field(op, o.field);
  switch (o.form) {
    case OperandForm::Job: put(wrap(v, l.jobs)); return;
    case OperandForm::Ctx:
    case OperandForm::WaitCtx: put(wrap(v, l.ctxs)); return;
    case OperandForm::CtxOrNull: put(wrap(v + 1, l.ctxs + 1L)); return;
    case OperandForm::Key: put(wrap(v, kMaxKeys)); return;
    case OperandForm::Fd: put(wrap(v, kDecodeMaxFd + 1)); return;
    case OperandForm::PoolSize: put(wrap(v, kDecodeMaxPoolSize + 1)); return;
    case OperandForm::StackSize: put(stack_size_index(v)); return;
    case OperandForm::Int:
    case OperandForm::Long: put(wrap(wrap(v, kSmallRange) - kDecodeSmallMin, kSmallRange)); return;
    case OperandForm::OnOff: put(v != 0 ? 1 : 0); return;
    case OperandForm::Wakeup: put(v); return;
    case OperandForm::Arg: encode_arg(out, v); return;
    case OperandForm::ArgsMode: put(o.lo <= v && v <= o.hi ? v : 0); return;  // an invalid mode: Copy
    case OperandForm::Body: encode_body(out, op.body, l); return;
  }
}

void encode_operands(std::vector<std::uint8_t>& out, const Op& op, bool in_body, const Limits& l) {
  for (const Operand& o : op_schema(op.kind).operands()) {
    if (in_place(o, in_body)) encode_operand(out, op, o, l);
  }
}

}  // namespace

DecodeLimits clamp_limits(const DecodeLimits& l) noexcept {
  return {
      l.max_driver_ops,
      std::min<std::size_t>(l.max_body_ops, 255),
      std::clamp(l.threads, 1, kMaxThreads),
      std::clamp(l.jobs, 1, 256),
      std::clamp(l.ctxs, 1, 255),
      l.max_repeated_body_ops,
  };
}

std::size_t entry_count(const std::vector<Op>& ops) noexcept {
  std::size_t n = 0;
  for (std::size_t i = 0; i < ops.size();) {
    std::size_t run = 1;
    while (repeatable(ops[i]) && i + run < ops.size() && ops[i + run] == ops[i]) ++run;
    n += 1 + (run - 1 + 254) / 255;
    i += run;
  }
  return n;
}

std::size_t body_capacity(const DecodeLimits& limits) noexcept {
  const DecodeLimits l = clamp_limits(limits);
  return std::max(l.max_body_ops, l.max_repeated_body_ops);
}

Sequence decode_sequence(std::span<const std::uint8_t> bytes, const DecodeLimits& limits) {
  const Limits l = clamp(limits);
  const auto& kinds = kind_tables().driver;
  Reader r(bytes);
  Sequence sequence;
  while (!r.at_end() && sequence.ops.size() < l.max_driver_ops) {
    const std::uint8_t b = r.next();
    if (b == kRepeatByte) {
      repeat_last(r, sequence.ops, l.max_driver_ops);
      continue;
    }
    Op op;
    op.kind = kinds[(b % kKindSlots) % kinds.size()];
    op.thread = static_cast<int>((b / kKindSlots) % static_cast<std::size_t>(l.threads));
    decode_operands(r, op, false, l);
    sequence.ops.push_back(std::move(op));
  }
  return sequence;
}

std::vector<std::uint8_t> encode_sequence(const Sequence& sequence, const DecodeLimits& limits) {
  const Limits l = clamp(limits);
  std::vector<std::uint8_t> out;
  for (const Entry& e : entries(sequence.ops, false, SIZE_MAX, l.max_driver_ops)) {
    if (e.op == nullptr) {
      out.push_back(kRepeatByte);
      out.push_back(static_cast<std::uint8_t>(e.more));
      continue;
    }
    const auto index = static_cast<std::size_t>(index_of(e.op->kind, false));
    out.push_back(static_cast<std::uint8_t>(index + kKindSlots * static_cast<std::size_t>(wrap(e.op->thread, l.threads))));
    encode_operands(out, *e.op, false, l);
  }
  return out;
}

}  // namespace asyncconf::harness
