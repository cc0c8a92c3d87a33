// RapidCheck state-machine testing of an ASYNC implementation: each
// rc::state command is one driver op of the sequence language, the model of
// the spec (harness::Model) decides which ops are valid, and the system
// under test is a harness::Session that runs each op for real and compares
// every observation with the model's prediction as it is made.
#pragma once

#include <rapidcheck.h>
#include <rapidcheck/state.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "asyncconf/harness/interpreter.hpp"
#include "asyncconf/harness/model.hpp"
#include "asyncconf/harness/sequence.hpp"
#include "asyncconf/harness/sequence_text.hpp"
#include "asyncconf/harness/trace.hpp"

namespace asyncconf::harness {

/// RapidCheck shows generated values with this (found by ADL).
inline void showValue(const Op& op, std::ostream& os) { os << print_op(op); }

namespace proptest {

/// The RapidCheck model state: the driver ops applied so far (the model of
/// the spec is rebuilt from them whenever it is asked), and what the
/// generators need to name things. Small and copyable, as rc::state wants.
struct Applied {
  ModelConfig config;  ///< the one the Session runs with
  int threads = 1;     ///< driver ops run on t0..threads-1
  std::vector<Op> ops;
  int next_job = 0;
  int next_ctx = 0;
  int next_fd = 3;
  std::vector<std::pair<int, int>> started;  ///< job, the thread it started on
  std::vector<int> live_ctxs;                ///< made and not freed yet
};

/// Session copies a config without heap counting (the caller allocates
/// between ops): the replayed model must use the very same one.
inline ModelConfig session_config(ModelConfig config) {
  config.counting_heap = false;
  return config;
}

/// The model of the spec after `applied.ops` (pure; fast for short sequences).
inline Model replay(const Applied& applied) {
  Model model(applied.config);
  for (const Op& op : applied.ops) model.apply(op, -1);
  return model;
}

inline int set_fd_count(const Op& op) {
  int n = op.kind == OpKind::SetFd ? 1 : 0;
  for (const Op& b : op.body) n += b.kind == OpKind::SetFd ? 1 : 0;
  return n;
}

/// Notes an op that ran in the generators' bookkeeping.
inline void note(Applied& s, const Op& op) {
  s.ops.push_back(op);
  s.next_fd += set_fd_count(op);
  switch (op.kind) {
    case OpKind::Start:
      s.started.emplace_back(op.job, op.thread);
      s.next_job = std::max(s.next_job, op.job + 1);
      break;
    case OpKind::WaitCtxNew:
      s.live_ctxs.push_back(op.ctx);
      s.next_ctx = std::max(s.next_ctx, op.ctx + 1);
      break;
    case OpKind::WaitCtxFree: std::erase(s.live_ctxs, op.ctx); break;
    default: break;
  }
}

// --- generators ---------------------------------------------------------------

/// What an op's generator may look at: a snapshot of Applied without the ops.
struct GenContext {
  Level level = Level::Must;
  std::uint32_t misuse = kAllMisuse;
  bool callbacks = true;
  bool mem_functions = true;
  bool device = false;  ///< offload and await (ModelConfig::device)
  int threads = 1;
  int next_job = 0;
  int next_ctx = 0;
  int next_fd = 3;
  std::vector<std::pair<int, int>> recent;  ///< the last started jobs (likely paused)
  std::vector<int> live_ctxs;

