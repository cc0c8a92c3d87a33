// The model's scheduler: it decides which ops run, runs the job bodies to
// their pauses and returns, appends the teardown, and asks each op's home
// (harness/ops/) for its rule. Each predicted field names the requirement
// of conformance/requirements/requirements.json that fixes it (a
// conformance test checks that every id cited exists there with the same
// level). Where the man pages are silent the rules are OpenSSL's (the
// catalogue's de-facto entries), and misuse is answered as the reference
// does (reference_impl/README.md, "Deliberate differences").
#include "asyncconf/harness/model.hpp"

#include <openssl/async.h>

#include <algorithm>
#include <array>
#include <optional>
#include <utility>

#include "asyncconf/harness/model_state.hpp"
#include "asyncconf/ops/all_ops.hpp"

namespace asyncconf::harness {

namespace {

// The sequence end: every thread exited, every pool freed with it.
constexpr Req kLeakAtExit{"LEAK-AUTO-CLEANUP-AT-THREAD-EXIT", Level::Must};

constexpr std::array<const char*, kMisuseCount> kMisuseNames{
    "nested-start",   "null-wait-ctx",      "stale-handle", "resume-other-thread", "cleanup-with-paused-jobs",
    "cleanup-in-job", "unblock-below-zero", "init-twice",   "first-call-outside-job", "null-ctx-argument"};

}  // namespace

const char* to_string(Misuse m) noexcept { return kMisuseNames[static_cast<std::size_t>(m)]; }

std::optional<Misuse> misuse_from_string(const std::string& text) noexcept {
  for (int i = 0; i < kMisuseCount; ++i) {
    if (text == kMisuseNames[static_cast<std::size_t>(i)]) return static_cast<Misuse>(i);
  }
  return std::nullopt;
}

std::string misuse_names(std::uint32_t bits) {
  std::string out;
  for (int i = 0; i < kMisuseCount; ++i) {
    if ((bits & (1u << i)) == 0) continue;
    if (!out.empty()) out += ", ";
    out += kMisuseNames[static_cast<std::size_t>(i)];
  }
  return out.empty() ? "none" : out;
}


// --- the wait ctx ------------------------------------------------------------

Entry* CtxM::newest_live(int key) {
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    if (!it->deleted && it->key == key) return &*it;
  }
  return nullptr;
}
const Entry* CtxM::newest_live(int key) const { return const_cast<CtxM*>(this)->newest_live(key); }

std::size_t CtxM::live_count() const {
  return static_cast<std::size_t>(std::count_if(entries.begin(), entries.end(), [](const Entry& e) { return !e.deleted; }));
}

FdList CtxM::live_fds_newest_first() const {
  FdList list;
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    if (!it->deleted) list.push(it->fd);
  }
  return list;
}

void CtxM::reset_counts() {
  std::erase_if(entries, [](const Entry& e) { return e.deleted; });
  for (Entry& e : entries) e.added = false;
  reset_or_deleted = true;
}

// --- levels and predictions ----------------------------------------------------

std::string ModelState::needs(Level level, const char* why) const {
  if (allows(level)) return {};
  return std::string(why) + " (defined at level " + to_string(level) + ")";
}

std::string ModelState::misuse(Misuse m, const char* why) const {
  if (!allows(Level::Robustness)) return needs(Level::Robustness, why);
  if ((cfg.misuse & misuse_bit(m)) == 0) return std::string(why) + " (misuse " + to_string(m) + " not allowed)";
  committing |= misuse_bit(m);
  return {};
}

Expected& ModelState::expect(OpKind op, int job, int body_index) {
  Expected& e = plan.expected.emplace_back();  // in place: an Expected is some 500 bytes
  e.want.step = step;
  e.want.op = op;
  e.want.job = job;
  e.want.body_index = body_index;
  return e;
}

// After a misuse, what follows is its consequence: robustness, whatever
// rule it breaks.
Level ModelState::level_of(const Req& req) const {
  return plan.misuse != 0 ? std::max(req.level, Level::Robustness) : req.level;
}

void ModelState::check(Expected& e, Field f, long value, Req req) const {
  switch (f) {
    case Field::Rc: e.want.rc = value; break;
    case Field::Ref: e.want.ref = value; break;
    case Field::Ret: e.want.ret = static_cast<int>(value); break;
    case Field::Extra: e.want.extra = value; break;
    case Field::Extra2: e.want.extra2 = value; break;
    case Field::Cleanups: e.want.cleanups = value; break;
    case Field::Stacks: e.want.stacks = value; break;
    case Field::Heap: e.want.heap = value; break;
    case Field::Fds: e.want.fds = value; break;
    case Field::List:
    case Field::List2: break;
  }
  e.check(f).requirement = req.id;
  e.check(f).level = level_of(req);
}

