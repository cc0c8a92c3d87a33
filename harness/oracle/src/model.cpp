// The model's rules. Each predicted field names the requirement of
// conformance/requirements/requirements.json that fixes it (a conformance
// test checks that every id used here exists there with the same level).
// Where the man pages are silent the rules are OpenSSL's (the catalogue's
// de-facto entries), and misuse is answered as the reference does
// (reference_impl/README.md, "Deliberate differences").
#include "asyncconf/harness/model.hpp"

#include <openssl/async.h>

#include <algorithm>
#include <array>
#include <climits>
#include <optional>

namespace asyncconf::harness {

namespace {

struct Req {
  const char* id;
  Level level;
};
constexpr Req kInitReturn{"POOL-INIT-RETURN-VALUE", Level::Must};
constexpr Req kInitAboveMax{"POOL-INIT-SIZE-ABOVE-MAX-FAILS", Level::DeFacto};
constexpr Req kInitPrecreated{"POOL-INIT-SIZE-PRECREATED", Level::Must};
constexpr Req kInitTwice{"ROBUST-INIT-THREAD-TWICE", Level::Robustness};
constexpr Req kCleanupFrees{"LEAK-EXPLICIT-CLEANUP-THREAD", Level::Must};
constexpr Req kCleanupPaused{"ROBUST-RESUME-AFTER-CLEANUP-THREAD", Level::Robustness};
constexpr Req kCleanupInJob{"ROBUST-CLEANUP-THREAD-INSIDE-JOB", Level::Robustness};
constexpr Req kMemSet{"MEM-SET-RETURN-VALUE", Level::Must};
constexpr Req kMemSetAfterFree{"MEM-SET-ZERO-AFTER-ANY-ALLOC", Level::DeFacto};
constexpr Req kStack32k{"MEM-DEFAULT-STACK-32K", Level::Must};
constexpr Req kStartValues{"START-RETURN-VALUES", Level::Must};
constexpr Req kPauseResult{"START-PAUSE-STARTED-THEN-PAUSED", Level::Must};
constexpr Req kPauseHandle{"START-PAUSE-JOB-HANDLE", Level::Must};
constexpr Req kRetKept{"START-PAUSE-RET-UNTOUCHED", Level::DeFacto};
constexpr Req kFinishNull{"START-FINISH-JOB-NULL", Level::Must};
constexpr Req kFinishRet{"START-FINISH-RET", Level::Must};
constexpr Req kNoJobs{"START-NO-JOBS-POOL-EMPTY", Level::Must};
constexpr Req kPoolReuse{"POOL-JOBS-RETURNED-TO-POOL", Level::Must};
constexpr Req kArgsCopied{"START-ARGS-COPIED", Level::Must};
constexpr Req kArgsNull{"START-ARGS-NULL-OR-EMPTY-GIVES-NULL", Level::DeFacto};
constexpr Req kResumeContinues{"PAUSE-RESUME-CONTINUES", Level::Must};
constexpr Req kPauseOutside{"PAUSE-OUTSIDE-JOB-RETURNS-1", Level::Must};
constexpr Req kPauseNullCtx{"ROBUST-PAUSE-NULL-WAIT-CTX", Level::Robustness};
constexpr Req kBlockPrevents{"BLOCK-PREVENTS-PAUSE", Level::Must};
constexpr Req kBlockPerThread{"BLOCK-COUNTER-PER-THREAD", Level::DeFacto};
constexpr Req kUnblockBelowZero{"ROBUST-UNBLOCK-BELOW-ZERO", Level::Robustness};
constexpr Req kCurrentInside{"CURRENT-INSIDE-JOB", Level::Must};
constexpr Req kCurrentSame{"CURRENT-MATCHES-PAUSE-HANDLE", Level::DeFacto};
constexpr Req kCurrentOutside{"CURRENT-OUTSIDE-JOB-NULL", Level::Must};
constexpr Req kWaitCtxLookup{"WAITCTX-LOOKUP-GET", Level::Must};
constexpr Req kNested{"ROBUST-NESTED-START", Level::Robustness};
constexpr Req kStale{"ROBUST-STALE-HANDLE-AFTER-FINISH", Level::Robustness};
constexpr Req kOtherThread{"ROBUST-RESUME-OTHER-THREAD", Level::Robustness};
constexpr Req kCtxNew{"WAITCTX-NEW-RETURN-VALUE", Level::Must};
constexpr Req kCleanupOnFree{"CLEANUP-CALLED-ON-FREE", Level::Must};
constexpr Req kCleanupNotOnClear{"CLEANUP-NOT-CALLED-ON-CLEAR", Level::Must};
constexpr Req kSetFd{"FD-SET-WAIT-FD-RETURN-VALUE", Level::Must};
constexpr Req kSameKey{"FD-SAME-KEY-BOTH-LIVE", Level::DeFacto};
constexpr Req kSameKeyNewest{"FD-SAME-KEY-NEWEST-SEEN-FIRST", Level::DeFacto};
constexpr Req kUnknownKey{"FD-GET-FD-UNKNOWN-KEY-RETURNS-0", Level::DeFacto};
constexpr Req kClearFd{"FD-CLEAR-FD-RETURN-VALUE", Level::Must};
constexpr Req kGetFd{"FD-GET-FD-OBTAINS", Level::Must};
constexpr Req kCustomData{"FD-CUSTOM-DATA-ROUND-TRIP", Level::Must};
constexpr Req kAllFds{"FD-GET-ALL-RETURNS-FDS", Level::Must};
constexpr Req kAllFdsCount{"FD-GET-ALL-NUMFDS", Level::Must};
constexpr Req kAllFdsOrder{"FD-GET-ALL-NEWEST-FIRST", Level::DeFacto};
constexpr Req kChangedLists{"CHANGED-LISTS", Level::Must};
constexpr Req kChangedCounts{"CHANGED-COUNTS", Level::Must};
constexpr Req kChangedReset{"CHANGED-RESET-ON-RESUME", Level::DeFacto};
constexpr Req kChangedClearNew{"CHANGED-CLEAR-NEW-FD-NEITHER", Level::DeFacto};
constexpr Req kCallbackSet{"CALLBACK-SET-RETURN-VALUE", Level::Must};
constexpr Req kCallbackGet{"CALLBACK-GET-RETURNS-SET", Level::Must};
constexpr Req kCallbackNone{"CALLBACK-GET-NONE-RETURNS-0", Level::DeFacto};
constexpr Req kStatusSet{"STATUS-SET-RETURN-VALUE", Level::Must};
constexpr Req kStatusGet{"STATUS-GET", Level::Must};
constexpr Req kStatusDefault{"STATUS-DEFAULT-UNSUPPORTED", Level::Must};
constexpr Req kStatusAny{"STATUS-ANY-VALUE-STORED", Level::DeFacto};
constexpr Req kLeakAtExit{"LEAK-AUTO-CLEANUP-AT-THREAD-EXIT", Level::Must};
// A NULL ctx passed on by a job started with a NULL wait ctx.
constexpr Req kNullSetFd{"ROBUST-NULL-CTX-SET-WAIT-FD", Level::Robustness};
constexpr Req kNullGetFd{"ROBUST-NULL-CTX-GET-FD", Level::Robustness};
constexpr Req kNullClearFd{"ROBUST-NULL-CTX-CLEAR-FD", Level::Robustness};
constexpr Req kNullAllFds{"ROBUST-NULL-CTX-GET-ALL-FDS", Level::Robustness};
constexpr Req kNullChanged{"ROBUST-NULL-CTX-GET-CHANGED-FDS", Level::Robustness};
constexpr Req kNullSetStatus{"ROBUST-NULL-CTX-SET-STATUS", Level::Robustness};
constexpr Req kNullGetStatus{"ROBUST-NULL-CTX-GET-STATUS", Level::Robustness};

constexpr long kDefaultStack = 32768;

enum class JobSt { Unused, Refused, Running, Paused, Finished, Abandoned };

struct JobM {
  JobSt st = JobSt::Unused;
  int thread = 0;
  int ctx = -1;
  int slot = -1;          // the pooled job it runs on
  std::size_t pc = 0;     // next body op
  const Op* start = nullptr;
  int bound_slot = -1;    // the handle the interpreter knows for it
  int own_blocks = 0;     // blocks this job holds
};

struct SlotM {
  int thread = 0;
  bool alive = true;
  int occupant = -1;      // job running or paused on it
  int bound_job = -1;     // the last job name bound to its handle
  long freed_at = 0;      // creations count when it was freed
};

struct ThreadM {
  bool pool = false;
  long max = 0;
  std::vector<int> slots;  // every live slot of the pool
  std::vector<int> idle;   // LIFO
  int blocked = 0;
  int current = -1;
};

struct Entry {
  int key;
  int fd;
  bool added;    // set since the last reset
  bool deleted;  // cleared, still reported as deleted
};

enum class CtxSt { Unused, Live, Freed };

struct CtxM {
  CtxSt st = CtxSt::Unused;
  std::vector<Entry> entries;  // oldest first
  bool callback = false;
  long status = ASYNC_STATUS_UNSUPPORTED;
  int user = -1;               // the job it serves
  bool reset_or_deleted = false;
  // An fd set and cleared since the last reset: OpenSSL reports it neither
  // added nor deleted; a log of the calls reports it both.
  bool cleared_new = false;
};

template <class T>
T& at(std::vector<T>& v, int i) {
  if (static_cast<std::size_t>(i) >= v.size()) v.resize(static_cast<std::size_t>(i) + 1);
  return v[static_cast<std::size_t>(i)];
}

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

struct Model::State {
  ModelConfig cfg;
  Plan plan;
  std::vector<JobM> jobs;
  std::array<ThreadM, kMaxThreads> threads;
  std::vector<CtxM> ctxs;
  std::vector<SlotM> slots;
  std::vector<int> ret_var;  // per job name: the int its *ret points at
  long stacks = 0;
  long creations = 0;
  bool stack_ever = false;
  bool async_used = false;
  int step = -1;  // the step being planned

