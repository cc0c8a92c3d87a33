// asyncconf replay: one .seq file run alone against one implementation,
// with the trace of every op, the verdict, and why.
#include <cstdio>
#include <filesystem>
#include <optional>
#include <sstream>

#include "asyncconf/harness/explorer.hpp"
#include "asyncconf/harness/interpreter.hpp"
#include "asyncconf/harness/sandbox.hpp"
#include "asyncconf/harness/sequence_text.hpp"
#include "asyncconf/harness/trace.hpp"
#include "commands.hpp"
#include "findings.hpp"
#include "impl_loader.hpp"

namespace asyncconf::cli {

namespace {

namespace fs = std::filesystem;
using harness::IsolatedOutcome;

struct ReplayOptions {
  std::string file;
  std::string impl;
  std::string level = "robustness";
  std::string misuse;
  bool misuse_given = false;
  int timeout_ms = 5000;
  std::string repro;
};

int usage_error(const std::string& message) {
  std::fprintf(stderr, "asyncconf replay: %s\n", message.c_str());
  return kExitUsage;
}

// The file line of each op: ops are the lines that hold more than a comment.
std::vector<int> op_lines(const std::string& text) {
  std::vector<int> lines;
  std::istringstream in(text);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    const std::string code = line.substr(0, line.find('#'));
    if (code.find_first_not_of(" \t\r") != std::string::npos) lines.push_back(number);
  }
  return lines;
}

// The trace says "line N" for the N-th op; a file with comments or blank
// lines has its ops elsewhere: say where.
std::string line_note(const std::string& file, const std::string& text, std::size_t ops) {
  const std::vector<int> lines = op_lines(text);
  if (lines.size() != ops || ops == 0) return {};
  bool same = true;
  bool constant_offset = true;
  for (std::size_t i = 0; i < ops; ++i) {
    same = same && lines[i] == static_cast<int>(i) + 1;
    constant_offset = constant_offset && lines[i] - static_cast<int>(i) == lines[0];
  }
  if (same) return {};
  std::string note = "note: \"line N\" in the trace is the N-th op of the sequence; in " + file + " ";
  if (ops == 1) return note + "op 1 is on line " + std::to_string(lines[0]) + "\n";
  if (constant_offset) {
    return note + "op N is on line N+" + std::to_string(lines[0] - 1) + " (ops 1-" + std::to_string(ops) +
           " on lines " + std::to_string(lines[0]) + "-" + std::to_string(lines[ops - 1]) + ")\n";
  }
  note += "the ops are on lines";
  for (std::size_t i = 0; i < ops; ++i) note += (i == 0 ? " " : ", ") + std::to_string(lines[i]);
  return note + "\n";
}

int run_replay(const ReplayOptions& o) {
  const std::optional<harness::Level> level = harness::level_from_string(o.level);
  if (!level) return usage_error("--level must be must, de-facto or robustness, not '" + o.level + "'");
  if (o.timeout_ms <= 0) return usage_error("--timeout-ms must be positive");
  std::uint32_t misuse = harness::kAllMisuse;
  if (o.misuse_given) {
    if (*level != harness::Level::Robustness) {
      return usage_error("--misuse needs --level robustness (misuse is defined only there)");
    }
    try {
      misuse = parse_misuse_list(o.misuse);
    } catch (const std::exception& e) {
      return usage_error(e.what());
    }
  }

  std::string text;
  try {
    text = read_text_file(o.file);
  } catch (const std::exception& e) {
    return usage_error(e.what());
  }
  const harness::ParseResult parsed = harness::parse_sequence(text);
  if (!parsed.ok()) {
    std::fprintf(stderr, "%s:%s\n", o.file.c_str(), harness::to_string(*parsed.error).c_str());
    return kExitUsage;
  }
  const harness::Sequence& sequence = *parsed.sequence;

  harness::LoadResult loaded = load_impl(o.impl);
  if (!loaded) {
    return usage_error("cannot load implementation '" + o.impl + "': " + loaded.error().message);
  }
  const harness::AsyncApi& api = loaded.impl().api();
  // As explore does: job stacks counted when the implementation allows it.
  harness::install_counting_stacks(api);
  const reports::Implementation impl = implementation_of(o.impl, loaded.impl());

  // The config the child judges with: a warmed-up process (run_isolated
  // warms the child up first), the misuse allowed.
  harness::ModelConfig config = harness::model_config(api, *level);
  config.fresh_process = false;
  config.misuse = misuse;
  // Where misuse has two allowed answers, expect the one this implementation gives.
  const std::chrono::milliseconds timeout(o.timeout_ms);
  if (*level >= harness::Level::Robustness) harness::apply(harness::probe_behaviour(api, timeout), config);

  std::printf("asyncconf replay %s: %s (%zu ops) against %s at level %s\n", ASYNCCONF_VERSION, o.file.c_str(),
              harness::op_count(sequence), impl_summary(impl).c_str(), o.level.c_str());
  std::fflush(stdout);
  const IsolatedOutcome outcome = harness::run_isolated(api, sequence, *level, timeout, &config);
  const harness::Plan plan = harness::plan(sequence, config);

  std::printf("\n");
  if (!outcome.result.observed.empty()) {
    std::printf("%s", harness::format_trace(sequence, plan, outcome.result).c_str());
  } else {
    std::printf("(no observations came back: the child ended before it could report them)\n");
    for (const harness::Skipped& s : plan.skipped) {
      std::printf("  skipped op %d: %s\n", s.op_index + 1, s.reason.c_str());
    }
  }
  const std::string note = line_note(o.file, text, sequence.ops.size());
  if (!note.empty()) std::printf("%s", note.c_str());
  if (!plan.skipped.empty()) {
    std::printf("%zu op(s) skipped at level %s (listed above as skipped)\n", plan.skipped.size(),
                o.level.c_str());
  }
  std::printf("\n");

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
      const std::string explanation = harness::format_difference(sequence, plan, r, requirement_text);
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
      std::printf("%s", explanation.c_str());
      what_happened = explanation;
      result_for_repro = &r;
      break;
    }
    case IsolatedOutcome::Kind::Crash:
    case IsolatedOutcome::Kind::Hang: {
      const std::string end = end_text(outcome, timeout);
      std::printf("%s: %s\n", outcome.kind == IsolatedOutcome::Kind::Crash ? "CRASH" : "HANG", end.c_str());
      what_happened = impl.name + ": " + end;
      if (outcome.kind == IsolatedOutcome::Kind::Hang) {
        std::printf("  locating the op (each try may take up to %d ms)...\n", o.timeout_ms);
        std::fflush(stdout);
      }
      const FailurePoint point =
          locate_failure(api, sequence, config, timeout, harness::signature(outcome));
      if (point.op_index != -1) {
        std::printf("  reached: %s\n", failure_point_text(point).c_str());
        what_happened += "; " + failure_point_text(point);
      }
      if (!outcome.stderr_tail.empty()) {
        std::printf("  stderr of the child (last bytes):\n%s", indent(tail_of(outcome.stderr_tail)).c_str());
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
    try {
      write_text_file(o.repro, c_reproducer(sequence, config, result_for_repro, what_happened, impl_summary(impl),
                                            outcome.kind == IsolatedOutcome::Kind::Crash ||
                                                outcome.kind == IsolatedOutcome::Kind::Hang));
      std::printf("wrote %s\n", o.repro.c_str());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "asyncconf replay: %s\n", e.what());
      return kExitUsage;
    }
  }
  return code;
}

}  // namespace

