// The op-level mutator: total, deterministic, exact (its bytes decode to the
// mutated sequence), each mutation doing what it says, cross-over taking from
// both parents, and deep states reachable from a tiny input.
#include "asyncconf/fuzz/op_mutator.hpp"
#include "asyncconf/harness/depth.hpp"
#include "asyncconf/harness/model.hpp"
#include "asyncconf/harness/decode_input.hpp"

#include "asyncconf/harness/op_schema.hpp"
#include "asyncconf/harness/sequence_bytes.hpp"
#include "asyncconf/harness/sequence_text.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace asyncconf::fuzz {
namespace {

using harness::Op;
using harness::OpKind;
using harness::Sequence;
using Bytes = std::vector<std::uint8_t>;

constexpr std::uint64_t kSeed = 0x0b5eed;

Bytes random_bytes(std::mt19937_64& rng, std::size_t max_len) {
  Bytes b(std::uniform_int_distribution<std::size_t>(0, max_len)(rng));
  for (auto& x : b) x = static_cast<std::uint8_t>(rng());
  return b;
}

Sequence decode(const Bytes& b) { return harness::decode_sequence(b, fuzz_limits()); }
Bytes encode(const Sequence& s) { return harness::encode_sequence(s, fuzz_limits()); }
Sequence parse(const char* text) { return harness::parse_sequence_or_throw(text); }

/// In the decoder's ranges, so that the bytes say exactly this sequence.
bool exact(const Sequence& s) { return decode(encode(s)) == s; }

bool carries_body(OpKind kind) {
  return harness::operand_for(kind, false, harness::OpField::Body) != nullptr;
}

/// The sequences with one driver op (with its body) or one body op removed.
std::vector<Sequence> one_op_removed(const Sequence& s) {
  std::vector<Sequence> out;
  for (std::size_t i = 0; i < s.ops.size(); ++i) {
    Sequence t = s;
    t.ops.erase(t.ops.begin() + static_cast<std::ptrdiff_t>(i));
    out.push_back(std::move(t));
    for (std::size_t j = 0; j < s.ops[i].body.size(); ++j) {
      Sequence u = s;
      u.ops[i].body.erase(u.ops[i].body.begin() + static_cast<std::ptrdiff_t>(j));
      out.push_back(std::move(u));
    }
  }
  return out;
}

bool in(const std::vector<Sequence>& v, const Sequence& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

/// Every list of ops in a sequence, as a way to rebuild the sequence with that list changed.
template <class F>
void for_each_list(const Sequence& s, F&& f) {
  f(s.ops, [&](std::vector<Op> list) { return Sequence{std::move(list)}; });
  for (std::size_t i = 0; i < s.ops.size(); ++i) {
    f(s.ops[i].body, [&, i](std::vector<Op> list) {
      Sequence t = s;
      t.ops[i].body = std::move(list);
      return t;
    });
  }
}

std::vector<Sequence> adjacent_swaps(const Sequence& s) {
  std::vector<Sequence> out;
  for_each_list(s, [&](const std::vector<Op>& list, auto rebuild) {
    for (std::size_t i = 0; i + 1 < list.size(); ++i) {
      std::vector<Op> l = list;
      std::swap(l[i], l[i + 1]);
      out.push_back(rebuild(std::move(l)));
    }
  });
  return out;
}

/// Whether `m` is `s` with a run of 1..4 ops of one list repeated right after
/// it; a repeated start may have new names (job, ctx), taken here from `m`.
bool is_duplication(const Sequence& s, const Sequence& m) {
  bool found = false;
  for_each_list(s, [&](const std::vector<Op>& list, auto rebuild) {
    for (std::size_t first = 0; first < list.size() && !found; ++first) {
      for (std::size_t run = 1; run <= 4 && first + run <= list.size() && !found; ++run) {
        std::vector<Op> l = list;
        l.insert(l.begin() + static_cast<std::ptrdiff_t>(first + run), list.begin() + static_cast<std::ptrdiff_t>(first),
                 list.begin() + static_cast<std::ptrdiff_t>(first + run));
        Sequence expected = rebuild(l);
        if (expected.ops.size() != m.ops.size()) continue;
        for (std::size_t k = 0; k < run && &list == &s.ops; ++k) {
          Op& copy = expected.ops[first + run + k];
          if (carries_body(copy.kind)) {
            copy.job = m.ops[first + run + k].job;
            copy.ctx = m.ops[first + run + k].ctx;
          }
        }
        found = expected == m;
      }
    }
  });
  return found;
}

/// m is s with one op (not a start) standing 8, 64 or 255 more times (fewer
/// only at a limit) right after itself.
bool is_repetition(const Sequence& s, const Sequence& m) {
  const std::size_t before = op_count(s);
  const std::size_t n = op_count(m) - before;
  if (op_count(m) <= before || n > 255) return false;
  bool found = false;
  for_each_list(s, [&](const std::vector<Op>& list, auto rebuild) {
    for (std::size_t i = 0; i < list.size() && !found; ++i) {
      if (carries_body(list[i].kind)) continue;
      std::vector<Op> l = list;
      l.insert(l.begin() + static_cast<std::ptrdiff_t>(i) + 1, n, list[i]);
      found = rebuild(l) == m;
    }
  });
  return found;
}

/// The ops of a sequence one by one: driver ops without their bodies, then body ops.
std::vector<Op> flat(const Sequence& s) {
  std::vector<Op> out;
  for (const Op& op : s.ops) {
    Op d = op;
    d.body.clear();
    out.push_back(d);
    out.insert(out.end(), op.body.begin(), op.body.end());
  }
  return out;
}

/// m is s with 2..7 copies of one start right after it (fewer only at the
/// limit), each a copy but for its job and ctx, on jobs no other start of
/// m holds while there are free ones; a copy whose ctx no earlier wctx_new
/// makes gets one right before it (but at the limit).
bool is_fan_out(const Sequence& s, const Sequence& m) {
  if (m.ops.size() <= s.ops.size() || m.ops.size() - s.ops.size() > 14) return false;
  std::set<int> held;
  for (const Op& op : s.ops) {
    if (carries_body(op.kind)) held.insert(op.job);
  }
  const auto made_before = [&](int ctx, std::size_t pos) {
    return std::any_of(m.ops.begin(), m.ops.begin() + static_cast<std::ptrdiff_t>(pos),
                       [ctx](const Op& op) { return op.kind == OpKind::WaitCtxNew && op.ctx == ctx; });
  };
  const bool at_limit = m.ops.size() >= fuzz_limits().max_driver_ops - 1;
  for (std::size_t i = 0; i < s.ops.size(); ++i) {
    if (!carries_body(s.ops[i].kind) || !std::equal(s.ops.begin(), s.ops.begin() + static_cast<std::ptrdiff_t>(i + 1),
                                                    m.ops.begin())) {
      continue;
    }
    std::size_t pos = i + 1;
    std::vector<int> jobs;
    bool ok = true;
    while (ok && pos < m.ops.size() && m.ops.size() - pos > s.ops.size() - i - 1) {
      const bool made = m.ops[pos].kind == OpKind::WaitCtxNew;
      const std::size_t c = made ? pos + 1 : pos;
      if (c >= m.ops.size()) return false;
      Op copy = s.ops[i];
      copy.job = m.ops[c].job;
      copy.ctx = m.ops[c].ctx;
      const bool needs_make = copy.ctx >= 0 && !made_before(copy.ctx, pos);
      ok = m.ops[c] == copy && (made ? needs_make && m.ops[pos].ctx == copy.ctx && m.ops[pos].thread == copy.thread
                                     : !needs_make || at_limit);
      jobs.push_back(copy.job);
      pos = c + 1;
    }
    if (!ok || jobs.empty() || jobs.size() > 7 || (jobs.size() < 2 && !at_limit)) continue;
    if (!std::equal(s.ops.begin() + static_cast<std::ptrdiff_t>(i + 1), s.ops.end(),
                    m.ops.begin() + static_cast<std::ptrdiff_t>(pos), m.ops.end())) {
      continue;
    }
    const bool names_left = held.size() + jobs.size() <= static_cast<std::size_t>(fuzz_limits().jobs);
    std::set<int> copies;
    for (int job : jobs) {
      if (names_left && (held.contains(job) || !copies.insert(job).second)) return false;
    }
    return true;
  }
  return false;
}

/// m is s with, at one place of one body, set_fd ops on distinct keys that
/// body did not set, with fds no op of s names.
bool is_ctx_fill(const Sequence& s, const Sequence& m) {
  if (m.ops.size() != s.ops.size()) return false;
  int fresh_from = 0;
  for (const Op& op : flat(s)) {
    if (op.kind == OpKind::SetFd) fresh_from = std::max(fresh_from, op.fd + 1);
  }
  for (std::size_t i = 0; i < s.ops.size(); ++i) {
    const std::vector<Op>& before = s.ops[i].body;
    const std::vector<Op>& after = m.ops[i].body;
    if (before == after) continue;
    if (after.size() <= before.size()) return false;
    const std::size_t n = after.size() - before.size();
    for (std::size_t at = 0; at <= before.size(); ++at) {
      std::vector<Op> l = before;
      l.insert(l.begin() + static_cast<std::ptrdiff_t>(at), after.begin() + static_cast<std::ptrdiff_t>(at),
               after.begin() + static_cast<std::ptrdiff_t>(at + n));
      if (l != after) continue;
      std::set<int> keys;
      for (std::size_t k = at; k < at + n; ++k) {
        const Op& f = after[k];
        const bool key_was_set = std::any_of(before.begin(), before.end(), [&](const Op& b) {
          return b.kind == OpKind::SetFd && b.key == f.key;
        });
        if (f.kind != OpKind::SetFd || key_was_set || !keys.insert(f.key).second ||
            (f.fd < fresh_from && f.fd != harness::kDecodeMaxFd)) {
          return false;
        }
      }
      Sequence rest = m;
      rest.ops[i].body = before;
      return rest == s;
    }
    return false;
  }
  return false;
}


/// Whether `m` is `s` with one number field of one op changed (kind, thread, shape kept).
bool one_operand_changed(const Sequence& s, const Sequence& m) {
  if (s.ops.size() != m.ops.size()) return false;
  const std::vector<Op> a = flat(s), b = flat(m);
  if (a.size() != b.size()) return false;
  int fields = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].kind != b[i].kind || a[i].thread != b[i].thread) return false;
    for (harness::OpField f : harness::kFields) fields += harness::get_field(a[i], f) != harness::get_field(b[i], f);
  }
  return fields == 1;
}

