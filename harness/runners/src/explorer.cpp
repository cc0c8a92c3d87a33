#include "asyncconf/harness/explorer.hpp"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>
#include <type_traits>

#include "asyncconf/harness/child_process.hpp"
#include "asyncconf/harness/generator.hpp"
#include "asyncconf/harness/probes.hpp"
#include "asyncconf/harness/sandbox.hpp"

namespace asyncconf::harness {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// --- a RunResult over a pipe ------------------------------------------------
// The child is a fork of this process: the requirement ids (string literals
// of the model) are at the same addresses on both sides.

static_assert(std::is_trivially_copyable_v<Observation>);

struct WireHeader {
  std::uint64_t mismatch;
  std::uint64_t looser;
  std::uint64_t count;
  const char* requirement;
  std::uint8_t enforced;
  std::uint8_t found;
  std::uint8_t site;
  std::uint8_t field;
  std::uint8_t level;
};

std::string serialize(const RunResult& r) {
  WireHeader h{};
  h.mismatch = r.mismatch;
  h.looser = r.looser;
  h.count = r.observed.size();
  h.requirement = r.difference.requirement;
  h.enforced = r.enforced;
  h.found = r.difference.found;
  h.site = r.difference.site;
  h.field = static_cast<std::uint8_t>(r.difference.field);
  h.level = static_cast<std::uint8_t>(r.difference.level);
  std::string out(reinterpret_cast<const char*>(&h), sizeof h);
  out.append(reinterpret_cast<const char*>(r.observed.data()), r.observed.size() * sizeof(Observation));
  return out;
}

bool deserialize(const std::string& in, RunResult& r) {
  if (in.size() < sizeof(WireHeader)) return false;
  WireHeader h;
  std::memcpy(&h, in.data(), sizeof h);
  if (in.size() != sizeof h + h.count * sizeof(Observation)) return false;
  r.mismatch = h.mismatch;
  r.looser = h.looser;
  r.enforced = h.enforced != 0;
  r.difference.found = h.found != 0;
  r.difference.site = h.site != 0;
  r.difference.field = static_cast<Field>(h.field);
  r.difference.level = static_cast<Level>(h.level);
  r.difference.requirement = h.requirement;
  r.observed.resize(h.count);
  std::memcpy(r.observed.data(), in.data() + sizeof h, h.count * sizeof(Observation));
  return true;
}

IsolatedOutcome::Kind verdict(const RunResult& r) {
  if (r.mismatch == RunResult::npos) return IsolatedOutcome::Kind::Pass;
  return r.enforced ? IsolatedOutcome::Kind::Violation : IsolatedOutcome::Kind::Inconclusive;
}

// The model config of a warmed-up process (every child runs warm_up first).
ModelConfig warmed_config(const AsyncApi& api, Level level) {
  ModelConfig c = model_config(api, level);
  c.fresh_process = false;
  return c;
}

// The model config of explore's sequences: a warmed-up process, the misuse allowed.
ModelConfig explore_config(const AsyncApi& api, const ExploreOptions& o, const Behaviour& b) {
  ModelConfig c = warmed_config(api, o.level);
  c.misuse = o.misuse;
  c.device = o.device;
  c.device_faults = o.device_faults;
  apply(b, c);
  return c;
}

// --- the long-lived child's reports -------------------------------------------

enum class RecordType : std::uint32_t { Done, Inconclusive, Violation, BatchLeak, Finished };

struct Record {
  RecordType type;
  std::uint32_t flags = 0;
  std::uint64_t index = 0;
  std::uint64_t ops = 0;
  std::int64_t extra = 0;  ///< BatchLeak: blocks gained; Violation: bytes of the RunResult that follow
};

constexpr std::uint32_t kReusedThreads = 1;  ///< Violation: on the batch's threads, without a thread exit

void send_bytes(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

void send(int fd, const Record& r) { send_bytes(fd, reinterpret_cast<const char*>(&r), sizeof r); }

// A violation with what was observed: the parent keeps it for a finding that
// does not come back alone, where it is all there is to show.
void send_violation(int fd, std::uint64_t index, const RunResult& r, bool reused_threads) {
  const std::string payload = serialize(r);
  std::string bytes(sizeof(Record), '\0');
  const Record header{RecordType::Violation, reused_threads ? kReusedThreads : 0u, index, r.observed.size(),
                      static_cast<std::int64_t>(payload.size())};
  std::memcpy(bytes.data(), &header, sizeof header);
  bytes += payload;
  send_bytes(fd, bytes.data(), bytes.size());
}

// How the long-lived child runs sequence `index`: thread 0 on the batch
// thread, the others on the batch's kept threads, each reset by
// ASYNC_cleanup_thread (the plan then has no thread exit),
// except one in kIsolatedEvery, which runs on threads of its own so that
// what a thread's exit frees is checked too.
constexpr std::uint64_t kIsolatedEvery = 32;
InterpreterOptions batch_options(const Sequence& s, std::uint64_t index, KeptThreads& kept) {
  if (index % kIsolatedEvery == kIsolatedEvery - 1) return {};
  return reusing_threads(s, kept);
}
ModelConfig batch_config(ModelConfig config, const InterpreterOptions& o) {
  if (o.reuses_threads()) config.thread_exits = false;
  return config;
}

// The child: runs sequences [first, end) until the deadline, reporting each.
// Sequences run on a batch thread and its kept threads, many per thread,
// each ending with ASYNC_cleanup_thread; the batch threads' exit frees the
// rest, and heap blocks are compared around the whole batch.
[[noreturn]] void explore_child(const AsyncApi& api, const ExploreOptions& o, const Behaviour& behaviour,
                                std::uint64_t first,
                                std::uint64_t end, Clock::time_point deadline, int out) {
  constexpr std::uint64_t kBatch = 256;
  warm_up(api);
  const GeneratorOptions gen{explore_config(api, o, behaviour), o.threads, o.max_ops};
  std::uint64_t index = first;
  bool violated = false;
  while (!violated && index < end && Clock::now() < deadline) {
    const std::uint64_t batch_first = index;
    bool clean = true;
    const std::int64_t heap_before = probes::live_allocations();
    const int fds_before = probes::open_fds();
    // On a stack of the harness's own, like the plans' threads: otherwise it
    // holds one of the stacks glibc caches, and a plan on four threads gets
    // a fresh one whose blocks outlive the plan (HarnessThread).
    run_on_harness_thread([&] {
      KeptThreads kept;
      for (std::uint64_t k = 0; k < kBatch && index < end && Clock::now() < deadline; ++k) {
        const Sequence s = generate(sequence_seed(o.seed, index), gen);
        const InterpreterOptions run_options = batch_options(s, index, kept);
        const Plan p = plan(s, batch_config(explore_config(api, o, behaviour), run_options));
        const RunResult r = run_plan(api, p, run_options);
        if (r.violation()) {
          send_violation(out, index, r, run_options.reuses_threads());
          violated = true;
          return;
        }
        if (r.mismatch != RunResult::npos) {
          // The thread's ASYNC state is unknown now: end the batch with it.
          send(out, {RecordType::Inconclusive, 0, index, r.observed.size(), 0});
          clean = false;
          ++index;
          return;
        }
        send(out, {RecordType::Done, 0, index, r.observed.size(), 0});
        ++index;
      }
    });
    if (violated || !clean || !probes::allocation_counting()) continue;
    // The device allocates on its own threads: with it, fds only.
    const std::int64_t gained = o.device ? 0 : probes::live_allocations() - heap_before;
    const int fds_gained = probes::open_fds() - fds_before;
    if (gained <= 0 && fds_gained <= 0) continue;  // fewer than before is no leak
    // Which sequence leaked: each again, alone on its own threads.
    bool found = false;
    for (std::uint64_t i = batch_first; i < index && !found; ++i) {
      const Sequence s = generate(sequence_seed(o.seed, i), gen);
      const Plan p = plan(s, explore_config(api, o, behaviour));
      const RunResult r = run_plan(api, p);
      if (r.violation()) {
        send_violation(out, i, r, false);
        violated = found = true;
      }
    }
    if (!found) send(out, {RecordType::BatchLeak, 0, batch_first, index - batch_first, gained});
  }
  send(out, {RecordType::Finished, 0, index, 0, 0});
  ::_exit(0);
}

// How much of the exploring child's stderr a crash finding keeps.
constexpr std::size_t kExploreStderrTail = 8192;

}  // namespace

const char* to_string(IsolatedOutcome::Kind kind) noexcept {
  switch (kind) {
    case IsolatedOutcome::Kind::Pass: return "pass";
    case IsolatedOutcome::Kind::Violation: return "violation";
    case IsolatedOutcome::Kind::Inconclusive: return "inconclusive";
    case IsolatedOutcome::Kind::Crash: return "crash";
    case IsolatedOutcome::Kind::Hang: return "hang";
    case IsolatedOutcome::Kind::HarnessError: return "harness error";
  }
  return "?";
}

IsolatedOutcome run_isolated(const AsyncApi& api, const Sequence& sequence, Level level,
                             std::chrono::milliseconds timeout, const ModelConfig* config,
                             const InterpreterOptions& options) {
  IsolatedOutcome outcome;
  SandboxOptions sandbox;
  sandbox.timeout = timeout;
  run_in_children(
      1,
      [&](std::size_t) {
        warm_up(api);
        const ModelConfig c = config != nullptr ? *config : warmed_config(api, level);
        const Plan p = plan(sequence, c);
        return serialize(run_plan(api, p, options));
      },
      [&](std::size_t, ChildOutcome child) {
        outcome.stderr_tail = std::move(child.stderr_tail);
        outcome.duration_ms = child.duration_ms;
        switch (child.kind) {
          case ChildOutcome::Kind::Exited:
            if (child.exit_code == 0 && deserialize(child.payload, outcome.result)) {
              outcome.kind = verdict(outcome.result);
            } else {
              outcome.kind = IsolatedOutcome::Kind::Crash;  // exited early: an abort path, or _exit in the impl
            }
            break;
          case ChildOutcome::Kind::Signaled:
            outcome.kind = IsolatedOutcome::Kind::Crash;
            outcome.signal = child.signal;
            break;
          case ChildOutcome::Kind::TimedOut: outcome.kind = IsolatedOutcome::Kind::Hang; break;
          case ChildOutcome::Kind::HarnessError:
            outcome.kind = IsolatedOutcome::Kind::HarnessError;
            outcome.stderr_tail = child.error;
            break;
        }
      },
      sandbox);
  return outcome;
}

namespace {

int (*g_probe_pause)() = nullptr;  // the probed implementation's ASYNC_pause_job

int pause_in_job(void*) {
  g_probe_pause();
  return 0;
}

}  // namespace

Behaviour probe_behaviour(const AsyncApi& api, std::chrono::milliseconds timeout) {
  Behaviour b;
  SandboxOptions sandbox;
  sandbox.timeout = timeout;
  run_in_children(
      1,
      [&](std::size_t) -> std::string {
        // A job with a NULL wait ctx pauses: does ASYNC_start_job report PAUSE?
        std::string answer;
        std::thread t([&] {
          g_probe_pause = api.ASYNC_pause_job;
          ASYNC_JOB* job = nullptr;
          int ret = 0;
          const int rc = api.ASYNC_start_job(&job, nullptr, &ret, pause_in_job, nullptr, 0);
          answer = rc == ASYNC_PAUSE ? "pauses" : "returns";
        });
        t.join();
        return answer;
      },
      [&](std::size_t, ChildOutcome child) {
        if (child.kind != ChildOutcome::Kind::Exited || child.exit_code != 0) return;
        b.probed = true;
        b.null_ctx_pauses = child.payload == "pauses";
      },
      sandbox);
  return b;
}

void apply(const Behaviour& behaviour, ModelConfig& config) noexcept {
  config.null_ctx_pauses = behaviour.null_ctx_pauses;
}

bool FailureSignature::failed() const noexcept {
  return kind == IsolatedOutcome::Kind::Violation || kind == IsolatedOutcome::Kind::Crash ||
         kind == IsolatedOutcome::Kind::Hang;
}

FailureSignature signature(const IsolatedOutcome& outcome) {
  FailureSignature s;
  s.kind = outcome.kind;
  if (outcome.kind == IsolatedOutcome::Kind::Violation && outcome.result.difference.requirement != nullptr) {
    s.requirement = outcome.result.difference.requirement;
  }
  if (outcome.kind == IsolatedOutcome::Kind::Crash) s.signal = outcome.signal;
  return s;
}

ExploreResult explore(const AsyncApi& api, const ExploreOptions& o,
                      const std::function<void(const ExploreProgress&)>& progress) {
  ExploreResult result;
  ExploreProgress& totals = result.totals;
  const auto started = Clock::now();
  const std::uint64_t end = o.sequences ? *o.sequences : (o.seconds ? UINT64_MAX : 1000);
  const Clock::time_point deadline =
      o.seconds ? started + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(*o.seconds))
                : Clock::time_point::max();
  const auto stopped = [&] { return o.stop != nullptr && o.stop->load(); };
  const auto report = [&] {
    totals.seconds = seconds_since(started);
    if (progress) progress(totals);
  };

