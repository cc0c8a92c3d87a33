#include "asyncconf/harness/shrinker.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

namespace asyncconf::harness {

namespace {

constexpr std::size_t kNone = static_cast<std::size_t>(-1);

// --- candidate identity -----------------------------------------------------
// A private byte form of a sequence, only to recognise a candidate already
// tried: every field of every op, fixed width, bodies length-prefixed.

void put(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void serialise(std::string& out, const std::vector<Op>& ops) {
  put(out, ops.size());
  for (const Op& op : ops) {
    put(out, static_cast<std::uint64_t>(op.kind));
    put(out, static_cast<std::uint64_t>(static_cast<std::int64_t>(op.thread)));
    put(out, static_cast<std::uint64_t>(static_cast<std::int64_t>(op.job)));
    put(out, static_cast<std::uint64_t>(static_cast<std::int64_t>(op.ctx)));
    put(out, static_cast<std::uint64_t>(static_cast<std::int64_t>(op.key)));
    put(out, static_cast<std::uint64_t>(static_cast<std::int64_t>(op.fd)));
    put(out, static_cast<std::uint64_t>(static_cast<std::int64_t>(op.value)));
    put(out, static_cast<std::uint64_t>(static_cast<std::int64_t>(op.value2)));
    put(out, static_cast<std::uint64_t>(op.args));
    serialise(out, op.body);
  }
}

// FNV-1a, 64 bits: the same on every platform, unlike std::hash. A collision
// would only make the shrinker skip a candidate, never accept a wrong one.
std::uint64_t fingerprint(const Sequence& sequence) {
  std::string bytes;
  serialise(bytes, sequence.ops);
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

// --- what names what ----------------------------------------------------------

/// Adds to `mask` what removing the masked driver ops leaves pointless: for a
/// Start j<N>, the ops naming j<N> up to the next Start j<N>; for a
/// WaitCtxNew w<M>, the ops naming w<M> up to the next WaitCtxNew w<M> (a
/// Start among them takes its own job's ops along).
std::vector<bool> close_removal(const std::vector<Op>& ops, std::vector<bool> mask) {
  std::vector<std::size_t> work;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (mask[i]) work.push_back(i);
  }
  auto take = [&](std::size_t j) {
    if (!mask[j]) {
      mask[j] = true;
      work.push_back(j);
    }
  };
  while (!work.empty()) {
    const std::size_t i = work.back();
    work.pop_back();
    const Op& op = ops[i];
    if (op.kind == OpKind::Start && op.job >= 0) {
      for (std::size_t j = i + 1; j < ops.size(); ++j) {
        if (ops[j].kind == OpKind::Start && ops[j].job == op.job) break;
        if (ops[j].job == op.job) take(j);
      }
    }
    if (op.kind == OpKind::WaitCtxNew && op.ctx >= 0) {
      for (std::size_t j = i + 1; j < ops.size(); ++j) {
        if (ops[j].kind == OpKind::WaitCtxNew && ops[j].ctx == op.ctx) break;
        if (ops[j].ctx == op.ctx) take(j);
      }
    }
  }
  return mask;
}

/// Driver ops naming a job no earlier Start started or a ctx no earlier
/// WaitCtxNew created (the interpreter skips them), with what they take along.
std::vector<bool> orphans(const std::vector<Op>& ops) {
  std::vector<bool> mask(ops.size(), false);
  std::set<int> jobs;
  std::set<int> ctxs;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const Op& op = ops[i];
    if (op.kind != OpKind::Start && op.job >= 0 && jobs.count(op.job) == 0) mask[i] = true;
    if (op.kind != OpKind::WaitCtxNew && op.ctx >= 0 && ctxs.count(op.ctx) == 0) mask[i] = true;
    if (op.kind == OpKind::Start && op.job >= 0) jobs.insert(op.job);
    if (op.kind == OpKind::WaitCtxNew && op.ctx >= 0) ctxs.insert(op.ctx);
  }
  return close_removal(ops, std::move(mask));
}

void first_appearance(const std::vector<Op>& ops, std::map<int, int>& jobs, std::map<int, int>& ctxs) {
  for (const Op& op : ops) {
    if (op.job >= 0 && jobs.count(op.job) == 0) {
      const int next = static_cast<int>(jobs.size());
      jobs[op.job] = next;
    }
    if (op.ctx >= 0 && ctxs.count(op.ctx) == 0) {
      const int next = static_cast<int>(ctxs.size());
      ctxs[op.ctx] = next;
    }
    first_appearance(op.body, jobs, ctxs);
  }
}

bool identity(const std::map<int, int>& names) {
  return std::all_of(names.begin(), names.end(), [](const auto& kv) { return kv.first == kv.second; });
}

void apply_rename(std::vector<Op>& ops, const std::map<int, int>* jobs, const std::map<int, int>* ctxs) {
  for (Op& op : ops) {
    if (jobs != nullptr && op.job >= 0) op.job = jobs->at(op.job);
    if (ctxs != nullptr && op.ctx >= 0) op.ctx = ctxs->at(op.ctx);
    apply_rename(op.body, jobs, ctxs);
  }
}

// --- the shrinker ----------------------------------------------------------------

/// Where an op is: driver op `op`, or op `body` of its body.
struct Path {
  std::size_t op = 0;
  std::size_t body = kNone;
};

Op& at(Sequence& sequence, Path path) {
  Op& op = sequence.ops[path.op];
  return path.body == kNone ? op : op.body[path.body];
}

std::uint64_t magnitude(long long v) {
  return v < 0 ? std::uint64_t{0} - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
}

class Shrinker {
 public:
  Shrinker(const Sequence& failing, const std::function<bool(const Sequence&)>& still_fails,
           const ShrinkOptions& options)
      : still_fails_(still_fails), options_(options), best_(failing) {
    tried_.insert(fingerprint(best_));
  }

