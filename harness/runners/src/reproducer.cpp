// The C reproducer generator. The program it writes mirrors interpreter.cpp
// op for op (the same calls, the same observation fields, the same names for
// pointers), so that a violation the harness saw shows up the same way in a
// plain C program a maintainer can build without the harness.
#include "asyncconf/harness/reproducer.hpp"

#include <openssl/async.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdio>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "asyncconf/harness/sequence_text.hpp"

namespace asyncconf::harness {

namespace {

// --- text helpers ------------------------------------------------------------

// A C integer constant for v (an L suffix outside int; LONG_MIN spelled so
// that no constant overflows).
std::string c_long(long v) {
  if (v == LONG_MIN) return "(-" + std::to_string(LONG_MAX) + "L - 1)";
  if (v < INT_MIN || v > INT_MAX) return std::to_string(v) + "L";
  return std::to_string(v);
}

// c_long(v) as an operand of a unary operator.
std::string c_operand(long v) {
  const std::string s = c_long(v);
  return v < 0 && s.front() != '(' ? "(" + s + ")" : s;
}

// A C string literal: plain ASCII, octal escapes for everything else, no
// trigraphs.
std::string c_string(std::string_view s) {
  std::string out = "\"";
  char prev = 0;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '?': out += prev == '?' ? "\\?" : "?"; break;
      default:
        if (c < 0x20 || c >= 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\%03o", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += ch;
        }
    }
    prev = ch;
  }
  return out + "\"";
}

