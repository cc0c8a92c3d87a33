// What an op's rule sees of the model: the state of the pools, jobs and wait
// ctxs the sequence made so far, and the calls that predict an observation
// and tie each field to its requirement. The rules themselves live in each
// op's home (harness/ops/); model.cpp schedules jobs and dispatches to them.
#pragma once

#include <openssl/async.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "asyncconf/harness/level.hpp"
#include "asyncconf/harness/model.hpp"
#include "asyncconf/harness/observation.hpp"
#include "asyncconf/harness/sequence.hpp"

namespace asyncconf::harness {

/// A requirement of conformance/requirements/requirements.json as the model
/// cites it (a conformance test checks that every id a rule cites exists
/// there with the same level).
struct Req {
  const char* id;
  Level level;
};

/// The default stack size the man page promises (MEM-DEFAULT-STACK-32K).
inline constexpr long kDefaultStack = 32768;

enum class JobSt { Unused, Refused, Running, Paused, Finished, Abandoned };

struct JobM {
  JobSt st = JobSt::Unused;
  int thread = 0;
  int ctx = -1;
  int slot = -1;          ///< the pooled job it runs on
  std::size_t pc = 0;     ///< next body op
  const Op* start = nullptr;
  int bound_slot = -1;    ///< the handle the interpreter knows for it
  int own_blocks = 0;     ///< blocks this job holds
  bool offloading = false;        ///< paused in an offload until the device wakes it
  bool offload_callback = false;  ///< that wake comes through the ctx's callback, not the device fd
};

/// One pooled job (a stack).
struct SlotM {
  int thread = 0;
  bool alive = true;
  int occupant = -1;      ///< job running or paused on it
  int bound_job = -1;     ///< the last job name bound to its handle
  long freed_at = 0;      ///< creations count when it was freed
};

struct ThreadM {
  bool pool = false;
  long max = 0;
  std::vector<int> slots;  ///< every live slot of the pool
  std::vector<int> idle;   ///< LIFO
  int blocked = 0;
  int current = -1;
};

/// One fd a wait ctx holds.
struct Entry {
  int key;
  int fd;
  bool added;    ///< set since the last reset
  bool deleted;  ///< cleared, still reported as deleted
};

enum class CtxSt { Unused, Live, Freed };

struct CtxM {
  CtxSt st = CtxSt::Unused;
  std::vector<Entry> entries;  ///< oldest first
  bool callback = false;
  long status = ASYNC_STATUS_UNSUPPORTED;
  int user = -1;               ///< the job it serves
  bool reset_or_deleted = false;
  /// An fd set and cleared since the last reset: OpenSSL reports it neither
  /// added nor deleted; a log of the calls reports it both.
  bool cleared_new = false;

  /// The newest fd of `key` not cleared, or null.
  Entry* newest_live(int key);
  const Entry* newest_live(int key) const;
  std::size_t live_count() const;
  FdList live_fds_newest_first() const;
  /// What a resume does: deleted fds go, the rest are no longer new.
  void reset_counts();
};

/// Grows `v` to hold index `i`.
template <class T>
T& at(std::vector<T>& v, int i) {
  if (static_cast<std::size_t>(i) >= v.size()) v.resize(static_cast<std::size_t>(i) + 1);
  return v[static_cast<std::size_t>(i)];
}

struct ModelState {
  ModelConfig cfg;
  Plan plan;
  std::vector<JobM> jobs;
  std::array<ThreadM, kMaxThreads> threads;
  std::vector<CtxM> ctxs;
  std::vector<SlotM> slots;
  std::vector<int> ret_var;  ///< per job name: the int its *ret points at
  long stacks = 0;
  long creations = 0;
  bool stack_ever = false;
  bool async_used = false;
  int step = -1;  ///< the step being planned
  /// The misuse the op being decided commits (see misuse()).
  mutable std::uint32_t committing = 0;

  // --- for the rules: levels --------------------------------------------

  bool allows(Level level) const { return cfg.level >= level; }
  /// Empty when the config's level defines it; else why not.
  std::string needs(Level level, const char* why) const;
  /// A misuse: allowed at the robustness level when the config allows its
  /// kind, and noted so that the op, if it runs, adds it to the plan.
  std::string misuse(Misuse m, const char* why) const;

  // --- for the rules: predictions ---------------------------------------

  /// A new predicted observation of `op` at the current step.
  Expected& expect(OpKind op, int job = -1, int body_index = -1);
  /// Predicts field `f` (not a list) and names the requirement that fixes it.
  void check(Expected& e, Field f, long value, Req req) const;
  /// Predicts a list; `order` names the requirement that fixes its order
  /// (null: compared as a set).
  void check_list(Expected& e, Field f, const FdList& list, Req req, const Req* order) const;
  /// The job stacks alive, when the counting allocator counts them.
  void check_stacks(Expected& e, Req req) const;

  // --- for the rules: names and state ---------------------------------

  const JobM* job(int n) const;
  /// The ctx named `n`, or null when no op named it.
  const CtxM* ctx(int n) const;
  CtxM* ctx(int n);
  /// The name the interpreter reports for the handle of `slot` when the op
  /// concerns job `job` (see the interpreter's job_ref).
  long handle_ref(int job, int slot);
  int new_slot(int thread);
  void free_slot(int id);
  void free_idle(ThreadM& t);

  // --- the scheduler (model.cpp) -----------------------------------------

  // What ASYNC_start_job's caller sees when a job pauses or returns, the
  // same for a start and a resume.
  static constexpr Req kStartValues{"START-RETURN-VALUES", Level::Must};
  static constexpr Req kPauseResult{"START-PAUSE-STARTED-THEN-PAUSED", Level::Must};
  static constexpr Req kPauseHandle{"START-PAUSE-JOB-HANDLE", Level::Must};
  static constexpr Req kRetKept{"START-PAUSE-RET-UNTOUCHED", Level::DeFacto};
  static constexpr Req kFinishNull{"START-FINISH-JOB-NULL", Level::Must};
  static constexpr Req kFinishRet{"START-FINISH-RET", Level::Must};
  static constexpr Req kPoolReuse{"POOL-JOBS-RETURNED-TO-POOL", Level::Must};
  static constexpr Req kResumeContinues{"PAUSE-RESUME-CONTINUES", Level::Must};

  std::string skip_reason(const Op& op) const;
  void apply(const Op& op, int op_index);
  void teardown();
  /// Runs job `jn` from its pc until it pauses or returns, predicting its
  /// body's observations: the value it returned, or nullopt when it paused.
  std::optional<long> run_body(int jn);
  /// Predicts what ASYNC_start_job reports after job `jn` ran (as driver
  /// op `job_op`'s job, whose *ret is ret_var[job_op]).
  void report(int jn, int job_op, std::optional<long> returned, Expected& e);
  /// The paused job's pause (or offload) returns: counts reset, its
  /// observation made.
  void resume_pause(int jn);
  /// Whether body op `op` of job `j` pauses it (the scheduler then returns
  /// to its caller): a pause that pauses, or an offload that waits.
  bool body_pauses(const JobM& j, const ThreadM& t, const Op& op) const;

private:
  Level level_of(const Req& req) const;
  std::string body_skip_reason(const JobM& j, const ThreadM& t, const Op& op) const;
  void skip_body(int job, std::size_t pc);
};

}  // namespace asyncconf::harness