  // Only misuse has answers to choose from; a must-level run needs no probe.
  Behaviour behaviour;
  if (o.level >= Level::Robustness) behaviour = probe_behaviour(api, o.timeout);
  result.behaviour = behaviour;

  std::uint64_t next = 0;
  std::optional<std::uint64_t> failed_index;
  IsolatedOutcome::Kind failed_kind = IsolatedOutcome::Kind::Violation;
  std::string failed_stderr;
  int failed_signal = 0;
  std::optional<RunResult> failed_batch;
  bool failed_reused = false;

  while (!failed_index && next < end && Clock::now() < deadline && !stopped()) {
    ForkedChild child;
    std::string pending;  // a partial record
    const std::uint64_t first = next;
    if (!child.start([&](int out) { explore_child(api, o, behaviour, first, end, deadline, out); })) {
      result.error = std::string("cannot start the exploring child: ") + std::strerror(errno);
      break;
    }
    ++result.children;
    auto last_progress = Clock::now();
    auto last_report = Clock::now();
    bool finished = false;
    bool records_open = true;
    while (records_open) {
      pollfd fds[2] = {{child.result_fd(), POLLIN, 0}, {child.stderr_fd(), POLLIN, 0}};
      const int nfds = child.stderr_fd() >= 0 ? 2 : 1;
      ::poll(fds, static_cast<nfds_t>(nfds), 100);
      if (nfds == 2 && fds[1].revents != 0) child.drain_stderr(kExploreStderrTail);
      if (fds[0].revents != 0) {
        if (child.read_result(pending, sizeof(Record) * 64) <= 0) {
          records_open = false;
        } else {
          std::size_t off = 0;
          while (!failed_index && off + sizeof(Record) <= pending.size()) {
            Record r;
            std::memcpy(&r, pending.data() + off, sizeof r);
            const std::size_t payload = r.type == RecordType::Violation ? static_cast<std::size_t>(r.extra) : 0;
            if (off + sizeof(Record) + payload > pending.size()) break;  // the rest is still coming
            const std::size_t body = off + sizeof(Record);
            off = body + payload;
            switch (r.type) {
              case RecordType::Done:
              case RecordType::Inconclusive:
                ++totals.sequences;
                totals.ops += r.ops;
                if (r.type == RecordType::Inconclusive) ++totals.inconclusive;
                next = r.index + 1;
                last_progress = Clock::now();
                break;
              case RecordType::Violation: {
                failed_index = r.index;
                failed_kind = IsolatedOutcome::Kind::Violation;
                failed_reused = (r.flags & kReusedThreads) != 0;
                RunResult seen;
                if (deserialize(pending.substr(body, payload), seen)) failed_batch = std::move(seen);
                break;
              }
              case RecordType::BatchLeak: ++result.unattributed_leaks; break;
              case RecordType::Finished: finished = true; break;
            }
          }
          pending.erase(0, off);
        }
      }
      if (failed_index || finished) break;
      if (stopped()) break;
      if (Clock::now() - last_progress > o.timeout) {
        failed_index = next;
        failed_kind = IsolatedOutcome::Kind::Hang;
        break;
      }
      if (Clock::now() - last_report > std::chrono::milliseconds(200)) {
        last_report = Clock::now();
        report();
      }
    }
    if (failed_index || stopped()) child.kill();
    const ChildOutcome ended = *child.wait(ForkedChild::Wait::Block);
    if (!failed_index && !finished && !stopped()) {
      // The child died: the sequence after the last one it finished crashed it.
      failed_index = next;
      failed_kind = IsolatedOutcome::Kind::Crash;
      failed_signal = ended.kind == ChildOutcome::Kind::Signaled ? ended.signal : 0;
      failed_stderr = ended.stderr_tail;
    }
    if (finished && next < end && Clock::now() < deadline) continue;  // the child stopped early: go on
    if (finished) break;
  }
  result.interrupted = stopped();
  report();
  result.explore_seconds = totals.seconds;
  if (!failed_index) return result;

