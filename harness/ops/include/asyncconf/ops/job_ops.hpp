// Jobs: ASYNC_start_job (start, and resume by passing the handle back),
// ASYNC_pause_job, ASYNC_block_pause, ASYNC_unblock_pause,
// ASYNC_get_current_job, ASYNC_get_wait_ctx, and what a job body does with
// its args. The scheduler (model.cpp's run_body, report, resume_pause; the
// interpreter's fibre hand-over) owns the control flow these ops cause:
// a pause that pauses, a return that ends the body. See op_home.hpp.
#pragma once

#include <cstring>
#include <string>
#include <vector>

#include "asyncconf/ops/op_home.hpp"
#include "asyncconf/ops/pool_ops.hpp"

namespace asyncconf::harness::ops {

/// Pause, block, unblock and current_job outside any job: fine, unless it
/// is the process's first ASYNC call (OpenSSL then has no thread state).
struct OutsideJob : OpHome {
  static std::string skip(const ModelState& m, const Op&) {
    if (!m.async_used) return m.misuse(Misuse::FirstCallOutsideJob, "the process's first ASYNC call");
    return {};
  }
};

/// What ASYNC_start_job's caller sees is the same for a start and a resume.
inline constexpr OpLabels kStartLabels{
    .api = "ASYNC_start_job",
    .rc = {"returns", nullptr, Show::Start},
    .extra = InitThread::labels.extra};

struct Start : OpHome {
  static constexpr OpKind kind = OpKind::Start;
  static constexpr Req kNoJobs{"START-NO-JOBS-POOL-EMPTY", Level::Must};
  static constexpr OpLabels labels = kStartLabels;

  static std::string skip(const ModelState& m, const Op& op) {
    if (op.job < 0) return "bad job name";
    const JobM* j = m.job(op.job);
    if (j != nullptr && j->st != JobSt::Unused) return "j" + std::to_string(op.job) + " was started before";
    for (const Op& b : op.body) {
      if (!is_body_op(b.kind)) return "a driver op in the body";
    }
    if (op.ctx >= 0) {
      const CtxM* c = m.ctx(op.ctx);
      if (c == nullptr || c->st != CtxSt::Live) return "w" + std::to_string(op.ctx) + " is not live";
      if (c->user >= 0) return "w" + std::to_string(op.ctx) + " serves j" + std::to_string(c->user);
    }
    return {};
  }
  // The job takes an idle pooled job (the newest), or a new one while the
  // pool is below its maximum, or gets ASYNC_NO_JOBS; then its body runs.
  static void predict(ModelState& m, const Op& op) {
    m.async_used = true;
    ThreadM& t = m.threads[static_cast<std::size_t>(op.thread)];
    JobM& j = at(m.jobs, op.job);
    at(m.ret_var, op.job) = kRetUntouched;
    j.thread = op.thread;
    j.ctx = op.ctx;
    j.start = &op;
    if (!t.pool) {
      t.pool = true;  // ASYNC_init_thread(0, 0), unlimited
      t.max = 0;
    }
    long asked = 0;
    int slot;
    if (!t.idle.empty()) {
      slot = t.idle.back();
      t.idle.pop_back();
    } else if (t.max != 0 && static_cast<long>(t.slots.size()) >= t.max) {
      j.st = JobSt::Refused;
      Expected& e = m.expect(kind);
      m.check(e, Field::Rc, ASYNC_NO_JOBS, kNoJobs);
      m.check(e, Field::Ref, kRefNull, kNoJobs);
      m.check(e, Field::Ret, kRetUntouched, ModelState::kRetKept);
      m.check_stacks(e, kNoJobs);
      return;
    } else {
      slot = m.new_slot(op.thread);
      asked = kDefaultStack;
    }
    j.slot = slot;
    m.slots[static_cast<std::size_t>(slot)].occupant = op.job;
    if (op.ctx >= 0) m.ctxs[static_cast<std::size_t>(op.ctx)].user = op.job;
    const std::optional<long> returned = m.run_body(op.job);
    Expected& e = m.expect(kind);
    m.report(op.job, op.job, returned, e);
    if (m.cfg.counting_stacks) m.check(e, Field::Extra, asked, InitThread::kStack32k);
  }

