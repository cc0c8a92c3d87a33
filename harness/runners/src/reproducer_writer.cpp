// The C reproducer writer: the program for one plan. It writes what depends
// on the plan (the objects the sequence names, the requirements and
// predictions, a function per job, the steps on their threads) and copies
// the parts of the fixed runtime (reproducer/runtime.c) the program uses.
#include "reproducer_writer.hpp"

#include <openssl/async.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdio>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "asyncconf/harness/sequence_text.hpp"
#include "asyncconf/ops/all_ops.hpp"
#include "c_text.hpp"
#include "reproducer_fields.hpp"
#include "reproducer_runtime.hpp"

namespace asyncconf::harness::repro {

namespace {

using c_text::c_long;
using c_text::c_operand;
using c_text::c_string;
using c_text::c_string_lines;
using c_text::comment_safe;
using c_text::wrap;

class Writer {
 public:
  explicit Writer(const ReproducerInput& in) : in_(in), seq_(*in.sequence), plan_(*in.plan) {}

  std::string write() {
    index_observations();
    find_fallback_resumes();
    scan();
    // The parts that use helpers first, so that only the runtime parts they
    // use are written (unused static functions are warnings).
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
    driver_obs_.assign(plan_.steps.size(), {});
    for (std::size_t i = 0; i < plan_.expected.size(); ++i) {
      const Observation& w = plan_.expected[i].want;
      if (w.end) {
        end_obs_ = static_cast<int>(i);
      } else if (w.job >= 0 && w.body_index >= 0) {
        body_obs_[{w.job, w.body_index}] = static_cast<int>(i);
      } else if (w.step >= 0 && static_cast<std::size_t>(w.step) < driver_obs_.size()) {
        driver_obs_[static_cast<std::size_t>(w.step)].push_back(static_cast<int>(i));
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
    for (const Step& st : plan_.steps) {
      const Op& op = *st.op;
      if (op.ctx >= 0 && (op.kind == OpKind::Start || op.kind == OpKind::WaitCtxNew || op.kind == OpKind::WaitCtxFree ||
                          is_wait_ctx_op(op.kind))) {
        ctxs_.insert(op.ctx);
      }
      uses_ |= c_uses(op, false);
    }
    for (const auto& [job, start] : starts_) {
      for (std::size_t pc = 0; pc < start->body.size(); ++pc) {
        if (plan_.body_op_skipped(job, pc)) continue;
        const Op& b = start->body[pc];
        if (b.kind == OpKind::Return) break;
        uses_ |= c_uses(b, true) & ~ops::kUseArgs;  // args: per job function
      }
    }
    counting_ = plan_.config.counting_stacks;
    // As in the interpreter, every thread of the plan (t0 too) exits at the
    // end, and what its exit frees is part of what is reproduced.
    pthreads_ = threads_used_.size() > 1 || (plan_.config.thread_exits && !plan_.steps.empty()) ||
                uses(ops::kUseDevice);
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
    if (job >= 0) use_args_ = use_args_ || (c_uses(op, true) & ops::kUseArgs) != 0;
    return ops::visit(op.kind, [&]<class H>(H) { return H::c_call(*this, op, job); });
  }

 public:
  // --- what the ops' homes call (harness/ops/) -------------------------------------

  static std::string c_long(long v) { return c_text::c_long(v); }
  static std::string c_operand(long v) { return c_text::c_operand(v); }
  static std::string c_value(Show s, long v) { return repro::c_value(s, v); }
  /// The resume being written may find its handle variable NULL.
  bool handle_may_be_null() const { return fallback_steps_.count(current_step_) != 0; }

 private:
  static unsigned c_uses(const Op& op, bool in_job) {
    return ops::visit(op.kind, [&]<class H>(H) { return H::c_uses(op, in_job); });
  }
  bool uses(unsigned u) const { return (uses_ & u) != 0; }

  // The resumes whose handle variable may be NULL by then (its last start
  // or resume gave ASYNC_FINISH or ASYNC_NO_JOBS): a misuse resume, which
  // passes back the handle the job had, as the interpreter does. In plan order.
  void find_fallback_resumes() {
    std::set<int> maybe_null;
    for (std::size_t s = 0; s < plan_.steps.size(); ++s) {
      const Op& op = *plan_.steps[s].op;
      if (op.kind != OpKind::Start && op.kind != OpKind::Resume) continue;
      if (op.kind == OpKind::Resume && maybe_null.count(op.job) != 0) fallback_steps_.insert(s);
      if (driver_obs_[s].empty()) continue;
      const Expected& e = plan_.expected[static_cast<std::size_t>(driver_obs_[s].back())];
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
    // An op that observes twice (await: the wake-up, then the resume)
    // marks where its first observation is made.
    const std::vector<int>& ks = driver_obs_[s];
    std::size_t made = 0;
    for (const std::string& line : call_lines(op, -1)) {
      if (line != ops::kObserveHere) {
        out += ind + line + "\n";
      } else if (made + 1 < ks.size()) {
        emit_observation(out, ind, ks[made++]);
        out += ind + "begin_call(&o);\n";
      }
    }
    if (made < ks.size()) {
      emit_observation(out, ind, ks.back());
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
      out += runtime_part("turns");
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
    out += runtime_part("start_thread");
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

  // --- the header comment, and the runtime's parts in between the plan's text ----------

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
         "(exit status " + std::to_string(kReproducerViolation) + "), or \"no violation: ...\" (exit status 0).",
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
    std::string out;
    if (uses(ops::kUseDevice | ops::kUseAwait)) out += runtime_part("feature_macros");
    out += runtime_part("includes");
    if (pthreads_) out += runtime_part("includes.pthread");
    if (semaphores_) out += runtime_part("includes.semaphore");
    if (uses(ops::kUseDevice | ops::kUseAwait)) out += runtime_part("includes.device");
    out += runtime_part("includes.libc");
    if (counting_) out += runtime_part("mem_functions");
    return out;
  }

  // The values the runtime shares with the harness, from the harness's own
  // constants (runtime.c #errors without them).
  static std::string constants() {
    char untouched[16];
    std::snprintf(untouched, sizeof untouched, "%#x", static_cast<unsigned>(kRetUntouched));
    std::string out;
    out += c_text::c_define("MAX_FDS", std::to_string(kMaxFdsPerCtx), "an observed fd list holds at most this many");
    out += c_text::c_define("MAX_KEYS", std::to_string(kMaxKeys), "wait-fd keys are 0..MAX_KEYS-1");
    out += c_text::c_define("REF_NULL", "(" + c_long(kRefNull) + "L)", "a pointer that was NULL");
    out += c_text::c_define("REF_UNKNOWN", "(" + c_long(kRefUnknown) + "L)", "a pointer that names nothing the sequence made");
    out += c_text::c_define("RET_UNTOUCHED", untouched, "*ret until ASYNC_start_job writes it");
    out += c_text::c_define("EXIT_VIOLATION", std::to_string(kReproducerViolation), "the exit status after a violation");
    out += c_text::c_define("EXIT_SETUP_FAILED", std::to_string(kReproducerSetupFailed), "the exit status when setup fails");
    return out + "\n";
  }
  // The device's, when the plan offloads (push_fd names its fds by them).
  std::string device_constants() const {
    if (!plan_.config.device) return {};
    return c_text::c_define("DEVICE_FD_FLOOR", std::to_string(kDeviceFdFloor), "the device's fds are numbered from here up") +
           c_text::c_define("DEVICE_FD", "(" + std::to_string(kDeviceFd) + ")", "how an fd list shows one of them") +
           c_text::c_define("OFFLOAD_RESULT", std::to_string(ops::Offload::kResult) + "L", "what the device's work returns") +
           "\n";
  }

  std::string basics() const {
    std::string out = constants() + device_constants();
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
    if (uses(ops::kUseJobRef | ops::kUseCurrentRef)) {
      const std::string n = std::to_string(std::max(plan_.jobs, 1));
      out += "/* Handles are named as the harness names them: each job is bound to the\n"
             " * first handle seen for it, and a handle names the last job bound to it. */\n";
      if (uses(ops::kUseJobRef)) out += "static ASYNC_JOB *bound[" + n + "];         /* the handle each job was bound to */\n";
      out += "static ASYNC_JOB *binding_handle[" + n + "];\n";
      out += "static int binding_job[" + n + "];\n";
      out += "static int bindings;\n\n";
    }
    if (counting_) out += runtime_part("counting_allocator");
    if (uses(ops::kUseCleanup | ops::kUseKey | ops::kUseCustomData | ops::kUseWake)) out += runtime_part("wait_fds");
    if (uses(ops::kUseCleanup)) out += runtime_part("cleanup_recorder");
    if (uses(ops::kUseKey)) out += runtime_part("keys");
    if (uses(ops::kUseCustomData)) out += runtime_part("custom_data");
    if (uses(ops::kUseWake | ops::kUseDevice | ops::kUseAwait)) out += runtime_part("wakes");
    if (uses(ops::kUseWake)) out += runtime_part("callback");
    return out;
  }

  std::string requirements_section() {
    std::string out{runtime_part("levels")};
    out += std::string("static const enum level checked_level = ") + level_enum(plan_.config.level) + ";\n";
    out += runtime_part("keep_going");
    out += std::string("static const int keep_going = ") + (in_.keep_going ? "1" : "0") + ";\n";
    out += runtime_part("requirement");
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
    out += runtime_part("prediction");
    out += "#define N_OBS " + std::to_string(plan_.expected.size()) + "\n";
    out += "static const struct prediction predicted[N_OBS] = {\n";
    out += table;
    out += "};\n\n";
    return out;
  }

  std::string reporting_section() const {
    std::string out{runtime_part("observations")};
    if (use_push()) out += runtime_part("push_fd");
    out += runtime_part("begin_call");
    if (uses(ops::kUseCleanup)) out += runtime_part("begin_call.cleanups");
    if (counting_) out += runtime_part("begin_call.stacks");
    out += runtime_part("end_call");
    if (uses(ops::kUseCleanup)) out += runtime_part("end_call.cleanups");
    if (counting_) out += runtime_part("end_call.stacks");
    if (!uses(ops::kUseCleanup) && !counting_) out += runtime_part("end_call.nothing");
    out += runtime_part("difference");
    if (use_unexpected_) out += runtime_part("unexpected");
    if (use_expect_value_) out += runtime_part("expect_value");
    if (use_expect_fds_) out += runtime_part("expect_fds");
    out += runtime_part("no_violation");
    return out;
  }

  bool use_push() const { return uses(ops::kUseCleanup | ops::kUseGetAll | ops::kUseGetChanged) || use_expect_fds_; }

  std::string helpers_section() const {
    std::string out;
    bool any = uses(ops::kUseJobRef | ops::kUseCurrentRef | ops::kUseCtxRef | ops::kUseOwnCtx | ops::kUseGetFd | ops::kUseGetAll |
                    ops::kUseGetChanged | ops::kUseGetCallback | ops::kUseJobNone | ops::kUseDevice | ops::kUseAwait);
    if (!any) return out;
    out += runtime_part("helpers");
    if (uses(ops::kUseJobRef)) out += runtime_part("job_ref");
    if (uses(ops::kUseCurrentRef)) out += runtime_part("current_ref");
    if (uses(ops::kUseCtxRef)) {
      out += "/* The name of a wait ctx. */\nstatic long ctx_ref(const ASYNC_WAIT_CTX *p)\n{\n";
      out += "    if (p == NULL)\n        return REF_NULL;\n";
      for (const int w : ctxs_) {
        out += "    if (p == ctx_w" + std::to_string(w) + ")\n        return " + std::to_string(w) + ";\n";
      }
      out += "    return REF_UNKNOWN;\n}\n\n";
    }
    if (uses(ops::kUseOwnCtx)) out += runtime_part("own_wait_ctx");
    if (uses(ops::kUseJobNone)) out += runtime_part("job_none");
    if (uses(ops::kUseGetFd)) out += runtime_part("do_get_fd");
    if (uses(ops::kUseGetAll)) out += runtime_part("do_get_all_fds");
    if (uses(ops::kUseGetChanged)) out += runtime_part("do_get_changed_fds");
    if (uses(ops::kUseGetCallback)) out += runtime_part("do_get_callback");
    if (uses(ops::kUseDevice)) out += runtime_part("device");
    if (uses(ops::kUseAwait)) out += runtime_part("await");
    return out;
  }

  const ReproducerInput& in_;
  const Sequence& seq_;
  const Plan& plan_;

  std::vector<std::vector<int>> driver_obs_;  // per step: its driver observations
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
  unsigned uses_ = 0;                      // ops::CUse bits
  bool use_args_ = false;
  bool use_unexpected_ = false;
  bool use_expect_value_ = false;
  bool use_expect_fds_ = false;
};

}  // namespace

std::string write_program(const ReproducerInput& input) { return Writer(input).write(); }

}  // namespace asyncconf::harness::repro