  ShrinkResult run() {
    for (;;) {
      while (!stopped_) {
        bool changed = remove_all();
        changed |= remove_orphans();
        changed |= ddmin(kNone);
        changed |= ddmin_bodies();
        if (!changed) break;
      }
      if (stopped_) break;
      bool changed = simplify();
      changed |= rename();
      if (!changed || stopped_) break;
    }
    ShrinkResult result;
    result.sequence = std::move(best_);
    result.attempts = attempts_;
    result.accepted = accepted_;
    result.exhausted = stopped_;
    return result;
  }

 private:
  /// Asks the predicate about a candidate not tried before; keeps it if it
  /// still fails.
  bool test(Sequence candidate) {
    if (stopped_) return false;
    const std::uint64_t id = fingerprint(candidate);
    if (tried_.count(id) != 0) return false;
    if (attempts_ >= options_.max_attempts) {
      stopped_ = true;
      return false;
    }
    tried_.insert(id);
    ++attempts_;
    if (!still_fails_(candidate)) return false;
    best_ = std::move(candidate);
    ++accepted_;
    if (options_.progress) options_.progress(attempts_, best_);
    return true;
  }

  std::vector<Op>& list(Sequence& sequence, std::size_t owner) {
    return owner == kNone ? sequence.ops : sequence.ops[owner].body;
  }

  bool test_without(std::size_t owner, const std::vector<bool>& mask) {
    Sequence candidate = best_;
    std::vector<Op>& ops = list(candidate, owner);
    std::vector<Op> kept;
    kept.reserve(ops.size());
    for (std::size_t i = 0; i < ops.size(); ++i) {
      if (!mask[i]) kept.push_back(std::move(ops[i]));
    }
    ops = std::move(kept);
    return test(std::move(candidate));
  }

  /// The biggest win first (asked once: the empty sequence is then cached).
  bool remove_all() {
    if (best_.ops.empty()) return false;
    return test(Sequence{});
  }

  bool remove_orphans() {
    const std::vector<bool> mask = orphans(best_.ops);
    if (std::find(mask.begin(), mask.end(), true) == mask.end()) return false;
    return test_without(kNone, mask);
  }

  /// Removes chunks of halving size from the driver ops (owner kNone) or from
  /// the body of driver op `owner`, from the end toward the front. At the
  /// driver level a chunk is tried first with what it takes along
  /// (close_removal), then alone.
  bool ddmin(std::size_t owner) {
    bool changed = false;
    std::size_t chunk = list(best_, owner).size();
    while (chunk > 0 && !stopped_) {
      std::size_t end = list(best_, owner).size();
      while (end > 0 && !stopped_) {
        const std::size_t size = list(best_, owner).size();
        end = std::min(end, size);
        const std::size_t begin = end > chunk ? end - chunk : 0;
        std::vector<bool> mask(size, false);
        std::fill(mask.begin() + static_cast<std::ptrdiff_t>(begin),
                  mask.begin() + static_cast<std::ptrdiff_t>(end), true);
        std::vector<bool> removed;
        if (owner == kNone) {
          std::vector<bool> closed = close_removal(best_.ops, mask);
          if (closed != mask && test_without(owner, closed)) removed = std::move(closed);
        }
        if (removed.empty() && test_without(owner, mask)) removed = std::move(mask);
        if (removed.empty()) {
          end = begin;
          continue;
        }
        changed = true;
        end = begin - static_cast<std::size_t>(std::count(
                          removed.begin(), removed.begin() + static_cast<std::ptrdiff_t>(begin), true));
      }
      if (chunk == 1) break;
      chunk /= 2;
    }
    return changed;
  }

