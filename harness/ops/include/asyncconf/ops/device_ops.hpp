// The simulated offload device (fake_accel/): a body hands work to it and
// pauses until it is done, the way an engine or provider does; the driver
// waits for the device's wake-up the way applications do, then resumes.
// The helper a body runs is fake_accel's offload(): it registers the
// device's wait fd in the job's ctx under the device's own key (or, with a
// callback set on the ctx, sets the status to ASYNC_STATUS_OK and lets the
// device call it), submits, and pauses until the result is in, tolerating
// early resumes. See op_home.hpp.
#pragma once

#include <string>
#include <vector>

#include "asyncconf/ops/job_ops.hpp"
#include "asyncconf/ops/op_home.hpp"
#include "asyncconf/ops/wait_ctx_ops.hpp"

namespace asyncconf::harness::ops {

struct Offload : OpHome {
  static constexpr OpKind kind = OpKind::Offload;
  /// What the device's work returns: the job got its own result back.
  static constexpr long kResult = 0x0ff1;
  static constexpr Req kNoCtx = WaitCtx::kLookup;  // no wait ctx: the helper does the work itself
  static constexpr OpLabels labels{
      .api = "the offload (submit, pause until done)",
      .rc = {"status", "the offload's status (0 ok, 1 device error, 4 timeout) is"},
      .extra = {"result", "the work's result is"},
      .extra2 = {"done or failed visibly", "it returned its result or a device failure:", Show::YesNo}};

  static std::string skip_in_job(const ModelState& m, const JobM& j, const ThreadM& t, const Op&) {
    if (!m.cfg.device) return "no device is attached";
    if (t.blocked > 0 && j.own_blocks == 0) return m.needs(Level::DeFacto, "a block left by an earlier job");
    if (j.ctx >= 0 && !via_callback(m, j)) {
      const CtxM& c = m.ctxs[static_cast<std::size_t>(j.ctx)];
      if (c.newest_live(kDeviceKey) == nullptr && c.live_count() >= static_cast<std::size_t>(kMaxFdsPerCtx)) {
        return "the ctx holds the most fds a sequence may set";
      }
    }
    return {};
  }
  /// Whether the job waits for the device (the scheduler then returns to
  /// its caller): not under a block (its pauses return at once, and it
  /// spins), and not without a wait ctx (the helper does the work itself).
  static bool pauses(const JobM& j, const ThreadM& t) { return t.blocked == 0 && j.ctx >= 0; }
  /// The job waits: its wake is registered, and only the device's wake-up
  /// lets it go on (Await).
  static void submit(ModelState& m, JobM& j) {
    j.offloading = true;
    j.offload_callback = via_callback(m, j);
    register_wake(m, j);
  }
  static void predict_in_job(ModelState& m, int job, const Op&, Expected& e) {
    const JobM& j = m.jobs[static_cast<std::size_t>(job)];
    if (j.ctx >= 0) register_wake(m, j);
    check_outcome(m, e, j.ctx >= 0 ? Pause::kBlockPrevents : kNoCtx);
  }
  /// The observation it makes when it returns, after the wait (the
  /// scheduler's resume_pause).
  static void predict_done(ModelState& m, JobM& j, Expected& e) {
    j.offloading = false;
    check_outcome(m, e, ModelState::kResumeContinues);
  }
  /// The job got its own result back; with a misbehaving device, it got
  /// its result or a failure it can see (never a wrong value, never none).
  static void check_outcome(ModelState& m, Expected& e, const Req& req) {
    m.check(e, Field::Extra2, 1, req);
    if (m.cfg.device_faults) return;
    m.check(e, Field::Rc, 0, req);
    m.check(e, Field::Extra, kResult, req);
  }
  /// What the interpreter records in extra2: whether the outcome is one the
  /// job can act on (status as OffloadResult::Status: 0 ok, 1 device error,
  /// 4 timeout).
  static long visible(long status, long value) {
    return (status == 0 && value == kResult) || status == 1 || status == 4 ? 1 : 0;
  }