void ModelState::check_list(Expected& e, Field f, const FdList& list, Req req, const Req* order) const {
  (f == Field::List ? e.want.list : e.want.list2) = list;
  e.check(f).requirement = req.id;
  e.check(f).level = level_of(req);
  if (order != nullptr) {
    e.check(f).order_requirement = order->id;
    e.check(f).order_level = level_of(*order);
  }
}

void ModelState::check_stacks(Expected& e, Req req) const {
  if (cfg.counting_stacks) check(e, Field::Stacks, stacks, req);
}

// --- names and the pool ---------------------------------------------------------

const JobM* ModelState::job(int n) const {
  return n >= 0 && static_cast<std::size_t>(n) < jobs.size() ? &jobs[static_cast<std::size_t>(n)] : nullptr;
}
const CtxM* ModelState::ctx(int n) const {
  return n >= 0 && static_cast<std::size_t>(n) < ctxs.size() ? &ctxs[static_cast<std::size_t>(n)] : nullptr;
}
CtxM* ModelState::ctx(int n) { return const_cast<CtxM*>(std::as_const(*this).ctx(n)); }

long ModelState::handle_ref(int job, int slot) {
  JobM& j = jobs[static_cast<std::size_t>(job)];
  if (j.bound_slot < 0) {
    j.bound_slot = slot;
    slots[static_cast<std::size_t>(slot)].bound_job = job;
    return job;
  }
  if (j.bound_slot == slot) return job;
  const int other = slots[static_cast<std::size_t>(slot)].bound_job;
  return other >= 0 ? other : kRefUnknown;
}

int ModelState::new_slot(int thread) {
  SlotM s;
  s.thread = thread;
  slots.push_back(s);
  ++stacks;
  ++creations;
  stack_ever = true;
  const int id = static_cast<int>(slots.size()) - 1;
  threads[static_cast<std::size_t>(thread)].slots.push_back(id);
  return id;
}

void ModelState::free_slot(int id) {
  SlotM& s = slots[static_cast<std::size_t>(id)];
  s.alive = false;
  s.freed_at = creations;
  --stacks;
}

void ModelState::free_idle(ThreadM& t) {
  for (int id : t.idle) {
    free_slot(id);
    t.slots.erase(std::find(t.slots.begin(), t.slots.end(), id));
  }
  t.idle.clear();
}

// --- job bodies -------------------------------------------------------------------

void ModelState::skip_body(int job, std::size_t pc) {
  auto& flags = at(plan.body_skipped, job);
  if (flags.size() <= pc) flags.resize(pc + 1, 0);
  flags[pc] = 1;
}

std::string ModelState::body_skip_reason(const JobM& j, const ThreadM& t, const Op& op) const {
  return ops::visit(op.kind, [&]<class H>(H) -> std::string {
    if constexpr (op_schema(H::kind).body()) {
      return H::skip_in_job(*this, j, t, op);
    } else {
      return "not a body op";
    }
  });
}

std::optional<long> ModelState::run_body(int jn) {
  JobM& j = jobs[static_cast<std::size_t>(jn)];
  ThreadM& t = threads[static_cast<std::size_t>(j.thread)];
  const std::vector<Op>& body = j.start->body;
  t.current = jn;
  j.st = JobSt::Running;
  for (; j.pc < body.size(); ++j.pc) {
    const Op& op = body[j.pc];
    const int at_pc = static_cast<int>(j.pc);
    committing = 0;
    const std::string why = body_skip_reason(j, t, op);
    if (!why.empty()) {
      skip_body(jn, j.pc);
      continue;
    }
    plan.misuse |= committing;
    if (op.kind == OpKind::Return) {
      j.pc = body.size();
      return op.value;
    }
    if (body_pauses(j, t, op)) {
      if (op.kind == OpKind::Offload) ops::Offload::submit(*this, j);
      j.st = JobSt::Paused;
      t.current = -1;
      ++j.pc;  // its observation is made when it returns, at the resume
      return std::nullopt;
    }
    Expected& e = expect(op.kind, jn, at_pc);
    ops::visit(op.kind, [&]<class H>(H) {
      if constexpr (op_schema(H::kind).body()) H::predict_in_job(*this, jn, op, e);
    });
  }
  return 0;
}