bool one_thread_changed(const Sequence& s, const Sequence& m) {
  if (s.ops.size() != m.ops.size()) return false;
  int changed = 0;
  for (std::size_t i = 0; i < s.ops.size(); ++i) {
    Op a = s.ops[i];
    if (a.thread == m.ops[i].thread) {
      if (!(a == m.ops[i])) return false;
      continue;
    }
    a.thread = m.ops[i].thread;
    if (!(a == m.ops[i])) return false;
    ++changed;
  }
  return changed == 1;
}

/// Does `m` look like `s` after `mutation`?
bool does_what_it_says(Mutation mutation, const Sequence& s, const Sequence& m) {
  switch (mutation) {
    case Mutation::InsertDriver: return m.ops.size() == s.ops.size() + 1 && in(one_op_removed(m), s);
    case Mutation::InsertBody: return m.ops.size() == s.ops.size() && in(one_op_removed(m), s);
    case Mutation::Delete: return in(one_op_removed(s), m);
    case Mutation::Duplicate: return is_duplication(s, m);
    case Mutation::Swap: return !(s == m) && in(adjacent_swaps(s), m);
    case Mutation::ChangeOperand: return one_operand_changed(s, m);
    case Mutation::ChangeThread: return one_thread_changed(s, m);
    case Mutation::Repeat: return is_repetition(s, m);
    case Mutation::FanOut: return is_fan_out(s, m);
    case Mutation::FillCtx: return is_ctx_fill(s, m);
  }
  return false;
}

