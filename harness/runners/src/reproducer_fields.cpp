#include "reproducer_fields.hpp"

#include <openssl/async.h>

#include <stdexcept>

#include "asyncconf/harness/sequence_text.hpp"
#include "asyncconf/ops/all_ops.hpp"
#include "c_text.hpp"

namespace asyncconf::harness::repro {

using c_text::c_long;

std::string op_text(const Op& op, bool in_body) {
  try {
    return print_op(op, in_body);
  } catch (const std::invalid_argument&) {
    return op_name(op.kind);
  }
}

// A driver op without its body (Start's `{ ... }`): for progress lines.
std::string short_label(const Op& op) {
  if (op.kind != OpKind::Start) return op_text(op);
  Op copy = op;
  copy.body.clear();
  std::string s = op_text(copy);
  const std::string empty = " { }";
  if (s.size() >= empty.size() && s.compare(s.size() - empty.size(), empty.size(), empty) == 0) {
    s.resize(s.size() - empty.size());
  }
  return s;
}

const char* api_name(OpKind op) {
  const char* api = ops::labels(op).api;
  return api != nullptr ? api : op_name(op);
}

const char* level_enum(Level level) {
  switch (level) {
    case Level::Must: return "MUST";
    case Level::DeFacto: return "DE_FACTO";
    case Level::Robustness: return "ROBUSTNESS";
  }
  return "MUST";
}

const char* show_enum(Show s) {
  switch (s) {
    case Show::Int: return "AS_INT";
    case Show::Start: return "AS_START";
    case Show::Job: return "AS_JOB";
    case Show::Ctx: return "AS_CTX";
    case Show::Ret: return "AS_RET";
    case Show::Args: return "AS_ARGS";
    case Show::NonNull: return "AS_NONNULL";
    case Show::YesNo: return "AS_YESNO";
    case Show::Bytes: return "AS_BYTES";
    case Show::Status: return "AS_STATUS";
  }
  return "AS_INT";
}

// The expected value as the C program spells it.
std::string c_value(Show s, long v) {
  switch (s) {
    case Show::Start:
      switch (v) {
        case ASYNC_ERR: return "ASYNC_ERR";
        case ASYNC_NO_JOBS: return "ASYNC_NO_JOBS";
        case ASYNC_PAUSE: return "ASYNC_PAUSE";
        case ASYNC_FINISH: return "ASYNC_FINISH";
        default: return c_long(v);
      }
    case Show::Job:
    case Show::Ctx:
      if (v == kRefNull) return "REF_NULL";
      if (v == kRefUnknown) return "REF_UNKNOWN";
      return c_long(v);
    case Show::Ret: return v == kRetUntouched ? "RET_UNTOUCHED" : c_long(v);
    case Show::Status:
      switch (v) {
        case ASYNC_STATUS_UNSUPPORTED: return "ASYNC_STATUS_UNSUPPORTED";
        case ASYNC_STATUS_ERR: return "ASYNC_STATUS_ERR";
        case ASYNC_STATUS_OK: return "ASYNC_STATUS_OK";
        case ASYNC_STATUS_EAGAIN: return "ASYNC_STATUS_EAGAIN";
        default: return c_long(v);
      }
    default: return c_long(v);
  }
}

// What a field of an observation of `op` is called in the program's
// messages, and where the program keeps it: the op's labels (harness/ops/)
// for the fields whose meaning depends on the op.
FieldText field_text(const Observation& w, Field f) {
  const ops::OpLabels& l = ops::labels(w.op);
  auto from = [&](const ops::FieldLabel& label, const char* got) -> FieldText {
    const std::string what = label.c != nullptr ? label.c : std::string(api_name(w.op)) + " returned";
    return {what, label.show, label.c_got != nullptr ? label.c_got : got};
  };
  switch (f) {
    case Field::Rc: return from(l.rc, "o.rc");
    case Field::Ref: return from(l.ref, "o.ref");
    case Field::Ret: return {"*ret is", Show::Ret, "o.ret"};
    case Field::Extra: return from(l.extra, "o.extra");
    case Field::Extra2: return from(l.extra2, "o.extra2");
    case Field::List: return from(l.list, "&o.list");
    case Field::List2: return {"the deleted fds are", Show::Int, "&o.list2"};
    case Field::Cleanups: return from(l.cleanups, "o.cleanups");
    case Field::Stacks:
      if (w.end) return {"job stacks alive after every thread exited:", Show::Int, "o.stacks"};
      return {"job stacks alive:", Show::Int, "o.stacks"};
    case Field::Heap: return {"heap blocks gained:", Show::Int, "0"};
    case Field::Fds: return {"fds gained:", Show::Int, "0"};
  }
  return {"?", Show::Int, "0"};
}

bool is_list(Field f) { return f == Field::List || f == Field::List2; }

}  // namespace asyncconf::harness::repro