  bool de_facto() const { return level >= Level::DeFacto; }
  bool robust(Misuse m) const { return level >= Level::Robustness && (misuse & misuse_bit(m)) != 0; }
};

inline GenContext context_of(const Applied& s) {
  GenContext c;
  c.level = s.config.level;
  c.misuse = s.config.misuse;
  c.callbacks = s.config.callbacks;
  c.mem_functions = s.config.mem_functions && s.config.counting_stacks;
  c.device = s.config.device;
  c.threads = s.threads;
  c.next_job = s.next_job;
  c.next_ctx = s.next_ctx;
  c.next_fd = s.next_fd;
  const std::size_t from = s.started.size() > 6 ? s.started.size() - 6 : 0;
  c.recent.assign(s.started.begin() + static_cast<std::ptrdiff_t>(from), s.started.end());
  c.live_ctxs = s.live_ctxs;
  return c;
}

inline Op make(OpKind kind) {
  Op op;
  op.kind = kind;
  return op;
}

/// True with probability percent/100 (inside gen::exec). Shrinks to false,
/// so a counterexample loses the rarer choices.
inline bool chance(int percent) { return *rc::gen::inRange(0, 100) >= 100 - percent; }

/// A value in -negative_max..positive_max, shrinking towards 0.
inline long pick_value(int negative_max, int positive_max) {
  if (negative_max > 0 && chance(20)) return -static_cast<long>(*rc::gen::inRange(1, negative_max + 1));
  return *rc::gen::inRange(0, positive_max + 1);
}

/// A thread for a driver op: mostly t0, shrinking towards it.
inline int pick_thread(const GenContext& c) {
  if (c.threads <= 1 || !chance(25)) return 0;
  return *rc::gen::inRange(0, std::min(c.threads, kMaxThreads));
}

inline int pick_live_ctx(const GenContext& c) {
  return *rc::gen::elementOf(c.live_ctxs);
}

/// A wait-ctx op; the driver form names a live ctx and a thread.
inline Op pick_ctx_op(const GenContext& c, bool in_body, int& next_fd) {
  // set_fd clear_fd get_fd get_all get_changed set_cb get_cb set_status get_status
  std::vector<std::size_t> weights{12, 8, 4, 6, 8, 3, 3, 3, 3};
  if (!c.callbacks) weights[5] = weights[6] = weights[7] = weights[8] = 0;
  if (in_body) weights[5] = weights[6] = 0;  // driver-only
  static constexpr OpKind kKinds[] = {OpKind::SetFd,     OpKind::ClearFd,       OpKind::GetFd,
                                      OpKind::GetAllFds, OpKind::GetChangedFds, OpKind::SetCallback,
                                      OpKind::GetCallback, OpKind::SetStatus,   OpKind::GetStatus};
  std::size_t total = 0;
  for (std::size_t w : weights) total += w;
  std::size_t r = static_cast<std::size_t>(*rc::gen::inRange<std::size_t>(0, total));
  std::size_t i = 0;
  while (r >= weights[i]) r -= weights[i++];
  Op op = make(kKinds[i]);
  if (!in_body) {
    op.ctx = pick_live_ctx(c);
    op.thread = pick_thread(c);
  }
  switch (op.kind) {
    case OpKind::SetFd:
      op.key = *rc::gen::inRange(0, 4);
      op.fd = next_fd++;
      break;
    case OpKind::ClearFd:
    case OpKind::GetFd: op.key = *rc::gen::inRange(0, 4); break;
    case OpKind::SetCallback: op.value = chance(75) ? 1 : 0; break;
    case OpKind::SetStatus:
      op.value = c.de_facto() && chance(15) ? pick_value(100, 99) : *rc::gen::inRange(0, 4);
      break;
    default: break;
  }
  return op;
}

/// One piece of a job body: one op, or a block ... unblock group that holds a
/// pause off (the block must be lifted within the body at the strict levels).
inline std::vector<Op> pick_body_chunk(const GenContext& c, int& next_fd) {
  // pause ctx-op block-group current wait_ctx check_arg return nested cleanup lone-(un)block offload
  const std::vector<std::size_t> weights{30, 30, 8, 6, 4, 6, 4, c.robust(Misuse::NestedStart) ? 3u : 0u,
                                         c.robust(Misuse::CleanupInJob) ? 1u : 0u, c.de_facto() ? 2u : 0u,
                                         c.device ? 24u : 0u};
  std::size_t total = 0;
  for (std::size_t w : weights) total += w;
  std::size_t r = *rc::gen::inRange<std::size_t>(0, total);
  std::size_t i = 0;
  while (r >= weights[i]) r -= weights[i++];
  switch (i) {
    case 0: return {make(OpKind::Pause)};
    case 1: return {pick_ctx_op(c, /*in_body=*/true, next_fd)};
    case 2: {
      const bool twice = chance(40);
      std::vector<Op> ops{make(OpKind::Block)};
      if (twice) ops.push_back(make(OpKind::Block));
      ops.push_back(make(OpKind::Pause));
      ops.push_back(make(OpKind::Unblock));
      if (twice) {
        if (chance(50)) ops.push_back(make(OpKind::Pause));
        ops.push_back(make(OpKind::Unblock));
      }
      return ops;
    }
    case 3: return {make(OpKind::CurrentJob)};
    case 4: return {make(OpKind::WaitCtx)};
    case 5: return {make(OpKind::CheckArg)};
    case 6: {
      Op op = make(OpKind::Return);
      op.value = pick_value(10, 89);
      return {op};
    }
    case 7: return {make(OpKind::NestedStart)};
    case 8: return {make(OpKind::CleanupThread)};
    case 9: return {make(chance(50) ? OpKind::Unblock : OpKind::Block)};
    default: {
      // Now and then several in a row: one job paused on the device many times.
      const auto n = chance(25) ? static_cast<std::size_t>(*rc::gen::inRange(2, 6)) : std::size_t{1};
      return std::vector<Op>(n, make(OpKind::Offload));
    }
  }
}

/// A Start with a random body: j<next_job> on a live ctx (or NULL), or the
/// wctx_new a start needs first when there is no ctx (now and then even
/// when there is one, as paused jobs keep theirs).
inline Op pick_start(const GenContext& c) {
  const bool null_ctx = chance(c.robust(Misuse::NullWaitCtx) ? 10 : 3);
  if (!null_ctx && (c.live_ctxs.empty() || chance(25))) {
    Op op = make(OpKind::WaitCtxNew);
    op.ctx = c.next_ctx;
    return op;
  }
  Op op = make(OpKind::Start);
  op.job = c.next_job;
  op.thread = pick_thread(c);
  op.ctx = null_ctx ? -1 : pick_live_ctx(c);
  if (chance(30)) op.value = pick_value(100, 899);
  if (c.de_facto() && chance(10)) op.args = chance(50) ? ArgsMode::Null : ArgsMode::SizeZero;
  // Up to 6 chunks; a container, so that a counterexample loses the chunks
  // it does not need.
  const auto chunk = rc::gen::resize(100, rc::gen::exec([c] {
    int unused_fd = 0;
    return pick_body_chunk(c, unused_fd);
  }));
  const auto chunks = *rc::gen::resize(6, rc::gen::container<std::vector<std::vector<Op>>>(chunk));
  int next_fd = c.next_fd;
  for (const auto& ops : chunks) {
    for (Op b : ops) {
      if (b.kind == OpKind::SetFd) b.fd = next_fd++;  // fds in order, unique
      op.body.push_back(std::move(b));
    }
  }
  return op;
}

inline Op pick_resume(const GenContext& c) {
  if (c.recent.empty()) return pick_start(c);
  const auto [job, job_thread] = *rc::gen::elementOf(c.recent);
  Op op = make(OpKind::Resume);
  op.job = job;
  op.thread = c.robust(Misuse::ResumeOtherThread) && chance(10) ? pick_thread(c) : job_thread;
  return op;
}

/// The driver op kinds a generator below makes, by weight. Every driver op
/// of ops.def is here (property_test checks it).
inline Op pick_driver_op(const GenContext& c) {
  // start resume ctx-new ctx-free ctx-op init cleanup outside-a-job mem job-wait-ctx is-capable get-mem await
  const bool ctx = !c.live_ctxs.empty();
  const std::vector<std::size_t> weights{24, c.recent.empty() ? 0u : 30u, 5, ctx ? 3u : 0u, ctx ? 22u : 0u,
                                         3, 3, 4, c.mem_functions ? 1u : 0u, c.recent.empty() ? 0u : 3u, 1,
                                         c.mem_functions ? 1u : 0u, c.device && !c.recent.empty() ? 30u : 0u};
  std::size_t total = 0;
  for (std::size_t w : weights) total += w;
  std::size_t r = *rc::gen::inRange<std::size_t>(0, total);
  std::size_t i = 0;
  while (r >= weights[i]) r -= weights[i++];
  switch (i) {
    case 0: return pick_start(c);
    case 1: return pick_resume(c);
    case 2: {
      Op op = make(OpKind::WaitCtxNew);
      op.ctx = c.next_ctx;
      return op;
    }
    case 3: {
      Op op = make(OpKind::WaitCtxFree);
      op.ctx = pick_live_ctx(c);
      return op;
    }
    case 4: {
      int next_fd = c.next_fd;
      return pick_ctx_op(c, /*in_body=*/false, next_fd);
    }
    case 5: {
      Op op = make(OpKind::InitThread);
      op.thread = pick_thread(c);
      op.value = *rc::gen::inRange(0, 5);
      const int above = c.de_facto() && chance(20) ? 3 : 1;
      op.value2 = *rc::gen::inRange(0, static_cast<int>(op.value) + above);
      return op;
    }
    case 6: {
      Op op = make(OpKind::CleanupThread);
      op.thread = pick_thread(c);
      return op;
    }
    case 7: {
      Op op = make(*rc::gen::element(OpKind::Pause, OpKind::Block, OpKind::Unblock, OpKind::CurrentJob));
      op.thread = pick_thread(c);
      return op;
    }
    case 8: {
      Op op = make(OpKind::SetMemFunctions);
      op.value = chance(50) ? 0 : 65536;
      return op;
    }
    case 9: {
      // The wait ctx of a job likely paused, mostly from its own thread.
      const auto [job, job_thread] = *rc::gen::elementOf(c.recent);
      Op op = make(OpKind::JobWaitCtx);
      op.job = job;
      op.thread = c.de_facto() && chance(25) ? pick_thread(c) : job_thread;
      return op;
    }
    case 10: {
      Op op = make(OpKind::IsCapable);
      op.thread = pick_thread(c);
      return op;
    }
    case 11: {
      Op op = make(OpKind::GetMemFunctions);
      op.thread = pick_thread(c);
      return op;
    }
    default: {
      // A job likely paused on the device, from its own thread, waited for in any way.
      const auto [job, job_thread] = *rc::gen::elementOf(c.recent);
      Op op = make(OpKind::Await);
      op.job = job;
      op.thread = job_thread;
      op.value = *rc::gen::inRange(0, kWakeupCount);
      return op;
    }
  }
}

/// A generator of one driver op for the state `s`. Value ranges do not
/// depend on RapidCheck's size (which sets how many commands a case has).
inline rc::Gen<Op> gen_driver_op(const Applied& s) {
  return rc::gen::resize(100, rc::gen::exec([c = context_of(s)] { return pick_driver_op(c); }));
}

// --- the state machine --------------------------------------------------------

/// The system under test: a Session (one per property case) and the ops it
/// ran, which it points into (a deque never moves them; declared first, so
/// they outlive the session).
struct Sut {
  Sut(const AsyncApi& api, const ModelConfig& config) : session(api, config) {}
  std::deque<Op> ops;
  Session session;

