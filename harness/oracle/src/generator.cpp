#include "asyncconf/harness/generator.hpp"

#include <algorithm>
#include <array>
#include <initializer_list>
#include <utility>

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
  bool de_facto() const { return options_.model.level >= Level::DeFacto; }

  void offer(Op op) {
    const std::size_t size = 1 + op.body.size();
    if (count_ + size > options_.max_ops) return;
    if (!model_.skip_reason(op).empty()) return;
    sequence_.ops.push_back(std::move(op));
    // The model keeps a pointer to the op: keep the vector from moving it.
    model_.apply(sequence_.ops.back(), static_cast<int>(sequence_.ops.size()) - 1);
    count_ += size;
    const Op& kept = sequence_.ops.back();
    if (kept.kind == OpKind::Start) {
      started_.emplace_back(kept.job, kept.thread);
      ++next_job_;
    }
    if (kept.kind == OpKind::WaitCtxNew) {
      live_ctxs_.push_back(kept.ctx);
      ++next_ctx_;
    }
    if (kept.kind == OpKind::WaitCtxFree) std::erase(live_ctxs_, kept.ctx);
  }

  int thread() {
    if (options_.threads <= 1 || !rng_.chance(25)) return 0;
    return rng_.below(std::min(options_.threads, kMaxThreads));
  }
  int key() { return rng_.below(4); }
  int any_ctx() { return live_ctxs_.empty() ? next_ctx_ : live_ctxs_[static_cast<std::size_t>(rng_.below(static_cast<int>(live_ctxs_.size())))]; }

  Op next_driver_op() {
    // start resume ctx-new ctx-free ctx-op init cleanup outside mem
    const std::array<int, 9> weights{24, 30, 5, 3, 22, 3, 3, 4, options_.model.mem_functions ? 1 : 0};
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
      default: {
        Op op = make(OpKind::SetMemFunctions);
        op.value = rng_.chance(50) ? 0 : 65536;
        return op;
      }
    }
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
    op.body = body(std::min<std::size_t>(room, static_cast<std::size_t>(rng_.below(8))));
    return op;
  }

  Op resume() {
    Op op = make(OpKind::Resume);
    if (started_.empty()) return start();
    // Recent jobs are the likely paused ones.
    const int n = static_cast<int>(started_.size());
    const int back = std::min(n, 6);
    const auto& [job, job_thread] = started_[static_cast<std::size_t>(n - 1 - rng_.below(back))];
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
    switch (op.kind) {
      case OpKind::SetFd:
        op.key = key();
        op.fd = next_fd_++;
        break;
      case OpKind::ClearFd:
      case OpKind::GetFd: op.key = key(); break;
      case OpKind::SetCallback: op.value = rng_.chance(75) ? 1 : 0; break;
      case OpKind::SetStatus: op.value = de_facto() && rng_.chance(15) ? rng_.below(200) - 100 : rng_.below(4); break;
      default: break;
    }
    return op;
  }

  std::vector<Op> body(std::size_t length) {
    std::vector<Op> ops;
    while (ops.size() < length) {
      // pause ctx-op block-pair current wait_ctx check_arg return nested cleanup unblock
      const std::array<int, 10> weights{30, 30, 6, 6, 4, 6, 4, robust(Misuse::NestedStart) ? 3 : 0,
                                        robust(Misuse::CleanupInJob) ? 1 : 0, de_facto() ? 2 : 0};
      switch (rng_.pick(weights)) {
        case 0: ops.push_back(make(OpKind::Pause)); break;
        case 1: ops.push_back(ctx_op(/*in_body=*/true)); break;
        case 2: {
          // block [block] pause unblock [unblock]: nesting must hold the pause off.
          const bool twice = rng_.chance(40);
          ops.push_back(make(OpKind::Block));
          if (twice) ops.push_back(make(OpKind::Block));
          ops.push_back(make(OpKind::Pause));
          ops.push_back(make(OpKind::Unblock));
          if (twice) {
            if (rng_.chance(50)) ops.push_back(make(OpKind::Pause));
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
        default: ops.push_back(make(rng_.chance(50) ? OpKind::Unblock : OpKind::Block)); break;
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
