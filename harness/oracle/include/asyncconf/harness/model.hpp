// The oracle: a pure state machine of the ASYNC API, no fibres. Given a
// sequence it decides which ops run (an op whose precondition does not hold,
// or whose outcome only a looser level defines, is skipped), appends the
// teardown (resume paused jobs to the end, free the wait ctxs), and predicts
// every observation the interpreter will make, each field tied to the
// requirement in the catalogue that fixes it.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "asyncconf/harness/level.hpp"
#include "asyncconf/harness/observation.hpp"
#include "asyncconf/harness/sequence.hpp"

namespace asyncconf::harness {

/// The kinds of misuse the robustness level generates (and the model
/// answers as the reference does). Each can be allowed on its own.
enum class Misuse : std::uint8_t {
  NestedStart,            ///< ASYNC_start_job inside a running job
  NullWaitCtx,            ///< a job started with a NULL wait ctx pauses
  StaleHandle,            ///< a finished job's handle passed back in *job
  ResumeOtherThread,      ///< a paused job resumed on another thread
  CleanupWithPausedJobs,  ///< ASYNC_cleanup_thread while jobs are paused (then resumed)
  CleanupInJob,           ///< ASYNC_cleanup_thread inside a job
  UnblockBelowZero,       ///< ASYNC_unblock_pause with no block in place
  InitTwice,              ///< ASYNC_init_thread on a thread that has a pool
  FirstCallOutsideJob,    ///< pause/block/current_job as the process's first ASYNC call
  NullCtxArgument,        ///< an ASYNC_WAIT_CTX_* function given NULL (a job's NULL wait ctx)
};
inline constexpr int kMisuseCount = 10;
inline constexpr std::uint32_t kAllMisuse = (1u << kMisuseCount) - 1;
inline constexpr std::uint32_t misuse_bit(Misuse m) noexcept { return 1u << static_cast<unsigned>(m); }
/// "nested-start", "null-wait-ctx", "stale-handle", ...
const char* to_string(Misuse m) noexcept;
std::optional<Misuse> misuse_from_string(const std::string& text) noexcept;
/// "stale-handle, nested-start" for a bit set; "none" for 0.
std::string misuse_names(std::uint32_t bits);

/// What the model knows of the implementation and the process.
struct ModelConfig {
  Level level = Level::Must;
  bool callbacks = true;        ///< ASYNC_WAIT_CTX_{set,get}_{callback,status} exist (3.0)
  bool mem_functions = true;    ///< ASYNC_{set,get}_mem_functions exist (3.2)
  bool counting_stacks = false; ///< the interpreter's counting stack allocator is installed
  bool counting_heap = false;   ///< heap blocks are counted (alloc probe linked)
  bool fresh_process = true;    ///< no job stack was allocated in this process yet
  /// Each thread of the plan is a new thread that exits at the end, and the
  /// end checks heap blocks and fds. False: the plan ends with
  /// ASYNC_cleanup_thread on each of its threads, which run many plans (the
  /// caller's thread, or threads the interpreter keeps) and are checked for
  /// heap blocks around all of them.
  bool thread_exits = true;
  /// Where a requirement allows two answers, the one the implementation
  /// gives (probe_behaviour in explorer.hpp finds out): a job started with a
  /// NULL wait ctx pauses (OpenSSL) rather than getting 0 from
  /// ASYNC_pause_job (the reference). Both are allowed if the job resumes.
  bool null_ctx_pauses = false;
  /// The sequence offloads to the simulated device (fake_accel/): offload
  /// ops run, fds from kDeviceFdFloor up are the device's (a set_fd of one
  /// is skipped), and the end does not count heap blocks (the device, made
  /// when a plan first offloads and kept, allocates for itself, on its own
  /// threads with faults). plan() sets it when the sequence holds an
  /// offload op.
  bool device = false;
  /// The device misbehaves (wakes early, twice or late, fails or loses
  /// requests: device_wait's fault plan), so an offload's outcome is not
  /// predicted, only that it completed or failed visibly.
  bool device_faults = false;
  /// At the robustness level: the misuse allowed (misuse_bit()s).
  std::uint32_t misuse = kAllMisuse;
};

/// One driver op the interpreter runs, in order.
struct Step {
  const Op* op = nullptr;   ///< the driver op (in the sequence, or a teardown op of the plan)
  int op_index = -1;        ///< its index in sequence.ops; -1 for teardown
  int thread = 0;
  const std::vector<Op>* body = nullptr;  ///< Start: the body (also for a stale Resume's target)
};

/// An op of the sequence that does not run, and why.
struct Skipped {
  int op_index;
  std::string reason;
};

/// Move-only: its steps point at its own teardown ops.
struct Plan {
  Plan() = default;
  Plan(Plan&&) = default;
  Plan& operator=(Plan&&) = default;
  Plan(const Plan&) = delete;
  Plan& operator=(const Plan&) = delete;