  Sequence sequence() const { return Sequence{std::vector<Op>(ops.begin(), ops.end())}; }
};

/// The first difference, the sequence so far and the trace, for a failure
/// message (the Session numbers the ops it was given, as in the sequence).
inline std::string failure_text(const Sut& sut, const std::string& when) {
  const Sequence seq = sut.sequence();
  const Plan& plan = sut.session.plan();
  const RunResult& result = sut.session.result();
  std::string out = "a difference " + when + (result.violation() ? " (a violation):\n" : ":\n");
  out += format_difference(seq, plan, result);
  out += "the sequence so far:\n" + print_sequence(seq);
  out += "trace:\n" + format_trace(seq, plan, result);
  return out;
}

class OpCommand final : public rc::state::Command<Applied, Sut> {
public:
  explicit OpCommand(Op op) : op_(std::move(op)) {}

  /// The model of the spec decides, as it does for the explorer's generator.
  void checkPreconditions(const Applied& s) const override { RC_PRE(replay(s).skip_reason(op_).empty()); }

  void apply(Applied& s) const override { note(s, op_); }

  void run(const Applied&, Sut& sut) const override {
    const Op& op = sut.ops.emplace_back(op_);
    const std::string why = sut.session.skip_reason(op);
    if (!why.empty()) RC_FAIL("the session's model skips " + print_op(op) + " (" + why + ")");
    if (!sut.session.run(op)) RC_FAIL(failure_text(sut, "at " + print_op(op)));
  }