// ---------------------------------------------------------------------------

TEST(OpMutator, FuzzLimitsAreTheTargetsLimits) {
  const harness::DecodeLimits l = fuzz_limits(), d = harness::kFuzzDecodeLimits;
  EXPECT_EQ(l.max_driver_ops, d.max_driver_ops);
  EXPECT_EQ(l.max_body_ops, d.max_body_ops);
  EXPECT_EQ(l.threads, d.threads);
  EXPECT_EQ(l.jobs, d.jobs);
  EXPECT_EQ(l.ctxs, d.ctxs);
}

TEST(OpMutator, EachMutationDoesWhatItSaysAndStaysExact) {
  std::mt19937_64 gen(kSeed);
  Rng rng(1);
  std::map<Mutation, int> applied;
  constexpr int kTrials = 120;
  for (int t = 0; t < kTrials; ++t) {
    const Sequence s = decode(random_bytes(gen, 120));
    for (Mutation mutation : kMutations) {
      Sequence m = s;
      if (!mutate(m, mutation, rng)) {
        EXPECT_EQ(m, s) << mutation_name(mutation) << " did not apply but changed the sequence";
        continue;
      }
      ++applied[mutation];
      EXPECT_TRUE(does_what_it_says(mutation, s, m))
          << mutation_name(mutation) << "\nbefore:\n" << harness::print_sequence(s) << "after:\n"
          << harness::print_sequence(m);
      EXPECT_TRUE(exact(m)) << mutation_name(mutation) << " left the decoder's ranges:\n" << harness::print_sequence(m);
    }
  }
  // Random inputs almost always have ops, starts and adjacent differing ops.
  for (Mutation mutation : kMutations) EXPECT_GT(applied[mutation], kTrials / 2) << mutation_name(mutation);
}