void ModelState::report(int jn, int job_op, std::optional<long> returned, Expected& e) {
  JobM& j = jobs[static_cast<std::size_t>(jn)];
  ThreadM& t = threads[static_cast<std::size_t>(j.thread)];
  if (!returned) {
    check(e, Field::Rc, ASYNC_PAUSE, kPauseResult);
    check(e, Field::Ref, handle_ref(job_op, j.slot), kPauseHandle);
    check(e, Field::Ret, ret_var[static_cast<std::size_t>(job_op)], kRetKept);
  } else {
    j.st = JobSt::Finished;
    t.current = -1;
    SlotM& s = slots[static_cast<std::size_t>(j.slot)];
    s.occupant = -1;
    if (s.alive) t.idle.push_back(j.slot);
    if (j.ctx >= 0) ctxs[static_cast<std::size_t>(j.ctx)].user = -1;
    ret_var[static_cast<std::size_t>(job_op)] = static_cast<int>(*returned);
    check(e, Field::Rc, ASYNC_FINISH, kStartValues);
    check(e, Field::Ref, kRefNull, kFinishNull);
    check(e, Field::Ret, static_cast<int>(*returned), kFinishRet);
  }
  check_stacks(e, kPoolReuse);
}

bool ModelState::body_pauses(const JobM& j, const ThreadM& t, const Op& op) const {
  if (op.kind == OpKind::Pause) return ops::Pause::pauses(*this, j, t);
  if (op.kind == OpKind::Offload) return ops::Offload::pauses(j, t);
  return false;
}

void ModelState::resume_pause(int jn) {
  JobM& j = jobs[static_cast<std::size_t>(jn)];
  if (j.ctx >= 0) ctxs[static_cast<std::size_t>(j.ctx)].reset_counts();
  const int pc = static_cast<int>(j.pc) - 1;
  const OpKind paused_in = j.start->body[static_cast<std::size_t>(pc)].kind;
  Expected& e = expect(paused_in, jn, pc);
  if (paused_in == OpKind::Offload) {
    ops::Offload::predict_done(*this, j, e);
  } else {
    check(e, Field::Rc, 1, kResumeContinues);
  }
}

// --- driver ops ---------------------------------------------------------------------

std::string ModelState::skip_reason(const Op& op) const {
  if (op.thread < 0 || op.thread >= kMaxThreads) return "thread out of range";
  return ops::visit(op.kind, [&]<class H>(H) -> std::string {
    if constexpr (op_schema(H::kind).driver()) {
      return H::skip(*this, op);
    } else {
      return "not a driver op";
    }
  });
}

void ModelState::apply(const Op& op, int op_index) {
  if (op_index >= 0) at(plan.step_of_op, op_index) = -1;
  committing = 0;
  const std::string why = skip_reason(op);
  if (!why.empty()) {
    if (op_index >= 0) plan.skipped.push_back({op_index, why});
    return;
  }
  plan.misuse |= committing;
  Step st;
  st.op = &op;
  st.op_index = op_index;
  st.thread = op.thread;
  plan.threads = std::max(plan.threads, op.thread + 1);
  if (op.job >= 0) plan.jobs = std::max(plan.jobs, op.job + 1);
  if (op.ctx >= 0) plan.ctxs = std::max(plan.ctxs, op.ctx + 1);
  step = static_cast<int>(plan.steps.size());
  if (op_index >= 0) plan.step_of_op[static_cast<std::size_t>(op_index)] = step;
  if (op.kind == OpKind::Start) st.body = &op.body;
  if (op.kind == OpKind::Resume) st.body = jobs[static_cast<std::size_t>(op.job)].start != nullptr
                                               ? &jobs[static_cast<std::size_t>(op.job)].start->body
                                               : nullptr;
  plan.steps.push_back(st);
  ops::visit(op.kind, [&]<class H>(H) {
    if constexpr (op_schema(H::kind).driver()) H::predict(*this, op);
  });
}

// --- the end ---------------------------------------------------------------------------