  void show(std::ostream& os) const override { os << print_op(op_); }

  const Op& op() const noexcept { return op_; }

private:
  Op op_;
};

inline rc::Gen<std::shared_ptr<const rc::state::Command<Applied, Sut>>> gen_command(const Applied& s) {
  return rc::gen::map(gen_driver_op(s), [](Op op) -> std::shared_ptr<const rc::state::Command<Applied, Sut>> {
    return std::make_shared<const OpCommand>(std::move(op));
  });
}

/// The property: a random valid op sequence runs on `api` as the model
/// predicts, and its teardown (resume paused jobs, free the ctxs, end the
/// threads) leaks no job stack and no fd.
inline void check_session(const AsyncApi& api, const ModelConfig& config, int threads) {
  Applied initial;
  initial.config = session_config(config);
  initial.threads = threads;
  Sut sut(api, config);
  rc::state::check(initial, sut, &gen_command);
  const RunResult& end = sut.session.finish();
  if (end.mismatch != RunResult::npos) RC_FAIL(failure_text(sut, "at the teardown"));
  // The distribution RapidCheck prints: how long the sequences were.
  const std::size_t n = sut.ops.size();
  RC_TAG(n < 10 ? "ops 1-9" : n < 20 ? "ops 10-19" : n < 40 ? "ops 20-39" : "ops 40+");
}

}  // namespace proptest
}  // namespace asyncconf::harness