TEST(OpMutator, MutationsApplyToTheEmptySequenceOnlyByInserting) {
  Rng rng(7);
  for (Mutation mutation : kMutations) {
    Sequence s;
    const bool applied = mutate(s, mutation, rng);
    EXPECT_EQ(applied, mutation == Mutation::InsertDriver) << mutation_name(mutation);
    EXPECT_TRUE(exact(s));
  }
}

TEST(OpMutator, MutationsRespectTheLimits) {
  Sequence full;
  std::string pauses;
  // A full body: as many pauses as a body can hold with repeats.
  for (std::size_t i = 0; i < harness::body_capacity(fuzz_limits()); ++i) pauses += i == 0 ? "pause" : "; pause";
  const Sequence one = parse(("start j0 null { " + pauses + " }\n").c_str());
  full.ops.assign(fuzz_limits().max_driver_ops, one.ops[0]);
  Rng rng(3);
  Sequence m = full;
  EXPECT_FALSE(mutate(m, Mutation::InsertDriver, rng));
  EXPECT_FALSE(mutate(m, Mutation::InsertBody, rng));
  EXPECT_FALSE(mutate(m, Mutation::Duplicate, rng));
  EXPECT_EQ(m, full);
  for (int i = 0; i < 150; ++i) {
    if (!mutate(m, pick_mutation(rng), rng)) continue;
    ASSERT_LE(m.ops.size(), fuzz_limits().max_driver_ops);
    for (const Op& op : m.ops) {
      ASSERT_LE(op.body.size(), harness::body_capacity(fuzz_limits()));
      ASSERT_LE(harness::entry_count(op.body), fuzz_limits().max_body_ops);
    }
    ASSERT_TRUE(exact(m));
  }
}