void setup_replay(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<ReplayOptions>();
  CLI::App* cmd = app.add_subcommand(
      "replay", "Run one .seq file alone against one implementation and print the trace of every op");
  cmd->add_option("file", o->file, "The .seq file (the op-sequence language; explore writes them)")
      ->required();
  cmd->add_option("--impl", o->impl,
                  "reference (the built libasyncref.so), openssl (the system libcrypto.so.3), "
                  "or a path to a shared object exporting the ASYNC ABI")
      ->required();
  cmd->add_option("--level", o->level,
                  "The loosest requirement level checked (default robustness, so that every op of "
                  "the file runs). Ops defined only at a looser level than this one are skipped and "
                  "listed as skipped in the trace; use the level the file was found at "
                  "(its 'replay with' line says it)");
  CLI::Option* misuse = cmd->add_option(
      "--misuse", o->misuse,
      "With --level robustness only: the misuse allowed, comma-separated (see explore --help); "
      "ops committing any other misuse are skipped (default all)");
  cmd->add_option("--timeout-ms", o->timeout_ms, "Time limit for the run; longer is a hang (default 5000)");
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
  cmd->callback([o, misuse, &exit_code] {
    ReplayOptions options = *o;
    options.misuse_given = misuse->count() > 0;
    exit_code = run_replay(options);
  });
}

}  // namespace asyncconf::cli
