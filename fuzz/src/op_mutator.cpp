#include "asyncconf/fuzz/op_mutator.hpp"

#include "asyncconf/harness/decode_input.hpp"

#include "asyncconf/harness/op_schema.hpp"

#include <algorithm>
#include <climits>
#include <cstring>
#include <iterator>
#include <span>

namespace asyncconf::fuzz {

using harness::DecodeLimits;
using harness::Op;
using harness::OpKind;
using harness::Operand;
using harness::OperandForm;
using harness::Sequence;

namespace {

constexpr std::size_t kDriverSite = SIZE_MAX;
constexpr int kMaxRun = 4;         // Duplicate copies runs of 1..kMaxRun ops
constexpr int kMaxNewBody = 3;     // a new start's body has 0..kMaxNewBody ops
constexpr int kMaxSlice = 8;       // InsertSlice moves 1..kMaxSlice driver ops
constexpr int kRedrawTries = 8;    // draws until a changed operand differs
constexpr int kMutationTries = 16; // picks until one mutation applies

// ---------------------------------------------------------------------------
// The decoder's ranges

/// DecodeLimits as the decoder clamps them (sequence_bytes.hpp).
using Limits = DecodeLimits;
Limits clamp(const DecodeLimits& l) { return harness::clamp_limits(l); }

/// The kinds allowed among the driver ops / in a body, in ops.def order.
template <bool InBody>
constexpr auto kinds_in() {
  constexpr std::size_t n = [] {
    std::size_t c = 0;
    for (std::size_t k = 0; k < harness::kOpKindCount; ++k) {
      const auto& s = harness::op_schema(static_cast<OpKind>(k));
      c += (InBody ? s.body() : s.driver()) ? 1 : 0;
    }
    return c;
  }();
  std::array<OpKind, n> kinds{};
  std::size_t i = 0;
  for (std::size_t k = 0; k < harness::kOpKindCount; ++k) {
    const auto& s = harness::op_schema(static_cast<OpKind>(k));
    if (InBody ? s.body() : s.driver()) kinds[i++] = static_cast<OpKind>(k);
  }
  return kinds;
}
constexpr auto kDriverKinds = kinds_in<false>();
constexpr auto kBodyKinds = kinds_in<true>();

/// An op that carries a body starts a job: its name operands are what the job holds.
constexpr bool carries_body(OpKind kind) {
  for (const Operand& o : harness::op_schema(kind).operands()) {
    if (o.form == OperandForm::Body) return true;
  }
  return false;
}

/// The operands an op has in its place, the body aside.
bool is_scalar(const Operand& o, bool in_body) { return o.form != OperandForm::Body && harness::in_place(o, in_body); }

/// The positions a scalar form's values take in the decoder: a contiguous
/// range. A position is the value itself except for StackSize (an index into
/// kDecodeStackSizes).
struct Domain {
  long lo;
  long hi;
};

Domain domain(OperandForm form, const Limits& l) {
  switch (form) {
    case OperandForm::Job: return {0, l.jobs - 1};
    case OperandForm::Ctx:
    case OperandForm::WaitCtx: return {0, l.ctxs - 1};
    case OperandForm::CtxOrNull: return {-1, l.ctxs - 1};
    case OperandForm::Key: return {0, harness::kMaxKeys - 1};
    case OperandForm::Fd: return {0, harness::kDecodeMaxFd};
    case OperandForm::PoolSize: return {0, harness::kDecodeMaxPoolSize};
    case OperandForm::StackSize: return {0, static_cast<long>(std::size(harness::kDecodeStackSizes)) - 1};
    case OperandForm::Int:
    case OperandForm::Long: return {harness::kDecodeSmallMin, harness::kDecodeSmallMax};
    case OperandForm::OnOff: return {0, 1};
    case OperandForm::Wakeup: return {0, harness::kWakeupCount - 1};
    case OperandForm::ArgsMode: return {harness::operands::args_mode.lo, harness::operands::args_mode.hi};
    case OperandForm::Arg: return {LONG_MIN, LONG_MAX};
    case OperandForm::Body: return {0, 0};
  }
  return {0, 0};
}

long to_value(OperandForm form, long position) {
  return form == OperandForm::StackSize ? harness::kDecodeStackSizes[position] : position;
}

long to_position(OperandForm form, long value) {
  if (form != OperandForm::StackSize) return value;
  const auto* it = std::find(std::begin(harness::kDecodeStackSizes), std::end(harness::kDecodeStackSizes), value);
  return it == std::end(harness::kDecodeStackSizes) ? 0 : it - std::begin(harness::kDecodeStackSizes);
}

/// Which namespace a name operand draws from; job and ctx names link ops.
enum class Names : std::uint8_t { None, Job, Ctx, Key };

Names names_of(OperandForm form) {
  switch (form) {
    case OperandForm::Job: return Names::Job;
    case OperandForm::Ctx:
    case OperandForm::WaitCtx:
    case OperandForm::CtxOrNull: return Names::Ctx;
    case OperandForm::Key: return Names::Key;
    default: return Names::None;
  }
}

// ---------------------------------------------------------------------------
// The names a sequence uses

/// Visits every op with its place.
template <class F>
void for_each_op(const Sequence& s, F&& f) {
  for (const Op& op : s.ops) {
    f(op, false);
    for (const Op& b : op.body) f(b, true);
  }
}

/// The non-null names of one namespace that the ops use: all of them, or
/// only those held by ops that carry a body.
std::vector<long> names_in(const Sequence& s, Names names, bool held_only) {
  std::vector<long> out;
  for_each_op(s, [&](const Op& op, bool in_body) {
    if (held_only && !carries_body(op.kind)) return;
    for (const Operand& o : harness::op_schema(op.kind).operands()) {
      if (!is_scalar(o, in_body) || names_of(o.form) != names) continue;
      const long v = harness::get_field(op, o.field);
      if (v >= 0 && std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
    }
  });
  return out;
}

bool contains(const std::vector<long>& v, long x) { return std::find(v.begin(), v.end(), x) != v.end(); }

// ---------------------------------------------------------------------------
// Drawing operands

/// Everything a draw looks at: the sequence (for names in use), the limits, the rng.
struct Draw {
  const Sequence& seq;
  const Limits& limits;
  Rng& rng;
  /// entry_count() of each driver op's body, as the mutation found the
  /// sequence: a body's sites all ask for it (filled on first use).
  mutable std::vector<std::size_t> body_entries{};
};

long uniform(Rng& rng, Domain d) { return d.lo + static_cast<long>(rng.below(static_cast<std::size_t>(d.hi - d.lo) + 1)); }

/// An arg: mostly small, else any width up to 8 bytes, else an edge value.
long draw_arg(Rng& rng) {
  static constexpr long kEdges[] = {0, 1, -1, INT_MIN, INT_MAX, LONG_MIN, LONG_MAX};
  if (rng.one_in(2)) return uniform(rng, {harness::kDecodeSmallMin, harness::kDecodeSmallMax});
  if (rng.one_in(2)) return kEdges[rng.below(std::size(kEdges))];
  const int bytes = 1 + static_cast<int>(rng.below(8));
  std::uint64_t bits = rng.next();
  if (bytes < 8) {
    const std::uint64_t sign = std::uint64_t{1} << (8 * bytes - 1);
    bits &= (sign << 1) - 1;
    bits = (bits ^ sign) - sign;  // sign-extends, as the decoder does
  }
  return static_cast<long>(bits);
}

/// A name that no body-carrying op holds: one some other op already names
/// (a ctx that wctx_new made, a job a resume waits for), else null where the
/// form allows it, else any free one; `current` when none is free.
long fresh_name(const Operand& o, const Draw& d, long current, bool null_is_fresh = true) {
  const Names names = names_of(o.form);
  const Domain dom = domain(o.form, d.limits);
  const std::vector<long> held = names_in(d.seq, names, true);
  const std::vector<long> used = names_in(d.seq, names, false);
  std::vector<long> free_used, free_any;
  for (long v = std::max(0L, dom.lo); v <= dom.hi; ++v) {
    if (contains(held, v)) continue;
    free_any.push_back(v);
    if (contains(used, v)) free_used.push_back(v);
  }
  if (!free_used.empty()) return free_used[d.rng.below(free_used.size())];
  if (dom.lo < 0 && null_is_fresh) return -1;
  if (!free_any.empty()) return free_any[d.rng.below(free_any.size())];
  return current;
}

/// A value for `o` in the decoder's range. Names: half the time one in use.
long draw_value(const Operand& o, const Draw& d) {
  if (o.form == OperandForm::Arg) return draw_arg(d.rng);
  const Domain dom = domain(o.form, d.limits);
  const Names names = names_of(o.form);
  if (names != Names::None && d.rng.one_in(2)) {
    const std::vector<long> used = names_in(d.seq, names, false);
    if (!used.empty()) {
      const long v = used[d.rng.below(used.size())];
      if (v <= dom.hi) return v;
    }
  }
  return to_value(o.form, uniform(d.rng, dom));
}

/// One step from `value` within the form's range.
long nudge(const Operand& o, long value, const Draw& d) {
  if (o.form == OperandForm::Arg) {
    if (value == LONG_MAX) return value - 1;
    if (value == LONG_MIN) return value + 1;
    return d.rng.one_in(2) ? value + 1 : value - 1;
  }
  const Domain dom = domain(o.form, d.limits);
  const long p = to_position(o.form, value);
  const bool up = p <= dom.lo || (p < dom.hi && d.rng.one_in(2));
  return to_value(o.form, std::clamp(up ? p + 1 : p - 1, dom.lo, dom.hi));
}

Op new_op(OpKind kind, bool in_body, const Draw& d);

std::vector<Op> new_body(const Draw& d) {
  std::vector<Op> body(d.rng.below(std::min<std::size_t>(kMaxNewBody, d.limits.max_body_ops) + 1));
  for (Op& b : body) b = new_op(kBodyKinds[d.rng.below(kBodyKinds.size())], true, d);
  return body;
}

/// A new op, each operand drawn through the schema; a new start mostly gets fresh names.
Op new_op(OpKind kind, bool in_body, const Draw& d) {
  Op op;
  op.kind = kind;
  if (!in_body) op.thread = static_cast<int>(d.rng.below(static_cast<std::size_t>(d.limits.threads)));
  const bool fresh = carries_body(kind) && !d.rng.one_in(4);
  for (const Operand& o : harness::op_schema(kind).operands()) {
    if (!harness::in_place(o, in_body)) continue;
    if (o.form == OperandForm::Body) {
      op.body = new_body(d);
    } else {
      const long v = draw_value(o, d);
      harness::set_field(op, o.field, fresh && names_of(o.form) != Names::None ? fresh_name(o, d, v) : v);
    }
  }
  return op;
}

// ---------------------------------------------------------------------------
// Sites: where an op is

/// A driver op (body == kDriverSite) or one op of a driver op's body.
struct Site {
  std::size_t op;
  std::size_t body;
};

std::vector<Op>& list_of(Sequence& s, Site site) { return site.body == kDriverSite ? s.ops : s.ops[site.op].body; }
std::size_t index_of(Site site) { return site.body == kDriverSite ? site.op : site.body; }

/// A random site for which `ok(site, list)` holds: a driver op or a body op
/// with even odds when both kinds qualify, so that neither drowns the other.
template <class Pred>
bool pick_site(Sequence& s, Rng& rng, Pred ok, Site& out) {
  std::vector<Site> driver, body;
  for (std::size_t i = 0; i < s.ops.size(); ++i) {
    if (ok(Site{i, kDriverSite}, s.ops)) driver.push_back({i, kDriverSite});
    for (std::size_t j = 0; j < s.ops[i].body.size(); ++j) {
      if (ok(Site{i, j}, s.ops[i].body)) body.push_back({i, j});
    }
  }
  if (driver.empty() && body.empty()) return false;
  const bool from_driver = body.empty() || (!driver.empty() && rng.one_in(2));
  const std::vector<Site>& from = from_driver ? driver : body;
  out = from[rng.below(from.size())];
  return true;
}

// How many ops may go into `list` at one place, the byte form still exact:
// a body holds body_capacity() ops in max_body_ops entries, and n new ops
// at one place add at most n + 2 entries (the +2: a run they split in two
// is two runs, each an op and a repeat).
std::size_t room(const Draw& d, Site site, const std::vector<Op>& list) {
  const Limits& l = d.limits;
  if (site.body == kDriverSite) return list.size() < l.max_driver_ops ? l.max_driver_ops - list.size() : 0;
  const std::size_t cap = harness::body_capacity(l);
  if (d.body_entries.size() <= site.op) d.body_entries.resize(site.op + 1, SIZE_MAX);
  std::size_t& entries = d.body_entries[site.op];
  if (entries == SIZE_MAX) entries = harness::entry_count(list);
  const std::size_t entry_room = entries + 2 < l.max_body_ops ? l.max_body_ops - entries - 2 : 0;
  return std::min(list.size() < cap ? cap - list.size() : 0, entry_room);
}

// ---------------------------------------------------------------------------
// The mutations

bool insert_driver(Sequence& s, const Draw& d) {
  if (s.ops.size() >= d.limits.max_driver_ops) return false;
  Op op = new_op(kDriverKinds[d.rng.below(kDriverKinds.size())], false, d);
  s.ops.insert(s.ops.begin() + static_cast<std::ptrdiff_t>(d.rng.below(s.ops.size() + 1)), std::move(op));
  return true;
}

bool insert_body(Sequence& s, const Draw& d) {
  std::vector<std::size_t> starts;
  for (std::size_t i = 0; i < s.ops.size(); ++i) {
    if (carries_body(s.ops[i].kind) && room(d, Site{i, 0}, s.ops[i].body) > 0) starts.push_back(i);
  }
  if (starts.empty()) return false;
  Op op = new_op(kBodyKinds[d.rng.below(kBodyKinds.size())], true, d);
  std::vector<Op>& body = s.ops[starts[d.rng.below(starts.size())]].body;
  body.insert(body.begin() + static_cast<std::ptrdiff_t>(d.rng.below(body.size() + 1)), std::move(op));
  return true;
}

bool delete_op(Sequence& s, const Draw& d) {
  Site site{};
  if (!pick_site(s, d.rng, [](Site, const std::vector<Op>&) { return true; }, site)) return false;
  std::vector<Op>& list = list_of(s, site);
  list.erase(list.begin() + static_cast<std::ptrdiff_t>(index_of(site)));
  return true;
}

/// A copy of a start gets names no other start holds (see mutate()). With
/// `null_is_fresh` false, a ctx is a real one even when none is free of
/// use (fan_out makes it: a job with a NULL ctx need not pause).
void freshen(Op& copy, const Draw& d, bool null_is_fresh = true) {
  if (!carries_body(copy.kind)) return;
  for (const Operand& o : harness::op_schema(copy.kind).operands()) {
    if (!is_scalar(o, false) || names_of(o.form) == Names::None) continue;
    const long v = harness::get_field(copy, o.field);
    if (v >= 0) harness::set_field(copy, o.field, fresh_name(o, d, v, null_is_fresh));  // a null ctx stays null
  }
}

bool duplicate(Sequence& s, const Draw& d) {
  Site site{};
  const auto has_room = [&](Site at, const std::vector<Op>& list) { return room(d, at, list) > 0; };
  if (!pick_site(s, d.rng, has_room, site)) return false;
  std::vector<Op>& list = list_of(s, site);
  const std::size_t first = index_of(site);
  const std::size_t wanted = d.rng.one_in(2) ? 1 : 2 + d.rng.below(kMaxRun - 1);
  const std::size_t run = std::min({wanted, list.size() - first, room(d, site, list)});
  std::vector<Op> copies(list.begin() + static_cast<std::ptrdiff_t>(first),
                         list.begin() + static_cast<std::ptrdiff_t>(first + run));
  const auto at = static_cast<std::ptrdiff_t>(first + run);
  // One by one, so that each copy's fresh names see the copies before it.
  for (std::size_t i = 0; i < copies.size(); ++i) {
    freshen(copies[i], d);
    list.insert(list.begin() + at + static_cast<std::ptrdiff_t>(i), std::move(copies[i]));
  }
  return true;
}

// A run: the op stands 8, 64 or 255 more times right after itself (what
// the byte form's repeat writes in two bytes): a job paused hundreds of
// times, and as many resumes. A start is not repeated: its copies would
// need fresh jobs (duplicate gives them).
bool repeat(Sequence& s, const Draw& d) {
  const auto repeatable = [&](Site at, const std::vector<Op>& list) {
    return !carries_body(list[index_of(at)].kind) && room(d, at, list) > 0;
  };
  Site site{};
  if (!pick_site(s, d.rng, repeatable, site)) return false;
  std::vector<Op>& list = list_of(s, site);
  constexpr std::size_t kRuns[] = {8, 64, 255};
  const std::size_t n = std::min(kRuns[d.rng.below(std::size(kRuns))], room(d, site, list));
  const Op op = list[index_of(site)];
  list.insert(list.begin() + static_cast<std::ptrdiff_t>(index_of(site)) + 1, n, op);
  return true;
}

/// The indexes of the ops of `s` that carry a body, non-empty bodies only when `non_empty`.
std::vector<std::size_t> starts_of(const Sequence& s, bool non_empty) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < s.ops.size(); ++i) {
    if (carries_body(s.ops[i].kind) && (!non_empty || !s.ops[i].body.empty())) out.push_back(i);
  }
  return out;
}

// Many jobs paused at once: a start and 2..7 copies of it right after it,
// each copy with fresh names (freshen), so that the body's pauses hold
// them all paused together. A wait ctx serves one job at a time, so a copy
// whose fresh ctx no earlier wctx_new made gets one right before it.
bool fan_out(Sequence& s, const Draw& d) {
  const std::vector<std::size_t> starts = starts_of(s, false);
  if (starts.empty() || s.ops.size() >= d.limits.max_driver_ops) return false;
  const std::size_t at = starts[d.rng.below(starts.size())];
  const std::size_t copies = 2 + d.rng.below(6);
  std::size_t pos = at + 1;
  for (std::size_t i = 0; i < copies && s.ops.size() < d.limits.max_driver_ops; ++i) {
    Op copy = s.ops[at];
    freshen(copy, d, /*null_is_fresh=*/false);  // sees the copies before it
    const auto made_before = [&](int ctx) {
      return std::any_of(s.ops.begin(), s.ops.begin() + static_cast<std::ptrdiff_t>(pos),
                         [ctx](const Op& op) { return op.kind == OpKind::WaitCtxNew && op.ctx == ctx; });
    };
    if (copy.ctx >= 0 && !made_before(copy.ctx) && s.ops.size() + 1 < d.limits.max_driver_ops) {
      Op make;
      make.kind = OpKind::WaitCtxNew;
      make.thread = copy.thread;
      make.ctx = copy.ctx;
      s.ops.insert(s.ops.begin() + static_cast<std::ptrdiff_t>(pos++), make);
    }
    s.ops.insert(s.ops.begin() + static_cast<std::ptrdiff_t>(pos++), std::move(copy));
  }
  return true;
}

// Many fds in one wait ctx: into one start's body, at one place, a set_fd
// for each key the body does not set yet, each with an fd no op names.
bool fill_ctx(Sequence& s, const Draw& d) {
  std::vector<std::size_t> starts;
  for (std::size_t i : starts_of(s, false)) {
    if (room(d, Site{i, 0}, s.ops[i].body) > 0) starts.push_back(i);
  }
  if (starts.empty()) return false;
  const std::size_t at = starts[d.rng.below(starts.size())];
  std::vector<Op>& body = s.ops[at].body;
  std::vector<int> keys;
  for (int k = 0; k < harness::kMaxKeys; ++k) {
    const bool set = std::any_of(body.begin(), body.end(), [k](const Op& b) { return b.kind == OpKind::SetFd && b.key == k; });
    if (!set) keys.push_back(k);
  }
  const std::size_t n = std::min(keys.size(), room(d, Site{at, 0}, body));
  if (n == 0) return false;
  int fd = 0;
  for_each_op(s, [&](const Op& op, bool) {
    if (op.kind == OpKind::SetFd) fd = std::max(fd, op.fd + 1);
  });
  std::vector<Op> fills(n);
  for (std::size_t i = 0; i < n; ++i) {
    fills[i].kind = OpKind::SetFd;
    fills[i].key = keys[i];
    fills[i].fd = std::min(fd++, harness::kDecodeMaxFd);
  }
  body.insert(body.begin() + static_cast<std::ptrdiff_t>(d.rng.below(body.size() + 1)), fills.begin(), fills.end());
  return true;
}

bool swap_adjacent(Sequence& s, const Draw& d) {
  const auto differs_from_next = [](Site at, const std::vector<Op>& list) {
    const std::size_t i = index_of(at);
    return i + 1 < list.size() && !(list[i] == list[i + 1]);
  };
  Site site{};
  if (!pick_site(s, d.rng, differs_from_next, site)) return false;
  std::vector<Op>& list = list_of(s, site);
  std::swap(list[index_of(site)], list[index_of(site) + 1]);
  return true;
}

std::vector<const Operand*> scalar_operands(const Op& op, bool in_body) {
  std::vector<const Operand*> out;
  for (const Operand& o : harness::op_schema(op.kind).operands()) {
    if (is_scalar(o, in_body)) out.push_back(&o);
  }
  return out;
}

bool change_operand(Sequence& s, const Draw& d) {
  const auto has_operand = [](Site at, const std::vector<Op>& list) {
    return !scalar_operands(list[index_of(at)], at.body != kDriverSite).empty();
  };
  Site site{};
  if (!pick_site(s, d.rng, has_operand, site)) return false;
  Op& op = list_of(s, site)[index_of(site)];
  const auto operands = scalar_operands(op, site.body != kDriverSite);
  const Operand& o = *operands[d.rng.below(operands.size())];
  const long old = harness::get_field(op, o.field);
  const bool number = names_of(o.form) == Names::None;
  for (int t = 0; t < kRedrawTries; ++t) {
    const long v = number && d.rng.one_in(2) ? nudge(o, old, d) : draw_value(o, d);
    if (v != old) {
      harness::set_field(op, o.field, v);
      return true;
    }
  }
  return false;
}

bool change_thread(Sequence& s, const Draw& d) {
  if (d.limits.threads < 2 || s.ops.empty()) return false;
  Op& op = s.ops[d.rng.below(s.ops.size())];
  const auto others = static_cast<std::size_t>(d.limits.threads - 1);
  op.thread = static_cast<int>((static_cast<std::size_t>(op.thread) + 1 + d.rng.below(others)) %
                               static_cast<std::size_t>(d.limits.threads));
  return true;
}

/// Mutations that grow the sequence can leave it over a limit only when it
/// already was; this keeps the encoding exact either way.
void cut_to_limits(Sequence& s, const Limits& l) {
  if (s.ops.size() > l.max_driver_ops) s.ops.resize(l.max_driver_ops);
  for (Op& op : s.ops) {
    if (op.body.size() > harness::body_capacity(l)) op.body.resize(harness::body_capacity(l));
    // Never more entries than ops: only a longer body can have too many.
    while (op.body.size() > l.max_body_ops && harness::entry_count(op.body) > l.max_body_ops) op.body.pop_back();
  }
}

/// 1..kMaxMutationsPerCall mutations: 1 half the time, 2 a quarter, ...
void mutate_some(Sequence& s, Rng& rng, const DecodeLimits& limits) {
  std::size_t count = 1;
  while (count < kMaxMutationsPerCall && rng.one_in(2)) ++count;
  for (std::size_t n = 0; n < count; ++n) {
    for (int t = 0; t < kMutationTries; ++t) {
      if (mutate(s, pick_mutation(rng), rng, limits)) break;
    }
  }
}

std::size_t write_out(const std::vector<std::uint8_t>& bytes, std::uint8_t* out) {
  if (!bytes.empty()) std::memcpy(out, bytes.data(), bytes.size());
  return bytes.size();
}

std::span<const std::uint8_t> bytes_of(const std::uint8_t* data, std::size_t size) {
  return data == nullptr ? std::span<const std::uint8_t>{} : std::span<const std::uint8_t>{data, size};
}

// ---------------------------------------------------------------------------
// Cross-over

using OpIt = std::vector<Op>::const_iterator;

/// a[0, i) + b[j, end), 1 <= i and j < |b| when they can be, so that both give ops.
Sequence prefix_suffix(const Sequence& a, const Sequence& b, Rng& rng, const Limits& l) {
  const std::size_t max_i = std::min(a.ops.size(), l.max_driver_ops > 1 ? l.max_driver_ops - 1 : l.max_driver_ops);
  const std::size_t i = max_i == 0 ? 0 : 1 + rng.below(max_i);
  const std::size_t j = rng.below(b.ops.size());
  Sequence out;
  out.ops.assign(a.ops.begin(), a.ops.begin() + static_cast<std::ptrdiff_t>(i));
  out.ops.insert(out.ops.end(), b.ops.begin() + static_cast<std::ptrdiff_t>(std::min(j, b.ops.size())), b.ops.end());
  return out;
}

/// b with a slice of a at a place where the cut to the limit keeps the slice.
Sequence insert_slice(const Sequence& a, const Sequence& b, Rng& rng, const Limits& l) {
  if (a.ops.empty()) return b;
  const std::size_t first = rng.below(a.ops.size());
  const std::size_t len =
      std::min({1 + rng.below(kMaxSlice), a.ops.size() - first, std::max<std::size_t>(l.max_driver_ops, 1)});
  const std::size_t at = rng.below(std::min(b.ops.size(), l.max_driver_ops > len ? l.max_driver_ops - len : 0) + 1);
  Sequence out = b;
  const auto from = a.ops.begin() + static_cast<std::ptrdiff_t>(first);
  out.ops.insert(out.ops.begin() + static_cast<std::ptrdiff_t>(at), from, from + static_cast<std::ptrdiff_t>(len));
  return out;
}

/// b with one start's body replaced by the body of one of a's starts (a
/// non-empty one when there is one).
Sequence take_body(const Sequence& a, const Sequence& b, Rng& rng, const Limits& l) {
  std::vector<std::size_t> donors = starts_of(a, true);
  if (donors.empty()) donors = starts_of(a, false);
  const std::vector<std::size_t> receivers = starts_of(b, false);
  if (donors.empty() || receivers.empty()) return insert_slice(a, b, rng, l);
  Sequence out = b;
  out.ops[receivers[rng.below(receivers.size())]].body = a.ops[donors[rng.below(donors.size())]].body;
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------

DecodeLimits fuzz_limits() noexcept { return harness::kFuzzDecodeLimits; }

const char* mutation_name(Mutation mutation) noexcept {
  static constexpr const char* kNames[] = {"insert_driver", "insert_body",   "delete", "duplicate", "swap",
                                           "change_operand", "change_thread", "repeat", "fan_out",   "fill_ctx"};
  const auto i = static_cast<std::size_t>(mutation);
  return i < std::size(kNames) ? kNames[i] : "?";
}

Mutation pick_mutation(Rng& rng) noexcept {
  unsigned total = 0;
  for (unsigned w : kMutationWeights) total += w;
  auto r = static_cast<unsigned>(rng.below(total));
  for (std::size_t i = 0; i < kMutationCount; ++i) {
    if (r < kMutationWeights[i]) return kMutations[i];
    r -= kMutationWeights[i];
  }
  return kMutations.back();
}

bool mutate(Sequence& sequence, Mutation mutation, Rng& rng, const DecodeLimits& limits) {
  const Limits l = clamp(limits);
  const Draw d{sequence, l, rng};
  switch (mutation) {
    case Mutation::InsertDriver: return insert_driver(sequence, d);
    case Mutation::InsertBody: return insert_body(sequence, d);
    case Mutation::Delete: return delete_op(sequence, d);
    case Mutation::Duplicate: return duplicate(sequence, d);
    case Mutation::Swap: return swap_adjacent(sequence, d);
    case Mutation::ChangeOperand: return change_operand(sequence, d);
    case Mutation::ChangeThread: return change_thread(sequence, d);
    case Mutation::Repeat: return repeat(sequence, d);
    case Mutation::FanOut: return fan_out(sequence, d);
    case Mutation::FillCtx: return fill_ctx(sequence, d);
  }
  return false;
}

std::vector<std::uint8_t> encode_fitting(const Sequence& sequence, std::size_t max_size, const DecodeLimits& limits) {
  std::vector<std::uint8_t> out = harness::encode_sequence(sequence, limits);
  if (out.size() <= max_size) return out;
  // Too long: the longest prefix of whole ops that fits, so that the bytes
  // still decode to exactly a prefix. A prefix's encoding never shrinks as
  // it grows (an op more is bytes more, or a repeat's count one higher).
  const auto prefix = [&](std::size_t n) {
    return harness::encode_sequence(
        Sequence{{sequence.ops.begin(), sequence.ops.begin() + static_cast<std::ptrdiff_t>(n)}}, limits);
  };
  std::size_t lo = 0;
  std::size_t hi = sequence.ops.size();  // prefix(hi) does not fit
  while (hi - lo > 1) {
    const std::size_t mid = lo + (hi - lo) / 2;
    (prefix(mid).size() <= max_size ? lo : hi) = mid;
  }
  return prefix(lo);
}

std::size_t mutate_ops(std::uint8_t* data, std::size_t size, std::size_t max_size, unsigned seed,
                       ByteMutator fallback) {
  if (data == nullptr) return 0;
  Rng rng(seed);
  const std::size_t kept = std::min(size, max_size);
  if (fallback != nullptr && rng.one_in(kFallbackOneIn)) return std::min(fallback(data, kept, max_size), max_size);
  const DecodeLimits limits = fuzz_limits();
  Sequence s = harness::decode_sequence(bytes_of(data, size), limits);
  mutate_some(s, rng, limits);
  cut_to_limits(s, clamp(limits));
  const std::vector<std::uint8_t> out = encode_fitting(s, max_size, limits);
  if (fallback != nullptr && out.size() == size && std::equal(out.begin(), out.end(), data)) {
    return std::min(fallback(data, kept, max_size), max_size);
  }
  return write_out(out, data);
}

Sequence cross(const Sequence& a, const Sequence& b, CrossOver how, Rng& rng, const DecodeLimits& limits) {
  const Limits l = clamp(limits);
  const bool swapped = rng.one_in(2);
  const Sequence& one = swapped ? b : a;
  const Sequence& other = swapped ? a : b;
  Sequence out;
  switch (how) {
    case CrossOver::PrefixSuffix: out = prefix_suffix(one, other, rng, l); break;
    case CrossOver::InsertSlice: out = insert_slice(one, other, rng, l); break;
    case CrossOver::TakeBody: out = take_body(one, other, rng, l); break;
  }
  cut_to_limits(out, l);
  return out;
}

std::size_t cross_over(const std::uint8_t* data1, std::size_t size1, const std::uint8_t* data2, std::size_t size2,
                       std::uint8_t* out, std::size_t max_out, unsigned seed) {
  if (out == nullptr) return 0;
  Rng rng(seed);
  const DecodeLimits limits = fuzz_limits();
  const Sequence a = harness::decode_sequence(bytes_of(data1, size1), limits);
  const Sequence b = harness::decode_sequence(bytes_of(data2, size2), limits);
  const CrossOver how = kCrossOvers[rng.below(kCrossOvers.size())];
  return write_out(encode_fitting(cross(a, b, how, rng, limits), max_out, limits), out);
}

}  // namespace asyncconf::fuzz