  // The args buffer holds the arg; after the call the caller's buffer is
  // changed, so a job that reads it later sees whether it was copied.
  static void run(auto& r, const Op& op, Observation& o) {
    auto& rec = r.job(op.job);
    const long allocs_before = r.stack_allocs();
    rec.start = &op;
    rec.handle = nullptr;
    rec.ret = kRetUntouched;
    rec.arg = op.value;
    void* args = op.args == ArgsMode::Null ? nullptr : &rec.arg;
    const std::size_t size = op.args == ArgsMode::SizeZero ? 0 : sizeof rec.arg;
    o.rc = r.start(&rec, &rec.handle, op.ctx >= 0 ? r.ctx(op.ctx) : nullptr, &rec.ret, args, size);
    rec.arg = ~op.value;
    r.note_start(op.job, allocs_before, o);
  }
  static std::vector<std::string> c_call(auto& w, const Op& op, int) {
    const std::string j = std::to_string(op.job);
    const std::string args = op.args == ArgsMode::Null ? "NULL" : "&arg_j" + j;
    const std::string size = op.args == ArgsMode::SizeZero ? "0" : "sizeof arg_j" + j;
    const std::string wctx = op.ctx >= 0 ? "ctx_w" + std::to_string(op.ctx) : "NULL";
    return {"arg_j" + j + " = " + w.c_long(op.value) + ";",
            "o.rc = ASYNC_start_job(&handle_j" + j + ", " + wctx + ", &ret_j" + j + ", job_j" + j + ", " + args + ", " +
                size + ");",
            "arg_j" + j + " = ~" + w.c_operand(op.value) + "; /* the args were copied: the buffer is the caller's again */",
            "o.ref = job_ref(" + j + ", handle_j" + j + ");", "o.ret = ret_j" + j + ";"};
  }
  static unsigned c_uses(const Op&, bool) { return kUseJobRef; }
};

struct Resume : OpHome {
  static constexpr OpKind kind = OpKind::Resume;
  static constexpr Req kStale{"ROBUST-STALE-HANDLE-AFTER-FINISH", Level::Robustness};
  static constexpr Req kOtherThread{"ROBUST-RESUME-OTHER-THREAD", Level::Robustness};
  static constexpr OpLabels labels = kStartLabels;

  static std::string skip(const ModelState& m, const Op& op) {
    const JobM* j = m.job(op.job);
    if (j == nullptr) return "j" + std::to_string(op.job) + " was never started";
    switch (j->st) {
      case JobSt::Paused:
        if (j->thread != op.thread) return m.misuse(Misuse::ResumeOtherThread, "a resume on another thread");
        // Whether it goes on depends on when the device is done: await it.
        if (j->offloading) return "j" + std::to_string(op.job) + " waits on the device";
        return {};
      case JobSt::Finished:
      case JobSt::Abandoned: {
        if (j->bound_slot < 0) return "j" + std::to_string(op.job) + " has no handle";
        const SlotM& s = m.slots[static_cast<std::size_t>(j->bound_slot)];
        if (!s.alive && m.creations > s.freed_at) return "its freed job's memory may be reused";
        if (s.thread != op.thread) return "a stale handle on another thread";
        if (s.alive && s.occupant >= 0 && m.jobs[static_cast<std::size_t>(s.occupant)].offloading) {
          return "its pooled job now runs j" + std::to_string(s.occupant) + ", which waits on the device";
        }
        return m.misuse(Misuse::StaleHandle, "a stale handle");
      }
      default: return "j" + std::to_string(op.job) + " is not paused";
    }
  }
  static void predict(ModelState& m, const Op& op) {
    JobM& j = m.jobs[static_cast<std::size_t>(op.job)];
    if (j.st == JobSt::Paused && j.thread == op.thread) {
      m.resume_pause(op.job);
      const std::optional<long> returned = m.run_body(op.job);
      m.report(op.job, op.job, returned, m.expect(kind));
      return;
    }
    // Misuse: another thread's job, or a stale handle. A stale handle whose
    // pooled job now runs another paused job resumes that one.
    const SlotM* s = j.bound_slot >= 0 ? &m.slots[static_cast<std::size_t>(j.bound_slot)] : nullptr;
    const bool other_thread = j.st == JobSt::Paused;
    if (!other_thread && s != nullptr && s->alive && s->occupant >= 0 && s->thread == op.thread &&
        m.jobs[static_cast<std::size_t>(s->occupant)].st == JobSt::Paused) {
      const int target = s->occupant;
      m.resume_pause(target);
      const std::optional<long> returned = m.run_body(target);
      m.report(target, op.job, returned, m.expect(kind));
      return;
    }
    Expected& e = m.expect(kind);
    const Req& req = other_thread ? kOtherThread : kStale;
    m.check(e, Field::Rc, ASYNC_ERR, req);
    m.check(e, Field::Ref, op.job, req);
    m.check(e, Field::Ret, m.ret_var[static_cast<std::size_t>(op.job)], req);
  }

