#include "reproducer_fields.hpp"

#include <openssl/async.h>

#include <stdexcept>

#include "asyncconf/harness/sequence_text.hpp"
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
  switch (op) {
    case OpKind::InitThread: return "ASYNC_init_thread";
    case OpKind::CleanupThread: return "ASYNC_cleanup_thread";
    case OpKind::SetMemFunctions: return "ASYNC_set_mem_functions";
    case OpKind::Start:
    case OpKind::Resume: return "ASYNC_start_job";
    case OpKind::NestedStart: return "the nested ASYNC_start_job";
    case OpKind::Pause: return "ASYNC_pause_job";
    case OpKind::Block: return "ASYNC_block_pause";
    case OpKind::Unblock: return "ASYNC_unblock_pause";
    case OpKind::CurrentJob: return "ASYNC_get_current_job";
    case OpKind::WaitCtx: return "ASYNC_get_wait_ctx";
    case OpKind::WaitCtxNew: return "ASYNC_WAIT_CTX_new";
    case OpKind::WaitCtxFree: return "ASYNC_WAIT_CTX_free";
    case OpKind::SetFd: return "ASYNC_WAIT_CTX_set_wait_fd";
    case OpKind::ClearFd: return "ASYNC_WAIT_CTX_clear_fd";
    case OpKind::GetFd: return "ASYNC_WAIT_CTX_get_fd";
    case OpKind::GetAllFds: return "ASYNC_WAIT_CTX_get_all_fds";
    case OpKind::GetChangedFds: return "ASYNC_WAIT_CTX_get_changed_fds";
    case OpKind::SetCallback: return "ASYNC_WAIT_CTX_set_callback";
    case OpKind::GetCallback: return "ASYNC_WAIT_CTX_get_callback";
    case OpKind::SetStatus: return "ASYNC_WAIT_CTX_set_status";
    case OpKind::GetStatus: return "ASYNC_WAIT_CTX_get_status";
    default: return op_name(op);
  }
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
// messages, and where the program keeps it (see interpreter.cpp for which
// op fills which field).
FieldText field_text(const Observation& w, Field f) {
  const OpKind op = w.op;
  const bool start = op == OpKind::Start || op == OpKind::Resume;
  switch (f) {
    case Field::Rc:
      if (start || op == OpKind::NestedStart) return {std::string(api_name(op)) + " returned", Show::Start, "o.rc"};
      if (op == OpKind::CheckArg) return {"the job's args pointer is", Show::Args, "o.rc"};
      if (op == OpKind::WaitCtxNew) return {"ASYNC_WAIT_CTX_new returned", Show::NonNull, "o.rc"};
      if (op == OpKind::GetStatus) return {"ASYNC_WAIT_CTX_get_status returned", Show::Status, "o.rc"};
      return {std::string(api_name(op)) + " returned", Show::Int, "o.rc"};
    case Field::Ref:
      if (op == OpKind::WaitCtx) return {"ASYNC_get_wait_ctx returned", Show::Ctx, "o.ref"};
      if (op == OpKind::CurrentJob) return {"ASYNC_get_current_job returned", Show::Job, "o.ref"};
      return {"*job is", Show::Job, "o.ref"};
    case Field::Ret: return {"*ret is", Show::Ret, "o.ret"};
    case Field::Extra:
      switch (op) {
        case OpKind::Start:
        case OpKind::Resume:
        case OpKind::InitThread: return {"the stack allocator was asked for", Show::Bytes, "o.asked"};
        case OpKind::CheckArg: return {"the arg the job read is", Show::Int, "o.extra"};
        case OpKind::GetFd: return {"the fd it gave is", Show::Int, "o.extra"};
        case OpKind::GetAllFds: return {"numfds is", Show::Int, "o.extra"};
        case OpKind::GetChangedFds: return {"numaddfds is", Show::Int, "o.extra"};
        case OpKind::GetCallback: return {"the callback it gave is the one set:", Show::YesNo, "o.extra"};
        default: return {"extra is", Show::Int, "o.extra"};
      }
    case Field::Extra2:
      switch (op) {
        case OpKind::GetFd: return {"the custom_data it gave is the one set:", Show::YesNo, "o.extra2"};
        case OpKind::GetChangedFds: return {"numdelfds is", Show::Int, "o.extra2"};
        case OpKind::GetCallback: return {"the callback arg it gave is the one set:", Show::YesNo, "o.extra2"};
        default: return {"extra2 is", Show::Int, "o.extra2"};
      }
    case Field::List:
      if (op == OpKind::WaitCtxFree) return {"the fds cleaned up are", Show::Int, "&o.cleaned"};
      if (op == OpKind::GetChangedFds) return {"the added fds are", Show::Int, "&o.list"};
      return {"the fds are", Show::Int, "&o.list"};
    case Field::List2: return {"the deleted fds are", Show::Int, "&o.list2"};
    case Field::Cleanups:
      if (op == OpKind::WaitCtxFree) return {"the cleanup callbacks it called:", Show::Int, "o.cleanups"};
      return {"cleanup callbacks called:", Show::Int, "o.cleanups"};
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