void ModelState::teardown() {
  // Resume every paused job to its end, on its own thread.
  for (std::size_t n = 0; n < jobs.size(); ++n) {
    while (jobs[n].st == JobSt::Paused) {
      Op& resume = plan.teardown.emplace_back();
      // A job waiting on the device goes on once the device has woken it.
      if (jobs[n].offloading) {
        resume.kind = OpKind::Await;
        resume.value = static_cast<long>(Wakeup::Busy);
      } else {
        resume.kind = OpKind::Resume;
      }
      resume.job = static_cast<int>(n);
      resume.thread = jobs[n].thread;
      apply(resume, -1);
    }
  }
  for (std::size_t n = 0; n < ctxs.size(); ++n) {
    if (ctxs[n].st != CtxSt::Live) continue;
    Op& free = plan.teardown.emplace_back();
    free.kind = OpKind::WaitCtxFree;
    free.ctx = static_cast<int>(n);
    apply(free, -1);
  }
  if (!cfg.thread_exits) {
    // The same threads run the next plan: reset their state.
    std::array<bool, kMaxThreads> used{};
    used[0] = true;
    for (const Step& st : plan.steps) used[static_cast<std::size_t>(st.thread)] = true;
    for (int t = 0; t < kMaxThreads; ++t) {
      if (!used[static_cast<std::size_t>(t)]) continue;
      Op& cleanup = plan.teardown.emplace_back();
      cleanup.kind = OpKind::CleanupThread;
      cleanup.thread = t;
      apply(cleanup, -1);
    }
  }
  // Every thread exits: every pool is freed with it.
  step = static_cast<int>(plan.steps.size());
  Expected& e = expect(OpKind::CleanupThread);
  e.want.end = true;
  // A leak after a misuse is that misuse's (the reference frees everything).
  const Req& leak = (plan.misuse & misuse_bit(Misuse::CleanupWithPausedJobs)) != 0 ? ops::CleanupThread::kPaused
                    : (plan.misuse & misuse_bit(Misuse::InitTwice)) != 0        ? ops::InitThread::kTwice
                                                                                 : kLeakAtExit;
  if (cfg.counting_stacks) check(e, Field::Stacks, 0, cfg.thread_exits ? leak : ops::CleanupThread::kFrees);
  if (cfg.thread_exits) {
    if (cfg.counting_heap && !cfg.device) check(e, Field::Heap, 0, leak);
    check(e, Field::Fds, 0, leak);
  }
}

struct Model::State : ModelState {};

Model::Model(const ModelConfig& config) : s_(std::make_unique<State>()) {
  s_->cfg = config;
  s_->plan.config = config;
  s_->stack_ever = !config.fresh_process;
  s_->async_used = !config.fresh_process;
}
Model::Model(const ModelConfig& config, Plan&& spent) : Model(config) {
  // Only the vectors' memory is taken; everything else starts fresh.
  const auto reuse = [](auto& to, auto& from) {
    to = std::move(from);
    to.clear();
  };
  reuse(s_->plan.steps, spent.steps);
  reuse(s_->plan.expected, spent.expected);
  reuse(s_->plan.skipped, spent.skipped);
  reuse(s_->plan.step_of_op, spent.step_of_op);
}
Model::~Model() = default;
Model::Model(Model&&) noexcept = default;
Model& Model::operator=(Model&&) noexcept = default;

std::string Model::skip_reason(const Op& op) const { return s_->skip_reason(op); }
void Model::apply(const Op& op, int op_index) { s_->apply(op, op_index); }

void Model::teardown() { s_->teardown(); }
const Plan& Model::current() const noexcept { return s_->plan; }

void Model::reserve(std::size_t ops) {
  // An op is one step or body op and about one observation; the teardown
  // adds a few. Under ASan, every growth is fresh memory.
  s_->plan.steps.reserve(ops + 8);
  s_->plan.expected.reserve(ops + 16);
}

Plan Model::finish() && {
  s_->teardown();
  return std::move(s_->plan);
}

namespace {
Plan plan_with(Model& model, const Sequence& sequence) {
  // About one observation per driver op and per body op that runs; bodies
  // of jobs never resumed do not run, so their ops are not counted in.
  model.reserve(std::min(op_count(sequence), 4 * sequence.ops.size() + 32));
  for (std::size_t i = 0; i < sequence.ops.size(); ++i) model.apply(sequence.ops[i], static_cast<int>(i));
  return std::move(model).finish();
}

ModelConfig for_sequence(ModelConfig config, const Sequence& sequence) {
  if (offloads(sequence)) config.device = true;
  return config;
}
}  // namespace

bool offloads(const Sequence& sequence) noexcept {
  for (const Op& op : sequence.ops) {
    for (const Op& b : op.body) {
      if (b.kind == OpKind::Offload) return true;
    }
  }
  return false;
}

Plan plan(const Sequence& sequence, const ModelConfig& config) {
  Model model(for_sequence(config, sequence));
  return plan_with(model, sequence);
}

Plan plan(const Sequence& sequence, const ModelConfig& config, Plan&& spent) {
  Model model(for_sequence(config, sequence), std::move(spent));
  return plan_with(model, sequence);
}

}  // namespace asyncconf::harness