  static void run(auto& r, const Op& op, Observation& o) {
    auto& rec = r.job(op.job);
    const long allocs_before = r.stack_allocs();
    // After ASYNC_FINISH *job is NULL: passing back the handle it had is the misuse.
    if (rec.handle == nullptr) rec.handle = rec.bound;
    if (rec.handle == nullptr) {
      o.rc = -100;  // nothing to resume (only when not checking)
      return;
    }
    o.rc = r.start(nullptr, &rec.handle, nullptr, &rec.ret, nullptr, 0);
    r.note_start(op.job, allocs_before, o);
  }
  static std::vector<std::string> c_call(auto& w, const Op& op, int) {
    const std::string j = std::to_string(op.job);
    std::vector<std::string> l;
    if (w.handle_may_be_null()) {
      l.push_back("if (handle_j" + j + " == NULL) /* after ASYNC_FINISH: pass back the handle it had */");
      l.push_back("    handle_j" + j + " = bound[" + j + "];");
    }
    l.push_back("o.rc = ASYNC_start_job(&handle_j" + j + ", NULL, &ret_j" + j + ", job_none, NULL, 0);");
    l.push_back("o.ref = job_ref(" + j + ", handle_j" + j + ");");
    l.push_back("o.ret = ret_j" + j + ";");
    return l;
  }
  static unsigned c_uses(const Op&, bool) { return kUseJobRef | kUseJobNone; }
};

struct Pause : OutsideJob {
  static constexpr OpKind kind = OpKind::Pause;
  static constexpr Req kOutside{"PAUSE-OUTSIDE-JOB-RETURNS-1", Level::Must};
  static constexpr Req kBlockPrevents{"BLOCK-PREVENTS-PAUSE", Level::Must};
  static constexpr Req kBlockPerThread{"BLOCK-COUNTER-PER-THREAD", Level::DeFacto};
  static constexpr Req kNullCtx{"ROBUST-PAUSE-NULL-WAIT-CTX", Level::Robustness};
  static constexpr OpLabels labels{.api = "ASYNC_pause_job"};

  static void predict(ModelState& m, const Op&) { m.check(m.expect(kind), Field::Rc, 1, kOutside); }
  static std::string skip_in_job(const ModelState& m, const JobM& j, const ThreadM& t, const Op&) {
    if (t.blocked > 0 && j.own_blocks == 0) return m.needs(Level::DeFacto, "a block left by an earlier job");
    if (t.blocked == 0 && j.ctx < 0) return m.misuse(Misuse::NullWaitCtx, "a pause in a job with a NULL wait ctx");
    return {};
  }
  /// Whether the job pauses (the scheduler then returns to its caller).
  static bool pauses(const ModelState& m, const JobM& j, const ThreadM& t) {
    return t.blocked == 0 && (j.ctx >= 0 || m.cfg.null_ctx_pauses);
  }
  // A pause that does not pause: blocked, or (the reference) no wait ctx.
  static void predict_in_job(ModelState& m, int job, const Op&, Expected& e) {
    const JobM& j = m.jobs[static_cast<std::size_t>(job)];
    if (m.threads[static_cast<std::size_t>(j.thread)].blocked > 0) {
      m.check(e, Field::Rc, 1, j.own_blocks > 0 ? kBlockPrevents : kBlockPerThread);
    } else {
      m.check(e, Field::Rc, 0, kNullCtx);
    }
  }