// Text that can sit inside a /* */ comment: no comment delimiters, no
// trigraphs, no control characters.
std::string comment_safe(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const char next = i + 1 < s.size() ? s[i + 1] : '\0';
    if ((c == '/' && next == '*') || (c == '*' && next == '/') || (c == '?' && next == '?')) {
      out += c;
      out += ' ';
    } else if (static_cast<unsigned char>(c) < 0x20 && c != '\n') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

// Words of `text` in lines of at most `width` characters (longer words get
// a line of their own); a newline in the text starts a new line.
std::vector<std::string> wrap(std::string_view text, std::size_t width) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view para = text.substr(start, end - start);
    std::string line;
    std::size_t i = 0;
    bool any = false;
    while (i < para.size()) {
      while (i < para.size() && (para[i] == ' ' || para[i] == '\t' || para[i] == '\r')) ++i;
      std::size_t j = i;
      while (j < para.size() && para[j] != ' ' && para[j] != '\t' && para[j] != '\r') ++j;
      if (j == i) break;
      const std::string_view word = para.substr(i, j - i);
      if (!line.empty() && line.size() + 1 + word.size() > width) {
        lines.push_back(line);
        line.clear();
      }
      if (!line.empty()) line += ' ';
      line += word;
      any = true;
      i = j;
    }
    if (any || para.empty()) lines.push_back(line);
    if (end == text.size()) break;
    start = end + 1;
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

// A long C string literal split at spaces into concatenated pieces, one per
// line, each line starting with `indent`.
std::string c_string_lines(std::string_view s, const std::string& indent, std::size_t width = 66) {
  if (s.size() <= width) return indent + c_string(s);
  std::string out;
  std::size_t start = 0;
  while (start < s.size()) {
    std::size_t end = std::min(s.size(), start + width);
    if (end < s.size()) {
      const std::size_t space = s.rfind(' ', end);
      if (space != std::string_view::npos && space > start) end = space + 1;
    }
    if (!out.empty()) out += '\n';
    out += indent + c_string(s.substr(start, end - start));
    start = end;
  }
  return out;
}

std::string op_text(const Op& op, bool in_body = false) {
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

// How the C program shows a value of a field (enum show in the program).
enum class Show { Int, Start, Job, Ctx, Ret, Args, NonNull, YesNo, Bytes, Status };

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

struct FieldText {
  std::string what;  // "ASYNC_start_job returned"
  Show show = Show::Int;
  std::string got;   // the C expression of the observed value
};

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

// --- the writer --------------------------------------------------------------

class Writer {
 public:
  explicit Writer(const ReproducerInput& in) : in_(in), seq_(*in.sequence), plan_(*in.plan) {}

  std::string write() {
    index_observations();
    find_fallback_resumes();
    scan();
    // The parts that use helpers first, so that only the helpers they use
    // are written (unused static functions are warnings).
    const std::string jobs = jobs_section();
    const std::string run = run_section();
    std::string out;
    out += header();
    out += includes();
    out += basics();
    out += requirements_section();
    out += reporting_section();
    out += helpers_section();
    out += jobs;
    out += run;
    return out;
  }

 private:
  // --- indexes -----------------------------------------------------------------

  void index_observations() {
    driver_obs_.assign(plan_.steps.size(), -1);
    for (std::size_t i = 0; i < plan_.expected.size(); ++i) {
      const Observation& w = plan_.expected[i].want;
      if (w.end) {
        end_obs_ = static_cast<int>(i);
      } else if (w.job >= 0 && w.body_index >= 0) {
        body_obs_[{w.job, w.body_index}] = static_cast<int>(i);
      } else if (w.step >= 0 && static_cast<std::size_t>(w.step) < driver_obs_.size()) {
        driver_obs_[static_cast<std::size_t>(w.step)] = static_cast<int>(i);
      }
    }
    for (std::size_t s = 0; s < plan_.steps.size(); ++s) {
      const Step& st = plan_.steps[s];
      threads_used_.insert(st.thread);
      const Op& op = *st.op;
      if (op.kind == OpKind::Start && op.job >= 0 && starts_.count(op.job) == 0) starts_[op.job] = &op;
    }
  }

  // Which helpers and objects the program needs.
  void scan() {
    auto ctx_op_uses = [&](const Op& op) {
      switch (op.kind) {
        case OpKind::SetFd:
          use_key_ = use_custom_data_ = use_cleanup_ = true;
          break;
        case OpKind::ClearFd: use_key_ = true; break;
        case OpKind::GetFd: use_key_ = use_custom_data_ = use_get_fd_ = true; break;
        case OpKind::GetAllFds: use_get_all_ = true; break;
        case OpKind::GetChangedFds: use_get_changed_ = true; break;
        case OpKind::SetCallback:
          if (op.value != 0) use_wake_ = true;
          break;
        case OpKind::GetCallback: use_wake_ = use_get_callback_ = true; break;
        default: break;
      }
    };
    for (const Step& st : plan_.steps) {
      const Op& op = *st.op;
      if (op.ctx >= 0 && (op.kind == OpKind::Start || op.kind == OpKind::WaitCtxNew || op.kind == OpKind::WaitCtxFree ||
                          is_wait_ctx_op(op.kind))) {
        ctxs_.insert(op.ctx);
      }
      if (op.kind == OpKind::Start || op.kind == OpKind::Resume) use_job_ref_ = true;
      if (op.kind == OpKind::Resume) use_job_none_ = true;
      if (op.kind == OpKind::CurrentJob) use_current_ref_ = true;
      ctx_op_uses(op);
    }
    for (const auto& [job, start] : starts_) {
      for (std::size_t pc = 0; pc < start->body.size(); ++pc) {
        if (plan_.body_op_skipped(job, pc)) continue;
        const Op& b = start->body[pc];
        if (b.kind == OpKind::Return) break;
        if (b.kind == OpKind::CurrentJob) use_job_ref_ = true;
        if (b.kind == OpKind::WaitCtx) use_ctx_ref_ = true;
        if (b.kind == OpKind::NestedStart) use_job_none_ = true;
        if (is_wait_ctx_op(b.kind)) use_own_ctx_ = true;
        ctx_op_uses(b);
      }
    }
    counting_ = plan_.config.counting_stacks;
    // As in the interpreter, every thread of the plan (t0 too) exits at the
    // end, and what its exit frees is part of what is reproduced.
    pthreads_ = threads_used_.size() > 1 || (plan_.config.thread_exits && !plan_.steps.empty());
    semaphores_ = threads_used_.size() > 1;
  }

  // --- requirements --------------------------------------------------------------

  // "&R_<ID>" for a requirement (written out in the requirements section).
  std::string req(const char* id, Level level) {
    if (id == nullptr) return "NULL";
    const auto key = std::make_pair(std::string(id), level);
    auto it = reqs_.find(key);
    if (it == reqs_.end()) {
      std::string name = "R_";
      for (const char c : key.first) name += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : '_';
      while (req_names_.count(name) != 0) name += "_";
      req_names_.insert(name);
      it = reqs_.emplace(key, name).first;
    }
    return "&" + it->second;
  }

  // --- observations and checks -----------------------------------------------------

  // The first checked field's requirement: what the harness names when a
  // different op ran where this observation was expected.
  const FieldCheck* first_check(const Expected& e) const {
    for (const FieldCheck& c : e.checks) {
      if (c.requirement != nullptr) return &c;
    }
    return nullptr;
  }

  // "step 3 (resume j0)", "step 7 (sequence end)".
  std::string step_label(int step) const {
    if (step >= 0 && static_cast<std::size_t>(step) < plan_.steps.size()) {
      const Step& st = plan_.steps[static_cast<std::size_t>(step)];
      return "step " + std::to_string(step) + " (" + short_label(*st.op) + (st.op_index < 0 ? ", teardown" : "") + ")";
    }
    if (step == static_cast<int>(plan_.steps.size())) return "step " + std::to_string(step) + " (sequence end)";
    return "step " + std::to_string(step);
  }

  std::string site_of(const Observation& w) const {
    if (w.end) return "the sequence end";
    if (w.job >= 0 && w.body_index >= 0) {
      std::string op = op_name(w.op);
      const auto it = starts_.find(w.job);
      if (it != starts_.end() && static_cast<std::size_t>(w.body_index) < it->second->body.size()) {
        op = op_text(it->second->body[static_cast<std::size_t>(w.body_index)], true);
      }
      return "j" + std::to_string(w.job) + " body op " + std::to_string(w.body_index) + " (" + op + ")";
    }
    return step_label(w.step);
  }

  // observation(k, &o) and the checks of the fields plan.expected[k] marks.
  void emit_observation(std::string& out, const std::string& ind, int k) {
    const Expected& e = plan_.expected[static_cast<std::size_t>(k)];
    out += ind + "observation(" + std::to_string(k) + ", &o);";
    if (in_.failing == static_cast<std::size_t>(k)) out += " /* <- the harness saw this observation differ */";
    out += "\n";
    std::string uncounted;
    for (std::size_t i = 0; i < kFieldCount; ++i) {
      const Field f = static_cast<Field>(i);
      const FieldCheck& c = e.checks[i];
      if (c.requirement == nullptr) continue;
      const FieldText t = field_text(e.want, f);
      if (f == Field::Heap || f == Field::Fds) {
        uncounted += (uncounted.empty() ? "" : ", ") + t.what + " " + std::to_string(e.want.value(f));
        uncounted_req_ = c.requirement;
        continue;
      }
      if (is_list(f)) {
        use_expect_fds_ = true;
        const FdList& l = f == Field::List ? e.want.list : e.want.list2;
        const int n = std::min(l.size, kMaxFdsPerCtx);
        std::string want = "0, NULL";
        if (n > 0) {
          want = std::to_string(n) + ", (const int[]){";
          for (int j = 0; j < n; ++j) want += (j > 0 ? ", " : "") + std::to_string(l.fd[static_cast<std::size_t>(j)]);
          want += "}";
        }
        const std::string order = c.order_requirement != nullptr ? req(c.order_requirement, c.order_level) : "NULL";
        out += ind + "expect_fds(" + req(c.requirement, c.level) + ", " + order + ", " + c_string(t.what) + ", " +
               t.got + ", " + want + ");\n";
      } else {
        use_expect_value_ = true;
        out += ind + "expect_value(" + req(c.requirement, c.level) + ", " + c_string(t.what) + ", " +
               show_enum(t.show) + ", " + t.got + ", " + c_value(t.show, e.want.value(f)) + ");\n";
      }
    }
    if (!uncounted.empty()) {
      const std::vector<std::string> lines =
          wrap("The harness also checks " + uncounted + " (" + uncounted_req_ + "): a plain C program cannot count those.",
               72 - ind.size());
      for (std::size_t i = 0; i < lines.size(); ++i) {
        out += ind + (i == 0 ? "/* " : " * ") + comment_safe(lines[i]) + (i + 1 == lines.size() ? " */" : "") + "\n";
      }
    }
  }

  // The C lines that perform `op` (a driver op when `job` < 0, else a body
  // op of that job), filling `o` as the interpreter fills its observation.
  std::vector<std::string> call_lines(const Op& op, int job) {
    const bool body = job >= 0;
    const std::string ctx = body ? "own_wait_ctx()" : "ctx_w" + std::to_string(op.ctx);
    const std::string key = "key(" + std::to_string(op.key) + ")";
    std::vector<std::string> l;
    switch (op.kind) {
      case OpKind::InitThread: {
        auto size = [](long v) { return v > INT_MAX ? std::to_string(v) + "UL" : std::to_string(v); };
        l.push_back("o.rc = ASYNC_init_thread(" + size(op.value) + ", " + size(op.value2) + ");");
        break;
      }
      case OpKind::CleanupThread: l.push_back("ASYNC_cleanup_thread();"); break;
      case OpKind::SetMemFunctions:
        l.push_back("o.rc = ASYNC_set_mem_functions(counting_alloc, counting_free);");
        l.push_back("if (o.rc == 1)");
        l.push_back(op.value != 0 ? "    hand_out = " + std::to_string(op.value) + "; /* from now on the allocator hands out " +
                                        std::to_string(op.value) + " bytes, whatever is asked */"
                                  : "    hand_out = 0; /* from now on the allocator hands out the size asked */");
        break;
      case OpKind::Start: {
        const std::string j = std::to_string(op.job);
        const std::string args = op.args == ArgsMode::Null ? "NULL" : "&arg_j" + j;
        const std::string size = op.args == ArgsMode::SizeZero ? "0" : "sizeof arg_j" + j;
        const std::string wctx = op.ctx >= 0 ? "ctx_w" + std::to_string(op.ctx) : "NULL";
        l.push_back("arg_j" + j + " = " + c_long(op.value) + ";");
        l.push_back("o.rc = ASYNC_start_job(&handle_j" + j + ", " + wctx + ", &ret_j" + j + ", job_j" + j + ", " + args +
                    ", " + size + ");");
        l.push_back("arg_j" + j + " = ~" + c_operand(op.value) + "; /* the args were copied: the buffer is the caller's again */");
        l.push_back("o.ref = job_ref(" + j + ", handle_j" + j + ");");
        l.push_back("o.ret = ret_j" + j + ";");
        break;
      }
      case OpKind::Resume: {
        const std::string j = std::to_string(op.job);
        if (fallback_steps_.count(current_step_) != 0) {
          l.push_back("if (handle_j" + j + " == NULL) /* after ASYNC_FINISH: pass back the handle it had */");
          l.push_back("    handle_j" + j + " = bound[" + j + "];");
        }
        l.push_back("o.rc = ASYNC_start_job(&handle_j" + j + ", NULL, &ret_j" + j + ", job_none, NULL, 0);");
        l.push_back("o.ref = job_ref(" + j + ", handle_j" + j + ");");
        l.push_back("o.ret = ret_j" + j + ";");
        break;
      }
      case OpKind::Pause: l.push_back("o.rc = ASYNC_pause_job();"); break;
      case OpKind::Block: l.push_back("ASYNC_block_pause();"); break;
      case OpKind::Unblock: l.push_back("ASYNC_unblock_pause();"); break;
      case OpKind::CurrentJob:
        l.push_back(body ? "o.ref = job_ref(" + std::to_string(job) + ", ASYNC_get_current_job());"
                         : "o.ref = current_ref(ASYNC_get_current_job());");
        break;
      case OpKind::WaitCtx: l.push_back("o.ref = ctx_ref(ASYNC_get_wait_ctx(ASYNC_get_current_job()));"); break;
      case OpKind::CheckArg:
        use_args_ = true;
        l.push_back("o.rc = args != NULL;");
        l.push_back("if (args != NULL)");
        l.push_back("    memcpy(&o.extra, args, sizeof o.extra);");
        break;
      case OpKind::NestedStart:
        l.push_back("{");
        l.push_back("    ASYNC_JOB *inner = NULL;");
        l.push_back("    int inner_ret = 0;");
        l.push_back("    o.rc = ASYNC_start_job(&inner, NULL, &inner_ret, job_none, NULL, 0);");
        l.push_back("}");
        break;
      case OpKind::Return: break;
      case OpKind::WaitCtxNew: {
        const std::string w = "ctx_w" + std::to_string(op.ctx);
        l.push_back(w + " = ASYNC_WAIT_CTX_new();");
        l.push_back("o.rc = " + w + " != NULL;");
        break;
      }
      case OpKind::WaitCtxFree: {
        const std::string w = "ctx_w" + std::to_string(op.ctx);
        l.push_back("ASYNC_WAIT_CTX_free(" + w + ");");
        l.push_back(w + " = NULL;");
        break;
      }
      case OpKind::SetFd:
        l.push_back("o.rc = ASYNC_WAIT_CTX_set_wait_fd(" + ctx + ", " + key + ", " + std::to_string(op.fd) + ", custom_data(" +
                    std::to_string(op.fd) + "), count_cleanup);");
        break;
      case OpKind::ClearFd: l.push_back("o.rc = ASYNC_WAIT_CTX_clear_fd(" + ctx + ", " + key + ");"); break;
      case OpKind::GetFd: l.push_back("do_get_fd(&o, " + ctx + ", " + std::to_string(op.key) + ");"); break;
      case OpKind::GetAllFds: l.push_back("do_get_all_fds(&o, " + ctx + ");"); break;
      case OpKind::GetChangedFds: l.push_back("do_get_changed_fds(&o, " + ctx + ");"); break;
      case OpKind::SetCallback:
        l.push_back(op.value != 0 ? "o.rc = ASYNC_WAIT_CTX_set_callback(" + ctx + ", wake_callback, callback_arg(" +
                                        std::to_string(op.ctx) + "));"
                                  : "o.rc = ASYNC_WAIT_CTX_set_callback(" + ctx + ", NULL, NULL);");
        break;
      case OpKind::GetCallback:
        l.push_back("do_get_callback(&o, " + ctx + ", " + std::to_string(op.ctx) + ");");
        break;
      case OpKind::SetStatus:
        l.push_back("o.rc = ASYNC_WAIT_CTX_set_status(" + ctx + ", " + c_value(Show::Status, static_cast<int>(op.value)) + ");");
        break;
      case OpKind::GetStatus: l.push_back("o.rc = ASYNC_WAIT_CTX_get_status(" + ctx + ");"); break;
    }
    return l;
  }

  // The resumes whose handle variable may be NULL by then (its last start
  // or resume gave ASYNC_FINISH or ASYNC_NO_JOBS): a misuse resume, which
  // passes back the handle the job had, as the interpreter does. In plan order.
  void find_fallback_resumes() {
    std::set<int> maybe_null;
    for (std::size_t s = 0; s < plan_.steps.size(); ++s) {
      const Op& op = *plan_.steps[s].op;
      if (op.kind != OpKind::Start && op.kind != OpKind::Resume) continue;
      if (op.kind == OpKind::Resume && maybe_null.count(op.job) != 0) fallback_steps_.insert(s);
      const int k = driver_obs_[s];
      if (k < 0) continue;
      const Expected& e = plan_.expected[static_cast<std::size_t>(k)];
      if (e.check(Field::Rc).requirement == nullptr) continue;
      if (e.want.rc == ASYNC_FINISH || e.want.rc == ASYNC_NO_JOBS) maybe_null.insert(op.job);
      if (e.want.rc == ASYNC_PAUSE) maybe_null.erase(op.job);
    }
  }

  // --- job functions ---------------------------------------------------------------

  std::string job_function(int job, const Op& start) {
    std::string body;
    bool uses_o = false;
    use_args_ = false;
    const std::string ind = "    ";
    bool returned = false;
    for (std::size_t pc = 0; pc < start.body.size(); ++pc) {
      const Op& op = start.body[pc];
      const std::string label = op_text(op, true);
      if (plan_.body_op_skipped(job, pc)) {
        body += "\n" + ind + "/* body op " + std::to_string(pc) + ": " + comment_safe(label) +
                " -- not run: the model skips it at this level */\n";
        continue;
      }
      if (op.kind == OpKind::Return) {
        body += "\n" + ind + "/* body op " + std::to_string(pc) + ": " + comment_safe(label) + " */\n";
        body += ind + "return " + std::to_string(static_cast<int>(op.value)) + ";\n";
        returned = true;
        break;
      }
      uses_o = true;
      const auto it = body_obs_.find({job, static_cast<int>(pc)});
      body += "\n" + ind + "/* body op " + std::to_string(pc) + ": " + comment_safe(label);
      if (it == body_obs_.end()) body += " -- the model says it never runs";
      body += " */\n";
      body += ind + "begin_call(&o);\n";
      for (const std::string& line : call_lines(op, job)) body += ind + line + "\n";
      if (it == body_obs_.end()) {
        use_unexpected_ = true;
        body += ind + "unexpected(" +
                c_string("j" + std::to_string(job) + " body op " + std::to_string(pc) + " (" + label + ")") + ");\n";
      } else {
        emit_observation(body, ind, it->second);
      }
    }
    if (!returned) body += ind + "return 0;\n";
    std::string out;
    out += "/* j" + std::to_string(job) + ": " + comment_safe(op_text(start)) + " */\n";
    out += "static int job_j" + std::to_string(job) + "(void *args)\n{\n";
    if (uses_o) out += ind + "struct obs o;\n\n";
    if (!use_args_) out += ind + "(void)args;\n";
    // Each op starts with a blank line: not twice after the declaration.
    if (uses_o && use_args_ && !body.empty() && body.front() == '\n') body.erase(0, 1);
    out += body;
    out += "}\n\n";
    return out;
  }

  std::string jobs_section() {
    std::string out;
    if (starts_.empty()) return out;
    out += "/* ---- the job functions: each job's body, straight-line -------------------- */\n\n";
    // Bodies are written before the steps; handle tracking for the steps
    // does not depend on them.
    for (const auto& [job, start] : starts_) out += job_function(job, *start);
    return out;
  }

  // --- the steps ---------------------------------------------------------------------

  void emit_step(std::string& out, const std::string& ind, std::size_t s) {
    const Step& st = plan_.steps[s];
    const Op& op = *st.op;
    const bool teardown = st.op_index < 0;
    std::string label = short_label(op);
    if (teardown) label += " (teardown)";
    out += "\n" + ind + "/* step " + std::to_string(s) + ": " + comment_safe(op_text(op)) + (teardown ? " (teardown)" : "") +
           " */\n";
    out += ind + "step(" + std::to_string(s) + ", " + c_string(label) + ");\n";
    out += ind + "begin_call(&o);\n";
    current_step_ = s;
    for (const std::string& line : call_lines(op, -1)) out += ind + line + "\n";
    const int k = driver_obs_[s];
    if (k >= 0) {
      emit_observation(out, ind, k);
    } else {
      out += ind + "/* (the model makes no observation here) */\n";
    }
  }

  // Consecutive steps on the same thread.
  struct Group {
    int thread;
    std::size_t first;
    std::size_t last;  // inclusive
  };
  std::vector<Group> groups() const {
    std::vector<Group> g;
    for (std::size_t s = 0; s < plan_.steps.size(); ++s) {
      const int t = plan_.steps[s].thread;
      if (g.empty() || g.back().thread != t) {
        g.push_back({t, s, s});
      } else {
        g.back().last = s;
      }
    }
    return g;
  }

  std::string end_check(const std::string& ind) {
    std::string out;
    out += "\n" + ind + "/* the sequence end";
    out += pthreads_ ? ": every thread has exited */\n" : " */\n";
    out += ind + "step(" + std::to_string(plan_.steps.size()) + ", \"sequence end\");\n";
    out += ind + "begin_call(&o);\n";
    if (end_obs_ >= 0) emit_observation(out, ind, end_obs_);
    const bool failing_at_end = end_obs_ >= 0 && in_.failing == static_cast<std::size_t>(end_obs_);
    if (failing_at_end) {
      const Expected& e = plan_.expected[static_cast<std::size_t>(end_obs_)];
      const bool heap = e.check(Field::Heap).requirement != nullptr;
      const bool fds = e.check(Field::Fds).requirement != nullptr;
      if (heap || fds) {
        std::string what = heap && fds ? "heap blocks or fds" : (heap ? "heap blocks" : "fds");
        if (in_.observed != nullptr && in_.observed->end) {
          what.clear();
          if (heap && in_.observed->heap != 0) what = std::to_string(in_.observed->heap) + " heap blocks";
          if (fds && in_.observed->fds != 0) {
            what += (what.empty() ? "" : " and ") + std::to_string(in_.observed->fds) + " fds";
          }
          if (what.empty()) what = heap && fds ? "heap blocks or fds" : (heap ? "heap blocks" : "fds");
        }
        std::string note = "note: the harness saw " + what +
                           " leaked by the end of the sequence, which this program cannot count; run it under "
                           "valgrind --leak-check=full (or build it with -fsanitize=address) to see them\n";
        out += ind + "printf(" + c_string(note) + ");\n";
      }
    }
    out += ind + "return no_violation();\n";
    return out;
  }

  std::string run_section() {
    std::string out;
    const std::vector<Group> gs = groups();
    std::string install;
    if (counting_) {
      install += "    /* The harness installs its counting stack allocator before anything else. */\n";
      install += "    o.rc = ASYNC_set_mem_functions(counting_alloc, counting_free);\n";
      install += "    expect_value(" + req("MEM-SET-RETURN-VALUE", Level::Must) +
                 ", \"ASYNC_set_mem_functions returned\", AS_INT, o.rc, 1);\n";
      use_expect_value_ = true;
    }
    if (!pthreads_) {
      out += "/* ---- the steps, in plan order ---------------------------------------------- */\n\n";
      std::string steps;
      for (std::size_t s = 0; s < plan_.steps.size(); ++s) emit_step(steps, "    ", s);
      out += "int main(void)\n{\n    struct obs o;\n";
      if (counting_) out += "\n" + install;
      out += steps;
      out += end_check("    ");
      out += "}\n";
      return out;
    }
    out += "/* ---- the steps, each on its thread, in plan order ------------------------- */\n\n";
    if (semaphores_) {
      out += "static sem_t turn[" + std::to_string(*threads_used_.rbegin() + 1) +
             "];   /* turn[t]: thread t runs its next steps */\n";
      out += "static sem_t steps_done; /* the last step has run */\n\n";
      out += "/* Thread `self` hands control to thread `next` and waits for its own turn. */\n";
      out += "static void pass_turn(int self, int next)\n{\n    sem_post(&turn[next]);\n    sem_wait(&turn[self]);\n}\n\n";
      out += "/* The last step ran: main lets the threads exit. */\n";
      out += "static void last_step_done(int self)\n{\n    sem_post(&steps_done);\n    sem_wait(&turn[self]);\n}\n\n";
    }
    for (const int t : threads_used_) {
      const std::string ts = std::to_string(t);
      std::string body;
      if (semaphores_) body += "    sem_wait(&turn[" + ts + "]);\n";
      for (std::size_t g = 0; g < gs.size(); ++g) {
        if (gs[g].thread != t) continue;
        for (std::size_t s = gs[g].first; s <= gs[g].last; ++s) emit_step(body, "    ", s);
        if (!semaphores_) continue;
        if (g + 1 < gs.size()) {
          body += "\n    pass_turn(" + ts + ", " + std::to_string(gs[g + 1].thread) + "); /* step " +
                  std::to_string(gs[g + 1].first) + " runs on t" + std::to_string(gs[g + 1].thread) + " */\n";
        } else {
          body += "\n    last_step_done(" + ts + ");\n";
        }
      }
      out += "static void *thread_t" + ts + "(void *unused)\n{\n    struct obs o;\n\n    (void)unused;\n";
      out += body;
      out += "    return NULL;\n}\n\n";
    }
    out += "static void start_thread(pthread_t *thread, void *(*run)(void *))\n{\n";
    out += "    if (pthread_create(thread, NULL, run, NULL) != 0) {\n";
    out += "        printf(\"setup failed: pthread_create\\n\");\n        exit(2);\n    }\n}\n\n";
    out += "int main(void)\n{\n    struct obs o;\n";
    for (const int t : threads_used_) out += "    pthread_t t" + std::to_string(t) + ";\n";
    out += "\n";
    if (counting_) out += install + "\n";
    if (semaphores_) {
      for (const int t : threads_used_) out += "    sem_init(&turn[" + std::to_string(t) + "], 0, 0);\n";
      out += "    sem_init(&steps_done, 0, 0);\n";
    }
    for (const int t : threads_used_) {
      out += "    start_thread(&t" + std::to_string(t) + ", thread_t" + std::to_string(t) + ");\n";
    }
    if (semaphores_) {
      out += "    sem_post(&turn[" + std::to_string(gs.front().thread) + "]); /* step 0 runs on t" +
             std::to_string(gs.front().thread) + " */\n";
      out += "    sem_wait(&steps_done);\n";
      out += "    /* Every thread exits, one after the other: the implementation frees its\n"
             "     * per-thread ASYNC state with it. */\n";
      for (const int t : threads_used_) {
        out += "    sem_post(&turn[" + std::to_string(t) + "]);\n";
        out += "    pthread_join(t" + std::to_string(t) + ", NULL);\n";
      }
    } else {
      out += "    /* The thread exits: the implementation frees its per-thread ASYNC state. */\n";
      for (const int t : threads_used_) out += "    pthread_join(t" + std::to_string(t) + ", NULL);\n";
    }
    out += end_check("    ");
    out += "}\n";
    return out;
  }

  // --- the fixed parts ---------------------------------------------------------------

  std::string header() const {
    std::string h = "/*\n";
    auto line = [&](const std::string& s) { h += s.empty() ? " *\n" : " * " + comment_safe(s) + "\n"; };
    auto para = [&](const std::string& text, const std::string& indent, std::size_t width = 74) {
      for (const std::string& l : wrap(text, width - indent.size())) line(l.empty() ? "" : indent + l);
    };
    const std::string impl = in_.implementation.empty() ? "an implementation" : in_.implementation;
    para("Reproducer: " + impl + " and the OpenSSL ASYNC job API", "");
    line("(written by asyncconf from a shrunk sequence; plain C, <openssl/async.h> only)");
    line("");
    if (!in_.what_happened.empty()) {
      line("What happened:");
      para(in_.what_happened, "  ");
      line("");
    }
    if (in_.failing != ReproducerInput::npos && in_.failing < plan_.expected.size()) {
      const Expected& e = plan_.expected[in_.failing];
      std::string where = "The harness saw the first difference at " + step_label(e.want.step);
      if (e.want.job >= 0 && e.want.body_index >= 0) where += ", in " + site_of(e.want);
      where += " (observation " + std::to_string(in_.failing) + " of " + std::to_string(plan_.expected.size()) +
               "). The model predicted:";
      para(where, "");
      line("    " + describe(e.want, &e));
      if (in_.observed != nullptr) {
        line("The harness observed:");
        line("    " + describe(*in_.observed, &e));
      }
      std::set<std::pair<std::string, Level>> ids;
      for (const FieldCheck& c : e.checks) {
        if (c.requirement != nullptr) ids.insert({c.requirement, c.level});
        if (c.order_requirement != nullptr) ids.insert({c.order_requirement, c.order_level});
      }
      std::string list;
      for (const auto& [id, level] : ids) list += (list.empty() ? "" : ", ") + id + " (" + to_string(level) + ")";
      if (!list.empty()) para("Requirements checked there: " + list + ".", "");
      line("");
    } else {
      para("No observation differed: the implementation crashed or hung. The last \"step N:\" line this program "
           "prints on stderr says where.",
           "");
      line("");
    }
    line("The sequence (asyncconf's text form; \"tN:\" runs an op on thread N):");
    std::string text;
    try {
      text = print_sequence(seq_);
    } catch (const std::invalid_argument& err) {
      text = std::string("(no text form: ") + err.what() + ")\n";
    }
    if (text.empty()) text = "(empty)\n";
    for (const std::string& l : wrap(text, 1000)) line("  " + l);
    if (!plan_.skipped.empty()) {
      line("Ops of the sequence the model skips (they do not run here):");
      for (const Skipped& sk : plan_.skipped) {
        std::string op = sk.op_index >= 0 && static_cast<std::size_t>(sk.op_index) < seq_.ops.size()
                             ? short_label(seq_.ops[static_cast<std::size_t>(sk.op_index)])
                             : "?";
        para("op " + std::to_string(sk.op_index) + " (" + op + "): " + sk.reason, "  ");
      }
    }
    para("Then the teardown the model adds: paused jobs are resumed to their end, live wait ctxs are freed" +
             std::string(plan_.config.thread_exits ? ", and every thread exits." : ", ASYNC_cleanup_thread."),
         "");
    line("");
    const std::string lpthread = pthreads_ ? " -lpthread" : "";
    if (!counting_) {
      line("Build and run against the system libcrypto:");
      line("  cc repro.c -lcrypto" + lpthread + " && ./a.out");
      line("Run it against another implementation of the ASYNC API:");
      line("  LD_PRELOAD=/path/libasyncref.so ./a.out");
      line("or build it against that library instead of libcrypto:");
      line("  cc repro.c /path/libX.so -Wl,-rpath,/path" + lpthread + " && ./a.out");
    } else {
      para("This program counts job stacks with its own allocator, installed with ASYNC_set_mem_functions "
           "(OpenSSL 3.2 and later): build it against an implementation that has it.",
           "");
      line("  cc repro.c /path/libasyncref.so -Wl,-rpath,/path" + lpthread + " && ./a.out");
      line("  cc repro.c -lcrypto" + lpthread + " && ./a.out        (OpenSSL 3.2 or later)");
      line("Run the same binary against another implementation:");
      line("  LD_PRELOAD=/path/libX.so ./a.out");
    }
    line("");
    para("It prints a \"step N: ...\" line on stderr before each step (after a crash the last one says where), "
         "and on stdout either the first violation, with the requirement it breaks and the man page's words "
         "(exit status 1), or \"no violation: ...\" (exit status 0).",
         "");
    line("");
    para(std::string("Levels: the harness checked the requirements of level \"") + to_string(plan_.config.level) +
             "\" and stricter ones. A check of a looser level that differs is not a violation at this level: "
             "it prints a \"note:\" and the program goes on (set checked_level below to enforce it).",
         "");
    h += " */\n\n";
    return h;
  }

  std::string includes() const {
    std::string out = "#include <openssl/async.h>\n\n";
    if (pthreads_) out += "#include <pthread.h>\n";
    if (semaphores_) out += "#include <semaphore.h>\n";
    out += "#include <stdint.h>\n#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n\n";
    if (counting_) {
      out += "#if OPENSSL_VERSION_NUMBER < 0x30200000L\n";
      out += "/* OpenSSL 3.2 added these; declared here for older headers. */\n";
      out += "typedef void *(*ASYNC_stack_alloc_fn)(size_t *num);\n";
      out += "typedef void (*ASYNC_stack_free_fn)(void *addr);\n";
      out += "int ASYNC_set_mem_functions(ASYNC_stack_alloc_fn alloc_fn, ASYNC_stack_free_fn free_fn);\n";
      out += "#endif\n\n";
    }
    return out;
  }

  std::string basics() const {
    std::string out;
    out += "#define MAX_FDS 16            /* an observed fd list holds at most this many */\n";
    out += "#define REF_NULL (-1L)        /* a pointer that was NULL */\n";
    out += "#define REF_UNKNOWN (-2L)     /* a pointer that names nothing the sequence made */\n";
    out += "#define RET_UNTOUCHED 0x5eed  /* *ret until ASYNC_start_job writes it */\n\n";
    out += "/* ---- what the sequence names ----------------------------------------------- */\n\n";
    for (const int w : ctxs_) out += "static ASYNC_WAIT_CTX *ctx_w" + std::to_string(w) + ";\n";
    if (!ctxs_.empty()) out += "\n";
    for (const auto& [job, start] : starts_) {
      const std::string j = std::to_string(job);
      out += "static ASYNC_JOB *handle_j" + j + ";             /* the *job ASYNC_start_job is given for j" + j + " */\n";
      out += "static int ret_j" + j + " = RET_UNTOUCHED;       /* its *ret */\n";
      out += "static long arg_j" + j + ";                      /* its args buffer */\n";
    }
    if (!starts_.empty()) out += "\n";
    if (use_job_ref_ || use_current_ref_) {
      const std::string n = std::to_string(std::max(plan_.jobs, 1));
      out += "/* Handles are named as the harness names them: each job is bound to the\n"
             " * first handle seen for it, and a handle names the last job bound to it. */\n";
      if (use_job_ref_) out += "static ASYNC_JOB *bound[" + n + "];         /* the handle each job was bound to */\n";
      out += "static ASYNC_JOB *binding_handle[" + n + "];\n";
      out += "static int binding_job[" + n + "];\n";
      out += "static int bindings;\n\n";
    }
    if (counting_) {
      out += "/* ---- the counting stack allocator ------------------------------------------ */\n\n";
      out += "static long stacks_live;   /* job stacks allocated and not yet freed */\n";
      out += "static long stack_allocs;  /* job stacks ever allocated */\n";
      out += "static size_t last_asked; /* the stack size asked for last */\n";
      out += "static size_t hand_out;   /* the size handed out (0: the size asked) */\n\n";
      out += "static void *counting_alloc(size_t *num)\n{\n    void *p;\n\n";
      out += "    last_asked = *num;\n    if (hand_out != 0)\n        *num = hand_out;\n";
      out += "    p = malloc(*num);\n    if (p != NULL) {\n        ++stacks_live;\n        ++stack_allocs;\n    }\n";
      out += "    return p;\n}\n\n";
      out += "static void counting_free(void *p)\n{\n    if (p == NULL)\n        return;\n    --stacks_live;\n    free(p);\n}\n\n";
    }
    if (use_cleanup_ || use_key_ || use_custom_data_ || use_wake_) {
      out += "/* ---- wait fds and callbacks ------------------------------------------------ */\n\n";
    }
    if (use_cleanup_) {
      out += "#define CLEANUP_RING 1024\n";
      out += "static long cleanups;                 /* cleanup callbacks so far */\n";
      out += "static int cleaned_fd[CLEANUP_RING];  /* the fd of each */\n\n";
      out += "static void count_cleanup(ASYNC_WAIT_CTX *ctx, const void *key, OSSL_ASYNC_FD fd, void *data)\n{\n";
      out += "    (void)ctx;\n    (void)key;\n    (void)data;\n";
      out += "    cleaned_fd[cleanups % CLEANUP_RING] = fd;\n    ++cleanups;\n}\n\n";
    }
    if (use_key_) {
      out += "static char keys[8]; /* a wait-fd key is the address of one of these */\n\n";
      out += "static const void *key(int k)\n{\n    return &keys[k];\n}\n\n";
    }
    if (use_custom_data_) {
      out += "/* The custom_data set with fd: a value, never dereferenced. */\n";
      out += "static void *custom_data(int fd)\n{\n    return (void *)((uintptr_t)0xc0de0000u + (unsigned)fd);\n}\n\n";
    }
    if (use_wake_) {
      out += "static int wake_callback(void *arg)\n{\n    (void)arg;\n    return 1;\n}\n\n";
      out += "/* The callback arg set on w<ctx>: a value, never dereferenced. */\n";
      out += "static void *callback_arg(int ctx)\n{\n    return (void *)((uintptr_t)0xca11ba00u + (unsigned)ctx);\n}\n\n";
    }
    return out;
  }

  std::string requirements_section() {
    std::string out;
    out += "/* ---- the requirements the checks name ------------------------------------ */\n\n";
    out += "enum level { MUST, DE_FACTO, ROBUSTNESS };\n";
    out += "static const char *const level_names[] = { \"must\", \"de-facto\", \"robustness\" };\n";
    out += "/* The level the harness checked: a difference in a check of a looser level\n"
           " * prints a note and the program goes on. */\n";
    out += std::string("static const enum level checked_level = ") + level_enum(plan_.config.level) + ";\n";
    out += "/* 1: a violation is printed and the program goes on (the harness saw a crash\n"
           " * or a hang, which may come after the first difference). */\n";
    out += std::string("static const int keep_going = ") + (in_.keep_going ? "1" : "0") + ";\n";
    out += "static int violations;                   /* differences seen with keep_going */\n\n";
    // The predictions name requirements too: register them before writing.
    std::string table;
    for (std::size_t k = 0; k < plan_.expected.size(); ++k) {
      const Expected& e = plan_.expected[k];
      const FieldCheck* c = first_check(e);
      const bool in_body = e.want.job >= 0 && e.want.body_index >= 0;
      table += "    /* " + std::to_string(k) + " */ { " + c_string(site_of(e.want)) + ", " + (in_body ? "1" : "0") + ",\n";
      table += "        " + c_string(describe(e.want, &e)) + ",\n";
      table += "        " + (c != nullptr ? req(c->requirement, c->level) : std::string("NULL")) + " },\n";
    }
    out += "struct requirement {\n    const char *id;\n    enum level level;\n    const char *text; /* the man page's words, or NULL */\n};\n\n";
    for (const auto& [key, name] : reqs_) {
      std::string text;
      if (in_.requirement_text) text = in_.requirement_text(key.first);
      out += "static const struct requirement " + name + " = {\n";
      out += "    " + c_string(key.first) + ", " + level_enum(key.second) + ",\n";
      if (text.empty()) {
        out += "    NULL\n";
      } else {
        out += c_string_lines(text, "    ") + "\n";
      }
      out += "};\n";
    }
    out += "\n/* What the model predicts for each observation, in the order they are made. */\n";
    out += "struct prediction {\n";
    out += "    const char *site;     /* where it is made */\n";
    out += "    int in_body;          /* by a job body op */\n";
    out += "    const char *expected; /* what the model predicts */\n";
    out += "    const struct requirement *req; /* what a different op there breaks */\n};\n\n";
    out += "#define N_OBS " + std::to_string(plan_.expected.size()) + "\n";
    out += "static const struct prediction predicted[N_OBS] = {\n";
    out += table;
    out += "};\n\n";
    return out;
  }

  std::string reporting_section() const {
    std::string out;
    out += R"C(/* ---- observations and checks ----------------------------------------------- */

struct fd_list {
    int n; /* how many fds; counts past MAX_FDS */
    int fd[MAX_FDS];
};

/* What one call showed: the fields the harness records. */
struct obs {
    long rc;                /* the return value */
    long ref;               /* a job (j<N>) or wait ctx (w<N>) by name, or REF_NULL, REF_UNKNOWN */
    long ret;               /* *ret after ASYNC_start_job */
    long extra, extra2;     /* an fd, a count, the arg read, a yes/no */
    struct fd_list list;    /* fds: get_all_fds, the added ones of get_changed_fds */
    struct fd_list list2;   /* fds: the deleted ones of get_changed_fds */
    long cleanups;          /* cleanup callbacks during the call */
    struct fd_list cleaned; /* their fds */
    long stacks;            /* job stacks alive after the call */
    long asked;             /* the stack size asked for, when a stack was allocated */
    long cleanups_mark, allocs_mark;
};

static int cur_step = -1;                /* the step running */
static const char *cur_op = "setup";     /* its op */
static const char *cur_site = "";        /* the body op observed last, when in a job */
static int next_obs;                     /* the observation the model expects next */
static int notes;                        /* differences at looser levels */

static void step(int n, const char *op)
{
    cur_step = n;
    cur_op = op;
    cur_site = "";
    fprintf(stderr, "step %d: %s\n", n, op);
    fflush(stderr);
}

)C";
    if (use_push()) {
      out += R"C(static void push_fd(struct fd_list *l, int fd)
{
    if (l->n < MAX_FDS)
        l->fd[l->n] = fd;
    ++l->n;
}

)C";
    }
    out += "static void begin_call(struct obs *o)\n{\n    memset(o, 0, sizeof *o);\n";
    out += "    o->ref = REF_NULL;\n    o->ret = RET_UNTOUCHED;\n";
    if (use_cleanup_) out += "    o->cleanups_mark = cleanups;\n";
    if (counting_) out += "    o->allocs_mark = stack_allocs;\n";
    out += "}\n\n";
    out += "/* What the call did to the counters. */\nstatic void end_call(struct obs *o)\n{\n";
    if (use_cleanup_) {
      out += "    long n;\n\n    o->cleanups = cleanups - o->cleanups_mark;\n";
      out += "    for (n = o->cleanups_mark; n < cleanups; ++n)\n        push_fd(&o->cleaned, cleaned_fd[n % CLEANUP_RING]);\n";
    }
    if (counting_) {
      out += "    o->stacks = stacks_live;\n";
      out += "    if (stack_allocs != o->allocs_mark)\n        o->asked = (long)last_asked;\n";
    }
    if (!use_cleanup_ && !counting_) out += "    (void)o;\n";
    out += "}\n\n";
    out += R"C(/* Prints a difference from the model. One in a check of the checked level (or
 * a stricter one) is a violation: the program ends with exit status 1. */
static void difference(const struct requirement *req, const char *message)
{
    int violation = req == NULL || req->level <= checked_level;

    if (cur_step < 0)
        printf("%s at setup: %s\n", violation ? "VIOLATION" : "note", message);
    else
        printf("%s at step %d (%s)%s%s: %s\n", violation ? "VIOLATION" : "note", cur_step, cur_op,
               cur_site[0] != '\0' ? ", in " : "", cur_site, message);
    if (req != NULL) {
        printf("  requirement %s (%s%s)", req->id, level_names[req->level],
               violation ? "" : "; not enforced at this level");
        if (req->text != NULL)
            printf(": \"%s\"", req->text);
        printf("\n");
    }
    if (violation && keep_going) {
        ++violations;
        fflush(stdout);
        return;
    }
    if (violation) {
        fflush(stdout);
        fflush(stderr);
        _Exit(1); /* not exit(): this may run on a job's stack */
    }
    ++notes;
}

/* Observation k of the plan is made here: it must be the one the model
 * expects next (otherwise control flow differs from the model). */
static void observation(int k, struct obs *o)
{
    char message[512];

    end_call(o);
    cur_site = predicted[k].in_body ? predicted[k].site : "";
    if (k != next_obs) {
        if (next_obs < N_OBS)
            snprintf(message, sizeof message,
                     "control flow differs from the model: the program reached %s, but the model expected "
                     "observation %d first: %s",
                     predicted[k].site, next_obs, predicted[next_obs].expected);
        else
            snprintf(message, sizeof message,
                     "control flow differs from the model: the program reached %s after the last observation",
                     predicted[k].site);
        difference(next_obs < N_OBS ? predicted[next_obs].req : NULL, message);
    }
    next_obs = k + 1;
}

)C";
    if (use_unexpected_) {
      out += R"C(/* A body op ran that the model says never runs. */
static void unexpected(const char *site)
{
    char message[512];

    if (next_obs < N_OBS)
        snprintf(message, sizeof message,
                 "control flow differs from the model: %s ran, which the model says never runs; it expected "
                 "observation %d next: %s",
                 site, next_obs, predicted[next_obs].expected);
    else
        snprintf(message, sizeof message, "control flow differs from the model: %s ran after the last observation",
                 site);
    cur_site = site;
    difference(next_obs < N_OBS ? predicted[next_obs].req : NULL, message);
}

)C";
    }
    if (use_expect_value_) {
      out += R"C(enum show { AS_INT, AS_START, AS_JOB, AS_CTX, AS_RET, AS_ARGS, AS_NONNULL, AS_YESNO, AS_BYTES, AS_STATUS };

static const char *show(enum show how, long v, char *buf, size_t size)
{
    switch (how) {
    case AS_START:
        if (v == ASYNC_ERR)
            return "ASYNC_ERR";
        if (v == ASYNC_NO_JOBS)
            return "ASYNC_NO_JOBS";
        if (v == ASYNC_PAUSE)
            return "ASYNC_PAUSE";
        if (v == ASYNC_FINISH)
            return "ASYNC_FINISH";
        break;
    case AS_JOB:
    case AS_CTX:
        if (v == REF_NULL)
            return "NULL";
        if (v == REF_UNKNOWN)
            return how == AS_JOB ? "an unknown job handle" : "an unknown wait ctx";
        snprintf(buf, size, "%c%ld", how == AS_JOB ? 'j' : 'w', v);
        return buf;
    case AS_RET:
        if (v == RET_UNTOUCHED)
            return "untouched (0x5eed)";
        break;
    case AS_ARGS:
        return v != 0 ? "non-NULL" : "NULL";
    case AS_NONNULL:
        return v != 0 ? "a pointer" : "NULL";
    case AS_YESNO:
        return v != 0 ? "yes" : "no";
    case AS_BYTES:
        if (v == 0)
            return "nothing (no stack was allocated)";
        snprintf(buf, size, "%ld bytes", v);
        return buf;
    case AS_STATUS:
        if (v == ASYNC_STATUS_UNSUPPORTED)
            return "ASYNC_STATUS_UNSUPPORTED";
        if (v == ASYNC_STATUS_ERR)
            return "ASYNC_STATUS_ERR";
        if (v == ASYNC_STATUS_OK)
            return "ASYNC_STATUS_OK";
        if (v == ASYNC_STATUS_EAGAIN)
            return "ASYNC_STATUS_EAGAIN";
        break;
    default:
        break;
    }
    snprintf(buf, size, "%ld", v);
    return buf;
}

static void expect_value(const struct requirement *req, const char *what, enum show how, long got, long want)
{
    char g[64], w[64], message[512];

    if (got == want)
        return;
    snprintf(message, sizeof message, "%s %s, expected %s", what, show(how, got, g, sizeof g),
             show(how, want, w, sizeof w));
    difference(req, message);
}

)C";
    }
    if (use_expect_fds_) {
      out += R"C(static void show_fds(const struct fd_list *l, char *buf, size_t size)
{
    int i;
    size_t len;

    snprintf(buf, size, "[");
    for (i = 0; i < l->n && i < MAX_FDS; ++i) {
        len = strlen(buf);
        snprintf(buf + len, size - len, "%s%d", i > 0 ? " " : "", l->fd[i]);
    }
    len = strlen(buf);
    if (l->n > MAX_FDS)
        snprintf(buf + len, size - len, " ...(%d)]", l->n);
    else
        snprintf(buf + len, size - len, "]");
}

static void sort_ints(int *v, int n)
{
    int i, j, x;

    for (i = 1; i < n; ++i) {
        x = v[i];
        for (j = i; j > 0 && v[j - 1] > x; --j)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

static int same_fds(const struct fd_list *a, const struct fd_list *b, int in_order)
{
    int x[MAX_FDS], y[MAX_FDS], i, n;

    if (a->n != b->n)
        return 0;
    n = a->n < MAX_FDS ? a->n : MAX_FDS;
    for (i = 0; i < n; ++i) {
        x[i] = a->fd[i];
        y[i] = b->fd[i];
    }
    if (!in_order) {
        sort_ints(x, n);
        sort_ints(y, n);
    }
    for (i = 0; i < n; ++i)
        if (x[i] != y[i])
            return 0;
    return 1;
}

/* The fds `got` must be the n fds `want`, in any order; in this order too
 * when order_req is not NULL (a difference in order breaks order_req). */
static void expect_fds(const struct requirement *req, const struct requirement *order_req, const char *what,
                       const struct fd_list *got, int n, const int *want)
{
    struct fd_list w;
    char g[256], e[256], message[640];
    int i;

    memset(&w, 0, sizeof w);
    for (i = 0; i < n; ++i)
        push_fd(&w, want[i]);
    show_fds(got, g, sizeof g);
    show_fds(&w, e, sizeof e);
    if (!same_fds(got, &w, 0)) {
        snprintf(message, sizeof message, "%s %s, expected %s (in any order)", what, g, e);
        difference(req, message);
    } else if (order_req != NULL && !same_fds(got, &w, 1)) {
        snprintf(message, sizeof message, "%s %s, expected %s in this order", what, g, e);
        difference(order_req, message);
    }
}

)C";
    }
    out += R"C(static int no_violation(void)
{
    if (violations != 0) {
        printf("%d violation%s above, but no crash: the crash did not reproduce here\n", violations,
               violations == 1 ? "" : "s");
        return 1;
    }
    if (notes == 0)
        printf("no violation: all %d observations matched the model\n", N_OBS);
    else
        printf("no violation: all %d observations matched the model at level %s (%d difference%s at looser "
               "levels noted above)\n",
               N_OBS, level_names[checked_level], notes, notes == 1 ? "" : "s");
    return 0;
}

)C";
    return out;
  }

  bool use_push() const { return use_cleanup_ || use_get_all_ || use_get_changed_ || use_expect_fds_; }

  std::string helpers_section() const {
    std::string out;
    bool any = use_job_ref_ || use_current_ref_ || use_ctx_ref_ || use_own_ctx_ || use_get_fd_ || use_get_all_ ||
               use_get_changed_ || use_get_callback_ || use_job_none_;
    if (!any) return out;
    out += "/* ---- calls that take more than one line ----------------------------------- */\n\n";
    if (use_job_ref_) {
      out += R"C(/* The name of handle p in an op on job `job` (the harness's job_ref). */
static long job_ref(int job, ASYNC_JOB *p)
{
    int i;

    if (p == NULL)
        return REF_NULL;
    if (bound[job] == NULL) {
        bound[job] = p;
        for (i = 0; i < bindings; ++i) {
            if (binding_handle[i] == p) {
                binding_job[i] = job;
                return job;
            }
        }
        binding_handle[bindings] = p;
        binding_job[bindings] = job;
        ++bindings;
        return job;
    }
    if (bound[job] == p)
        return job;
    for (i = 0; i < bindings; ++i)
        if (binding_handle[i] == p)
            return binding_job[i];
    return REF_UNKNOWN;
}

)C";
    }
    if (use_current_ref_) {
      out += R"C(/* The name of a handle seen outside any job. */
static long current_ref(ASYNC_JOB *p)
{
    long ref = p == NULL ? REF_NULL : REF_UNKNOWN;
    int i;

    for (i = 0; i < bindings; ++i)
        if (binding_handle[i] == p)
            ref = binding_job[i];
    return ref;
}

)C";
    }
    if (use_ctx_ref_) {
      out += "/* The name of a wait ctx. */\nstatic long ctx_ref(const ASYNC_WAIT_CTX *p)\n{\n";
      out += "    if (p == NULL)\n        return REF_NULL;\n";
      for (const int w : ctxs_) {
        out += "    if (p == ctx_w" + std::to_string(w) + ")\n        return " + std::to_string(w) + ";\n";
      }
      out += "    return REF_UNKNOWN;\n}\n\n";
    }
    if (use_own_ctx_) {
      out += "/* Inside a job: the job's own wait ctx. */\nstatic ASYNC_WAIT_CTX *own_wait_ctx(void)\n{\n";
      out += "    return ASYNC_get_wait_ctx(ASYNC_get_current_job());\n}\n\n";
    }
    if (use_job_none_) {
      out += "/* The func of a resume and of a nested start: a job it would start returns at once. */\n";
      out += "static int job_none(void *args)\n{\n    (void)args;\n    return 0;\n}\n\n";
    }
    if (use_get_fd_) {
      out += R"C(static void do_get_fd(struct obs *o, ASYNC_WAIT_CTX *ctx, int k)
{
    OSSL_ASYNC_FD fd = -1;
    void *data = NULL;

    o->rc = ASYNC_WAIT_CTX_get_fd(ctx, key(k), &fd, &data);
    if (o->rc != 0) {
        o->extra = fd;
        o->extra2 = data == custom_data(fd);
    }
}

)C";
    }
    if (use_get_all_) {
      out += R"C(static void do_get_all_fds(struct obs *o, ASYNC_WAIT_CTX *ctx)
{
    OSSL_ASYNC_FD fds[MAX_FDS] = { 0 };
    size_t n = 0, i;

    o->rc = ASYNC_WAIT_CTX_get_all_fds(ctx, NULL, &n);
    o->extra = (long)n;
    if (o->rc != 0 && n <= MAX_FDS) {
        o->rc = ASYNC_WAIT_CTX_get_all_fds(ctx, fds, &n);
        for (i = 0; i < n && i < MAX_FDS; ++i)
            push_fd(&o->list, fds[i]);
    } else {
        o->list.n = (int)n;
    }
}

)C";
    }
    if (use_get_changed_) {
      out += R"C(static void do_get_changed_fds(struct obs *o, ASYNC_WAIT_CTX *ctx)
{
    OSSL_ASYNC_FD add[MAX_FDS] = { 0 }, del[MAX_FDS] = { 0 };
    size_t na = 0, nd = 0, i;

    o->rc = ASYNC_WAIT_CTX_get_changed_fds(ctx, NULL, &na, NULL, &nd);
    o->extra = (long)na;
    o->extra2 = (long)nd;
    if (o->rc != 0 && na <= MAX_FDS && nd <= MAX_FDS) {
        o->rc = ASYNC_WAIT_CTX_get_changed_fds(ctx, add, &na, del, &nd);
        for (i = 0; i < na && i < MAX_FDS; ++i)
            push_fd(&o->list, add[i]);
        for (i = 0; i < nd && i < MAX_FDS; ++i)
            push_fd(&o->list2, del[i]);
    } else {
        o->list.n = (int)na;
        o->list2.n = (int)nd;
    }
}

)C";
    }
    if (use_get_callback_) {
      out += R"C(static void do_get_callback(struct obs *o, ASYNC_WAIT_CTX *ctx, int w)
{
    ASYNC_callback_fn fn = NULL;
    void *arg = NULL;

    o->rc = ASYNC_WAIT_CTX_get_callback(ctx, &fn, &arg);
    o->extra = fn == wake_callback;
    o->extra2 = arg == callback_arg(w);
}

)C";
    }
    return out;
  }

  const ReproducerInput& in_;
  const Sequence& seq_;
  const Plan& plan_;

  std::vector<int> driver_obs_;             // per step: its driver observation
  std::map<std::pair<int, int>, int> body_obs_;  // (job, body index) -> observation
  int end_obs_ = -1;
  std::map<int, const Op*> starts_;         // job -> the Start that ran
  std::set<int> threads_used_;
  std::set<int> ctxs_;
  std::set<std::size_t> fallback_steps_;    // resumes that may find their handle NULL
  std::size_t current_step_ = 0;            // the step call_lines writes
  std::map<std::pair<std::string, Level>, std::string> reqs_;
  std::set<std::string> req_names_;
  const char* uncounted_req_ = "";

  bool counting_ = false;
  bool pthreads_ = false;
  bool semaphores_ = false;
  bool use_job_ref_ = false;
  bool use_current_ref_ = false;
  bool use_ctx_ref_ = false;
  bool use_own_ctx_ = false;
  bool use_job_none_ = false;
  bool use_key_ = false;
  bool use_custom_data_ = false;
  bool use_cleanup_ = false;
  bool use_wake_ = false;
  bool use_get_fd_ = false;
  bool use_get_all_ = false;
  bool use_get_changed_ = false;
  bool use_get_callback_ = false;
  bool use_args_ = false;
  bool use_unexpected_ = false;
  bool use_expect_value_ = false;
  bool use_expect_fds_ = false;
};

}  // namespace

std::string write_c_reproducer(const ReproducerInput& input) {
  if (input.sequence == nullptr || input.plan == nullptr) {
    throw std::invalid_argument("write_c_reproducer: sequence and plan must be set");
  }
  Writer writer(input);
  return writer.write();
}

}  // namespace asyncconf::harness
