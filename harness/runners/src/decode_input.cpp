#include "asyncconf/harness/decode_input.hpp"

#include <algorithm>
#include <span>

#include "asyncconf/catalogue/requirements.hpp"
#include "asyncconf/harness/failure_point.hpp"
#include "asyncconf/harness/finding_files.hpp"
#include "asyncconf/harness/interpreter.hpp"
#include "asyncconf/harness/text_blocks.hpp"
#include "asyncconf/harness/trace.hpp"

namespace asyncconf::harness {

namespace fs = std::filesystem;
using Kind = IsolatedOutcome::Kind;

std::string limits_text(const DecodeLimits& limits) {
  return "at most " + std::to_string(limits.max_driver_ops) + " driver ops, " +
         std::to_string(limits.max_body_ops) + " ops per body, " + std::to_string(limits.threads) +
         " threads, " + std::to_string(limits.jobs) + " jobs, " + std::to_string(limits.ctxs) + " ctxs" +
         (body_capacity(limits) > limits.max_body_ops
              ? ", " + std::to_string(body_capacity(limits)) + " ops per body with repeats"
              : std::string());
}

Sequence wait_ctx_ops_only(Sequence sequence) {
  auto keep = [](const Op& op) {
    return is_wait_ctx_op(op.kind) || op.kind == OpKind::WaitCtxNew || op.kind == OpKind::WaitCtxFree ||
           op.kind == OpKind::Start || op.kind == OpKind::Resume || op.kind == OpKind::Pause ||
           op.kind == OpKind::Return;
  };
  std::erase_if(sequence.ops, [&](const Op& op) { return !keep(op); });
  for (Op& op : sequence.ops) std::erase_if(op.body, [&](const Op& b) { return !keep(b); });
  return sequence;
}

FuzzInput read_fuzz_input(const fs::path& path) {
  const std::string bytes = read_text_file(path);  // read in binary mode: any bytes
  FuzzInput input;
  input.bytes = bytes.size();
  input.sequence = decode_sequence(
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()),
      kFuzzDecodeLimits);
  return input;
}

ShrunkFailure shrink_failure(const AsyncApi& api, const Sequence& failing, const IsolatedOutcome& outcome,
                             const ModelConfig& config, std::chrono::milliseconds timeout,
                             const ShrinkFailureOptions& options) {
  ShrunkFailure r;
  r.sequence = failing;
  r.outcome = outcome;
  r.stats.sequence = failing;
  const FailureSignature want = signature(outcome);
  if (!want.failed()) return r;
  const auto stopped = [&] { return options.stop != nullptr && options.stop->load(); };

  ShrinkOptions shrink_options;
  shrink_options.max_attempts = want.kind == Kind::Hang
                                    ? std::min(options.max_attempts, kHangShrinkAttempts)
                                    : options.max_attempts;
  shrink_options.progress = options.progress;
  // The shrinker's result is the last candidate it accepted: keeping that
  // run's outcome spares a confirming run when interrupted.
  IsolatedOutcome last_accepted;
  r.stats = shrink(
      failing,
      [&](const Sequence& candidate) {
        if (stopped()) return false;
        IsolatedOutcome run = run_isolated(api, candidate, config.level, timeout, &config);
        if (!(signature(run) == want)) return false;
        last_accepted = std::move(run);
        return true;
      },
      shrink_options);
  r.interrupted = stopped();
  if (r.stats.accepted == 0) return r;  // nothing smaller fails: the input and its outcome stand
  r.sequence = r.stats.sequence;
  if (r.interrupted) {
    r.outcome = std::move(last_accepted);
    return r;
  }
  // As explore: the shrunk sequence is run once more; a failure that does
  // not come back keeps the input, whose failure was seen.
  r.outcome = run_isolated(api, r.sequence, config.level, timeout, &config);
  if (!(signature(r.outcome) == want)) {
    r.sequence = failing;
    r.outcome = outcome;
    r.confirmed = false;
  }
  return r;
}

OutcomeText describe_outcome(const AsyncApi& api, const Sequence& sequence, const ModelConfig& config,
                             const IsolatedOutcome& outcome, std::chrono::milliseconds timeout, bool locate) {
  OutcomeText t;
  t.kind = outcome.kind;
  const Plan p = plan(sequence, config);
  if (p.misuse != 0) t.misuse = misuse_names(p.misuse);
  const RunResult& r = outcome.result;
  switch (outcome.kind) {
    case Kind::Pass:
      t.verdict = "PASS: every observation as the model predicted (" + std::to_string(r.observed.size()) +
                  " observations)";
      break;
    case Kind::Violation:
    case Kind::Inconclusive: {
      if (r.difference.requirement != nullptr) t.requirement = r.difference.requirement;
      t.requirement_level = t.requirement.empty() ? "" : catalogue::requirement_level(t.requirement);
      if (t.requirement_level.empty()) t.requirement_level = to_string(r.difference.level);
      if (outcome.kind == Kind::Violation) {
        t.verdict = "VIOLATION of " + (t.requirement.empty() ? std::string("an unnamed rule") : t.requirement) +
                    " (" + t.requirement_level + ")";
      } else {
        t.verdict = "INCONCLUSIVE: a difference only a looser level than " + std::string(to_string(config.level)) +
                    " defines (" + (t.requirement.empty() ? std::string("no requirement") : t.requirement) + ", " +
                    t.requirement_level + "); not a violation at this level";
      }
      t.explanation = format_difference(sequence, p, r, catalogue::requirement_text);
      break;
    }
    case Kind::Crash:
    case Kind::Hang: {
      const std::string end = end_text(outcome, timeout);
      t.verdict = std::string(outcome.kind == Kind::Crash ? "CRASH: " : "HANG: ") + end;
      t.explanation = end + "\n";
      if (locate) {
        const FailurePoint point = locate_failure(api, sequence, config, timeout, signature(outcome));
        if (point.op_index != -1) t.explanation += failure_point_text(point) + "\n";
      }
      t.stderr_tail = tail_of(outcome.stderr_tail);
      break;
    }
    case Kind::HarnessError:
      t.verdict = "HARNESS ERROR: " + outcome.stderr_tail;
      break;
  }
  return t;
}

DecodeFiles decode_files(const fs::path& input, const fs::path& out) {
  std::string name = input.filename().string();
  if (name.empty() || name == "." || name == "..") name = "input";
  return {out / (name + ".seq"), out / (name + ".shrunk.seq"), out / (name + ".c")};
}

std::string decode_seq_header(const DecodeSource& source, const OutcomeText& t, const std::string& what,
                              const std::string& explanation, const std::string& replay) {
  std::string h = "asyncconf decode: " + what + "\n";
  h += "input: " + source.input + " (" + std::to_string(source.bytes) +
       " bytes, decoded with the fuzz targets' limits: " + limits_text(kFuzzDecodeLimits) + ")\n";
  h += "implementation: " + source.implementation + "\n";
  h += "level: " + source.level + "\n";
  h += std::string("kind: ") + to_string(t.kind) + "\n";
  if (!t.requirement.empty()) h += "requirement: " + t.requirement + " (" + t.requirement_level + ")\n";
  h += explanation;
  if (!explanation.empty() && explanation.back() != '\n') h += '\n';
  if (!t.misuse.empty()) h += "misuse committed: " + t.misuse + "\n";
  h += "replay with: " + replay + "\n";
  return comment_lines(h) + "\n";
}

}  // namespace asyncconf::harness
