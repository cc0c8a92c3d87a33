// The parts of an op's home that no run checks: the runtime helpers its C
// declares it uses (the reproducer copies only those, so one missing is a C
// program that does not compile, and only for sequences that hold the op),
// and its labels.
#include "asyncconf/ops/all_ops.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace asyncconf::harness::ops {
namespace {

// What c_call asks of the reproducer's writer.
struct FakeWriter {
  bool may_be_null = false;
  static std::string c_long(long v) { return std::to_string(v); }
  static std::string c_operand(long v) { return std::to_string(v); }
  static std::string c_value(Show, long v) { return std::to_string(v); }
  bool handle_may_be_null() const { return may_be_null; }
};

// A C text that calls a runtime helper, and the use bit that copies it.
const std::vector<std::pair<std::string, unsigned>> kHelpers{
    {"key(", kUseKey},
    {"custom_data(", kUseCustomData},
    {"count_cleanup", kUseCleanup},
    {"do_get_fd(", kUseGetFd},
    {"do_get_all_fds(", kUseGetAll},
    {"do_get_changed_fds(", kUseGetChanged},
    {"wake_callback", kUseWake},
    {"callback_arg(", kUseWake},
    {"do_get_callback(", kUseGetCallback},
    {"job_ref(", kUseJobRef},
    {"bound[", kUseJobRef},
    {"current_ref(", kUseCurrentRef},
    {"ctx_ref(", kUseCtxRef},
    {"own_wait_ctx()", kUseOwnCtx},
    {"job_none", kUseJobNone},
    {"args != NULL", kUseArgs},  // the job function's parameter
};

// Ops with every operand set, in each variant that changes the C.
std::vector<Op> variants(OpKind kind) {
  std::vector<Op> out;
  for (long value : {0L, 1L}) {
    Op op;
    op.kind = kind;
    op.job = 2;
    op.ctx = 1;
    op.key = 3;
    op.fd = 9;
    op.value = value;
    op.value2 = 0;
    out.push_back(op);
  }
  return out;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string s;
  for (const std::string& l : lines) s += l + "\n";
  return s;
}

TEST(OpHomes, TheCOfEveryOpDeclaresTheHelpersItCalls) {
  int checked = 0;
  for (std::size_t k = 0; k < kOpKindCount; ++k) {
    const auto kind = static_cast<OpKind>(k);
    for (const bool in_job : {false, true}) {
      if (in_job ? !op_schema(kind).body() : !op_schema(kind).driver()) continue;
      for (const bool may_be_null : {false, true}) {
        for (const Op& op : variants(kind)) {
          FakeWriter w{may_be_null};
          const std::string c = joined(visit(kind, [&]<class H>(H) { return H::c_call(w, op, in_job ? 4 : -1); }));
          const unsigned uses = visit(kind, [&]<class H>(H) { return H::c_uses(op, in_job); });
          for (const auto& [text, bit] : kHelpers) {
            if (c.find(text) != std::string::npos) {
              EXPECT_NE(uses & bit, 0u) << op_name(kind) << (in_job ? " in a job" : "") << " writes " << text
                                        << " but does not declare it:\n"
                                        << c;
            }
          }
          ++checked;
        }
      }
    }
  }
  EXPECT_GE(checked, static_cast<int>(kOpKindCount) * 4);
}

// The check above can fail: a C line that calls a helper its op does not declare.
TEST(OpHomes, AnUndeclaredHelperIsSeen) {
  const std::string c = "o.rc = ASYNC_WAIT_CTX_clear_fd(own_wait_ctx(), key(3));";
  const unsigned uses = kUseKey;  // without kUseOwnCtx
  bool missing = false;
  for (const auto& [text, bit] : kHelpers) {
    if (c.find(text) != std::string::npos && (uses & bit) == 0) missing = true;
  }
  EXPECT_TRUE(missing);
}

TEST(OpHomes, EveryDriverOpNamesItsFunctionAndEveryFieldHasLabels) {
  for (std::size_t k = 0; k < kOpKindCount; ++k) {
    const auto kind = static_cast<OpKind>(k);
    const OpLabels& l = labels(kind);
    if (op_schema(kind).driver()) {
      EXPECT_NE(l.api, nullptr) << op_name(kind);
    }
    for (const FieldLabel* f : {&l.rc, &l.ref, &l.extra, &l.extra2, &l.list, &l.cleanups}) {
      EXPECT_NE(f->trace, nullptr) << op_name(kind);
      EXPECT_NE(std::string(f->trace), "") << op_name(kind);
    }
  }
}

TEST(OpHomes, TheDispatchReachesEachOpsOwnHome) {
  for (std::size_t k = 0; k < kOpKindCount; ++k) {
    const auto kind = static_cast<OpKind>(k);
    EXPECT_EQ(visit(kind, []<class H>(H) { return H::kind; }), kind);
  }
}

}  // namespace
}  // namespace asyncconf::harness::ops