  static void run_in_job(auto& r, auto& job, const Op&, Observation& o, void*) { r.offload(job, o); }
  static std::vector<std::string> c_call(auto&, const Op&, int) { return {"offload_in_job(&o);"}; }
  static unsigned c_uses(const Op&, bool) { return kUseDevice; }

 private:
  static bool via_callback(const ModelState& m, const JobM& j) {
    return m.cfg.callbacks && j.ctx >= 0 && m.ctxs[static_cast<std::size_t>(j.ctx)].callback;
  }
  // What the helper leaves in the ctx before it waits: the device's fd, set
  // once per ctx, or the status a callback's caller reads.
  static void register_wake(ModelState& m, const JobM& j) {
    CtxM& c = m.ctxs[static_cast<std::size_t>(j.ctx)];
    if (via_callback(m, j)) {
      c.status = ASYNC_STATUS_OK;
    } else if (c.newest_live(kDeviceKey) == nullptr) {
      c.entries.push_back({kDeviceKey, kDeviceFd, true, false});
    }
  }
};

/// The driver waits for the device to wake a job paused in an offload, as
/// the Wakeup operand says, and resumes it until it goes on (a resume
/// before the result is in pauses it again): what it then shows is what a
/// resume shows.
struct Await : OpHome {
  static constexpr OpKind kind = OpKind::Await;
  /// Two observations: first the wake-up (extra2: woken, 1; not within
  /// 10 s, 0; no device fd listed for the ctx, -1), then what the resume
  /// shows.
  static constexpr OpLabels labels{.api = "ASYNC_start_job",
                                   .rc = kStartLabels.rc,
                                   .extra = kStartLabels.extra,
                                   .extra2 = {"woken", "the device's wake-up came (1; 0: not in 10 s; -1: no fd listed):"}};
  static constexpr Req kListed = GetAllFds::kAll;          // select and epoll wait on the fds the ctx lists
  static constexpr Req kCallback = GetCallback::kGet;      // the helper calls the callback the ctx gives it
  static constexpr Req kBusy = ModelState::kResumeContinues;

  static std::string skip(const ModelState& m, const Op& op) {
    const JobM* j = m.job(op.job);
    if (j == nullptr || j->st != JobSt::Paused || !j->offloading) {
      return "j" + std::to_string(op.job) + " does not wait on the device";
    }
    if (j->thread != op.thread) return "j" + std::to_string(op.job) + " waits on another thread";
    const auto how = static_cast<Wakeup>(op.value);
    if (how == Wakeup::Callback && !j->offload_callback) return "its wake-up is the device's fd, not a callback";
    if ((how == Wakeup::Select || how == Wakeup::Epoll) && j->offload_callback) {
      return "its wake-up is the ctx's callback: no fd to wait on";
    }
    return {};
  }
  static void predict(ModelState& m, const Op& op) {
    const auto how = static_cast<Wakeup>(op.value);
    m.check(m.expect(kind), Field::Extra2, 1,
            how == Wakeup::Callback ? kCallback : how == Wakeup::Busy ? kBusy : kListed);
    m.resume_pause(op.job);
    const std::optional<long> returned = m.run_body(op.job);
    m.report(op.job, op.job, returned, m.expect(kind));
  }

  static void run(auto& r, const Op& op, Observation& o) { r.await_device(op.job, static_cast<Wakeup>(op.value), o); }
  static std::vector<std::string> c_call(auto&, const Op& op, int) {
    const std::string j = std::to_string(op.job);
    const std::string how = std::to_string(op.value);
    return {"o.extra2 = await_wake(handle_j" + j + ", " + how + ");", kObserveHere,
            "o.rc = await_resume(&handle_j" + j + ", &ret_j" + j + ", " + how + ");",
            "o.ref = job_ref(" + j + ", handle_j" + j + ");", "o.ret = ret_j" + j + ";"};
  }
  static unsigned c_uses(const Op&, bool) { return kUseJobRef | kUseJobNone | kUseAwait; }
};

}  // namespace asyncconf::harness::ops
