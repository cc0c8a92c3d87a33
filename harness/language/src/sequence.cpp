#include "asyncconf/harness/sequence.hpp"

#include "asyncconf/harness/op_schema.hpp"

#include <algorithm>

namespace asyncconf::harness {

namespace {

std::size_t count(const std::vector<Op>& ops) noexcept {
  std::size_t n = ops.size();
  for (const Op& op : ops) n += count(op.body);
  return n;
}

}  // namespace

const char* op_name(OpKind kind) noexcept { return op_schema(kind).name; }
bool is_driver_op(OpKind kind) noexcept { return op_schema(kind).driver(); }
bool is_body_op(OpKind kind) noexcept { return op_schema(kind).body(); }

bool is_wait_ctx_op(OpKind kind) noexcept {
  const auto list = op_schema(kind).operands();
  return std::any_of(list.begin(), list.end(), [](const Operand& o) { return o.form == OperandForm::WaitCtx; });
}

std::size_t op_count(const Sequence& sequence) noexcept { return count(sequence.ops); }

bool on_one_thread(const Sequence& sequence) noexcept {
  return std::all_of(sequence.ops.begin(), sequence.ops.end(), [](const Op& op) { return op.thread == 0; });
}

}  // namespace asyncconf::harness