  bool ddmin_bodies() {
    bool changed = false;
    for (std::size_t i = 0; i < best_.ops.size() && !stopped_; ++i) {
      if (!best_.ops[i].body.empty()) changed |= ddmin(i);
    }
    return changed;
  }

  template <class Edit>
  bool try_edit(Path path, Edit edit) {
    Sequence candidate = best_;
    edit(at(candidate, path));
    return test(std::move(candidate));
  }

  /// Moves an integer field toward 0: 0 first, then a binary search on the
  /// magnitude (sign kept) between the last value that passed and the last
  /// that still failed.
  template <class T>
  bool minimise(Path path, T Op::*field) {
    const T start = at(best_, path).*field;
    if (start == 0) return false;
    if (try_edit(path, [&](Op& op) { op.*field = 0; })) return true;
    const bool negative = start < 0;
    std::uint64_t lo = 0;
    std::uint64_t hi = magnitude(start);
    bool changed = false;
    while (hi - lo > 1 && !stopped_) {
      const std::uint64_t mid = lo + (hi - lo) / 2;
      const T value = negative ? static_cast<T>(-static_cast<long long>(mid)) : static_cast<T>(mid);
      if (try_edit(path, [&](Op& op) { op.*field = value; })) {
        hi = mid;
        changed = true;
      } else {
        lo = mid;
      }
    }
    return changed;
  }

  /// A driver op's ctx toward the smallest ctx a WaitCtxNew before it created.
  bool smaller_ctx(std::size_t index) {
    const Op& op = best_.ops[index];
    if (op.kind == OpKind::WaitCtxNew || op.ctx <= 0) return false;
    const int current = op.ctx;
    std::set<int> created;
    for (std::size_t i = 0; i < index; ++i) {
      const Op& before = best_.ops[i];
      if (before.kind == OpKind::WaitCtxNew && before.ctx >= 0 && before.ctx < current) {
        created.insert(before.ctx);
      }
    }
    for (const int ctx : created) {
      if (stopped_) return false;
      if (try_edit(Path{index}, [&](Op& o) { o.ctx = ctx; })) return true;
    }
    return false;
  }

  bool simplify_op(Path path) {
    bool changed = false;
    const ArgsMode args = at(best_, path).args;
    if (args != ArgsMode::Copy) {
      if (try_edit(path, [](Op& op) { op.args = ArgsMode::Copy; })) {
        changed = true;
      } else if (args == ArgsMode::SizeZero) {
        changed |= try_edit(path, [](Op& op) { op.args = ArgsMode::Null; });
      }
    }
    changed |= minimise(path, &Op::thread);
    if (path.body == kNone) changed |= smaller_ctx(path.op);
    changed |= minimise(path, &Op::value);
    changed |= minimise(path, &Op::value2);
    changed |= minimise(path, &Op::key);
    changed |= minimise(path, &Op::fd);
    return changed;
  }

  bool simplify() {
    bool changed = false;
    for (std::size_t i = 0; i < best_.ops.size() && !stopped_; ++i) {
      changed |= simplify_op(Path{i});
      for (std::size_t j = 0; j < best_.ops[i].body.size() && !stopped_; ++j) {
        changed |= simplify_op(Path{i, j});
      }
    }
    return changed;
  }

  /// Jobs and ctxs renamed j0, j1, ... / w0, w1, ... in order of first
  /// appearance: both at once, else each alone.
  bool rename() {
    std::map<int, int> jobs;
    std::map<int, int> ctxs;
    first_appearance(best_.ops, jobs, ctxs);
    const bool rename_jobs = !identity(jobs);
    const bool rename_ctxs = !identity(ctxs);
    auto attempt = [&](bool with_jobs, bool with_ctxs) {
      Sequence candidate = best_;
      apply_rename(candidate.ops, with_jobs ? &jobs : nullptr, with_ctxs ? &ctxs : nullptr);
      return test(std::move(candidate));
    };
    if (!rename_jobs && !rename_ctxs) return false;
    if (attempt(rename_jobs, rename_ctxs)) return true;
    if (!rename_jobs || !rename_ctxs) return false;
    if (attempt(true, false)) return true;
    return attempt(false, true);
  }

  const std::function<bool(const Sequence&)>& still_fails_;
  const ShrinkOptions& options_;
  Sequence best_;
  std::unordered_set<std::uint64_t> tried_;
  std::size_t attempts_ = 0;
  std::size_t accepted_ = 0;
  bool stopped_ = false;
};

}  // namespace

ShrinkResult shrink(const Sequence& failing, const std::function<bool(const Sequence&)>& still_fails,
                    const ShrinkOptions& options) {
  return Shrinker(failing, still_fails, options).run();
}

}  // namespace asyncconf::harness