TEST(OpMutator, DuplicatedStartsHoldFreshJobs) {
  Sequence s = parse("wctx_new w0\nwctx_new w1\nstart j0 w0 { pause }\n");
  Rng rng(11);
  int starts = 1;
  for (int i = 0; i < 400 && starts < 8; ++i) {
    Sequence m = s;
    ASSERT_TRUE(mutate(m, Mutation::Duplicate, rng));
    s = m;
    starts = static_cast<int>(std::count_if(s.ops.begin(), s.ops.end(), [](const Op& op) { return op.kind == OpKind::Start; }));
  }
  std::set<int> jobs;
  std::map<int, int> ctx_users;
  for (const Op& op : s.ops) {
    if (op.kind != OpKind::Start) continue;
    jobs.insert(op.job);
    if (op.ctx >= 0) ++ctx_users[op.ctx];
  }
  EXPECT_EQ(jobs.size(), 8u) << harness::print_sequence(s);  // jobs j0..j7: all eight free names
  for (const auto& [ctx, users] : ctx_users) EXPECT_EQ(users, 1) << "w" << ctx << " held twice";
  EXPECT_EQ(ctx_users.size(), 2u) << "w0 and w1 (made by wctx_new) each held once, the other starts null";
}

TEST(OpMutator, PickMutationFollowsTheWeights) {
  Rng rng(5);
  std::map<Mutation, int> seen;
  constexpr int kPicks = 21000;
  for (int i = 0; i < kPicks; ++i) ++seen[pick_mutation(rng)];
  unsigned total = 0;
  for (unsigned w : kMutationWeights) total += w;
  for (std::size_t i = 0; i < kMutationCount; ++i) {
    const double expected = kPicks * static_cast<double>(kMutationWeights[i]) / total;
    EXPECT_NEAR(seen[kMutations[i]], expected, expected * 0.15) << mutation_name(kMutations[i]);
  }
}

TEST(OpMutator, EncodeFittingKeepsWholeOps) {
  std::mt19937_64 gen(kSeed + 1);
  for (int t = 0; t < 200; ++t) {
    const Sequence s = decode(random_bytes(gen, 300));
    const std::size_t max = std::uniform_int_distribution<std::size_t>(0, 320)(gen);
    const Bytes b = encode_fitting(s, max);
    ASSERT_LE(b.size(), max);
    const Sequence p = decode(b);
    ASSERT_LE(p.ops.size(), s.ops.size());
    EXPECT_TRUE(std::equal(p.ops.begin(), p.ops.end(), s.ops.begin())) << "not a prefix";
    if (p.ops.size() < s.ops.size()) {  // the next op would not have fit
      EXPECT_GT(encode(Sequence{{s.ops.begin(), s.ops.begin() + static_cast<std::ptrdiff_t>(p.ops.size() + 1)}}).size(),
                max);
    }
  }
}

// ---------------------------------------------------------------------------
// mutate_ops

std::size_t g_fallback_calls = 0;

/// A byte mutator that stays inside max_size: flips the first byte, or appends one.
std::size_t fake_byte_mutator(std::uint8_t* data, std::size_t size, std::size_t max_size) {
  ++g_fallback_calls;
  if (size > 0) {
    data[0] ^= 0x5a;
    return size;
  }
  if (max_size == 0) return 0;
  data[0] = 0x42;
  return 1;
}

constexpr std::uint8_t kGuard = 0xa5;
constexpr std::size_t kGuardSize = 64;

TEST(OpMutator, MutateOpsIsTotalAndNeverWritesPastMaxSize) {
  std::mt19937_64 gen(kSeed + 2);
  for (int t = 0; t < 1500; ++t) {
    const Bytes input = random_bytes(gen, 500);
    const std::size_t max_size = std::uniform_int_distribution<std::size_t>(0, 600)(gen);
    Bytes buf(std::max(input.size(), max_size) + kGuardSize, kGuard);
    std::copy(input.begin(), input.end(), buf.begin());
    const Bytes tail(buf.begin() + static_cast<std::ptrdiff_t>(max_size), buf.end());
    const ByteMutator fallback = t % 2 == 0 ? nullptr : fake_byte_mutator;
    const std::size_t n = mutate_ops(buf.data(), input.size(), max_size, static_cast<unsigned>(gen()), fallback);
    ASSERT_LE(n, max_size);
    ASSERT_TRUE(std::equal(tail.begin(), tail.end(), buf.begin() + static_cast<std::ptrdiff_t>(max_size)))
        << "wrote past max_size " << max_size << " (input " << input.size() << " bytes)";
  }
}

