// Every op's home, and the one dispatch from an OpKind to it. The compiler
// checks here that each op of ops.def has a home with the parts its schema
// needs: a driver op its rule and run, a body op its in-job rule and run,
// and every op its C.
#pragma once

#include <array>
#include <concepts>
#include <string>
#include <vector>

#include "asyncconf/ops/device_ops.hpp"
#include "asyncconf/ops/job_ops.hpp"
#include "asyncconf/ops/pool_ops.hpp"
#include "asyncconf/ops/wait_ctx_ops.hpp"

namespace asyncconf::harness::ops {

/// Calls `f(Home{})` with the home of `kind`.
template <class F>
decltype(auto) visit(OpKind kind, F&& f) {
  switch (kind) {
#define ASYNCCONF_OP(k, text, where, operands) \
  case OpKind::k: return f(k{});
#include "asyncconf/harness/ops.def"
#undef ASYNCCONF_OP
  }
  __builtin_unreachable();
}

template <class H>
concept DriverHome = requires(ModelState& m, const Op& op) {
  { H::skip(m, op) } -> std::same_as<std::string>;
  H::predict(m, op);
};
template <class H>
concept BodyHome = requires(ModelState& m, const JobM& j, const ThreadM& t, const Op& op, Expected& e) {
  { H::skip_in_job(m, j, t, op) } -> std::same_as<std::string>;
  H::predict_in_job(m, 0, op, e);
};

#define ASYNCCONF_OP(k, text, where, operands)                                                      \
  static_assert(k::kind == OpKind::k, #k ": its home names another op");                          \
  static_assert(!op_schema(OpKind::k).driver() || DriverHome<k>, #k ": a driver op needs skip and predict"); \
  static_assert(!op_schema(OpKind::k).body() || BodyHome<k>, #k ": a body op needs skip_in_job and predict_in_job");
#include "asyncconf/harness/ops.def"
#undef ASYNCCONF_OP

/// The labels of every op, by kind.
inline constexpr std::array<OpLabels, kOpKindCount> kLabels{{
#define ASYNCCONF_OP(k, text, where, operands) k::labels,
#include "asyncconf/harness/ops.def"
#undef ASYNCCONF_OP
}};
constexpr const OpLabels& labels(OpKind kind) { return kLabels[static_cast<std::size_t>(kind)]; }

}  // namespace asyncconf::harness::ops
