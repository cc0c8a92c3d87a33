// Random exploration: sequences generated from a seed, run against an
// implementation in a long-lived child (many sequences per process, the
// thread state reset between them), judged by the model. The first failure
// (a violation, a crash or a hang) is confirmed by running its sequence
// alone in a fresh child, then shrunk. Also: one sequence run alone
// (replay), and two implementations compared (diff).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "asyncconf/harness/async_api.hpp"
#include "asyncconf/harness/generator.hpp"
#include "asyncconf/harness/interpreter.hpp"
#include "asyncconf/harness/model.hpp"
#include "asyncconf/harness/sequence.hpp"
#include "asyncconf/harness/shrinker.hpp"

namespace asyncconf::harness {

/// How a sequence run alone in a child ended.
struct IsolatedOutcome {
  enum class Kind {
    Pass,          ///< every observation as the model predicted
    Violation,     ///< an observation the run's level checks differed
    Inconclusive,  ///< a difference only a looser level defines
    Crash,         ///< the child died of a signal (or exited oddly)
    Hang,          ///< the child was still running at the time limit
    HarnessError,  ///< fork/pipe failed
  };
  Kind kind = Kind::HarnessError;
  RunResult result;         ///< what was observed (up to the crash: nothing)
  int signal = 0;
  std::string stderr_tail;  ///< the child's last words (sanitizer reports)
  double duration_ms = 0;
};
const char* to_string(IsolatedOutcome::Kind kind) noexcept;

/// Runs `sequence` alone in a fresh child (warmed up, see warm_up) at
/// `config` (model_config(api, level) when null: its own capabilities).
IsolatedOutcome run_isolated(const AsyncApi& api, const Sequence& sequence, Level level,
                             std::chrono::milliseconds timeout, const ModelConfig* config = nullptr,
                             const InterpreterOptions& options = {});

/// Where a requirement allows an implementation two answers, the one it
/// gives. Found by probing it in a child; ModelConfig takes these over.
struct Behaviour {
  bool null_ctx_pauses = false;  ///< ModelConfig::null_ctx_pauses
  bool probed = false;           ///< false: the probe child failed; defaults kept
};
/// Runs the probes in a fresh child (a crash or hang there keeps the defaults).
Behaviour probe_behaviour(const AsyncApi& api, std::chrono::milliseconds timeout);
/// Copies the behaviour into a model config.
void apply(const Behaviour& behaviour, ModelConfig& config) noexcept;

/// What makes two failures "the same" for the shrinker: the kind, and the
/// requirement (violations) or the signal (crashes).
struct FailureSignature {
  IsolatedOutcome::Kind kind = IsolatedOutcome::Kind::Pass;
  std::string requirement;
  int signal = 0;
  bool failed() const noexcept;
  friend bool operator==(const FailureSignature&, const FailureSignature&) = default;
};
FailureSignature signature(const IsolatedOutcome& outcome);

struct ExploreOptions {
  std::uint64_t seed = 1;
  std::optional<std::size_t> sequences;     ///< stop after this many (default: 1000 unless seconds)
  std::optional<double> seconds;            ///< stop after this long
  std::size_t max_ops = 64;                 ///< per sequence, driver and body ops
  int threads = 1;                          ///< threads the sequences use
  Level level = Level::Must;
  std::chrono::milliseconds timeout{5000};  ///< per sequence
  std::size_t shrink_attempts = 2000;
  /// At the robustness level: the misuse the sequences may commit
  /// (misuse_bit()s; ModelConfig::misuse of every config explore builds).
  std::uint32_t misuse = kAllMisuse;
  /// Bodies offload to the simulated device and the driver awaits them
  /// (ModelConfig::device; harness/README.md, "Offloading to the device").
  bool device = false;
  /// The device misbehaves as set_device_faults() was told (the caller
  /// sets it before exploring): ModelConfig::device_faults.
  bool device_faults = false;
  const std::atomic<bool>* stop = nullptr;  ///< set (SIGINT): stop soon, report what ran
};

struct ExploreProgress {
  std::size_t sequences = 0;  ///< run to the end
  std::size_t ops = 0;        ///< observations made (driver, body and teardown ops)
  std::size_t inconclusive = 0;
  double seconds = 0;
  const char* phase = "exploring";  ///< "exploring", "confirming", "shrinking"
  std::size_t shrink_attempts = 0;
};

/// The first failure found, confirmed and shrunk.
struct Finding {
  std::uint64_t index = 0;          ///< which sequence of the run
  std::uint64_t sequence_seed = 0;  ///< its seed (sequence_seed(run seed, index))
  Sequence original;
  IsolatedOutcome::Kind kind = IsolatedOutcome::Kind::Violation;
  bool reproduced_alone = true;     ///< false: it failed only after earlier sequences in the same process
  Sequence shrunk;                  ///< == original when not reproduced alone
  ShrinkResult shrink_stats;
  IsolatedOutcome outcome;          ///< of the shrunk sequence, run alone
  ModelConfig config;               ///< the model config the shrunk sequence was judged with
  /// A violation as the long-lived child saw it (the observations up to the
  /// difference, and the difference), judged with `batch_config`: all that is
  /// known of a violation that does not come back alone. Empty for a crash or
  /// a hang, whose child left no observations.
  std::optional<RunResult> batch;
  /// The model config of the batch run (sequences run there on the batch's
  /// threads, most without a thread exit at their end).
  ModelConfig batch_config;
};

struct ExploreResult {
  ExploreProgress totals;
  double explore_seconds = 0;          ///< of totals.seconds, the exploring (not confirming, shrinking)
  std::size_t children = 0;            ///< long-lived children started
  std::size_t unattributed_leaks = 0;  ///< heap growth over a batch no single sequence showed
  bool interrupted = false;
  std::string error;                   ///< the harness failed (fork, pipe): the run is incomplete
  Behaviour behaviour;                 ///< the answers the model was told to expect
  std::optional<Finding> finding;
};

ExploreResult explore(const AsyncApi& api, const ExploreOptions& options,
                      const std::function<void(const ExploreProgress&)>& progress = {});

/// The generator options explore drew its sequences with (after warm_up,
/// with `behaviour` as probed): generate(sequence_seed(options.seed, i), ...)
/// gives its sequence i again.
GeneratorOptions explore_generator(const AsyncApi& api, const ExploreOptions& options, const Behaviour& behaviour);

struct DiffOptions {
  std::uint64_t seed = 1;
  std::size_t sequences = 200;
  std::size_t max_ops = 64;
  int threads = 1;
  Level level = Level::Must;
  std::chrono::milliseconds timeout{5000};
  std::size_t shrink_attempts = 500;
  const std::atomic<bool>* stop = nullptr;
};

/// The first place two implementations disagree.
struct Disagreement {
  std::uint64_t index = 0;
  Sequence sequence;               ///< shrunk
  Sequence original;
  ModelConfig config;              ///< the plan both ran (capabilities both have)
  IsolatedOutcome a;
  IsolatedOutcome b;
  std::size_t position = 0;        ///< index of the first differing observation
};

struct DiffResult {
  std::size_t sequences = 0;
  std::size_t ops = 0;
  bool interrupted = false;
  std::optional<Disagreement> disagreement;
};

/// Runs the same sequences (with the capabilities both have) on `a` and
/// `b`, each in its own child, without trusting either: observations are
/// compared with each other, not with the model.
DiffResult diff(const AsyncApi& a, const AsyncApi& b, const DiffOptions& options,
                const std::function<void(const DiffResult&)>& progress = {});

/// Where two outcomes first differ: the observation index, or npos when
/// they agree (a crash differs from anything but the same crash).
std::size_t first_disagreement(const IsolatedOutcome& a, const IsolatedOutcome& b) noexcept;

}  // namespace asyncconf::harness