  std::vector<Step> steps;
  std::vector<Expected> expected;  ///< every observation, in the order they happen
  std::vector<Skipped> skipped;
  int threads = 1;                 ///< threads the steps use (t0..threads-1)
  int jobs = 0;                    ///< job names used (max j + 1)
  int ctxs = 0;                    ///< ctx names used (max w + 1)
  std::uint32_t misuse = 0;        ///< the misuse the steps commit (misuse_bit()s)
  std::deque<Op> teardown;         ///< storage of the teardown ops
  ModelConfig config;
  /// Which steps ran a sequence op: step index of sequence.ops[i], or -1.
  std::vector<int> step_of_op;
  /// body_skipped[j][pc] != 0: job j skips its body op pc (its precondition
  /// does not hold, or only a looser level defines it).
  std::vector<std::vector<char>> body_skipped;
  bool body_op_skipped(int job, std::size_t pc) const noexcept {
    if (job < 0 || static_cast<std::size_t>(job) >= body_skipped.size()) return false;
    const auto& flags = body_skipped[static_cast<std::size_t>(job)];
    return pc < flags.size() && flags[pc] != 0;
  }
};

/// The model, fed one driver op at a time (the generator asks it which ops
/// would run before it appends them).
class Model {
public:
  explicit Model(const ModelConfig& config);
  /// The same, planning into the memory of `spent`, a plan no longer used:
  /// a fuzz target plans input after input without fresh allocations (under
  /// ASan each is fresh pages to fault in).
  Model(const ModelConfig& config, Plan&& spent);
  ~Model();
  Model(Model&&) noexcept;
  Model& operator=(Model&&) noexcept;

  /// Why `op` would be skipped now (its precondition does not hold, or its
  /// outcome is defined only at a looser level than the config's), or an
  /// empty string when it would run.
  std::string skip_reason(const Op& op) const;
  /// Makes room for a plan of about `ops` ops (op_count()).
  void reserve(std::size_t ops);
  /// Runs (or skips) one driver op. `op` must outlive the plan.
  void apply(const Op& op, int op_index);
  /// Appends the teardown and the sequence-end check (once; nothing may be
  /// applied after it).
  void teardown();
  /// The plan so far.
  const Plan& current() const noexcept;
  /// teardown(), and the plan.
  Plan finish() &&;

private:
  struct State;
  std::unique_ptr<State> s_;
};

/// The sequence holds an offload op (plan() then sets ModelConfig::device).
bool offloads(const Sequence& sequence) noexcept;
/// Model(config), apply every op, finish. The plan keeps pointers into the
/// sequence, so the sequence must outlive the plan.
Plan plan(const Sequence& sequence, const ModelConfig& config);
/// The same, in the memory of `spent` (see Model).
Plan plan(const Sequence& sequence, const ModelConfig& config, Plan&& spent);

}  // namespace asyncconf::harness
