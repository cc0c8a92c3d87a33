#include "asyncconf/harness/finding_text.hpp"

#include "asyncconf/catalogue/requirements.hpp"
#include "asyncconf/harness/failure_point.hpp"
#include "asyncconf/harness/finding_files.hpp"
#include "asyncconf/harness/reproducer.hpp"
#include "asyncconf/harness/sandbox.hpp"
#include "asyncconf/harness/sequence_text.hpp"
#include "asyncconf/harness/text_blocks.hpp"
#include "asyncconf/harness/trace.hpp"

namespace asyncconf::harness {

namespace {

using Kind = IsolatedOutcome::Kind;

// The requirement a difference names, with its catalogue level (the
// difference's own level for an id the catalogue lacks).
void name_requirement(const RunResult& r, FindingText& t) {
  if (r.difference.requirement != nullptr) t.requirement = r.difference.requirement;
  t.requirement_level = t.requirement.empty() ? "" : catalogue::requirement_level(t.requirement);
  if (t.requirement_level.empty()) t.requirement_level = to_string(r.difference.level);
}

}  // namespace

std::string sequence_text(const Sequence& sequence) {
  if (sequence.ops.empty()) {
    return "# (no ops: the child fails in the harness's own warm-up, before the sequence runs)\n";
  }
  try {
    return print_sequence(sequence);
  } catch (const std::exception& e) {
    return std::string("# (cannot print this sequence: ") + e.what() + ")\n";
  }
}

FindingText describe_finding(const AsyncApi& api, const Finding& f, std::uint64_t seed,
                             std::chrono::milliseconds timeout) {
  FindingText t;
  t.kind = f.kind;
  t.kind_name = to_string(f.kind);
  t.shrunk_text = sequence_text(f.shrunk);
  t.original_text = sequence_text(f.original);
  const Plan shrunk_plan = plan(f.shrunk, f.config);
  if (shrunk_plan.misuse != 0) t.misuse = misuse_names(shrunk_plan.misuse);
  const std::string where = "sequence #" + std::to_string(f.index) + " (seed " + std::to_string(seed) + ")";

  if (!f.reproduced_alone) {
    t.detail = "sequence-" + std::to_string(f.index);
    t.headline = "a " + t.kind_name + " in " + where + ", not reproduced alone";
    t.explanation = "The " + t.kind_name +
                    " happened in the long-lived child, after earlier sequences ran in the same process; run "
                    "alone in a fresh child, the sequence gave: " +
                    to_string(f.outcome.kind) +
                    ". It depends on state the earlier sequences left behind, so it was not shrunk "
                    "(replaying it alone will probably not fail; repeat the whole run instead).\n";
    if (f.batch && f.batch->mismatch != RunResult::npos) {
      // What the long-lived child saw is the only evidence there is: the
      // requirement, and the expected and observed values where it differed.
      const RunResult& r = *f.batch;
      name_requirement(r, t);
      if (!t.requirement.empty()) {
        t.detail = t.requirement;
        t.headline = "a " + t.kind_name + " of " + t.requirement + " (" + t.requirement_level + ") in " + where +
                     ", not reproduced alone";
      }
      t.explanation += "In the long-lived child:\n" +
                       format_difference(f.original, plan(f.original, f.batch_config), r,
                                         catalogue::requirement_text);
    }
    if (f.kind == Kind::Crash) {
      t.explanation += end_text(f.outcome, timeout) + "\n";
      t.stderr_tail = tail_of(f.outcome.stderr_tail);
    }
    return t;
  }

  switch (f.kind) {
    case Kind::Violation: {
      const RunResult& r = f.outcome.result;
      name_requirement(r, t);
      t.detail = t.requirement.empty() ? "unknown-requirement" : t.requirement;
      t.headline = "a violation of " + (t.requirement.empty() ? std::string("an unnamed rule") : t.requirement) +
                   " (" + t.requirement_level + ") in " + where;
      t.explanation = format_difference(f.shrunk, shrunk_plan, r, catalogue::requirement_text);
      break;
    }
    case Kind::Crash:
    case Kind::Hang: {
      const std::string end = end_text(f.outcome, timeout);
      t.detail = f.kind == Kind::Hang ? "timeout" : (f.outcome.signal != 0 ? signal_name(f.outcome.signal) : "exit");
      t.headline = "a " + t.kind_name + " (" + end + ") in " + where;
      t.explanation = end + "\n";
      const FailurePoint point = locate_failure(api, f.shrunk, f.config, timeout, signature(f.outcome));
      if (point.op_index != -1) t.explanation += failure_point_text(point) + "\n";
      t.stderr_tail = tail_of(f.outcome.stderr_tail);
      break;
    }
    default:
      t.detail = "unknown";
      t.headline = "a " + t.kind_name + " in " + where;
      break;
  }
  return t;
}

std::string finding_stem(const std::string& impl, const FindingText& t) {
  return file_safe(impl_file_name(impl) + "-" + t.kind_name + (t.detail.empty() ? "" : "-" + t.detail));
}

std::string finding_seq_header(const ExploreSettings& run, const std::string& impl_summary, const Finding& f,
                               const FindingText& t, const std::string& what, const std::string& explanation,
                               const std::string& replay) {
  std::string h = "asyncconf explore: " + what + "\n";
  h += "implementation: " + impl_summary + "\n";
  h += "seed " + std::to_string(run.seed) + ", sequence index " + std::to_string(f.index) + " (sequence seed " +
       std::to_string(f.sequence_seed) + "), level " + run.level + ", max ops " + std::to_string(run.max_ops) +
       ", threads " + std::to_string(run.threads) + "\n";
  h += "kind: " + t.kind_name + (f.reproduced_alone ? "" : " (not reproduced alone)") + "\n";
  if (!t.requirement.empty()) h += "requirement: " + t.requirement + " (" + t.requirement_level + ")\n";
  h += explanation;
  if (!t.misuse.empty()) h += "misuse committed: " + t.misuse + "\n";
  h += "replay with: " + replay + "\n";
  return comment_lines(h) + "\n";
}

std::string c_reproducer(const Sequence& sequence, const ModelConfig& config, const RunResult* result,
                         const std::string& what_happened, const std::string& implementation, bool crashed) {
  // The C program runs in a fresh process; the harness judged a warmed-up one.
  ModelConfig fresh = config;
  fresh.fresh_process = true;
  const Plan warmed_plan = plan(sequence, config);
  const Plan fresh_plan = plan(sequence, fresh);
  ReproducerInput input;
  input.sequence = &sequence;
  input.plan = &fresh_plan;
  input.what_happened = what_happened;
  input.implementation = implementation;
  input.requirement_text = catalogue::requirement_text;
  input.keep_going = crashed;
  if (result != nullptr && result->mismatch != RunResult::npos) {
    const std::size_t i = result->mismatch;
    if (i < fresh_plan.expected.size() && i < warmed_plan.expected.size() &&
        fresh_plan.expected[i].want.same_site(warmed_plan.expected[i].want)) {
      input.failing = i;
      if (i < result->observed.size()) input.observed = &result->observed[i];
    }
  }
  return write_c_reproducer(input);
}

}  // namespace asyncconf::harness
