// For the sequence language tests: an independent well-formedness checker
// and a random sequence generator, both written from the spec (which fields
// each kind uses, where each kind may appear) rather than from ops.def or the
// code under test.
#pragma once

#include "asyncconf/harness/sequence.hpp"

#include <climits>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace asyncconf::harness::testing_support {

/// What the ops of a sequence may hold.
struct Ranges {
  std::size_t max_driver_ops = 0;  ///< 0 = no limit
  std::size_t max_body_ops = 0;    ///< 0 = no limit
  int threads = kMaxThreads;
  int jobs = 1000000;
  int ctxs = 1000000;
  long pool_max = LONG_MAX;              ///< init_thread values 0..pool_max
  std::vector<long> stack_sizes;         ///< set_mem_functions values; empty = 0..LONG_MAX
  long status_min = INT_MIN, status_max = INT_MAX;
  long return_min = LONG_MIN, return_max = LONG_MAX;
  int fd_max = INT_MAX;
};

/// What the text form can say.
inline Ranges text_ranges() { return Ranges{}; }

/// What decode_sequence with default DecodeLimits produces.
inline Ranges byte_ranges() {
  Ranges r;
  r.max_driver_ops = 128;
  r.max_body_ops = 12;
  r.threads = 2;
  r.jobs = 8;
  r.ctxs = 4;
  r.pool_max = 8;
  r.stack_sizes = {0, 65536, 131072};
  r.status_min = r.return_min = -2;
  r.status_max = r.return_max = 5;
  r.fd_max = 255;
  return r;
}

enum class Place { Driver, Body, Both };

/// Where each kind may appear, as the spec lists it.
inline Place place_of(OpKind kind) {
  switch (kind) {
    case OpKind::InitThread:
    case OpKind::SetMemFunctions:
    case OpKind::Start:
    case OpKind::Resume:
    case OpKind::WaitCtxNew:
    case OpKind::WaitCtxFree:
    case OpKind::SetCallback:
    case OpKind::GetCallback: return Place::Driver;
    case OpKind::WaitCtx:
    case OpKind::CheckArg:
    case OpKind::NestedStart:
    case OpKind::Return: return Place::Body;
    case OpKind::CleanupThread:
    case OpKind::Pause:
    case OpKind::Block:
    case OpKind::Unblock:
    case OpKind::CurrentJob:
    case OpKind::SetFd:
    case OpKind::ClearFd:
    case OpKind::GetFd:
    case OpKind::GetAllFds:
    case OpKind::GetChangedFds:
    case OpKind::SetStatus:
    case OpKind::GetStatus: return Place::Both;
  }
  return Place::Both;
}

inline bool allowed(OpKind kind, bool in_body) {
  const Place p = place_of(kind);
  return p == Place::Both || (in_body ? p == Place::Body : p == Place::Driver);
}

inline std::vector<OpKind> kinds_for(bool in_body) {
  std::vector<OpKind> kinds;
  for (std::size_t k = 0; k < kOpKindCount; ++k) {
    if (allowed(static_cast<OpKind>(k), in_body)) kinds.push_back(static_cast<OpKind>(k));
  }
  return kinds;
}

/// The fields (besides kind) a kind uses in a place.
struct Fields {
  bool thread = false, job = false, ctx = false, key = false, fd = false, value = false, value2 = false,
       start = false;
};

inline Fields fields_of(OpKind kind, bool in_body) {
  Fields f;
  f.thread = !in_body;
  const bool ctx_op = !in_body;  // the driver form of a wait-ctx op names its ctx
  switch (kind) {
    case OpKind::InitThread: f.value = f.value2 = true; break;
    case OpKind::SetMemFunctions: f.value = true; break;
    case OpKind::Start: f.job = f.ctx = f.value = f.start = true; break;
    case OpKind::Resume: f.job = true; break;
    case OpKind::Return: f.value = true; break;
    case OpKind::WaitCtxNew:
    case OpKind::WaitCtxFree:
    case OpKind::GetCallback:
    case OpKind::GetAllFds:
    case OpKind::GetChangedFds:
    case OpKind::GetStatus: f.ctx = ctx_op; break;
    case OpKind::SetCallback: f.ctx = ctx_op; f.value = true; break;
    case OpKind::SetStatus: f.ctx = ctx_op; f.value = true; break;
    case OpKind::SetFd: f.ctx = ctx_op; f.key = f.fd = true; break;
    case OpKind::ClearFd:
    case OpKind::GetFd: f.ctx = ctx_op; f.key = true; break;
    default: break;
  }
  return f;
}

inline std::string describe(const Op& op) {
  return "kind " + std::to_string(static_cast<int>(op.kind)) + " thread " + std::to_string(op.thread) + " job " +
         std::to_string(op.job) + " ctx " + std::to_string(op.ctx) + " key " + std::to_string(op.key) + " fd " +
         std::to_string(op.fd) + " value " + std::to_string(op.value) + " value2 " + std::to_string(op.value2) +
         " args " + std::to_string(static_cast<int>(op.args)) + " body " + std::to_string(op.body.size());
}

