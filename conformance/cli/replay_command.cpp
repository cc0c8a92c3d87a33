// asyncconf replay: one .seq file run alone against one implementation,
// with the trace of every op, the verdict, and why.
#include <cstdio>

#include "asyncconf/catalogue/requirements.hpp"
#include "asyncconf/conformance/explore_report.hpp"
#include "asyncconf/harness/failure_point.hpp"
#include "asyncconf/harness/finding_files.hpp"
#include "asyncconf/harness/finding_text.hpp"
#include "asyncconf/harness/interpreter.hpp"
#include "asyncconf/harness/option_values.hpp"
#include "asyncconf/harness/replay_text.hpp"
#include "asyncconf/harness/sequence_text.hpp"
#include "asyncconf/harness/text_blocks.hpp"
#include "asyncconf/harness/trace.hpp"
#include "cli_options.hpp"
#include "commands.hpp"
#include "impl_loader.hpp"

namespace asyncconf::cli {

namespace {

using harness::IsolatedOutcome;

struct ReplayOptions {
  std::string file;
  std::string impl;
  std::string level = "robustness";
  std::string misuse;
  bool misuse_given = false;
  int timeout_ms = 5000;
  std::string repro;
  std::string device_faults;
  std::uint64_t device_seed = 0;
};

// The trace, or why there is none, and the notes on skipped ops and lines.
void print_trace(const ReplayOptions& o, const std::string& text, const harness::Sequence& sequence,
                 const harness::Plan& plan, const IsolatedOutcome& outcome) {
  std::printf("\n");
  if (!outcome.result.observed.empty()) {
    std::printf("%s", harness::format_trace(sequence, plan, outcome.result).c_str());
  } else {
    std::printf("(no observations came back: the child ended before it could report them)\n");
    for (const harness::Skipped& s : plan.skipped) std::printf("  skipped op %d: %s\n", s.op_index + 1, s.reason.c_str());
  }
  std::printf("%s", harness::line_note(o.file, text, sequence.ops.size()).c_str());
  if (!plan.skipped.empty()) {
    std::printf("%zu op(s) skipped at level %s (listed above as skipped)\n", plan.skipped.size(), o.level.c_str());
  }
  std::printf("\n");
}

int run_replay(const CLI::App& cmd, const ReplayOptions& o) {
  const harness::Level level = *harness::level_from_string(o.level);  // checked by --level's validator
  if (o.misuse_given && level != harness::Level::Robustness) {
    return usage_error(cmd, "--misuse needs --level robustness (misuse is defined only there)");
  }
  const std::uint32_t misuse = o.misuse_given ? harness::parse_misuse_list(o.misuse) : harness::kAllMisuse;

  std::string text;
  try {
    text = harness::read_text_file(o.file);
  } catch (const std::exception& e) {
    return usage_error(cmd, e.what());
  }
  const harness::ParseResult parsed = harness::parse_sequence(text);
  if (!parsed.ok()) {
    std::fprintf(stderr, "%s:%s\n", o.file.c_str(), harness::to_string(*parsed.error).c_str());
    return kExitUsage;
  }
  const harness::Sequence& sequence = *parsed.sequence;

  harness::LoadResult loaded = load_impl(o.impl);
  if (!loaded) return usage_error(cmd, "cannot load implementation '" + o.impl + "': " + loaded.error().message);
  const harness::AsyncApi& api = loaded.impl().api();
  // As explore does: job stacks counted when the implementation allows it.
  harness::install_counting_stacks(api);
  const reports::Implementation impl = conformance::implementation_of(o.impl, loaded.impl());

  const std::chrono::milliseconds timeout(o.timeout_ms);
  harness::ModelConfig config = harness::replay_config(api, level, misuse, timeout);
  if (!o.device_faults.empty()) {
    const std::string why = harness::set_device_faults(o.device_faults, o.device_seed);
    if (!why.empty()) return usage_error(cmd, "--device-faults: " + why);
    config.device_faults = true;
  }
  std::printf("asyncconf replay %s: %s (%zu ops) against %s at level %s\n", ASYNCCONF_VERSION, o.file.c_str(),
              harness::op_count(sequence), conformance::impl_summary(impl).c_str(), o.level.c_str());
  std::fflush(stdout);
  const IsolatedOutcome outcome = harness::run_isolated(api, sequence, level, timeout, &config);
  const harness::Plan plan = harness::plan(sequence, config);
  print_trace(o, text, sequence, plan, outcome);

  int code = kExitFailures;
  std::string what_happened;
  const harness::RunResult* result_for_repro = nullptr;
  switch (outcome.kind) {
    case IsolatedOutcome::Kind::Pass:
      std::printf("PASS: every observation as the model predicted (%zu observations)\n",
                  outcome.result.observed.size());
      what_happened = "the harness saw every observation as the model predicted";
      code = kExitOk;
      break;
    case IsolatedOutcome::Kind::Violation:
    case IsolatedOutcome::Kind::Inconclusive: {
      const harness::RunResult& r = outcome.result;
      const std::string id = r.difference.requirement != nullptr ? r.difference.requirement : "";
      what_happened = harness::format_difference(sequence, plan, r, catalogue::requirement_text);
      if (outcome.kind == IsolatedOutcome::Kind::Violation) {
        std::printf("VIOLATION of %s (%s)\n", id.empty() ? "an unnamed rule" : id.c_str(),
                    harness::to_string(r.difference.level));
      } else {
        std::printf("INCONCLUSIVE: a difference only a looser level than %s defines (%s, %s); not a "
                    "violation at this level\n",
                    o.level.c_str(), id.empty() ? "no requirement" : id.c_str(),
                    harness::to_string(r.difference.level));
        code = kExitOk;
      }
      std::printf("%s", what_happened.c_str());
      result_for_repro = &r;
      break;
    }
    case IsolatedOutcome::Kind::Crash:
    case IsolatedOutcome::Kind::Hang: {
      const std::string end = harness::end_text(outcome, timeout);
      std::printf("%s: %s\n", outcome.kind == IsolatedOutcome::Kind::Crash ? "CRASH" : "HANG", end.c_str());
      what_happened = impl.name + ": " + end;
      if (outcome.kind == IsolatedOutcome::Kind::Hang) {
        std::printf("  locating the op (each try may take up to %d ms)...\n", o.timeout_ms);
        std::fflush(stdout);
      }
      const harness::FailurePoint point =
          harness::locate_failure(api, sequence, config, timeout, harness::signature(outcome));
      if (point.op_index != -1) {
        std::printf("  reached: %s\n", harness::failure_point_text(point).c_str());
        what_happened += "; " + harness::failure_point_text(point);
      }
      if (!outcome.stderr_tail.empty()) {
        std::printf("  stderr of the child (last bytes):\n%s",
                    harness::indent(harness::tail_of(outcome.stderr_tail)).c_str());
      }
      break;
    }
    case IsolatedOutcome::Kind::HarnessError:
      std::printf("HARNESS ERROR: %s\n", outcome.stderr_tail.c_str());
      what_happened = "harness error";
      break;
  }
  if (plan.misuse != 0) std::printf("misuse committed: %s\n", harness::misuse_names(plan.misuse).c_str());

  if (!o.repro.empty()) {
    const bool crashed = outcome.kind == IsolatedOutcome::Kind::Crash || outcome.kind == IsolatedOutcome::Kind::Hang;
    try {
      harness::write_text_file(o.repro, harness::c_reproducer(sequence, config, result_for_repro, what_happened,
                                                              conformance::impl_summary(impl), crashed));
    } catch (const std::exception& e) {
      return usage_error(cmd, e.what());
    }
    std::printf("wrote %s\n", o.repro.c_str());
  }
  return code;
}

}  // namespace

void setup_replay(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<ReplayOptions>();
  CLI::App* cmd = app.add_subcommand(
      "replay", "Run one .seq file alone against one implementation and print the trace of every op");
  cmd->add_option("file", o->file, "The .seq file (the op-sequence language; explore writes them)")
      ->required()
      ->check(CLI::ExistingFile);
  add_impl_option(*cmd, o->impl);
  add_level_option(*cmd, o->level,
                   "The loosest requirement level checked (default robustness, so that every op of "
                   "the file runs). Ops defined only at a looser level than this one are skipped and "
                   "listed as skipped in the trace; use the level the file was found at "
                   "(its 'replay with' line says it)");
  CLI::Option* misuse = add_misuse_option(
      *cmd, o->misuse,
      "With --level robustness only: the misuse allowed, comma-separated (see explore --help); "
      "ops committing any other misuse are skipped (default all)");
  add_timeout_option(*cmd, o->timeout_ms, "Time limit for the run; longer is a hang (default 5000)");
  cmd->add_option("--device-faults", o->device_faults,
                  "The simulated device misbehaves by these rules while the file's offloads run (as "
                  "explore --device-faults; its 'replay with' line gives them)");
  cmd->add_option("--device-seed", o->device_seed, "The seed the --device-faults rates draw from (default 0)");
  cmd->add_option("--repro", o->repro,
                  "Also write a standalone C reproducer of the sequence to this file (needs only "
                  "<openssl/async.h>)");
  cmd->footer(
      "The sequence runs in a fresh child (warmed up as explore's are). The trace lists every step "
      "with its observations, 'ok' or 'DIFFERS' from the model's prediction, and the ops skipped; "
      "then the verdict: PASS, VIOLATION (with the requirement and the man page's words), "
      "INCONCLUSIVE, CRASH or HANG (with the signal, the child's stderr, and the op at which the "
      "failure first shows).\n"
      "Exit codes: 0 pass (or inconclusive), 1 violation, crash or hang, 2 usage or load error, a "
      "missing file, or a malformed .seq file (reported as FILE:line:column: message).");
  cmd->callback([cmd, o, misuse, &exit_code] {
    ReplayOptions options = *o;
    options.misuse_given = misuse->count() > 0;
    exit_code = run_replay(*cmd, options);
  });
}

}  // namespace asyncconf::cli
