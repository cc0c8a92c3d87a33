#include "asyncconf/harness/sequence.hpp"

#include <array>
#include <string_view>

namespace asyncconf::harness {

namespace {

struct OpInfo {
  const char* name;
  bool driver;
  bool body;
};

constexpr bool has(std::string_view where, char c) { return where.find(c) != std::string_view::npos; }

constexpr std::array<OpInfo, kOpKindCount> kOps{{
#define ASYNCCONF_OP(kind, name, where, operands) {name, has(#where, 'D'), has(#where, 'B')},
#include "asyncconf/harness/ops.def"
#undef ASYNCCONF_OP
}};

std::size_t count(const std::vector<Op>& ops) noexcept {
  std::size_t n = ops.size();
  for (const Op& op : ops) n += count(op.body);
  return n;
}

}  // namespace

const char* op_name(OpKind kind) noexcept { return kOps[static_cast<std::size_t>(kind)].name; }
bool is_driver_op(OpKind kind) noexcept { return kOps[static_cast<std::size_t>(kind)].driver; }
bool is_body_op(OpKind kind) noexcept { return kOps[static_cast<std::size_t>(kind)].body; }

bool is_wait_ctx_op(OpKind kind) noexcept {
  switch (kind) {
    case OpKind::SetFd:
    case OpKind::ClearFd:
    case OpKind::GetFd:
    case OpKind::GetAllFds:
    case OpKind::GetChangedFds:
    case OpKind::SetCallback:
    case OpKind::GetCallback:
    case OpKind::SetStatus:
    case OpKind::GetStatus: return true;
    default: return false;
  }
}

std::size_t op_count(const Sequence& sequence) noexcept { return count(sequence.ops); }

}  // namespace asyncconf::harness