  // Confirm alone, then shrink.
  Finding f;
  f.index = *failed_index;
  f.sequence_seed = sequence_seed(o.seed, f.index);
  const GeneratorOptions gen{explore_config(api, o, behaviour), o.threads, o.max_ops};
  f.original = generate(f.sequence_seed, gen);
  f.config = explore_config(api, o, behaviour);
  f.batch = std::move(failed_batch);
  f.batch_config = f.config;
  if (failed_reused) f.batch_config.thread_exits = false;
  totals.phase = "confirming";
  report();
  const IsolatedOutcome alone = run_isolated(api, f.original, o.level, o.timeout, &f.config);
  const FailureSignature want = signature(alone);
  if (!want.failed()) {
    f.reproduced_alone = false;
    f.kind = failed_kind;
    f.shrunk = f.original;
    f.outcome = alone;
    if (failed_kind == IsolatedOutcome::Kind::Crash) {
      f.outcome.signal = failed_signal;
      f.outcome.stderr_tail = failed_stderr;
    }
    result.finding = std::move(f);
    return result;
  }
  f.kind = alone.kind;
  totals.phase = "shrinking";
  ShrinkOptions shrink_options;
  // A hang costs the whole time limit per attempt.
  shrink_options.max_attempts = want.kind == IsolatedOutcome::Kind::Hang ? std::min<std::size_t>(o.shrink_attempts, 30)
                                                                          : o.shrink_attempts;
  shrink_options.progress = [&](std::size_t attempts, const Sequence&) {
    totals.shrink_attempts = attempts;
    report();
  };
  f.shrink_stats = shrink(
      f.original,
      [&](const Sequence& candidate) {
        if (stopped()) return false;
        ++totals.shrink_attempts;
        return signature(run_isolated(api, candidate, o.level, o.timeout, &f.config)) == want;
      },
      shrink_options);
  f.shrunk = f.shrink_stats.sequence;
  f.outcome = run_isolated(api, f.shrunk, o.level, o.timeout, &f.config);
  if (!(signature(f.outcome) == want)) {
    // Flaky: keep the original, whose failure was seen alone.
    f.shrunk = f.original;
    f.outcome = alone;
  }
  result.finding = std::move(f);
  result.interrupted = stopped();
  report();
  return result;
}

