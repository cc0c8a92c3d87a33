#include "asyncconf/harness/sequence_bytes.hpp"

#include <algorithm>
#include <iterator>

namespace asyncconf::harness {

namespace {

// One kind byte chooses the kind and the thread: it must be able to name
// every driver kind on every thread.
static_assert(kOpKindCount * kMaxThreads <= 256, "a kind byte can no longer name every op on every thread");

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

/// The limits actually used: each count a byte can choose from.
struct Limits {
  std::size_t max_driver_ops;
  std::size_t max_body_ops;
  int threads;
  int jobs;
  int ctxs;
};

Limits clamp(const DecodeLimits& l) {
  return Limits{
      l.max_driver_ops,
      std::min<std::size_t>(l.max_body_ops, 255),
      std::clamp(l.threads, 1, kMaxThreads),
      std::clamp(l.jobs, 1, 256),
      std::clamp(l.ctxs, 1, 255),
  };
}

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

Op decode_body_op(Reader& r, const Limits& l) {
  const auto& kinds = kind_tables().body;
  Op op;
  op.kind = kinds[r.next() % kinds.size()];
  decode_operands(r, op, true, l);
  return op;
}

void decode_operands(Reader& r, Op& op, bool in_body, const Limits& l) {
  const auto ctx = [&] { return static_cast<int>(r.next() % l.ctxs); };
  const auto small = [&] { return kDecodeSmallMin + static_cast<long>(r.next() % kSmallRange); };
  switch (op.kind) {
    case OpKind::InitThread:
      op.value = r.next() % (kDecodeMaxPoolSize + 1);
      op.value2 = r.next() % (kDecodeMaxPoolSize + 1);
      return;
    case OpKind::SetMemFunctions: op.value = kDecodeStackSizes[r.next() % kStackSizeCount]; return;
    case OpKind::Start: {
      op.job = r.next() % l.jobs;
      op.ctx = static_cast<int>(r.next() % (l.ctxs + 1)) - 1;
      const std::uint8_t m = r.next();
      op.args = static_cast<ArgsMode>(m % kArgsModes);
      const int n = (m / kArgsModes) % (kMaxArgBytes + 1);
      std::uint64_t bits = 0;
      for (int i = 0; i < n; ++i) bits |= std::uint64_t{r.next()} << (8 * i);
      op.value = static_cast<long>(sign_extend(bits, n));
      const std::size_t count = r.next() % (l.max_body_ops + 1);
      for (std::size_t i = 0; i < count; ++i) op.body.push_back(decode_body_op(r, l));
      return;
    }
    case OpKind::Resume: op.job = r.next() % l.jobs; return;
    case OpKind::Return: op.value = small(); return;
    case OpKind::WaitCtxNew:
    case OpKind::WaitCtxFree:
    case OpKind::GetAllFds:
    case OpKind::GetChangedFds:
    case OpKind::GetCallback:
    case OpKind::GetStatus:
      if (!in_body) op.ctx = ctx();
      return;
    case OpKind::SetFd:
      if (!in_body) op.ctx = ctx();
      op.key = r.next() % kMaxKeys;
      op.fd = r.next();
      return;
    case OpKind::ClearFd:
    case OpKind::GetFd:
      if (!in_body) op.ctx = ctx();
      op.key = r.next() % kMaxKeys;
      return;
    case OpKind::SetCallback:
      if (!in_body) op.ctx = ctx();
      op.value = r.next() % 2;
      return;
    case OpKind::SetStatus:
      if (!in_body) op.ctx = ctx();
      op.value = small();
      return;
    case OpKind::CleanupThread:
    case OpKind::Pause:
    case OpKind::Block:
    case OpKind::Unblock:
    case OpKind::CurrentJob:
    case OpKind::WaitCtx:
    case OpKind::CheckArg:
    case OpKind::NestedStart: return;
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

void encode_operands(std::vector<std::uint8_t>& out, const Op& op, bool in_body, const Limits& l) {
  const auto put = [&](long byte) { out.push_back(static_cast<std::uint8_t>(byte)); };
  const auto ctx = [&] {
    if (!in_body) put(wrap(op.ctx, l.ctxs));
  };
  const auto small = [&] { put(wrap(wrap(op.value, kSmallRange) - kDecodeSmallMin, kSmallRange)); };
  switch (op.kind) {
    case OpKind::InitThread:
      put(wrap(op.value, kDecodeMaxPoolSize + 1));
      put(wrap(op.value2, kDecodeMaxPoolSize + 1));
      return;
    case OpKind::SetMemFunctions: {
      const auto* it = std::find(std::begin(kDecodeStackSizes), std::end(kDecodeStackSizes), op.value);
      put(it == std::end(kDecodeStackSizes) ? 0 : it - std::begin(kDecodeStackSizes));
      return;
    }
    case OpKind::Start: {
      put(wrap(op.job, l.jobs));
      put(wrap(op.ctx + 1L, l.ctxs + 1L));
      const int mode = op.args == ArgsMode::Null ? 1 : op.args == ArgsMode::SizeZero ? 2 : 0;
      const auto value = static_cast<std::int64_t>(op.value);
      int n = 0;
      while (n < kMaxArgBytes && sign_extend(truncate(value, n), n) != value) ++n;
      put(mode + kArgsModes * n);
      const std::uint64_t bits = truncate(value, n);
      for (int i = 0; i < n; ++i) put(static_cast<long>((bits >> (8 * i)) & 0xffu));
      std::vector<const Op*> body;
      for (const Op& b : op.body) {
        if (body.size() < l.max_body_ops && index_of(b.kind, true) >= 0) body.push_back(&b);
      }
      put(static_cast<long>(body.size()));
      for (const Op* b : body) {
        put(index_of(b->kind, true));
        encode_operands(out, *b, true, l);
      }
      return;
    }
    case OpKind::Resume: put(wrap(op.job, l.jobs)); return;
    case OpKind::Return: small(); return;
    case OpKind::WaitCtxNew:
    case OpKind::WaitCtxFree:
    case OpKind::GetAllFds:
    case OpKind::GetChangedFds:
    case OpKind::GetCallback:
    case OpKind::GetStatus: ctx(); return;
    case OpKind::SetFd:
      ctx();
      put(wrap(op.key, kMaxKeys));
      put(wrap(op.fd, kDecodeMaxFd + 1));
      return;
    case OpKind::ClearFd:
    case OpKind::GetFd:
      ctx();
      put(wrap(op.key, kMaxKeys));
      return;
    case OpKind::SetCallback:
      ctx();
      put(op.value != 0 ? 1 : 0);
      return;
    case OpKind::SetStatus:
      ctx();
      small();
      return;
    case OpKind::CleanupThread:
    case OpKind::Pause:
    case OpKind::Block:
    case OpKind::Unblock:
    case OpKind::CurrentJob:
    case OpKind::WaitCtx:
    case OpKind::CheckArg:
    case OpKind::NestedStart: return;
  }
}

}  // namespace

Sequence decode_sequence(std::span<const std::uint8_t> bytes, const DecodeLimits& limits) {
  const Limits l = clamp(limits);
  const auto& kinds = kind_tables().driver;
  Reader r(bytes);
  Sequence sequence;
  while (!r.at_end() && sequence.ops.size() < l.max_driver_ops) {
    const std::uint8_t b = r.next();
    Op op;
    op.kind = kinds[b % kinds.size()];
    op.thread = static_cast<int>((b / kinds.size()) % static_cast<std::size_t>(l.threads));
    decode_operands(r, op, false, l);
    sequence.ops.push_back(std::move(op));
  }
  return sequence;
}

std::vector<std::uint8_t> encode_sequence(const Sequence& sequence, const DecodeLimits& limits) {
  const Limits l = clamp(limits);
  const std::size_t kinds = kind_tables().driver.size();
  std::vector<std::uint8_t> out;
  std::size_t ops = 0;
  for (const Op& op : sequence.ops) {
    if (ops == l.max_driver_ops) break;
    const int index = index_of(op.kind, false);
    if (index < 0) continue;
    ++ops;
    out.push_back(static_cast<std::uint8_t>(static_cast<std::size_t>(index) +
                                            kinds * static_cast<std::size_t>(wrap(op.thread, l.threads))));
    encode_operands(out, op, false, l);
  }
  return out;
}

}  // namespace asyncconf::harness