  static void run(auto& r, const Op&, Observation& o) { o.rc = r.api.ASYNC_pause_job(); }
  static void run_in_job(auto& r, auto&, const Op& op, Observation& o, void*) { run(r, op, o); }
  static std::vector<std::string> c_call(auto&, const Op&, int) { return {"o.rc = ASYNC_pause_job();"}; }
};

struct Block : OutsideJob {
  static constexpr OpKind kind = OpKind::Block;
  static constexpr OpLabels labels{.api = "ASYNC_block_pause"};

  static void predict(ModelState& m, const Op&) { m.expect(kind); }
  static std::string skip_in_job(const ModelState& m, const JobM& j, const ThreadM&, const Op&) {
    if (unblocks_after(j.start->body, j.pc + 1) < j.own_blocks + 1) return m.needs(Level::DeFacto, "a block the job does not lift");
    return {};
  }
  static void predict_in_job(ModelState& m, int job, const Op&, Expected&) {
    JobM& j = m.jobs[static_cast<std::size_t>(job)];
    ++m.threads[static_cast<std::size_t>(j.thread)].blocked;
    ++j.own_blocks;
  }
  // How many unblocks follow `from` in the body before it returns.
  static int unblocks_after(const std::vector<Op>& body, std::size_t from) {
    int n = 0;
    for (std::size_t i = from; i < body.size() && body[i].kind != OpKind::Return; ++i) {
      if (body[i].kind == OpKind::Unblock) ++n;
    }
    return n;
  }

  static void run(auto& r, const Op&, Observation&) { r.api.ASYNC_block_pause(); }
  static void run_in_job(auto& r, auto&, const Op& op, Observation& o, void*) { run(r, op, o); }
  static std::vector<std::string> c_call(auto&, const Op&, int) { return {"ASYNC_block_pause();"}; }
};

struct Unblock : OutsideJob {
  static constexpr OpKind kind = OpKind::Unblock;
  static constexpr OpLabels labels{.api = "ASYNC_unblock_pause"};

  static void predict(ModelState& m, const Op&) { m.expect(kind); }
  static std::string skip_in_job(const ModelState& m, const JobM& j, const ThreadM& t, const Op&) {
    if (t.blocked == 0) return m.misuse(Misuse::UnblockBelowZero, "an unblock with no block");
    if (j.own_blocks == 0) return m.needs(Level::DeFacto, "lifting an earlier job's block");
    return {};
  }
  static void predict_in_job(ModelState& m, int job, const Op&, Expected&) {
    JobM& j = m.jobs[static_cast<std::size_t>(job)];
    ThreadM& t = m.threads[static_cast<std::size_t>(j.thread)];
    if (t.blocked > 0) --t.blocked;
    if (j.own_blocks > 0) --j.own_blocks;
  }

  static void run(auto& r, const Op&, Observation&) { r.api.ASYNC_unblock_pause(); }
  static void run_in_job(auto& r, auto&, const Op& op, Observation& o, void*) { run(r, op, o); }
  static std::vector<std::string> c_call(auto&, const Op&, int) { return {"ASYNC_unblock_pause();"}; }
};

struct CurrentJob : OutsideJob {
  static constexpr OpKind kind = OpKind::CurrentJob;
  static constexpr Req kInside{"CURRENT-INSIDE-JOB", Level::Must};
  static constexpr Req kSame{"CURRENT-MATCHES-PAUSE-HANDLE", Level::DeFacto};
  static constexpr Req kOutside{"CURRENT-OUTSIDE-JOB-NULL", Level::Must};
  static constexpr OpLabels labels{.api = "ASYNC_get_current_job",
                                   .ref = {"job", "ASYNC_get_current_job returned", Show::Job}};

