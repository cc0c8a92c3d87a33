#include "asyncconf/harness/shrinker.hpp"

#include "asyncconf/harness/op_schema.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <iostream>
#include <ostream>
#include <set>
#include <vector>

namespace asyncconf::harness {

// Readable gtest failure messages (test-only, not the text form).
void PrintTo(const Op& op, std::ostream* os) {
  *os << op_name(op.kind) << "{t" << op.thread << " j" << op.job << " w" << op.ctx << " key=" << op.key
      << " fd=" << op.fd << " v=" << op.value << " v2=" << op.value2 << " args=" << static_cast<int>(op.args);
  if (!op.body.empty()) {
    *os << " body:";
    for (const Op& b : op.body) {
      *os << ' ';
      PrintTo(b, os);
    }
  }
  *os << '}';
}

void PrintTo(const Sequence& sequence, std::ostream* os) {
  *os << '[';
  for (const Op& op : sequence.ops) {
    *os << "\n  ";
    PrintTo(op, os);
  }
  *os << " ]";
}

namespace {

// --- a small random sequence generator (fixed seeds, own arithmetic so the
// inputs do not depend on the standard library's distributions) ---------------

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed * 0x9e3779b97f4a7c15ULL + 1) {}
  std::uint64_t next() {  // splitmix64
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  int below(int n) { return static_cast<int>(next() % static_cast<std::uint64_t>(n)); }
  bool chance(int percent) { return below(100) < percent; }

 private:
  std::uint64_t state_;
};

std::vector<OpKind> kinds_where(bool (*where)(OpKind) noexcept) {
  std::vector<OpKind> kinds;
  for (std::size_t k = 0; k < kOpKindCount; ++k) {
    if (where(static_cast<OpKind>(k))) kinds.push_back(static_cast<OpKind>(k));
  }
  return kinds;
}

/// A driver op that names an existing ctx (wctx_new makes one; start's may be null).
bool names_ctx(OpKind kind) {
  const Operand* ctx = operand_for(kind, false, OpField::Ctx);
  return ctx != nullptr && kind != OpKind::WaitCtxNew && ctx->form != OperandForm::CtxOrNull;
}

/// The operands op_schema gives the kind, at random, past the job and ctx
/// names random_sequence chooses.
void fill_operands(Rng& rng, Op& op, const std::vector<OpKind>& body_kinds) {
  for (const Operand& o : op_schema(op.kind).operands()) {
    switch (o.form) {
      case OperandForm::Job:
      case OperandForm::Ctx:
      case OperandForm::CtxOrNull:
      case OperandForm::WaitCtx: break;
      case OperandForm::Key: set_field(op, o.field, rng.below(kMaxKeys)); break;
      case OperandForm::Fd: set_field(op, o.field, rng.below(5000)); break;
      case OperandForm::PoolSize: set_field(op, o.field, rng.below(1000)); break;
      case OperandForm::StackSize:
      case OperandForm::Int:
      case OperandForm::Long: set_field(op, o.field, rng.below(100000) - 1000); break;
      case OperandForm::OnOff: set_field(op, o.field, rng.below(2)); break;
      case OperandForm::Wakeup: set_field(op, o.field, rng.below(kWakeupCount)); break;
      case OperandForm::Arg: set_field(op, o.field, rng.below(1 << 20)); break;
      case OperandForm::ArgsMode: set_field(op, o.field, rng.below(3)); break;
      case OperandForm::Body: {
        const int n = rng.below(7);
        for (int i = 0; i < n; ++i) {
          Op b;
          b.kind = body_kinds[static_cast<std::size_t>(rng.below(static_cast<int>(body_kinds.size())))];
          fill_operands(rng, b, body_kinds);
          op.body.push_back(b);
        }
        break;
      }
    }
  }
}

/// Driver ops at random; job names j3, j5, j7, ... and ctx names w4, w6, ...
/// so that the rename has work; a few ops name a job or ctx that never exists.
Sequence random_sequence(std::uint64_t seed, std::size_t size) {
  Rng rng(seed);
  // The driver kinds the measured inputs below were drawn from: a kind
  // added to ops.def later would change every input (and what the tests
  // measured on them).
  std::vector<OpKind> driver = kinds_where(&is_driver_op);
  std::erase_if(driver, [](OpKind k) {
    return k == OpKind::IsCapable || k == OpKind::JobWaitCtx || k == OpKind::GetMemFunctions || k == OpKind::Await;
  });
  std::vector<OpKind> body = kinds_where(&is_body_op);
  std::erase_if(body, [](OpKind k) { return k == OpKind::Offload; });
  std::vector<int> jobs;
  std::vector<int> ctxs;
  Sequence sequence;
  while (sequence.ops.size() < size) {
    Op op;
    op.kind = driver[static_cast<std::size_t>(rng.below(static_cast<int>(driver.size())))];
    op.thread = rng.chance(70) ? 0 : rng.below(kMaxThreads);
    // Weight the interesting ops up.
    if (rng.chance(20)) op.kind = OpKind::Start;
    if (rng.chance(15)) op.kind = OpKind::Resume;
    if (op.kind == OpKind::Start) {
      op.job = 3 + 2 * static_cast<int>(jobs.size());
      jobs.push_back(op.job);
      op.ctx = (ctxs.empty() || rng.chance(30)) ? -1 : ctxs[static_cast<std::size_t>(rng.below(static_cast<int>(ctxs.size())))];
      fill_operands(rng, op, body);
    } else if (op.kind == OpKind::Resume) {
      op.job = (jobs.empty() || rng.chance(10)) ? 99 : jobs[static_cast<std::size_t>(rng.below(static_cast<int>(jobs.size())))];
    } else if (op.kind == OpKind::WaitCtxNew) {
      op.ctx = 4 + 2 * static_cast<int>(ctxs.size());
      ctxs.push_back(op.ctx);
    } else if (names_ctx(op.kind)) {
      op.ctx = (ctxs.empty() || rng.chance(10)) ? 98 : ctxs[static_cast<std::size_t>(rng.below(static_cast<int>(ctxs.size())))];
      fill_operands(rng, op, body);
    } else {
      fill_operands(rng, op, body);
    }
    sequence.ops.push_back(op);
  }
  return sequence;
}

// --- synthetic predicates ----------------------------------------------------

bool body_has(const Op& op, OpKind kind) {
  return std::any_of(op.body.begin(), op.body.end(), [&](const Op& b) { return b.kind == kind; });
}

/// Some Start's body pauses and a later driver op resumes that job.
bool paused_then_resumed(const Sequence& s) {
  for (std::size_t i = 0; i < s.ops.size(); ++i) {
    if (s.ops[i].kind != OpKind::Start || !body_has(s.ops[i], OpKind::Pause)) continue;
    for (std::size_t j = i + 1; j < s.ops.size(); ++j) {
      if (s.ops[j].kind == OpKind::Resume && s.ops[j].job == s.ops[i].job) return true;
    }
  }
  return false;
}

std::size_t count_kind(const std::vector<Op>& ops, OpKind kind) {
  std::size_t n = 0;
  for (const Op& op : ops) n += (op.kind == kind ? 1 : 0) + count_kind(op.body, kind);
  return n;
}

bool three_set_fds(const Sequence& s) { return count_kind(s.ops, OpKind::SetFd) >= 3; }

bool start_with_null_args(const Sequence& s) {
  return std::any_of(s.ops.begin(), s.ops.end(),
                     [](const Op& op) { return op.kind == OpKind::Start && op.args == ArgsMode::Null; });
}

/// Every Start j<N> is resumed later and every Resume j<N> follows a Start
/// j<N>: a Start and its Resume only go away together.
bool jobs_balanced(const Sequence& s) {
  for (std::size_t i = 0; i < s.ops.size(); ++i) {
    const Op& op = s.ops[i];
    if (op.kind == OpKind::Start) {
      if (std::none_of(s.ops.begin() + static_cast<std::ptrdiff_t>(i) + 1, s.ops.end(),
                       [&](const Op& o) { return o.kind == OpKind::Resume && o.job == op.job; })) {
        return false;
      }
    }
    if (op.kind == OpKind::Resume) {
      if (std::none_of(s.ops.begin(), s.ops.begin() + static_cast<std::ptrdiff_t>(i),
                       [&](const Op& o) { return o.kind == OpKind::Start && o.job == op.job; })) {
        return false;
      }
    }
  }
  return true;
}

/// Every WaitCtxNew w<M> is freed later and every op naming w<M> follows its
/// WaitCtxNew.
bool ctxs_balanced(const Sequence& s) {
  for (std::size_t i = 0; i < s.ops.size(); ++i) {
    const Op& op = s.ops[i];
    if (op.kind == OpKind::WaitCtxNew) {
      if (std::none_of(s.ops.begin() + static_cast<std::ptrdiff_t>(i) + 1, s.ops.end(),
                       [&](const Op& o) { return o.kind == OpKind::WaitCtxFree && o.ctx == op.ctx; })) {
        return false;
      }
    } else if (op.ctx >= 0) {
      if (std::none_of(s.ops.begin(), s.ops.begin() + static_cast<std::ptrdiff_t>(i),
                       [&](const Op& o) { return o.kind == OpKind::WaitCtxNew && o.ctx == op.ctx; })) {
        return false;
      }
    }
  }
  return true;
}

bool has_driver(const Sequence& s, OpKind kind) {
  return std::any_of(s.ops.begin(), s.ops.end(), [&](const Op& op) { return op.kind == kind; });
}

// --- the predicate wrapper: counts and records every call -------------------

struct Recorder {
  std::function<bool(const Sequence&)> predicate;
  std::vector<Sequence> calls;