inline bool in(long v, long lo, long hi) { return lo <= v && v <= hi; }

/// Why `op` is not well-formed in this place, or "".
inline std::string op_problem(const Op& op, bool in_body, const Ranges& r) {
  if (static_cast<std::size_t>(op.kind) >= kOpKindCount) return "bad kind: " + describe(op);
  if (!allowed(op.kind, in_body)) return std::string("op in the wrong place: ") + describe(op);
  const Fields f = fields_of(op.kind, in_body);
  const Op d;
  const auto bad = [&](const char* field) { return std::string("bad ") + field + ": " + describe(op); };
  if (f.thread ? !in(op.thread, 0, r.threads - 1) : op.thread != d.thread) return bad("thread");
  if (f.job ? !in(op.job, 0, r.jobs - 1) : op.job != d.job) return bad("job");
  if (f.ctx ? !in(op.ctx, op.kind == OpKind::Start ? -1 : 0, r.ctxs - 1) : op.ctx != d.ctx) return bad("ctx");
  if (f.key ? !in(op.key, 0, kMaxKeys - 1) : op.key != d.key) return bad("key");
  if (f.fd ? !in(op.fd, 0, r.fd_max) : op.fd != d.fd) return bad("fd");
  if (f.value) {
    bool ok = true;
    switch (op.kind) {
      case OpKind::InitThread: ok = in(op.value, 0, r.pool_max); break;
      case OpKind::SetMemFunctions:
        if (r.stack_sizes.empty()) {
          ok = op.value >= 0;
        } else {
          ok = false;
          for (long s : r.stack_sizes) ok = ok || op.value == s;
        }
        break;
      case OpKind::SetCallback: ok = op.value == 0 || op.value == 1; break;
      case OpKind::SetStatus: ok = in(op.value, r.status_min, r.status_max); break;
      case OpKind::Return: ok = in(op.value, r.return_min, r.return_max); break;
      default: break;  // Start's arg: any long
    }
    if (!ok) return bad("value");
  } else if (op.value != d.value) {
    return bad("value");
  }
  if (f.value2 ? !in(op.value2, 0, r.pool_max) : op.value2 != d.value2) return bad("value2");
  if (f.start) {
    if (op.args != ArgsMode::Copy && op.args != ArgsMode::Null && op.args != ArgsMode::SizeZero) return bad("args");
    if (r.max_body_ops != 0 && op.body.size() > r.max_body_ops) return bad("body size");
    for (const Op& b : op.body) {
      std::string p = op_problem(b, true, r);
      if (!p.empty()) return "in a body: " + p;
    }
  } else {
    if (op.args != d.args) return bad("args");
    if (!op.body.empty()) return bad("body");
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

  Op op(bool in_body) {
    const std::vector<OpKind> kinds = kinds_for(in_body);
    Op o;
    o.kind = kinds[static_cast<std::size_t>(draw(0, static_cast<long>(kinds.size()) - 1))];
    const Fields f = fields_of(o.kind, in_body);
    if (f.thread) o.thread = static_cast<int>(draw(0, r_.threads - 1));
    if (f.job) o.job = static_cast<int>(draw(0, r_.jobs - 1));
    if (f.ctx) o.ctx = static_cast<int>(draw(o.kind == OpKind::Start ? -1 : 0, r_.ctxs - 1));
    if (f.key) o.key = static_cast<int>(draw(0, kMaxKeys - 1));
    if (f.fd) o.fd = static_cast<int>(draw(0, r_.fd_max));
    switch (o.kind) {
      case OpKind::InitThread:
        o.value = draw(0, r_.pool_max);
        o.value2 = draw(0, r_.pool_max);
        break;
      case OpKind::SetMemFunctions:
        o.value = r_.stack_sizes.empty()
                      ? draw(0, LONG_MAX)
                      : r_.stack_sizes[static_cast<std::size_t>(draw(0, static_cast<long>(r_.stack_sizes.size()) - 1))];
        break;
      case OpKind::SetCallback: o.value = draw(0, 1); break;
      case OpKind::SetStatus: o.value = draw(r_.status_min, r_.status_max); break;
      case OpKind::Return: o.value = draw(r_.return_min, r_.return_max); break;
      case OpKind::Start: {
        o.value = draw(0, 3) == 0 ? 0 : draw(LONG_MIN, LONG_MAX);
        o.args = static_cast<ArgsMode>(draw(0, 2));
        const long n = draw(0, r_.max_body_ops != 0 ? static_cast<long>(r_.max_body_ops) : 6);
        for (long i = 0; i < n; ++i) o.body.push_back(op(true));
        break;
      }
      default: break;
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