  static void predict(ModelState& m, const Op&) { m.check(m.expect(kind), Field::Ref, kRefNull, kOutside); }
  static std::string skip_in_job(const ModelState&, const JobM&, const ThreadM&, const Op&) { return {}; }
  static void predict_in_job(ModelState& m, int job, const Op&, Expected& e) {
    const JobM& j = m.jobs[static_cast<std::size_t>(job)];
    const bool bound = j.bound_slot >= 0;
    m.check(e, Field::Ref, m.handle_ref(job, j.slot), bound ? kSame : kInside);
  }

  static void run(auto& r, const Op&, Observation& o) { o.ref = r.current_ref(r.api.ASYNC_get_current_job()); }
  static void run_in_job(auto& r, auto& job, const Op&, Observation& o, void*) {
    o.ref = r.job_ref(job.name, r.api.ASYNC_get_current_job());
  }
  static std::vector<std::string> c_call(auto&, const Op&, int job) {
    if (job >= 0) return {"o.ref = job_ref(" + std::to_string(job) + ", ASYNC_get_current_job());"};
    return {"o.ref = current_ref(ASYNC_get_current_job());"};
  }
  static unsigned c_uses(const Op&, bool in_job) { return in_job ? kUseJobRef : kUseCurrentRef; }
};

// ASYNC_get_wait_ctx from the driver, with the handle of a paused job: what
// an application or an engine's polling thread does to find the fds to
// wait on.
struct JobWaitCtx : OpHome {
  static constexpr OpKind kind = OpKind::JobWaitCtx;
  static constexpr Req kLookup{"WAITCTX-LOOKUP-RETURN-VALUE", Level::Must};
  static constexpr Req kOtherThread{"WAITCTX-LOOKUP-FROM-OTHER-THREAD", Level::DeFacto};
  static constexpr OpLabels labels{.api = "ASYNC_get_wait_ctx",
                                   .ref = {"wait ctx", "ASYNC_get_wait_ctx returned", Show::Ctx}};

  static std::string skip(const ModelState& m, const Op& op) {
    const JobM* j = m.job(op.job);
    if (j == nullptr || j->st != JobSt::Paused) return "j" + std::to_string(op.job) + " is not paused";
    if (j->ctx >= 0 && m.ctxs[static_cast<std::size_t>(j->ctx)].st != CtxSt::Live) return "its wait ctx was freed";
    if (j->thread != op.thread) return m.needs(Level::DeFacto, "the wait ctx of a job paused on another thread");
    return {};
  }
  static void predict(ModelState& m, const Op& op) {
    const JobM& j = m.jobs[static_cast<std::size_t>(op.job)];
    m.check(m.expect(kind), Field::Ref, j.ctx, j.thread == op.thread ? kLookup : kOtherThread);
  }

  static void run(auto& r, const Op& op, Observation& o) {
    o.ref = r.ctx_ref(r.api.ASYNC_get_wait_ctx(r.job(op.job).handle));
  }
  static std::vector<std::string> c_call(auto&, const Op& op, int) {
    return {"o.ref = ctx_ref(ASYNC_get_wait_ctx(handle_j" + std::to_string(op.job) + "));"};
  }
  static unsigned c_uses(const Op&, bool) { return kUseCtxRef; }
};

struct WaitCtx : OpHome {
  static constexpr OpKind kind = OpKind::WaitCtx;
  static constexpr Req kLookup{"WAITCTX-LOOKUP-GET", Level::Must};
  static constexpr OpLabels labels{.api = "ASYNC_get_wait_ctx",
                                   .ref = {"wait ctx", "ASYNC_get_wait_ctx returned", Show::Ctx}};

  static std::string skip_in_job(const ModelState&, const JobM&, const ThreadM&, const Op&) { return {}; }
  static void predict_in_job(ModelState& m, int job, const Op&, Expected& e) {
    m.check(e, Field::Ref, m.jobs[static_cast<std::size_t>(job)].ctx, kLookup);
  }