TEST(OpMutator, MutateOpsIsDeterministic) {
  std::mt19937_64 gen(kSeed + 3);
  std::set<Bytes> outputs;
  const Bytes input = encode(decode(random_bytes(gen, 200)));
  for (unsigned seed = 0; seed < 200; ++seed) {
    Bytes a = input, b = input;
    a.resize(4096);
    b.resize(4096);
    const std::size_t na = mutate_ops(a.data(), input.size(), a.size(), seed, fake_byte_mutator);
    const std::size_t nb = mutate_ops(b.data(), input.size(), b.size(), seed, fake_byte_mutator);
    ASSERT_EQ(na, nb);
    a.resize(na);
    b.resize(nb);
    ASSERT_EQ(a, b) << "seed " << seed;
    outputs.insert(a);
  }
  EXPECT_GT(outputs.size(), 150u) << "seeds hardly change the mutation";
}

TEST(OpMutator, MutateOpsOutputDecodesExactly) {
  std::mt19937_64 gen(kSeed + 4);
  int changed = 0;
  constexpr int kTrials = 800;
  for (int t = 0; t < kTrials; ++t) {
    const Bytes input = random_bytes(gen, 400);
    Bytes buf = input;
    buf.resize(std::max<std::size_t>(input.size(), 1024));
    const std::size_t n = mutate_ops(buf.data(), input.size(), 1024, static_cast<unsigned>(gen()), nullptr);
    buf.resize(n);
    const Sequence s = decode(buf);
    ASSERT_EQ(encode(s), buf) << "the mutated bytes are not the encoding of their sequence";
    ASSERT_LE(s.ops.size(), fuzz_limits().max_driver_ops);
    for (const Op& op : s.ops) {
      ASSERT_LE(op.body.size(), harness::body_capacity(fuzz_limits()));
      ASSERT_LE(harness::entry_count(op.body), fuzz_limits().max_body_ops);
    }
    changed += !(s == decode(input));
  }
  EXPECT_GT(changed, kTrials * 9 / 10);
}

TEST(OpMutator, MutateOpsFallsBackNowAndThen) {
  std::mt19937_64 gen(kSeed + 5);
  const Bytes input = encode(decode(random_bytes(gen, 200)));
  g_fallback_calls = 0;
  constexpr unsigned kCalls = 2000;
  for (unsigned seed = 0; seed < kCalls; ++seed) {
    Bytes buf = input;
    buf.resize(2048);
    mutate_ops(buf.data(), input.size(), buf.size(), seed, fake_byte_mutator);
  }
  const double expected = static_cast<double>(kCalls) / kFallbackOneIn;
  EXPECT_NEAR(static_cast<double>(g_fallback_calls), expected, expected * 0.25);
}

TEST(OpMutator, MutateOpsFallsBackWhenOpsCannotChangeAnything) {
  // max_size 0: the only op-level result is the empty input again.
  for (unsigned seed = 0; seed < 50; ++seed) {
    g_fallback_calls = 0;
    std::uint8_t byte = kGuard;
    EXPECT_EQ(mutate_ops(&byte, 0, 0, seed, fake_byte_mutator), 0u);
    EXPECT_EQ(g_fallback_calls, 1u);
    EXPECT_EQ(byte, kGuard);
  }
}

// ---------------------------------------------------------------------------
// Cross-over