std::size_t first_disagreement(const IsolatedOutcome& a, const IsolatedOutcome& b) noexcept {
  const auto& x = a.result.observed;
  const auto& y = b.result.observed;
  const std::size_t n = std::min(x.size(), y.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (compare_raw(x[i], y[i]).found) return i;
  }
  const bool same_end = a.kind == b.kind || (a.kind != IsolatedOutcome::Kind::Crash &&
                                             b.kind != IsolatedOutcome::Kind::Crash &&
                                             a.kind != IsolatedOutcome::Kind::Hang &&
                                             b.kind != IsolatedOutcome::Kind::Hang);
  if (x.size() != y.size() || !same_end || a.signal != b.signal) return n;
  return RunResult::npos;
}

DiffResult diff(const AsyncApi& a, const AsyncApi& b, const DiffOptions& o,
                const std::function<void(const DiffResult&)>& progress) {
  DiffResult result;
  // What both have; nothing counted that only one process could count.
  ModelConfig config;
  config.level = o.level;
  config.callbacks = a.has_callbacks && b.has_callbacks;
  config.mem_functions = false;
  config.counting_stacks = false;
  config.counting_heap = probes::allocation_counting();
  config.fresh_process = false;
  const GeneratorOptions gen{config, o.threads, o.max_ops};
  InterpreterOptions record_all;
  record_all.check = false;
  const auto run_both = [&](const Sequence& s, IsolatedOutcome& oa, IsolatedOutcome& ob) {
    oa = run_isolated(a, s, o.level, o.timeout, &config, record_all);
    ob = run_isolated(b, s, o.level, o.timeout, &config, record_all);
    return first_disagreement(oa, ob);
  };
  for (std::uint64_t i = 0; i < o.sequences; ++i) {
    if (o.stop != nullptr && o.stop->load()) {
      result.interrupted = true;
      break;
    }
    const Sequence s = generate(sequence_seed(o.seed, i), gen);
    IsolatedOutcome oa;
    IsolatedOutcome ob;
    const std::size_t at = run_both(s, oa, ob);
    ++result.sequences;
    result.ops += oa.result.observed.size();
    if (progress) progress(result);
    if (at == RunResult::npos) continue;
    Disagreement d;
    d.index = i;
    d.original = s;
    d.config = config;
    ShrinkOptions shrink_options;
    shrink_options.max_attempts = o.shrink_attempts;
    d.sequence = shrink(s,
                        [&](const Sequence& candidate) {
                          IsolatedOutcome x;
                          IsolatedOutcome y;
                          return run_both(candidate, x, y) != RunResult::npos;
                        },
                        shrink_options)
                     .sequence;
    d.position = run_both(d.sequence, d.a, d.b);
    if (d.position == RunResult::npos) {
      d.sequence = s;
      d.position = run_both(s, d.a, d.b);
    }
    result.disagreement = std::move(d);
    break;
  }
  return result;
}

GeneratorOptions explore_generator(const AsyncApi& api, const ExploreOptions& options, const Behaviour& behaviour) {
  return {explore_config(api, options, behaviour), options.threads, options.max_ops};
}

}  // namespace asyncconf::harness
