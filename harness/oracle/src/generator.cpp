#include "asyncconf/harness/generator.hpp"

#include <algorithm>
#include <array>
#include <tuple>
#include <initializer_list>
#include <utility>

#include "asyncconf/ops/all_ops.hpp"

namespace asyncconf::harness {

namespace {

// splitmix64: tiny, fully specified, the same everywhere.
std::uint64_t mix(std::uint64_t x) noexcept {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

class Rng {
public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() noexcept { return mix(state_++); }
  /// 0..n-1
  int below(int n) noexcept { return n <= 0 ? 0 : static_cast<int>(next() % static_cast<std::uint64_t>(n)); }
  bool chance(int percent) noexcept { return below(100) < percent; }
  /// An index into `weights`, drawn by weight.
  template <std::size_t N>
  std::size_t pick(const std::array<int, N>& weights) noexcept {
    int total = 0;
    for (int w : weights) total += w;
    int r = below(total);
    for (std::size_t i = 0; i < N; ++i) {
      if (r < weights[i]) return i;
      r -= weights[i];
    }
    return 0;
  }

private:
  std::uint64_t state_;
};

Op make(OpKind kind) {
  Op op;
  op.kind = kind;
  return op;
}

class Generator {
public:
  Generator(std::uint64_t seed, const GeneratorOptions& options)
      : rng_(seed), options_(options), model_(options.model) {
    // The model keeps pointers to the ops: the vector must never move them.
    sequence_.ops.reserve(options.max_ops + 1);
  }

  Sequence run() {
    // Many more offers than ops: most offers fit, some do not.
    for (int attempts = 0; attempts < 8 * static_cast<int>(options_.max_ops) + 16; ++attempts) {
      if (count_ >= options_.max_ops) break;
      offer(next_driver_op());
    }
    return std::move(sequence_);
  }

private:
  bool robust(Misuse m) const {
    return options_.model.level >= Level::Robustness && (options_.model.misuse & misuse_bit(m)) != 0;
  }

  void offer(Op op) {
    const std::size_t size = 1 + op.body.size();
    if (count_ + size > options_.max_ops) return;
    if (!model_.skip_reason(op).empty() || touches_a_served_key(op)) return;
    sequence_.ops.push_back(std::move(op));
    const std::size_t seen = model_.current().expected.size();
    // The model keeps a pointer to the op: keep the vector from moving it.
    model_.apply(sequence_.ops.back(), static_cast<int>(sequence_.ops.size()) - 1);
    count_ += size;
    const Op& kept = sequence_.ops.back();
    if (kept.kind == OpKind::Start || kept.kind == OpKind::Resume || kept.kind == OpKind::Await) {
      count_blocks(kept.thread, seen);
    }
    if (kept.kind == OpKind::CleanupThread) blocked_[static_cast<std::size_t>(kept.thread)] = 0;
    if (kept.kind == OpKind::Start) {
      started_.emplace_back(kept.job, kept.thread);
      ++next_job_;
      if (kept.ctx >= 0) {
        CtxInfo& c = ctx_info_[static_cast<std::size_t>(kept.ctx)];
        c.start = static_cast<int>(sequence_.ops.size()) - 1;
        c.sets += static_cast<int>(std::count_if(kept.body.begin(), kept.body.end(),
                                                 [](const Op& b) { return b.kind == OpKind::SetFd; }));
      }
    }
    if (kept.kind == OpKind::SetFd) ++ctx_info_[static_cast<std::size_t>(kept.ctx)].sets;
    if (kept.kind == OpKind::WaitCtxNew) {
      live_ctxs_.push_back(kept.ctx);
      ctx_info_.emplace_back();  // ctx names are made in order: w<n> is ctx_info_[n]
      ++next_ctx_;
    }
    if (kept.kind == OpKind::WaitCtxFree) std::erase(live_ctxs_, kept.ctx);
  }

  // Below de-facto body() writes fd ops for the keys it knows its ctx to
  // hold, so the driver leaves those keys alone while the job is alive.
  bool touches_a_served_key(const Op& op) const {
    if (de_facto() || (op.kind != OpKind::SetFd && op.kind != OpKind::ClearFd)) return false;
    const std::size_t c = static_cast<std::size_t>(op.ctx);
    const int start = c < ctx_info_.size() ? ctx_info_[c].start : -1;
    if (start < 0) return false;
    const std::vector<Op>& body = sequence_.ops[static_cast<std::size_t>(start)].body;
    if (std::none_of(body.begin(), body.end(), [&](const Op& b) {
          return b.key == op.key && (b.kind == OpKind::SetFd || b.kind == OpKind::ClearFd || b.kind == OpKind::GetFd);
        })) {
      return false;
    }
    Op free = make(OpKind::WaitCtxFree);
    free.ctx = op.ctx;
    return !model_.skip_reason(free).empty();  // only a ctx that serves a job cannot be freed
  }

  // The thread's block counter as the model keeps it, from the body ops
  // that ran in this step. Below de-facto no job leaves a block behind.
  void count_blocks(int thread, std::size_t seen) {
    if (!de_facto()) return;
    int& blocked = blocked_[static_cast<std::size_t>(thread)];
    const std::vector<Expected>& expected = model_.current().expected;
    for (std::size_t i = seen; i < expected.size(); ++i) {
      const Observation& o = expected[i].want;
      if (o.job < 0) continue;
      if (o.op == OpKind::Block) ++blocked;
      if (o.op == OpKind::Unblock && blocked > 0) --blocked;
    }
  }

  int thread() {
    if (options_.threads <= 1 || !rng_.chance(25)) return 0;
    return rng_.below(std::min(options_.threads, kMaxThreads));
  }
  // Few keys, so that sets, clears and reads meet on the same ones.
  static constexpr int kKeysUsed = 4;

public:
  // --- what the ops' homes call to choose operands (harness/ops/) -------

  bool de_facto() const { return options_.model.level >= Level::DeFacto; }
  int key() { return rng_.below(kKeysUsed); }
  int fresh_fd() { return next_fd_++; }
  bool chance(int percent) { return rng_.chance(percent); }
  int below(int n) { return rng_.below(n); }

private:
  int any_ctx() { return live_ctxs_.empty() ? next_ctx_ : live_ctxs_[static_cast<std::size_t>(rng_.below(static_cast<int>(live_ctxs_.size())))]; }

  Op next_driver_op() {
    // start resume ctx-new ctx-free ctx-op init cleanup outside mem await
    const std::array<int, 10> weights{24, 30, 5, 3, 22, 3, 3, 4, options_.model.mem_functions ? 1 : 0,
                                      options_.model.device ? 30 : 0};
    switch (rng_.pick(weights)) {
      case 0: return start();
      case 1: return resume();
      case 2: {
        Op op = make(OpKind::WaitCtxNew);
        op.ctx = next_ctx_;
        return op;
      }
      case 3: {
        Op op = make(OpKind::WaitCtxFree);
        op.ctx = any_ctx();
        return op;
      }
      case 4: return ctx_op(/*in_body=*/false);
      case 5: {
        Op op = make(OpKind::InitThread);
        op.thread = thread();
        op.value = rng_.below(5);
        op.value2 = rng_.below(static_cast<int>(op.value) + (de_facto() && rng_.chance(20) ? 3 : 1));
        return op;
      }
      case 6: {
        Op op = make(OpKind::CleanupThread);
        op.thread = thread();
        return op;
      }
      case 7: {
        static constexpr std::array<OpKind, 4> kOutside{OpKind::Pause, OpKind::Block, OpKind::Unblock,
                                                        OpKind::CurrentJob};
        Op op = make(kOutside[static_cast<std::size_t>(rng_.below(4))]);
        op.thread = thread();
        return op;
      }
      case 8: {
        Op op = make(OpKind::SetMemFunctions);
        op.value = rng_.chance(50) ? 0 : 65536;
        return op;
      }
      default: return await();
    }
  }

  // A recent job, likely paused on the device, waited for in any way (the
  // model keeps the ways its wake-up allows).
  Op await() {
    if (started_.empty()) return start();
    Op op = make(OpKind::Await);
    std::tie(op.job, op.thread) = recent_job();
    op.value = rng_.below(kWakeupCount);
    return op;
  }

  Op start() {
    Op op = make(OpKind::Start);
    op.job = next_job_;
    op.thread = thread();
    // A free ctx most of the time; a new one is made first when none is free.
    if ((robust(Misuse::NullWaitCtx) || robust(Misuse::NullCtxArgument)) && rng_.chance(10)) {
      op.ctx = -1;
    } else if (!live_ctxs_.empty() && rng_.chance(70)) {
      op.ctx = live_ctxs_[static_cast<std::size_t>(rng_.below(static_cast<int>(live_ctxs_.size())))];
    } else {
      Op make_ctx = make(OpKind::WaitCtxNew);
      make_ctx.ctx = next_ctx_;
      op.ctx = next_ctx_;
      offer(make_ctx);
    }
    if (rng_.chance(30)) op.value = static_cast<long>(rng_.next() % 1000) - 100;
    if (de_facto() && rng_.chance(10)) op.args = rng_.chance(50) ? ArgsMode::Null : ArgsMode::SizeZero;
    const std::size_t room = options_.max_ops > count_ + 1 ? options_.max_ops - count_ - 1 : 0;
    op.body = body(std::min<std::size_t>(room, static_cast<std::size_t>(rng_.below(8))), op.ctx, op.thread);
    return op;
  }

  // One of the last six jobs started (the likely paused ones): job, thread.
  std::pair<int, int> recent_job() {
    const int n = static_cast<int>(started_.size());
    return started_[static_cast<std::size_t>(n - 1 - rng_.below(std::min(n, 6)))];
  }

  Op resume() {
    Op op = make(OpKind::Resume);
    if (started_.empty()) return start();
    const auto [job, job_thread] = recent_job();
    op.job = job;
    op.thread = robust(Misuse::ResumeOtherThread) && rng_.chance(10) ? thread() : job_thread;
    return op;
  }

  Op ctx_op(bool in_body) {
    std::array<int, 9> weights{12, 8, 4, 6, 8, 3, 3, 3, 3};
    if (!options_.model.callbacks) weights[5] = weights[6] = weights[7] = weights[8] = 0;
    if (in_body) weights[5] = weights[6] = 0;
    static constexpr std::array<OpKind, 9> kKinds{OpKind::SetFd,       OpKind::ClearFd,     OpKind::GetFd,
                                                  OpKind::GetAllFds,   OpKind::GetChangedFds, OpKind::SetCallback,
                                                  OpKind::GetCallback, OpKind::SetStatus,   OpKind::GetStatus};
    Op op = make(kKinds[rng_.pick(weights)]);
    if (!in_body) {
      op.ctx = any_ctx();
      op.thread = thread();
    }
    ops::visit(op.kind, [&]<class H>(H) {
      if constexpr (requires { H::choose(*this, op); }) H::choose(*this, op);
    });
    return op;
  }

  // A body whose ops all run. Until its first pause it runs as soon as the
  // start is kept, so the thread's block counter and (below de-facto) the
  // keys of its ctx that hold a live fd are known; after a pause other jobs
  // may have run: `blocked` is then a lower bound (the keys stay known:
  // see touches_a_served_key).
  std::vector<Op> body(std::size_t length, int ctx, int thread) {
    std::vector<Op> ops;
    int blocked = blocked_[static_cast<std::size_t>(thread)];
    // set_fd ops on the ctx so far (at least its live fds): below the ctx's limit.
    const std::size_t c = static_cast<std::size_t>(ctx);
    int sets = ctx >= 0 && c < ctx_info_.size() ? ctx_info_[c].sets : 0;
    bool device_fd = false;  // an offload of this body counted the device's fd in `sets`
    std::array<signed char, kKeysUsed> live;  // per key(): 1 live fd, 0 none, -1 ask the model
    live.fill(-1);
    const auto key_live = [&](int k) {
      auto& l = live[static_cast<std::size_t>(k)];
      if (l < 0) {
        Op probe = make(OpKind::GetFd);
        probe.ctx = ctx;
        probe.key = k;
        l = model_.skip_reason(probe).empty() ? 1 : 0;
      }
      return l == 1;
    };
    while (ops.size() < length) {
      // pause ctx-op block-pair current wait_ctx check_arg return nested cleanup unblock offload
      const std::array<int, 11> weights{30, 30, 6, 6, 4, 6, 4, robust(Misuse::NestedStart) ? 3 : 0,
                                        robust(Misuse::CleanupInJob) ? 1 : 0, de_facto() ? 2 : 0,
                                        options_.model.device ? 30 : 0};
      switch (rng_.pick(weights)) {
        case 0:
          // With a NULL wait ctx an unblocked pause is misuse.
          if (blocked == 0 && ctx < 0 && !robust(Misuse::NullWaitCtx)) continue;
          ops.push_back(make(OpKind::Pause));
          break;
        case 1: {
          if (ctx < 0 && !robust(Misuse::NullCtxArgument)) continue;
          Op op = ctx_op(/*in_body=*/true);
          const bool fd_op = op.kind == OpKind::SetFd || op.kind == OpKind::ClearFd || op.kind == OpKind::GetFd;
          if (fd_op && ctx >= 0) {
            if (op.kind == OpKind::SetFd && sets + 1 > kMaxFdsPerCtx) continue;
            // Below de-facto a key is set once, and read or cleared only while set.
            if (!de_facto()) {
              const bool want_live = op.kind != OpKind::SetFd;
              int k = op.key;
              for (int n = 0; n < kKeysUsed && key_live(k) != want_live; ++n) k = (k + 1) % kKeysUsed;
              if (key_live(k) != want_live) continue;
              op.key = k;
              if (op.kind != OpKind::GetFd) live[static_cast<std::size_t>(k)] = op.kind == OpKind::SetFd ? 1 : 0;
            }
            if (op.kind == OpKind::SetFd) ++sets;
          }
          ops.push_back(op);
          break;
        }
        case 2: {
          // block [block] pause unblock [unblock]: nesting must hold the pause off.
          const bool twice = rng_.chance(40);
          const bool second_pause = twice && rng_.chance(50);
          // Below de-facto a block must be lifted: the pair is not cut off.
          if (!de_facto() && ops.size() + (twice ? 5 : 3) + (second_pause ? 1 : 0) > length) continue;
          ops.push_back(make(OpKind::Block));
          if (twice) ops.push_back(make(OpKind::Block));
          ops.push_back(make(OpKind::Pause));
          ops.push_back(make(OpKind::Unblock));
          if (twice) {
            if (second_pause) ops.push_back(make(OpKind::Pause));
            ops.push_back(make(OpKind::Unblock));
          }
          break;
        }
        case 3: ops.push_back(make(OpKind::CurrentJob)); break;
        case 4: ops.push_back(make(OpKind::WaitCtx)); break;
        case 5: ops.push_back(make(OpKind::CheckArg)); break;
        case 6: {
          Op op = make(OpKind::Return);
          op.value = rng_.below(100) - 10;
          ops.push_back(op);
          return ops;
        }
        case 7: ops.push_back(make(OpKind::NestedStart)); break;
        case 8: ops.push_back(make(OpKind::CleanupThread)); break;
        case 10: {
          // The device's fd takes a place among the ctx's fds; now and then
          // several offloads in a row (one job paused on the device many times).
          if (ctx >= 0 && !device_fd) {
            if (sets >= kMaxFdsPerCtx) continue;
            ++sets;
            device_fd = true;
          }
          const int n = rng_.chance(20) ? 2 + rng_.below(4) : 1;
          for (int i = 0; i < n && ops.size() < length; ++i) ops.push_back(make(OpKind::Offload));
          break;
        }
        default:
          if (rng_.chance(50)) {
            // An unblock with no block on the thread is misuse.
            if (blocked == 0 && !robust(Misuse::UnblockBelowZero)) continue;
            ops.push_back(make(OpKind::Unblock));
            if (blocked > 0) --blocked;
          } else {
            ops.push_back(make(OpKind::Block));
            ++blocked;
          }
          break;
      }
    }
    if (ops.size() > length) ops.resize(length);
    return ops;
  }

  Rng rng_;
  GeneratorOptions options_;
  Model model_;
  Sequence sequence_;
  std::size_t count_ = 0;
  int next_job_ = 0;
  int next_ctx_ = 0;
  int next_fd_ = 3;
  std::vector<std::pair<int, int>> started_;  // job, thread
  std::vector<int> live_ctxs_;
  struct CtxInfo {
    int start = -1;  // the last start on it (index in sequence_.ops)
    int sets = 0;    // set_fd ops on it: at least its live fds
  };
  std::vector<CtxInfo> ctx_info_;
  std::array<int, kMaxThreads> blocked_{};  // per thread: the model's block counter (de-facto and up)
};

}  // namespace

Sequence generate(std::uint64_t seed, const GeneratorOptions& options) {
  Generator g(seed, options);
  return g.run();
}

std::uint64_t sequence_seed(std::uint64_t run_seed, std::uint64_t index) noexcept {
  return mix(mix(run_seed) ^ index);
}

}  // namespace asyncconf::harness