// Two parents with no op in common: a on t0 with fds 1x, b on t1 with fds 2x.
const char* const kParentA =
    "wctx_new w0\nset_fd w0 1 11\nstart j0 w0 { pause; set_fd 1 12; set_status 1 }\nset_fd w0 2 13\n"
    "start j1 null { set_fd 3 14; get_fd 3 }\nresume j0\nget_status w0\n";
const char* const kParentB =
    "t1: wctx_new w1\nt1: start j2 w1 { block; set_fd 4 21; unblock; return 3 }\nt1: set_fd w1 5 22\n"
    "t1: resume j2\nt1: start j3 null { check_arg; set_fd 6 23 }\nt1: clear_fd w1 5\n";

std::set<std::string> signatures(const Sequence& s) {
  std::set<std::string> out;
  for (const Op& op : s.ops) {
    Op d = op;
    d.body.clear();
    out.insert(harness::print_op(d));
    for (const Op& b : op.body) out.insert("{" + harness::print_op(b, true));
  }
  return out;
}

/// Every op of `child` is one of a parent's, and each parent gives at least one.
void expect_from_both(const Sequence& child, const std::set<std::string>& a, const std::set<std::string>& b,
                      const std::string& what) {
  bool from_a = false, from_b = false;
  for (const std::string& sig : signatures(child)) {
    from_a |= a.count(sig) > 0;
    from_b |= b.count(sig) > 0;
    EXPECT_TRUE(a.count(sig) + b.count(sig) > 0) << what << ": " << sig << " is from neither parent";
  }
  EXPECT_TRUE(from_a && from_b) << what << ":\n" << harness::print_sequence(child);
}

TEST(OpMutator, CrossTakesOpsFromBothParents) {
  const Sequence a = parse(kParentA), b = parse(kParentB);
  const auto sa = signatures(a), sb = signatures(b);
  for (const auto& sig : sa) ASSERT_EQ(sb.count(sig), 0u) << "the parents share " << sig;
  for (CrossOver how : kCrossOvers) {
    for (unsigned seed = 0; seed < 100; ++seed) {
      Rng rng(seed);
      const Sequence child = cross(a, b, how, rng);
      expect_from_both(child, sa, sb, "cross " + std::to_string(static_cast<int>(how)) + " seed " + std::to_string(seed));
      EXPECT_TRUE(exact(child));
    }
  }
}

TEST(OpMutator, CrossOverBytesTakeFromBothParentsDeterministically) {
  const Sequence a = parse(kParentA), b = parse(kParentB);
  const Bytes ba = encode(a), bb = encode(b);
  const auto sa = signatures(a), sb = signatures(b);
  for (unsigned seed = 0; seed < 200; ++seed) {
    Bytes out(1024), again(1024);
    const std::size_t n = cross_over(ba.data(), ba.size(), bb.data(), bb.size(), out.data(), out.size(), seed);
    const std::size_t m = cross_over(ba.data(), ba.size(), bb.data(), bb.size(), again.data(), again.size(), seed);
    out.resize(n);
    again.resize(m);
    ASSERT_EQ(out, again) << "seed " << seed;
    const Sequence child = decode(out);
    EXPECT_EQ(encode(child), out);
    expect_from_both(child, sa, sb, "cross_over seed " + std::to_string(seed));
  }
}

TEST(OpMutator, CrossOverIsTotalAndNeverWritesPastMaxOut) {
  std::mt19937_64 gen(kSeed + 6);
  for (int t = 0; t < 600; ++t) {
    const Bytes a = random_bytes(gen, 400), b = random_bytes(gen, 400);
    const std::size_t max_out = std::uniform_int_distribution<std::size_t>(0, 500)(gen);
    Bytes out(max_out + kGuardSize, kGuard);
    const std::size_t n =
        cross_over(a.data(), a.size(), b.data(), b.size(), out.data(), max_out, static_cast<unsigned>(gen()));
    ASSERT_LE(n, max_out);
    ASSERT_TRUE(std::all_of(out.begin() + static_cast<std::ptrdiff_t>(max_out), out.end(),
                            [](std::uint8_t x) { return x == kGuard; }));
    out.resize(n);
    ASSERT_EQ(encode(decode(out)), out);
  }
}