  std::function<bool(const Sequence&)> fn() {
    return [this](const Sequence& s) {
      calls.push_back(s);
      return predicate(s);
    };
  }
};

Op make(OpKind kind) {
  Op op;
  op.kind = kind;
  return op;
}

Op start(int job, int ctx, std::vector<Op> body = {}) {
  Op op = make(OpKind::Start);
  op.job = job;
  op.ctx = ctx;
  op.body = std::move(body);
  return op;
}

Op resume(int job) {
  Op op = make(OpKind::Resume);
  op.job = job;
  return op;
}

Op with_ctx(OpKind kind, int ctx) {
  Op op = make(kind);
  op.ctx = ctx;
  return op;
}

/// Removing any one driver op or any one body op makes the predicate pass.
void expect_one_minimal(const Sequence& s, const std::function<bool(const Sequence&)>& fails) {
  for (std::size_t i = 0; i < s.ops.size(); ++i) {
    Sequence c = s;
    c.ops.erase(c.ops.begin() + static_cast<std::ptrdiff_t>(i));
    EXPECT_FALSE(fails(c)) << "driver op " << i << " is not needed";
    for (std::size_t j = 0; j < s.ops[i].body.size(); ++j) {
      Sequence d = s;
      d.ops[i].body.erase(d.ops[i].body.begin() + static_cast<std::ptrdiff_t>(j));
      EXPECT_FALSE(fails(d)) << "body op " << j << " of driver op " << i << " is not needed";
    }
  }
}

void report(const char* what, const Sequence& input, const ShrinkResult& r) {
  std::cout << "[ shrink   ] " << what << ": " << op_count(input) << " -> " << op_count(r.sequence)
            << " ops, " << r.attempts << " attempts, " << r.accepted << " accepted\n";
}

// --- the cases ------------------------------------------------------------------

TEST(Shrinker, PauseThenResumeShrinksToTwoDriverOpsAndOneBodyOp) {
  const Sequence input = random_sequence(7, 60);
  ASSERT_EQ(input.ops.size(), 60u);
  ASSERT_TRUE(paused_then_resumed(input));
  Recorder rec{&paused_then_resumed, {}};
  const ShrinkResult r = shrink(input, rec.fn());
  report("pause+resume", input, r);

  EXPECT_FALSE(r.exhausted);
  EXPECT_EQ(r.attempts, rec.calls.size());
  EXPECT_TRUE(paused_then_resumed(r.sequence));
  ASSERT_EQ(r.sequence.ops.size(), 2u);
  EXPECT_EQ(op_count(r.sequence), 3u);
  const Op& s = r.sequence.ops[0];
  const Op& res = r.sequence.ops[1];
  EXPECT_EQ(s.kind, OpKind::Start);
  ASSERT_EQ(s.body.size(), 1u);
  EXPECT_EQ(s.body[0], make(OpKind::Pause));
  // Renamed j0, everything else at its default (the ctx was a name no
  // WaitCtxNew created: w0 after the rename, or NULL).
  EXPECT_EQ(s.job, 0);
  EXPECT_TRUE(s.ctx == -1 || s.ctx == 0) << s.ctx;
  EXPECT_EQ(s.value, 0);
  EXPECT_EQ(s.args, ArgsMode::Copy);
  EXPECT_EQ(s.thread, 0);
  EXPECT_EQ(res, resume(0));
  // Measured 35 (47 without the halving chunks).
  EXPECT_LE(r.attempts, 42u);
}

TEST(Shrinker, ThreeSetFdsAnywhere) {
  const Sequence input = random_sequence(2, 60);
  ASSERT_GE(count_kind(input.ops, OpKind::SetFd), 5u);
  Recorder rec{&three_set_fds, {}};
  const ShrinkResult r = shrink(input, rec.fn());
  report("3 set_fd", input, r);

  EXPECT_FALSE(r.exhausted);
  EXPECT_EQ(r.attempts, rec.calls.size());
  EXPECT_EQ(count_kind(r.sequence.ops, OpKind::SetFd), 3u);
  // Whatever holds them (at most one Start, found 1-minimal), operands at 0.
  EXPECT_LE(op_count(r.sequence), 4u);
  expect_one_minimal(r.sequence, &three_set_fds);
  std::function<void(const std::vector<Op>&)> check = [&](const std::vector<Op>& ops) {
    for (const Op& op : ops) {
      EXPECT_EQ(op.thread, 0);
      EXPECT_EQ(op.key, 0);
      EXPECT_EQ(op.fd, 0);
      EXPECT_EQ(op.value, 0);
      EXPECT_EQ(op.value2, 0);
      EXPECT_EQ(op.args, ArgsMode::Copy);
      EXPECT_LE(op.ctx, 0);  // w0 at most after the rename
      EXPECT_LE(op.job, 0);
      check(op.body);
    }
  };
  check(r.sequence.ops);
  // Measured 32 (72 without the halving chunks).
  EXPECT_LE(r.attempts, 40u);
}

TEST(Shrinker, NullArgsStartKeepsOnlyThatStartWithDefaults) {
  const Sequence input = random_sequence(7, 60);
  ASSERT_TRUE(start_with_null_args(input));
  const ShrinkResult r = shrink(input, &start_with_null_args);
  report("args=null", input, r);

  EXPECT_FALSE(r.exhausted);
  ASSERT_EQ(r.sequence.ops.size(), 1u);
  Op expected = start(0, r.sequence.ops[0].ctx);
  expected.args = ArgsMode::Null;
  EXPECT_EQ(r.sequence.ops[0], expected);
  EXPECT_TRUE(expected.ctx == -1 || expected.ctx == 0) << expected.ctx;
  // Measured 19 (63 without the halving chunks).
  EXPECT_LE(r.attempts, 25u);
}

TEST(Shrinker, NothingSmallerFailsReturnsTheInput) {
  const Sequence input = random_sequence(4, 30);
  Recorder rec{[&](const Sequence& s) { return s == input; }, {}};
  const ShrinkResult r = shrink(input, rec.fn());
  report("never", input, r);

  EXPECT_EQ(r.sequence, input);
  EXPECT_EQ(r.accepted, 0u);
  EXPECT_FALSE(r.exhausted);
  EXPECT_GT(r.attempts, 0u);
  EXPECT_EQ(r.attempts, rec.calls.size());
}

TEST(Shrinker, NeverAsksTwiceNorAboutTheInput) {
  const Sequence input = random_sequence(5, 40);
  // Fails as long as two Starts remain: many candidates, many accepted.
  Recorder rec{[](const Sequence& s) { return count_kind(s.ops, OpKind::Start) >= 2; }, {}};
  const ShrinkResult r = shrink(input, rec.fn());
  ASSERT_GE(count_kind(input.ops, OpKind::Start), 2u);
  ASSERT_GT(rec.calls.size(), 10u);
  for (std::size_t i = 0; i < rec.calls.size(); ++i) {
    EXPECT_NE(rec.calls[i], input) << "call " << i;
    for (std::size_t j = 0; j < i; ++j) {
      ASSERT_NE(rec.calls[i], rec.calls[j]) << "calls " << j << " and " << i;
    }
  }
  ASSERT_EQ(r.sequence.ops.size(), 2u);
  EXPECT_EQ(r.sequence.ops[0], start(0, -1));
  EXPECT_EQ(r.sequence.ops[1], start(1, -1));
}

TEST(Shrinker, Deterministic) {
  const Sequence input = random_sequence(7, 60);
  ASSERT_TRUE(paused_then_resumed(input));
  Recorder a{&paused_then_resumed, {}};
  Recorder b{&paused_then_resumed, {}};
  const ShrinkResult ra = shrink(input, a.fn());
  const ShrinkResult rb = shrink(input, b.fn());
  EXPECT_EQ(ra.sequence, rb.sequence);
  EXPECT_EQ(ra.attempts, rb.attempts);
  EXPECT_EQ(ra.accepted, rb.accepted);
  EXPECT_EQ(a.calls, b.calls);
  EXPECT_GT(ra.accepted, 0u);
}

TEST(Shrinker, MaxAttemptsRespected) {
  const Sequence input = random_sequence(1, 60);
  for (const std::size_t limit : {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{25}}) {
    Recorder rec{&paused_then_resumed, {}};
    ShrinkOptions options;
    options.max_attempts = limit;
    const ShrinkResult r = shrink(input, rec.fn(), options);
    EXPECT_EQ(r.attempts, limit);
    EXPECT_EQ(rec.calls.size(), limit);
    EXPECT_TRUE(r.exhausted) << limit;
    EXPECT_TRUE(paused_then_resumed(r.sequence));
    EXPECT_LE(op_count(r.sequence), op_count(input));
    if (limit == 0) {
      EXPECT_EQ(r.sequence, input);
    }
  }
  // With room enough it reaches the fixpoint.
  const ShrinkResult full = shrink(input, &paused_then_resumed);
  EXPECT_FALSE(full.exhausted);
  ShrinkOptions exact;
  exact.max_attempts = full.attempts;
  const ShrinkResult r = shrink(input, &paused_then_resumed, exact);
  EXPECT_FALSE(r.exhausted);
  EXPECT_EQ(r.sequence, full.sequence);
}

TEST(Shrinker, ProgressReportsEveryAcceptedStep) {
  const Sequence input = random_sequence(7, 60);
  std::vector<std::size_t> attempts;
  std::vector<Sequence> bests;
  ShrinkOptions options;
  options.progress = [&](std::size_t n, const Sequence& best) {
    attempts.push_back(n);
    bests.push_back(best);
  };
  const ShrinkResult r = shrink(input, &paused_then_resumed, options);
  ASSERT_EQ(bests.size(), r.accepted);
  ASSERT_FALSE(bests.empty());
  EXPECT_EQ(bests.back(), r.sequence);
  EXPECT_TRUE(std::is_sorted(attempts.begin(), attempts.end()));
  EXPECT_LE(attempts.back(), r.attempts);
  std::size_t previous = op_count(input);
  for (const Sequence& best : bests) {
    EXPECT_TRUE(paused_then_resumed(best));
    EXPECT_LE(op_count(best), previous);
    previous = op_count(best);
  }
}

TEST(Shrinker, StartGoesTogetherWithItsResumes) {
  // Neither the Start nor the Resume can go alone; the set_fd is in between,
  // so no contiguous chunk but the whole takes both.
  const Sequence input{{start(4, -1, {make(OpKind::Pause)}), with_ctx(OpKind::SetFd, 7), resume(4),
                        resume(4)}};
  auto fails = [](const Sequence& s) { return has_driver(s, OpKind::SetFd) && jobs_balanced(s); };
  ASSERT_TRUE(fails(input));
  const ShrinkResult r = shrink(input, fails);
  EXPECT_EQ(r.sequence, (Sequence{{with_ctx(OpKind::SetFd, 0)}}));
}

TEST(Shrinker, WaitCtxNewGoesTogetherWithItsCtxOps) {
  const Sequence input{{with_ctx(OpKind::WaitCtxNew, 3), with_ctx(OpKind::GetFd, 3), make(OpKind::Pause),
                        with_ctx(OpKind::SetStatus, 3), with_ctx(OpKind::WaitCtxFree, 3)}};
  auto fails = [](const Sequence& s) { return has_driver(s, OpKind::Pause) && ctxs_balanced(s); };
  ASSERT_TRUE(fails(input));
  const ShrinkResult r = shrink(input, fails);
  EXPECT_EQ(r.sequence, (Sequence{{make(OpKind::Pause)}}));
}

TEST(Shrinker, OrphansGoAllAtOnce) {
  // Ops naming j9 / w9 that nothing created, around the one op that matters;
  // the predicate refuses to lose them one by one (fewer than 4 but not 0).
  Sequence input{{make(OpKind::Pause)}};
  for (int i = 0; i < 4; ++i) {
    input.ops.push_back(resume(9));
    input.ops.push_back(with_ctx(OpKind::GetStatus, 9));
  }
  auto fails = [](const Sequence& s) {
    const std::size_t extra = s.ops.size() - 1;
    return has_driver(s, OpKind::Pause) && (extra == 0 || extra >= 8);
  };
  Recorder rec{fails, {}};
  const ShrinkResult r = shrink(input, rec.fn());
  EXPECT_EQ(r.sequence, (Sequence{{make(OpKind::Pause)}}));
  EXPECT_EQ(r.accepted, 1u);
}

TEST(Shrinker, NumbersGoToTheSmallestThatStillFails) {
  Op fd = with_ctx(OpKind::SetFd, 0);
  fd.fd = 12345;
  fd.key = 6;
  fd.thread = 3;
  Op st = start(0, -1);
  st.value = -987654321L;
  st.args = ArgsMode::SizeZero;
  const Sequence input{{with_ctx(OpKind::WaitCtxNew, 0), fd, st}};
  auto fails = [](const Sequence& s) {
    bool big_fd = false;
    bool negative = false;
    for (const Op& op : s.ops) {
      big_fd |= op.kind == OpKind::SetFd && op.fd >= 100 && op.key >= 5 && op.thread >= 2;
      negative |= op.kind == OpKind::Start && op.value <= -50 && op.args != ArgsMode::Copy;
    }
    return big_fd && negative;
  };
  ASSERT_TRUE(fails(input));
  Recorder rec{fails, {}};
  const ShrinkResult r = shrink(input, rec.fn());
  report("numbers", input, r);
  ASSERT_EQ(r.sequence.ops.size(), 2u);
  Op want_fd = with_ctx(OpKind::SetFd, 0);
  want_fd.fd = 100;
  want_fd.key = 5;
  want_fd.thread = 2;
  Op want_start = start(0, -1);
  want_start.value = -50;
  want_start.args = ArgsMode::Null;
  EXPECT_EQ(r.sequence.ops[0], want_fd);
  EXPECT_EQ(r.sequence.ops[1], want_start);
  EXPECT_LT(r.attempts, 120u);
}

TEST(Shrinker, CtxMovesToASmallerExistingCtx) {
  const Sequence input{{with_ctx(OpKind::WaitCtxNew, 2), with_ctx(OpKind::WaitCtxNew, 5), start(1, 5)}};
  // Two ctxs must exist and the Start must use one of them.
  auto fails = [](const Sequence& s) {
    std::set<int> made;
    bool used = false;
    for (const Op& op : s.ops) {
      if (op.kind == OpKind::WaitCtxNew) made.insert(op.ctx);
      if (op.kind == OpKind::Start && made.count(op.ctx) != 0) used = true;
    }
    return made.size() >= 2 && used;
  };
  const ShrinkResult r = shrink(input, fails);
  EXPECT_EQ(r.sequence, (Sequence{{with_ctx(OpKind::WaitCtxNew, 0), with_ctx(OpKind::WaitCtxNew, 1),
                                   start(0, 0)}}));
}

TEST(Shrinker, SimplificationOpensNewRemovals) {
  // The set_fd can only move to w0 by simplification; then w1 can go.
  const Sequence input{{with_ctx(OpKind::WaitCtxNew, 0), with_ctx(OpKind::WaitCtxNew, 1),
                        with_ctx(OpKind::SetFd, 1), start(0, 0)}};
  auto fails = [](const Sequence& s) {
    std::set<int> made;
    bool set_fd = false;
    bool started = false;
    for (const Op& op : s.ops) {
      if (op.kind == OpKind::WaitCtxNew) made.insert(op.ctx);
      if (op.kind == OpKind::SetFd && made.count(op.ctx) != 0) set_fd = true;
      if (op.kind == OpKind::Start && made.count(op.ctx) != 0) started = true;
    }
    return set_fd && started;
  };
  ASSERT_TRUE(fails(input));
  const ShrinkResult r = shrink(input, fails);
  EXPECT_EQ(r.sequence, (Sequence{{with_ctx(OpKind::WaitCtxNew, 0), with_ctx(OpKind::SetFd, 0),
                                   start(0, 0)}}));
}

TEST(Shrinker, SimplifiesOnlyOnceRemovalIsAtAFixpoint) {
  // Back to front, the pause can go only once the block went: two removal
  // rounds before any operand is touched.
  Op fd = with_ctx(OpKind::SetFd, 0);
  fd.key = 3;
  const Sequence input{{make(OpKind::Pause), make(OpKind::Block), fd}};
  auto fails = [](const Sequence& s) {
    const bool pause = has_driver(s, OpKind::Pause);
    const bool block = has_driver(s, OpKind::Block);
    return has_driver(s, OpKind::SetFd) && (!pause || block);
  };
  ASSERT_TRUE(fails(input));
  Sequence best = input;
  Sequence best_when_first_simplified;
  bool simplified = false;
  ShrinkOptions options;
  options.progress = [&](std::size_t, const Sequence& b) { best = b; };
  const ShrinkResult r = shrink(
      input,
      [&](const Sequence& s) {
        if (!simplified && op_count(s) == op_count(best)) {
          simplified = true;
          best_when_first_simplified = best;
        }
        return fails(s);
      },
      options);
  ASSERT_TRUE(simplified);
  EXPECT_EQ(best_when_first_simplified, (Sequence{{fd}}));
  EXPECT_EQ(r.sequence, (Sequence{{with_ctx(OpKind::SetFd, 0)}}));
}

TEST(Shrinker, RenameIsConfirmedByThePredicate) {
  const Sequence input{{with_ctx(OpKind::WaitCtxNew, 6), start(3, 6, {make(OpKind::Pause)}), resume(3),
                        with_ctx(OpKind::WaitCtxFree, 6)}};
  // Needs the job named j3 exactly: the job rename is refused, the ctx
  // rename taken alone.
  auto fails = [](const Sequence& s) {
    return paused_then_resumed(s) && s.ops.size() == 4 && s.ops[1].job == 3 && ctxs_balanced(s);
  };
  ASSERT_TRUE(fails(input));
  const ShrinkResult r = shrink(input, fails);
  EXPECT_EQ(r.sequence, (Sequence{{with_ctx(OpKind::WaitCtxNew, 0), start(3, 0, {make(OpKind::Pause)}),
                                   resume(3), with_ctx(OpKind::WaitCtxFree, 0)}}));
}

TEST(Shrinker, EmptyAndTrivialInputs) {
  Recorder rec{[](const Sequence&) { return true; }, {}};
  const ShrinkResult empty = shrink(Sequence{}, rec.fn());
  EXPECT_EQ(empty.sequence, Sequence{});
  EXPECT_EQ(empty.attempts, 0u);
  EXPECT_FALSE(empty.exhausted);

  // Always failing: everything goes, in one attempt.
  const Sequence input = random_sequence(7, 60);
  const ShrinkResult all = shrink(input, [](const Sequence&) { return true; });
  EXPECT_EQ(all.sequence, Sequence{});
  EXPECT_EQ(all.attempts, 1u);
  EXPECT_EQ(all.accepted, 1u);
}

TEST(Shrinker, InvariantsOverManyInputs) {
  const std::vector<std::pair<const char*, std::function<bool(const Sequence&)>>> predicates{
      {"pause+resume", &paused_then_resumed},
      {"3 set_fd", &three_set_fds},
      {"args=null", &start_with_null_args},
      {"2 starts + cleanup", [](const Sequence& s) {
         return count_kind(s.ops, OpKind::Start) >= 2 && count_kind(s.ops, OpKind::CleanupThread) >= 1;
       }}};
  std::size_t runs = 0;
  std::size_t total_attempts = 0;
  std::size_t max_attempts = 0;
  for (std::uint64_t seed = 100; seed < 130; ++seed) {
    const Sequence input = random_sequence(seed, 20 + static_cast<std::size_t>(seed % 5) * 15);
    for (const auto& [name, fails] : predicates) {
      if (!fails(input)) continue;
      ++runs;
      Recorder rec{fails, {}};
      const ShrinkResult r = shrink(input, rec.fn());
      SCOPED_TRACE(testing::Message() << name << " seed " << seed);
      EXPECT_FALSE(r.exhausted);
      EXPECT_EQ(r.attempts, rec.calls.size());
      EXPECT_TRUE(fails(r.sequence));
      EXPECT_LE(op_count(r.sequence), op_count(input));
      expect_one_minimal(r.sequence, fails);
      // A fixpoint: shrinking the result again changes nothing.
      const ShrinkResult again = shrink(r.sequence, fails);
      EXPECT_EQ(again.accepted, 0u);
      EXPECT_EQ(again.sequence, r.sequence);
      total_attempts += r.attempts;
      max_attempts = std::max(max_attempts, r.attempts);
    }
  }
  EXPECT_GE(runs, 40u);
  // Measured 3013 over 98 runs (5836 without the halving chunks).
  EXPECT_LE(total_attempts, 3600u);
  std::cout << "[ shrink   ] " << runs << " runs, " << total_attempts << " attempts in all, at most "
            << max_attempts << "\n";
}

}  // namespace
}  // namespace asyncconf::harness