  static void run_in_job(auto& r, auto&, const Op&, Observation& o, void*) {
    o.ref = r.ctx_ref(r.api.ASYNC_get_wait_ctx(r.api.ASYNC_get_current_job()));
  }
  static std::vector<std::string> c_call(auto&, const Op&, int) {
    return {"o.ref = ctx_ref(ASYNC_get_wait_ctx(ASYNC_get_current_job()));"};
  }
  static unsigned c_uses(const Op&, bool) { return kUseCtxRef; }
};

struct CheckArg : OpHome {
  static constexpr OpKind kind = OpKind::CheckArg;
  static constexpr Req kCopied{"START-ARGS-COPIED", Level::Must};
  static constexpr Req kNull{"START-ARGS-NULL-OR-EMPTY-GIVES-NULL", Level::DeFacto};
  static constexpr OpLabels labels{.rc = {"returns", "the job's args pointer is", Show::Args},
                                   .extra = {"arg read", "the arg the job read is"}};

  static std::string skip_in_job(const ModelState& m, const JobM& j, const ThreadM&, const Op&) {
    if (j.start->args != ArgsMode::Copy) return m.needs(Level::DeFacto, "NULL or empty args");
    return {};
  }
  static void predict_in_job(ModelState& m, int job, const Op&, Expected& e) {
    const Op& start = *m.jobs[static_cast<std::size_t>(job)].start;
    if (start.args == ArgsMode::Copy) {
      m.check(e, Field::Rc, 1, kCopied);
      m.check(e, Field::Extra, start.value, kCopied);
    } else {
      m.check(e, Field::Rc, 0, kNull);
    }
  }

  static void run_in_job(auto&, auto&, const Op&, Observation& o, void* args) {
    o.rc = args != nullptr ? 1 : 0;
    if (args != nullptr) std::memcpy(&o.extra, args, sizeof o.extra);
  }
  static std::vector<std::string> c_call(auto&, const Op&, int) {
    return {"o.rc = args != NULL;", "if (args != NULL)", "    memcpy(&o.extra, args, sizeof o.extra);"};
  }
  static unsigned c_uses(const Op&, bool) { return kUseArgs; }
};

struct NestedStart : OpHome {
  static constexpr OpKind kind = OpKind::NestedStart;
  static constexpr Req kNested{"ROBUST-NESTED-START", Level::Robustness};
  static constexpr OpLabels labels{.api = "the nested ASYNC_start_job", .rc = {"returns", nullptr, Show::Start}};

  static std::string skip_in_job(const ModelState& m, const JobM&, const ThreadM&, const Op&) {
    return m.misuse(Misuse::NestedStart, "a nested ASYNC_start_job");
  }
  static void predict_in_job(ModelState& m, int, const Op&, Expected& e) { m.check(e, Field::Rc, ASYNC_ERR, kNested); }

  // The inner job, if one starts, returns at once.
  static void run_in_job(auto& r, auto&, const Op&, Observation& o, void*) {
    ASYNC_JOB* inner = nullptr;
    int inner_ret = 0;
    o.rc = r.start(nullptr, &inner, nullptr, &inner_ret, nullptr, 0);
  }
  static std::vector<std::string> c_call(auto&, const Op&, int) {
    return {"{", "    ASYNC_JOB *inner = NULL;", "    int inner_ret = 0;",
            "    o.rc = ASYNC_start_job(&inner, NULL, &inner_ret, job_none, NULL, 0);", "}"};
  }
  static unsigned c_uses(const Op&, bool) { return kUseJobNone; }
};

/// The body's end: the scheduler returns its value from the job function.
struct Return : OpHome {
  static constexpr OpKind kind = OpKind::Return;
  static std::string skip_in_job(const ModelState&, const JobM&, const ThreadM&, const Op&) { return {}; }
  static void predict_in_job(ModelState&, int, const Op&, Expected&) {}
  static void run_in_job(auto&, auto&, const Op&, Observation&, void*) {}
  static std::vector<std::string> c_call(auto&, const Op&, int) { return {}; }
};

}  // namespace asyncconf::harness::ops