// ---------------------------------------------------------------------------
// Depth: mutate_ops alone (no fallback), from a one-op input, reaches the
// states the byte level rarely does.

struct Depth {
  std::size_t paused_jobs = 0;     ///< most jobs paused at once, as the model plans the sequence
  std::size_t pauses_in_body = 0;  ///< pause ops in one body
  std::size_t fds_in_ctx = 0;      ///< set_fd ops on one ctx (driver ops naming it, or one job's body)
};

Depth depth_of(const Sequence& s) {
  Depth d;
  std::map<int, std::size_t> driver_fds;
  for (const Op& op : s.ops) {
    if (op.kind == OpKind::SetFd) d.fds_in_ctx = std::max(d.fds_in_ctx, ++driver_fds[op.ctx]);
    const auto pauses = static_cast<std::size_t>(
        std::count_if(op.body.begin(), op.body.end(), [](const Op& b) { return b.kind == OpKind::Pause; }));
    const auto fds = static_cast<std::size_t>(
        std::count_if(op.body.begin(), op.body.end(), [](const Op& b) { return b.kind == OpKind::SetFd; }));
    d.pauses_in_body = std::max(d.pauses_in_body, pauses);
    d.fds_in_ctx = std::max(d.fds_in_ctx, fds);
  }
  // Paused at once is the model's: a start whose ctx was never made, or
  // serves another job, does not pause.
  d.paused_jobs = static_cast<std::size_t>(harness::depth(harness::plan(s, harness::ModelConfig{})).paused_at_once);
  return d;
}

// How many rounds a climb from "wctx_new w0" takes until measure(depth) >=
// goal, a mutant going on when its measure is no less (libFuzzer keeps an
// input that reaches a new depth: depth_features.hpp); -1: not in kRounds.
template <class Measure>
int rounds_to_reach(Measure measure, std::size_t goal, std::size_t& best) {
  constexpr int kRounds = 5000;
  constexpr std::size_t kMaxSize = 4096;
  Bytes current = encode(parse("wctx_new w0\n"));
  std::size_t at = measure(depth_of(decode(current)));
  for (int round = 1; round <= kRounds; ++round) {
    Bytes buf = current;
    buf.resize(kMaxSize);
    buf.resize(mutate_ops(buf.data(), current.size(), kMaxSize, static_cast<unsigned>(round) * 2654435761u, nullptr));
    const std::size_t m = measure(depth_of(decode(buf)));
    best = std::max(best, m);
    if (m >= goal) return round;
    if (m >= at) {
      current = std::move(buf);
      at = m;
    }
  }
  return -1;
}

TEST(OpMutator, MutateOpsReachesDeepStatesFromATinyInput) {
  std::size_t paused_best = 0, pauses_best = 0, fds_best = 0;
  const int paused_at = rounds_to_reach([](const Depth& d) { return d.paused_jobs; }, 5, paused_best);
  const int pauses_at = rounds_to_reach([](const Depth& d) { return d.pauses_in_body; }, 6, pauses_best);
  const int fds_at = rounds_to_reach([](const Depth& d) { return d.fds_in_ctx; }, 8, fds_best);
  std::cout << "[ depth    ] 5 jobs paused at once at round " << paused_at << " (best " << paused_best
            << "), 6 pauses in a body at round " << pauses_at << " (best " << pauses_best
            << "), 8 set_fd on a ctx at round " << fds_at << " (best " << fds_best << ")\n";
  EXPECT_GT(paused_at, 0) << "never 5 jobs paused at once";
  EXPECT_GT(pauses_at, 0) << "never a body with 6 pauses";
  EXPECT_GT(fds_at, 0) << "never 8 set_fd on one ctx";
}

}  // namespace
}  // namespace asyncconf::fuzz