  // --- levels ----------------------------------------------------------

  bool allows(Level level) const { return cfg.level >= level; }
  std::string needs(Level level, const char* why) const {
    if (allows(level)) return {};
    return std::string(why) + " (defined at level " + to_string(level) + ")";
  }
  // A misuse: allowed at the robustness level when the config allows its kind.
  // Noted in `committing`, so that the op that runs adds it to the plan.
  mutable std::uint32_t committing = 0;
  std::string misuse(Misuse m, const char* why) const {
    if (!allows(Level::Robustness)) return needs(Level::Robustness, why);
    if ((cfg.misuse & misuse_bit(m)) == 0) return std::string(why) + " (misuse " + to_string(m) + " not allowed)";
    committing |= misuse_bit(m);
    return {};
  }

  // --- observations ----------------------------------------------------

  Expected& expect(OpKind op, int job = -1, int body_index = -1) {
    Expected e;
    e.want.step = step;
    e.want.op = op;
    e.want.job = job;
    e.want.body_index = body_index;
    plan.expected.push_back(e);
    return plan.expected.back();
  }
  // After a misuse, what follows is its consequence: robustness, whatever
  // rule it breaks.
  Level level_of(const Req& req) const {
    return plan.misuse != 0 ? std::max(req.level, Level::Robustness) : req.level;
  }
  void check(Expected& e, Field f, long value, Req req) const {
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
  void check_list(Expected& e, Field f, const FdList& list, Req req, const Req* order) const {
    (f == Field::List ? e.want.list : e.want.list2) = list;
    e.check(f).requirement = req.id;
    e.check(f).level = level_of(req);
    if (order != nullptr) {
      e.check(f).order_requirement = order->id;
      e.check(f).order_level = level_of(*order);
    }
  }
  void check_stacks(Expected& e, Req req) const {
    if (cfg.counting_stacks) check(e, Field::Stacks, stacks, req);
  }

  // --- pool --------------------------------------------------------------

  int new_slot(int thread) {
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
  void free_slot(int id) {
    SlotM& s = slots[static_cast<std::size_t>(id)];
    s.alive = false;
    s.freed_at = creations;
    --stacks;
  }
  void free_idle(ThreadM& t) {
    for (int id : t.idle) {
      free_slot(id);
      t.slots.erase(std::find(t.slots.begin(), t.slots.end(), id));
    }
    t.idle.clear();
  }

  // --- names ---------------------------------------------------------------

  // The name the interpreter reports for the handle of `slot` when the op
  // concerns job `job` (see interpreter.cpp, Names::job_ref).
  long handle_ref(int job, int slot) {
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

  // --- wait ctx ------------------------------------------------------------

  static FdList live_fds_newest_first(const CtxM& c) {
    FdList list;
    for (auto it = c.entries.rbegin(); it != c.entries.rend(); ++it) {
      if (!it->deleted) list.push(it->fd);
    }
    return list;
  }
  static Entry* newest_live(CtxM& c, int key) {
    for (auto it = c.entries.rbegin(); it != c.entries.rend(); ++it) {
      if (!it->deleted && it->key == key) return &*it;
    }
    return nullptr;
  }
  static std::size_t live_count(const CtxM& c) {
    return static_cast<std::size_t>(std::count_if(c.entries.begin(), c.entries.end(),
                                                  [](const Entry& e) { return !e.deleted; }));
  }
  static void reset_counts(CtxM& c) {
    std::erase_if(c.entries, [](const Entry& e) { return e.deleted; });
    for (Entry& e : c.entries) e.added = false;
    c.reset_or_deleted = true;
  }

  // Why a wait-ctx op on ctx `c` (NULL when null) would not run.
  std::string ctx_op_skip(const Op& op, CtxM* c) const {
    const bool status_op = op.kind == OpKind::SetStatus || op.kind == OpKind::GetStatus ||
                           op.kind == OpKind::SetCallback || op.kind == OpKind::GetCallback;
    if (status_op && !cfg.callbacks) return "the implementation has no callback/status functions";
    if (c == nullptr) return misuse(Misuse::NullCtxArgument, "a NULL ASYNC_WAIT_CTX argument");
    switch (op.kind) {
      case OpKind::SetFd:
        if (op.key < 0 || op.key >= kMaxKeys) return "key out of range";
        if (live_count(*c) >= static_cast<std::size_t>(kMaxFdsPerCtx)) return "the ctx holds the most fds a sequence may set";
        if (newest_live(*c, op.key) != nullptr) return needs(Level::DeFacto, "a key set twice");
        return {};
      case OpKind::ClearFd:
      case OpKind::GetFd:
        if (newest_live(*c, op.key) == nullptr) return needs(Level::DeFacto, "a key with no live fd");
        return {};
      case OpKind::SetStatus:
        if (op.value < ASYNC_STATUS_UNSUPPORTED || op.value > ASYNC_STATUS_EAGAIN) {
          return needs(Level::DeFacto, "a status outside ASYNC_STATUS_*");
        }
        return {};
      case OpKind::GetCallback:
        if (!c->callback) return needs(Level::DeFacto, "get_callback with none set");
        return {};
      default: return {};
    }
  }

  // Runs a wait-ctx op (driver or body) on ctx `ctx_name` (-1: NULL).
  void ctx_op(const Op& op, int ctx_name, Expected& e) {
    check(e, Field::Cleanups, 0, kCleanupNotOnClear);
    if (ctx_name < 0) {
      switch (op.kind) {
        case OpKind::SetFd: check(e, Field::Rc, 0, kNullSetFd); break;
        case OpKind::ClearFd: check(e, Field::Rc, 0, kNullClearFd); break;
        case OpKind::GetFd: check(e, Field::Rc, 0, kNullGetFd); break;
        case OpKind::GetAllFds: check(e, Field::Rc, 0, kNullAllFds); break;
        case OpKind::GetChangedFds: check(e, Field::Rc, 0, kNullChanged); break;
        case OpKind::SetStatus: check(e, Field::Rc, 0, kNullSetStatus); break;
        case OpKind::GetStatus: check(e, Field::Rc, ASYNC_STATUS_ERR, kNullGetStatus); break;
        default: break;
      }
      return;
    }
    CtxM& c = ctxs[static_cast<std::size_t>(ctx_name)];
    switch (op.kind) {
      case OpKind::SetFd: {
        const bool twice = newest_live(c, op.key) != nullptr;
        c.entries.push_back({op.key, op.fd, true, false});
        check(e, Field::Rc, 1, twice ? kSameKey : kSetFd);
        break;
      }
      case OpKind::ClearFd: {
        Entry* entry = newest_live(c, op.key);
        if (entry == nullptr) {
          check(e, Field::Rc, 0, kUnknownKey);
          break;
        }
        check(e, Field::Rc, 1, kClearFd);
        if (entry->added) {
          c.entries.erase(c.entries.begin() + (entry - c.entries.data()));
          c.cleared_new = true;
        } else {
          entry->deleted = true;
          c.reset_or_deleted = true;
        }
        break;
      }
      case OpKind::GetFd: {
        const Entry* entry = newest_live(c, op.key);
        if (entry == nullptr) {
          check(e, Field::Rc, 0, kUnknownKey);
          break;
        }
        const bool dup = std::count_if(c.entries.begin(), c.entries.end(), [&](const Entry& x) {
                           return !x.deleted && x.key == op.key;
                         }) > 1;
        check(e, Field::Rc, 1, kGetFd);
        check(e, Field::Extra, entry->fd, dup ? kSameKeyNewest : kGetFd);
        check(e, Field::Extra2, 1, kCustomData);
        break;
      }
      case OpKind::GetAllFds: {
        const FdList live = live_fds_newest_first(c);
        check(e, Field::Rc, 1, kAllFds);
        check(e, Field::Extra, live.size, kAllFdsCount);
        check_list(e, Field::List, live, kAllFds, &kAllFdsOrder);
        break;
      }
      case OpKind::GetChangedFds: {
        FdList added;
        FdList deleted;
        for (const Entry& x : c.entries) {
          if (x.deleted) {
            deleted.push(x.fd);
          } else if (x.added) {
            added.push(x.fd);
          }
        }
        const Req& lists = c.reset_or_deleted ? kChangedReset : c.cleared_new ? kChangedClearNew : kChangedLists;
        const Req& counts = c.reset_or_deleted ? kChangedReset : c.cleared_new ? kChangedClearNew : kChangedCounts;
        check(e, Field::Rc, 1, kChangedLists);
        check(e, Field::Extra, added.size, counts);
        check(e, Field::Extra2, deleted.size, counts);
        check_list(e, Field::List, added, lists, nullptr);
        check_list(e, Field::List2, deleted, lists, nullptr);
        break;
      }
      case OpKind::SetCallback:
        c.callback = op.value != 0;
        check(e, Field::Rc, 1, kCallbackSet);
        break;
      case OpKind::GetCallback:
        if (c.callback) {
          check(e, Field::Rc, 1, kCallbackGet);
          check(e, Field::Extra, 1, kCallbackGet);
          check(e, Field::Extra2, 1, kCallbackGet);
        } else {
          check(e, Field::Rc, 0, kCallbackNone);
        }
        break;
      case OpKind::SetStatus: {
        const bool any = op.value < ASYNC_STATUS_UNSUPPORTED || op.value > ASYNC_STATUS_EAGAIN;
        c.status = op.value;
        check(e, Field::Rc, 1, any ? kStatusAny : kStatusSet);
        break;
      }
      case OpKind::GetStatus: {
        const bool any = c.status < ASYNC_STATUS_UNSUPPORTED || c.status > ASYNC_STATUS_EAGAIN;
        const bool never_set = c.status == ASYNC_STATUS_UNSUPPORTED;
        check(e, Field::Rc, c.status, any ? kStatusAny : (never_set ? kStatusDefault : kStatusGet));
        break;
      }
      default: break;
    }
  }

  // --- jobs ----------------------------------------------------------------

  // How many unblocks follow `from` in the body before it returns.
  static int unblocks_after(const std::vector<Op>& body, std::size_t from) {
    int n = 0;
    for (std::size_t i = from; i < body.size() && body[i].kind != OpKind::Return; ++i) {
      if (body[i].kind == OpKind::Unblock) ++n;
    }
    return n;
  }

  void skip_body(int job, std::size_t pc) {
    auto& flags = at(plan.body_skipped, job);
    if (flags.size() <= pc) flags.resize(pc + 1, 0);
    flags[pc] = 1;
  }

  // Runs job `jn` from its pc until it pauses or returns; predicts the body
  // observations. Returns the value it returned, or nullopt when it paused.
  std::optional<long> run_body(int jn) {
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
      if (op.kind == OpKind::Pause && t.blocked == 0 && (j.ctx >= 0 || cfg.null_ctx_pauses)) {
        j.st = JobSt::Paused;
        t.current = -1;
        ++j.pc;  // its observation is made when it returns, at the resume
        return std::nullopt;
      }
      Expected& e = expect(op.kind, jn, at_pc);
      switch (op.kind) {
        case OpKind::Pause:
          if (t.blocked > 0) {
            check(e, Field::Rc, 1, j.own_blocks > 0 ? kBlockPrevents : kBlockPerThread);
          } else {
            check(e, Field::Rc, 0, kPauseNullCtx);
          }
          break;
        case OpKind::Block:
          ++t.blocked;
          ++j.own_blocks;
          break;
        case OpKind::Unblock:
          if (t.blocked > 0) --t.blocked;
          if (j.own_blocks > 0) --j.own_blocks;
          break;
        case OpKind::CurrentJob: {
          const bool bound = j.bound_slot >= 0;
          check(e, Field::Ref, handle_ref(jn, j.slot), bound ? kCurrentSame : kCurrentInside);
          break;
        }
        case OpKind::WaitCtx: check(e, Field::Ref, j.ctx, kWaitCtxLookup); break;
        case OpKind::CheckArg:
          if (j.start->args == ArgsMode::Copy) {
            check(e, Field::Rc, 1, kArgsCopied);
            check(e, Field::Extra, j.start->value, kArgsCopied);
          } else {
            check(e, Field::Rc, 0, kArgsNull);
          }
          break;
        case OpKind::NestedStart: check(e, Field::Rc, ASYNC_ERR, kNested); break;
        case OpKind::CleanupThread: check_stacks(e, kCleanupInJob); break;
        default: ctx_op(op, j.ctx, e); break;
      }
    }
    return 0;
  }
  std::string body_skip_reason(const JobM& j, const ThreadM& t, const Op& op) const {
    switch (op.kind) {
      case OpKind::Pause:
        if (t.blocked > 0 && j.own_blocks == 0) return needs(Level::DeFacto, "a block left by an earlier job");
        if (t.blocked == 0 && j.ctx < 0) return misuse(Misuse::NullWaitCtx, "a pause in a job with a NULL wait ctx");
        return {};
      case OpKind::Block:
        if (unblocks_after(j.start->body, j.pc + 1) < j.own_blocks + 1) {
          return needs(Level::DeFacto, "a block the job does not lift");
        }
        return {};
      case OpKind::Unblock:
        if (t.blocked == 0) return misuse(Misuse::UnblockBelowZero, "an unblock with no block");
        if (j.own_blocks == 0) return needs(Level::DeFacto, "lifting an earlier job's block");
        return {};
      case OpKind::CheckArg:
        if (j.start->args != ArgsMode::Copy) return needs(Level::DeFacto, "NULL or empty args");
        return {};
      case OpKind::NestedStart: return misuse(Misuse::NestedStart, "a nested ASYNC_start_job");
      case OpKind::CleanupThread: return misuse(Misuse::CleanupInJob, "ASYNC_cleanup_thread inside a job");
      case OpKind::CurrentJob:
      case OpKind::WaitCtx:
      case OpKind::Return: return {};
      default: {
        auto* self = const_cast<State*>(this);
        CtxM* c = j.ctx >= 0 ? &self->ctxs[static_cast<std::size_t>(j.ctx)] : nullptr;
        return ctx_op_skip(op, c);
      }
    }
  }

  // Predicts what ASYNC_start_job reports after job `jn` ran (as op `job_op`
  // of the driver, whose *ret is ret_var[job_op]).
  void report(int jn, int job_op, std::optional<long> returned, Expected& e) {
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

  // The paused job's pause returns: counts reset, the pause observed.
  void resume_pause(int jn) {
    JobM& j = jobs[static_cast<std::size_t>(jn)];
    if (j.ctx >= 0) reset_counts(ctxs[static_cast<std::size_t>(j.ctx)]);
    const int pc = static_cast<int>(j.pc) - 1;
    Expected& e = expect(OpKind::Pause, jn, pc);
    check(e, Field::Rc, 1, kResumeContinues);
  }

  // --- driver ops ---------------------------------------------------------

  std::string skip_reason(const Op& op) const {
    if (op.thread < 0 || op.thread >= kMaxThreads) return "thread out of range";
    if (!is_driver_op(op.kind)) return "not a driver op";
    const ThreadM& t = threads[static_cast<std::size_t>(op.thread)];
    auto job = [&](int n) -> const JobM* {
      return n >= 0 && static_cast<std::size_t>(n) < jobs.size() ? &jobs[static_cast<std::size_t>(n)] : nullptr;
    };
    auto ctx = [&](int n) -> const CtxM* {
      return n >= 0 && static_cast<std::size_t>(n) < ctxs.size() ? &ctxs[static_cast<std::size_t>(n)] : nullptr;
    };
    switch (op.kind) {
      case OpKind::InitThread:
        if (op.value < 0 || op.value2 < 0) return "negative sizes";
        if (t.pool) return misuse(Misuse::InitTwice, "ASYNC_init_thread on a thread that has a pool");
        if (op.value2 > op.value) return needs(Level::DeFacto, "init_size > max_size");
        if (op.value > INT_MAX) return needs(Level::DeFacto, "max_size > INT_MAX");
        if (op.value2 > 64) return "more than 64 pre-created jobs";
        return {};
      case OpKind::CleanupThread:
        for (const JobM& j : jobs) {
          if (j.st == JobSt::Paused && j.thread == op.thread) {
            return misuse(Misuse::CleanupWithPausedJobs, "ASYNC_cleanup_thread with a job paused");
          }
        }
        return {};
      case OpKind::SetMemFunctions:
        if (!cfg.mem_functions) return "the implementation has no ASYNC_set_mem_functions";
        if (!cfg.counting_stacks) return "the counting stack allocator is not installed";
        if (op.value != 0 && (op.value < kDefaultStack || op.value > (1L << 20))) {
          return "stack sizes other than 0 or 32 KiB..1 MiB";
        }
        return {};
      case OpKind::Start: {
        if (op.job < 0) return "bad job name";
        const JobM* j = job(op.job);
        if (j != nullptr && j->st != JobSt::Unused) return "j" + std::to_string(op.job) + " was started before";
        for (const Op& b : op.body) {
          if (!is_body_op(b.kind)) return "a driver op in the body";
        }
        if (op.ctx >= 0) {
          const CtxM* c = ctx(op.ctx);
          if (c == nullptr || c->st != CtxSt::Live) return "w" + std::to_string(op.ctx) + " is not live";
          if (c->user >= 0) return "w" + std::to_string(op.ctx) + " serves j" + std::to_string(c->user);
        }
        return {};
      }
      case OpKind::Resume: {
        const JobM* j = job(op.job);
        if (j == nullptr) return "j" + std::to_string(op.job) + " was never started";
        switch (j->st) {
          case JobSt::Paused:
            if (j->thread != op.thread) return misuse(Misuse::ResumeOtherThread, "a resume on another thread");
            return {};
          case JobSt::Finished:
          case JobSt::Abandoned: {
            if (j->bound_slot < 0) return "j" + std::to_string(op.job) + " has no handle";
            const SlotM& s = slots[static_cast<std::size_t>(j->bound_slot)];
            if (!s.alive && creations > s.freed_at) return "its freed job's memory may be reused";
            if (s.thread != op.thread) return "a stale handle on another thread";
            return misuse(Misuse::StaleHandle, "a stale handle");
          }
          default: return "j" + std::to_string(op.job) + " is not paused";
        }
      }
      case OpKind::Pause:
      case OpKind::Block:
      case OpKind::Unblock:
      case OpKind::CurrentJob:
        if (!async_used) return misuse(Misuse::FirstCallOutsideJob, "the process's first ASYNC call");
        return {};
      case OpKind::WaitCtxNew: {
        const CtxM* c = ctx(op.ctx);
        if (op.ctx < 0) return "bad ctx name";
        if (c != nullptr && c->st != CtxSt::Unused) return "w" + std::to_string(op.ctx) + " was made before";
        return {};
      }
      case OpKind::WaitCtxFree: {
        const CtxM* c = ctx(op.ctx);
        if (c == nullptr || c->st != CtxSt::Live) return "w" + std::to_string(op.ctx) + " is not live";
        if (c->user >= 0) return "w" + std::to_string(op.ctx) + " serves j" + std::to_string(c->user);
        return {};
      }
      default: {
        const CtxM* c = ctx(op.ctx);
        if (c == nullptr || c->st != CtxSt::Live) return "w" + std::to_string(op.ctx) + " is not live";
        return ctx_op_skip(op, const_cast<CtxM*>(c));
      }
    }
  }

  void apply(const Op& op, int op_index) {
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
    run_driver(op);
  }

  void run_driver(const Op& op) {
    ThreadM& t = threads[static_cast<std::size_t>(op.thread)];
    switch (op.kind) {
      case OpKind::InitThread: {
        async_used = true;
        Expected& e = expect(op.kind);
        const bool twice = t.pool;
        if (op.value2 > op.value || op.value > INT_MAX) {
          check(e, Field::Rc, 0, twice ? kInitTwice : kInitAboveMax);
        } else {
          if (twice) free_idle(t);
          t.pool = true;
          t.max = op.value;
          long asked = 0;
          for (long i = 0; i < op.value2; ++i) {
            t.idle.push_back(new_slot(op.thread));
            asked = kDefaultStack;
          }
          check(e, Field::Rc, 1, twice ? kInitTwice : kInitReturn);
          check_stacks(e, twice ? kInitTwice : kInitPrecreated);
          if (cfg.counting_stacks) check(e, Field::Extra, asked, kStack32k);
        }
        break;
      }
      case OpKind::CleanupThread: {
        bool paused = false;
        for (JobM& j : jobs) {
          if (j.st == JobSt::Paused && j.thread == op.thread) {
            j.st = JobSt::Abandoned;
            slots[static_cast<std::size_t>(j.slot)].occupant = -1;
            if (j.ctx >= 0) ctxs[static_cast<std::size_t>(j.ctx)].user = -1;
            paused = true;
          }
        }
        for (int id : t.slots) free_slot(id);
        t = ThreadM{};
        Expected& e = expect(op.kind);
        check_stacks(e, paused ? kCleanupPaused : kCleanupFrees);
        break;
      }
      case OpKind::SetMemFunctions: {
        Expected& e = expect(op.kind);
        check(e, Field::Rc, stack_ever ? 0 : 1, stack_ever && stacks == 0 ? kMemSetAfterFree : kMemSet);
        break;
      }
      case OpKind::Start: start_job(op); break;
      case OpKind::Resume: resume_job(op); break;
      case OpKind::Pause: check(expect(op.kind), Field::Rc, 1, kPauseOutside); break;
      case OpKind::Block:
      case OpKind::Unblock: expect(op.kind); break;
      case OpKind::CurrentJob: check(expect(op.kind), Field::Ref, kRefNull, kCurrentOutside); break;
      case OpKind::WaitCtxNew: {
        at(ctxs, op.ctx).st = CtxSt::Live;
        check(expect(op.kind), Field::Rc, 1, kCtxNew);
        break;
      }
      case OpKind::WaitCtxFree: {
        CtxM& c = ctxs[static_cast<std::size_t>(op.ctx)];
        FdList cleaned;
        for (const Entry& x : c.entries) {
          if (!x.deleted) cleaned.push(x.fd);
        }
        Expected& e = expect(op.kind);
        check(e, Field::Cleanups, cleaned.size, kCleanupOnFree);
        check_list(e, Field::List, cleaned, kCleanupOnFree, nullptr);
        c.st = CtxSt::Freed;
        c.entries.clear();
        break;
      }
      default: ctx_op(op, op.ctx, expect(op.kind)); break;
    }
  }

  void start_job(const Op& op) {
    async_used = true;
    ThreadM& t = threads[static_cast<std::size_t>(op.thread)];
    JobM& j = at(jobs, op.job);
    at(ret_var, op.job) = kRetUntouched;
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
      Expected& e = expect(op.kind);
      check(e, Field::Rc, ASYNC_NO_JOBS, kNoJobs);
      check(e, Field::Ref, kRefNull, kNoJobs);
      check(e, Field::Ret, kRetUntouched, kRetKept);
      check_stacks(e, kNoJobs);
      return;
    } else {
      slot = new_slot(op.thread);
      asked = kDefaultStack;
    }
    j.slot = slot;
    slots[static_cast<std::size_t>(slot)].occupant = op.job;
    if (op.ctx >= 0) ctxs[static_cast<std::size_t>(op.ctx)].user = op.job;
    const std::optional<long> returned = run_body(op.job);
    Expected& e = expect(op.kind);
    report(op.job, op.job, returned, e);
    if (cfg.counting_stacks) check(e, Field::Extra, asked, kStack32k);
  }

  void resume_job(const Op& op) {
    JobM& j = jobs[static_cast<std::size_t>(op.job)];
    ThreadM& t = threads[static_cast<std::size_t>(op.thread)];
    if (j.st == JobSt::Paused && j.thread == op.thread) {
      resume_pause(op.job);
      const std::optional<long> returned = run_body(op.job);
      report(op.job, op.job, returned, expect(op.kind));
      return;
    }
    // Misuse: another thread's job, or a stale handle. A stale handle whose
    // pooled job now runs another paused job resumes that one.
    const SlotM* s = j.bound_slot >= 0 ? &slots[static_cast<std::size_t>(j.bound_slot)] : nullptr;
    const bool other_thread = j.st == JobSt::Paused;
    if (!other_thread && s != nullptr && s->alive && s->occupant >= 0 && s->thread == op.thread &&
        jobs[static_cast<std::size_t>(s->occupant)].st == JobSt::Paused) {
      const int target = s->occupant;
      resume_pause(target);
      const std::optional<long> returned = run_body(target);
      report(target, op.job, returned, expect(op.kind));
      return;
    }
    (void)t;
    Expected& e = expect(op.kind);
    const Req& req = other_thread ? kOtherThread : kStale;
    check(e, Field::Rc, ASYNC_ERR, req);
    check(e, Field::Ref, op.job, req);
    check(e, Field::Ret, ret_var[static_cast<std::size_t>(op.job)], req);
  }

  // --- the end -------------------------------------------------------------

  void teardown() {
    // Resume every paused job to its end, on its own thread.
    for (std::size_t n = 0; n < jobs.size(); ++n) {
      while (jobs[n].st == JobSt::Paused) {
        Op& resume = plan.teardown.emplace_back();
        resume.kind = OpKind::Resume;
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
      // The caller's thread runs the next plan: reset its state.
      Op& cleanup = plan.teardown.emplace_back();
      cleanup.kind = OpKind::CleanupThread;
      apply(cleanup, -1);
    }
    // Every thread exits: every pool is freed with it.
    step = static_cast<int>(plan.steps.size());
    Expected& e = expect(OpKind::CleanupThread);
    e.want.end = true;
    // A leak after a misuse is that misuse's (the reference frees everything).
    const Req& leak = (plan.misuse & misuse_bit(Misuse::CleanupWithPausedJobs)) != 0 ? kCleanupPaused
                      : (plan.misuse & misuse_bit(Misuse::InitTwice)) != 0        ? kInitTwice
                                                                                   : kLeakAtExit;
    if (cfg.counting_stacks) check(e, Field::Stacks, 0, cfg.thread_exits ? leak : kCleanupFrees);
    if (cfg.thread_exits) {
      if (cfg.counting_heap) check(e, Field::Heap, 0, leak);
      check(e, Field::Fds, 0, leak);
    }
  }
};

Model::Model(const ModelConfig& config) : s_(std::make_unique<State>()) {
  s_->cfg = config;
  s_->plan.config = config;
  s_->stack_ever = !config.fresh_process;
  s_->async_used = !config.fresh_process;
}
Model::~Model() = default;
Model::Model(Model&&) noexcept = default;
Model& Model::operator=(Model&&) noexcept = default;

std::string Model::skip_reason(const Op& op) const { return s_->skip_reason(op); }
void Model::apply(const Op& op, int op_index) { s_->apply(op, op_index); }

void Model::teardown() { s_->teardown(); }
const Plan& Model::current() const noexcept { return s_->plan; }

Plan Model::finish() && {
  s_->teardown();
  return std::move(s_->plan);
}

Plan plan(const Sequence& sequence, const ModelConfig& config) {
  Model model(config);
  for (std::size_t i = 0; i < sequence.ops.size(); ++i) model.apply(sequence.ops[i], static_cast<int>(i));
  return std::move(model).finish();
}

}  // namespace asyncconf::harness
