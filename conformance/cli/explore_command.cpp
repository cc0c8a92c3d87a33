// asyncconf explore: random op sequences from a seed, judged by the model;
// the first violation, crash or hang is confirmed alone, shrunk, explained
// and saved (.seq files, a C reproducer, the reports).
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "asyncconf/conformance/catalogue.hpp"
#include "asyncconf/conformance/runner.hpp"
#include "asyncconf/harness/explorer.hpp"
#include "asyncconf/harness/interpreter.hpp"
#include "asyncconf/harness/sandbox.hpp"
#include "asyncconf/harness/sequence_text.hpp"
#include "asyncconf/harness/trace.hpp"
#include "asyncconf/reports/write_reports.hpp"
#include "commands.hpp"
#include "findings.hpp"
#include "impl_loader.hpp"
#include "progress.hpp"
#include "stop_signal.hpp"

namespace asyncconf::cli {

namespace {

namespace fs = std::filesystem;
using conformance::utc_now;
using harness::IsolatedOutcome;

constexpr long long kDefaultSequences = 1000;
constexpr long long kDefaultMaxOps = 64;
constexpr long long kMaxMaxOps = 100000;
constexpr int kDefaultTimeoutMs = 5000;
constexpr long long kDefaultShrinkAttempts = 2000;

struct ExploreCommandOptions {
  std::string impl;
  std::uint64_t seed = 0;
  std::string seed_text;
  long long sequences = kDefaultSequences;
  double time = 0;
  long long max_ops = kDefaultMaxOps;
  int threads = 1;
  std::string level = "must";
  std::string misuse;
  int timeout_ms = kDefaultTimeoutMs;
  long long shrink_attempts = kDefaultShrinkAttempts;
  std::string out = "asyncconf-explore";
  std::string formats = "json,junit,md,html";
  bool quiet = false;
  // Which of the optional flags were given.
  bool seed_given = false;
  bool sequences_given = false;
  bool time_given = false;
  bool misuse_given = false;
};

int usage_error(const std::string& message) {
  std::fprintf(stderr, "asyncconf explore: %s\n", message.c_str());
  return kExitUsage;
}

std::string format_double(double value, const char* format = "%g") {
  char text[64];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

std::string progress_text(const harness::ExploreProgress& p) {
  const std::string phase = p.phase;
  if (phase == "confirming") return "running the failing sequence alone in a fresh child";
  if (phase == "shrinking") return std::to_string(p.shrink_attempts) + " attempts";
  std::string text = std::to_string(p.sequences) + " sequences, " + std::to_string(p.ops) + " ops, " +
                     format_double(p.seconds > 0 ? static_cast<double>(p.ops) / p.seconds : 0, "%.0f") +
                     " ops/s, " + format_double(p.seconds, "%.1f") + " s";
  if (p.inconclusive != 0) text += ", " + std::to_string(p.inconclusive) + " inconclusive";
  return text;
}

// The words of a command line that runs the same sequences again.
std::vector<std::string> repeat_words(const ExploreCommandOptions& o, std::uint64_t seed,
                                      std::optional<std::size_t> sequences) {
  std::vector<std::string> w{"asyncconf", "explore", "--impl", o.impl, "--seed", std::to_string(seed)};
  if (sequences) {
    w.insert(w.end(), {"--sequences", std::to_string(*sequences)});
  } else if (o.time_given) {
    w.insert(w.end(), {"--time", format_double(o.time)});
  } else {
    w.insert(w.end(), {"--sequences", std::to_string(o.sequences)});
  }
  w.insert(w.end(), {"--max-ops", std::to_string(o.max_ops), "--threads", std::to_string(o.threads),
                     "--level", o.level});
  if (o.misuse_given) w.insert(w.end(), {"--misuse", o.misuse});
  if (o.timeout_ms != kDefaultTimeoutMs) w.insert(w.end(), {"--timeout-ms", std::to_string(o.timeout_ms)});
  return w;
}

// Everything said about a finding, computed once, printed and written.
struct FindingText {
  std::string kind;         // "violation", "crash", "hang"
  std::string requirement;  // violations reproduced alone
  std::string requirement_level;
  std::string detail;       // for the stem and the case id: requirement, signal, ...
  std::string headline;     // one line
  std::string explanation;  // a few lines
  std::string misuse;       // names, or "" for none
  std::string stderr_tail;
  std::string shrunk_text;
  std::string original_text;
  reports::Verdict verdict = reports::Verdict::Fail;
};

std::string sequence_text(const harness::Sequence& s) {
  if (s.ops.empty()) return "# (no ops: the child fails in the harness's own warm-up, before the sequence runs)\n";
  try {
    return harness::print_sequence(s);
  } catch (const std::exception& e) {
    return std::string("# (cannot print this sequence: ") + e.what() + ")\n";
  }
}

FindingText describe_finding(const harness::AsyncApi& api, const harness::Finding& f,
                             const ExploreCommandOptions& o, std::chrono::milliseconds timeout) {
  FindingText t;
  t.kind = harness::to_string(f.kind);
  t.shrunk_text = sequence_text(f.shrunk);
  t.original_text = sequence_text(f.original);
  t.verdict = f.kind == IsolatedOutcome::Kind::Crash  ? reports::Verdict::Crash
              : f.kind == IsolatedOutcome::Kind::Hang ? reports::Verdict::Timeout
                                                      : reports::Verdict::Fail;
  const harness::Plan plan = harness::plan(f.shrunk, f.config);
  if (plan.misuse != 0) t.misuse = harness::misuse_names(plan.misuse);
  const std::string where = "sequence #" + std::to_string(f.index) + " (seed " + std::to_string(o.seed) + ")";

  if (!f.reproduced_alone) {
    t.detail = "sequence-" + std::to_string(f.index);
    t.headline = "a " + t.kind + " in " + where + ", not reproduced alone";
    t.explanation = "The " + t.kind + " happened in the long-lived child, after earlier sequences ran in the "
                    "same process; run alone in a fresh child, the sequence gave: " +
                    harness::to_string(f.outcome.kind) +
                    ". It depends on state the earlier sequences left behind, so it was not shrunk "
                    "(replaying it alone will probably not fail; repeat the whole run instead).\n";
    if (f.batch && f.batch->mismatch != harness::RunResult::npos) {
      // What the long-lived child saw is the only evidence there is: the
      // requirement, and the expected and observed values where it differed.
      const harness::RunResult& r = *f.batch;
      if (r.difference.requirement != nullptr) t.requirement = r.difference.requirement;
      t.requirement_level = t.requirement.empty() ? "" : requirement_level(t.requirement);
      if (t.requirement_level.empty()) t.requirement_level = harness::to_string(r.difference.level);
      if (!t.requirement.empty()) {
        t.detail = t.requirement;
        t.headline = "a " + t.kind + " of " + t.requirement + " (" + t.requirement_level + ") in " + where +
                     ", not reproduced alone";
      }
      const harness::Plan batch_plan = harness::plan(f.original, f.batch_config);
      t.explanation += "In the long-lived child:\n" +
                       harness::format_difference(f.original, batch_plan, r, requirement_text);
    }
    if (f.kind == IsolatedOutcome::Kind::Crash) {
      t.explanation += end_text(f.outcome, timeout) + "\n";
      t.stderr_tail = tail_of(f.outcome.stderr_tail);
    }
    return t;
  }

  switch (f.kind) {
    case IsolatedOutcome::Kind::Violation: {
      const harness::RunResult& r = f.outcome.result;
      if (r.difference.requirement != nullptr) t.requirement = r.difference.requirement;
      t.requirement_level = t.requirement.empty() ? "" : requirement_level(t.requirement);
      if (t.requirement_level.empty()) t.requirement_level = harness::to_string(r.difference.level);
      t.detail = t.requirement.empty() ? "unknown-requirement" : t.requirement;
      t.headline = "a violation of " + (t.requirement.empty() ? std::string("an unnamed rule") : t.requirement) +
                   " (" + t.requirement_level + ") in " + where;
      t.explanation = harness::format_difference(f.shrunk, plan, r, requirement_text);
      break;
    }
    case IsolatedOutcome::Kind::Crash:
    case IsolatedOutcome::Kind::Hang: {
      const std::string end = end_text(f.outcome, timeout);
      t.detail = f.kind == IsolatedOutcome::Kind::Hang
                     ? "timeout"
                     : (f.outcome.signal != 0 ? harness::signal_name(f.outcome.signal) : "exit");
      t.headline = "a " + t.kind + " (" + end + ") in " + where;
      t.explanation = end + "\n";
      const FailurePoint point =
          locate_failure(api, f.shrunk, f.config, timeout, harness::signature(f.outcome));
      if (point.op_index != -1) t.explanation += failure_point_text(point) + "\n";
      t.stderr_tail = tail_of(f.outcome.stderr_tail);
      break;
    }
    default:
      t.detail = "unknown";
      t.headline = "a " + t.kind + " in " + where;
      break;
  }
  return t;
}

std::string finding_stem(const ExploreCommandOptions& o, const FindingText& t) {
  return file_safe(impl_file_name(o.impl) + "-" + t.kind + (t.detail.empty() ? "" : "-" + t.detail));
}

// The .seq header: `#` lines, then a blank line.
std::string seq_header(const ExploreCommandOptions& o, const reports::Implementation& impl,
                       const harness::Finding& f, const FindingText& t, const std::string& what,
                       const std::string& explanation, const std::string& replay) {
  std::string h = "asyncconf explore: " + what + "\n";
  h += "implementation: " + impl_summary(impl) + "\n";
  h += "seed " + std::to_string(o.seed) + ", sequence index " + std::to_string(f.index) + " (sequence seed " +
       std::to_string(f.sequence_seed) + "), level " + o.level + ", max ops " + std::to_string(o.max_ops) +
       ", threads " + std::to_string(o.threads) + "\n";
  h += "kind: " + t.kind + (f.reproduced_alone ? "" : " (not reproduced alone)") + "\n";
  if (!t.requirement.empty()) h += "requirement: " + t.requirement + " (" + t.requirement_level + ")\n";
  h += explanation;
  if (!t.misuse.empty()) h += "misuse committed: " + t.misuse + "\n";
  h += "replay with: " + replay + "\n";
  return comment_lines(h) + "\n";
}

reports::RunReport make_report(const ExploreCommandOptions& o, const reports::Implementation& impl,
                               const harness::ExploreResult& result, const FindingText* t,
                               const std::string& started_at) {
  reports::RunReport report;
  report.tool_version = ASYNCCONF_VERSION;
  report.implementation = impl;
  report.started_at = started_at;
  report.finished_at = utc_now();
  report.complete = !result.interrupted;
  report.level = o.level;
  report.timeout_ms = o.timeout_ms;
  report.jobs = 1;
  const harness::ExploreProgress& n = result.totals;
  const std::string numbers = std::to_string(n.sequences) + " sequences, " + std::to_string(n.ops) +
                              " ops, seed " + std::to_string(o.seed) + ", at most " +
                              std::to_string(o.max_ops) + " ops per sequence on " +
                              std::to_string(o.threads) + " thread(s), " + format_double(n.seconds, "%.1f") +
                              " s; " + std::to_string(n.inconclusive) + " inconclusive, " +
                              std::to_string(result.unattributed_leaks) + " unattributed leak(s)" +
                              (result.interrupted ? "; interrupted" : "");
  reports::CaseResult c;
  c.area = "explore";
  c.duration_ms = n.seconds * 1000.0;
  if (t == nullptr) {
    c.id = "explore/" + o.level;
    c.title = "random op sequences at level " + o.level + ": no violation, crash or hang";
    c.level = o.level;
    c.verdict = reports::Verdict::Pass;
    c.evidence = "no violation, crash or hang in " + numbers;
  } else {
    const harness::Finding& f = *result.finding;
    c.id = "explore/" + t->kind + "/" + (t->requirement.empty() ? t->detail : t->requirement);
    c.title = "random op sequences at level " + o.level + ": " + t->headline;
    c.level = t->requirement_level.empty() ? o.level : t->requirement_level;
    if (!t->requirement.empty()) {
      c.requirements.push_back(t->requirement);
      if (const reports::Requirement* r = conformance::find_requirement(t->requirement)) {
        report.requirements.push_back(*r);
      }
    }
    c.verdict = t->verdict;
    c.evidence = t->headline + "\n" + t->explanation;
    if (!t->misuse.empty()) c.evidence += "misuse committed: " + t->misuse + "\n";
    c.evidence += "sequence" + std::string(f.reproduced_alone ? " (shrunk)" : "") + ":\n" + t->shrunk_text;
    if (!t->stderr_tail.empty()) c.evidence += "--- stderr of the child (last bytes) ---\n" + t->stderr_tail;
    c.evidence += "\nexplored: " + numbers;
  }
  c.observed = c.verdict;
  report.cases.push_back(std::move(c));
  return report;
}

int run_explore(ExploreCommandOptions o) {
  // --- validation ---------------------------------------------------------
  const std::optional<harness::Level> level = harness::level_from_string(o.level);
  if (!level) return usage_error("--level must be must, de-facto or robustness, not '" + o.level + "'");
  if (o.seed_given) {
    try {
      o.seed = parse_seed(o.seed_text);
    } catch (const std::exception& e) {
      return usage_error(e.what());
    }
  }
  if (o.sequences_given && o.time_given) {
    return usage_error("--sequences and --time cannot be used together: give a count or a time limit");
  }
  if (o.sequences_given && o.sequences <= 0) return usage_error("--sequences must be at least 1");
  if (o.time_given && !(o.time > 0)) return usage_error("--time must be a positive number of seconds");
  if (o.max_ops < 1 || o.max_ops > kMaxMaxOps) {
    return usage_error("--max-ops must be between 1 and " + std::to_string(kMaxMaxOps));
  }
  if (o.threads < 1 || o.threads > harness::kMaxThreads) {
    return usage_error("--threads must be between 1 and " + std::to_string(harness::kMaxThreads));
  }
  if (o.timeout_ms <= 0) return usage_error("--timeout-ms must be positive");
  if (o.shrink_attempts < 0) return usage_error("--shrink-attempts must be 0 or more");
  std::uint32_t misuse = harness::kAllMisuse;
  if (o.misuse_given) {
    if (*level != harness::Level::Robustness) {
      return usage_error("--misuse needs --level robustness (only that level generates misuse)");
    }
    try {
      misuse = parse_misuse_list(o.misuse);
    } catch (const std::exception& e) {
      return usage_error(e.what());
    }
  }
  reports::Formats formats;
  try {
    formats = reports::parse_formats(o.formats);
  } catch (const std::exception& e) {
    return usage_error(e.what());
  }
  if (o.out.empty()) return usage_error("--out must name a directory");

  harness::LoadResult loaded = load_impl(o.impl);
  if (!loaded) {
    return usage_error("cannot load implementation '" + o.impl + "': " + loaded.error().message);
  }
  const harness::LoadedImpl& loaded_impl = loaded.impl();
  const harness::AsyncApi& api = loaded_impl.api();
  // Before any child is forked: job stacks are counted from now on (when
  // the implementation has mem functions).
  harness::install_counting_stacks(api);
  const reports::Implementation impl = implementation_of(o.impl, loaded_impl);

  if (!o.seed_given) o.seed = clock_seed();
  const std::chrono::milliseconds timeout(o.timeout_ms);
  harness::ExploreOptions eo;
  eo.seed = o.seed;
  if (o.time_given) {
    eo.seconds = o.time;
  } else {
    eo.sequences = static_cast<std::size_t>(o.sequences);
  }
  eo.max_ops = static_cast<std::size_t>(o.max_ops);
  eo.threads = o.threads;
  eo.level = *level;
  eo.misuse = misuse;
  eo.timeout = timeout;
  eo.shrink_attempts = static_cast<std::size_t>(o.shrink_attempts);
  eo.stop = &stop_flag();

  std::printf("asyncconf explore %s: %s\n", ASYNCCONF_VERSION, impl_summary(impl).c_str());
  std::printf("  seed %" PRIu64 "%s, level %s%s, %s, at most %lld ops per sequence, %d thread(s)\n", o.seed,
              o.seed_given ? "" : " (from the clock)", o.level.c_str(),
              o.misuse_given ? (", misuse: " + harness::misuse_names(misuse)).c_str() : "",
              o.time_given ? (format_double(o.time) + " s").c_str()
                           : (std::to_string(o.sequences) + " sequences").c_str(),
              o.max_ops, o.threads);
  std::printf("  repeat with: %s\n", command_line(repeat_words(o, o.seed, std::nullopt)).c_str());
  std::fflush(stdout);

  install_stop_handlers();
  StatusLine status(o.quiet);
  const std::string started_at = utc_now();
  const harness::ExploreResult result = harness::explore(
      api, eo, [&](const harness::ExploreProgress& p) { status.update(p.phase, progress_text(p)); });
  status.finish();

  // --- summary --------------------------------------------------------------
  const harness::ExploreProgress& n = result.totals;
  const double exploring = result.explore_seconds;
  std::printf("%s %zu sequences, %zu ops in %.1f s (%.0f ops/s); %zu inconclusive, %zu unattributed leak(s)\n",
              result.interrupted ? "INTERRUPTED after" : "explored", n.sequences, n.ops, exploring,
              exploring > 0 ? static_cast<double>(n.ops) / exploring : 0.0, n.inconclusive,
              result.unattributed_leaks);
  if (n.inconclusive != 0) {
    std::printf("  (inconclusive: the implementation did something only a looser level than %s defines; "
                "the model could not follow it, so those sequences were not judged to the end)\n",
                o.level.c_str());
  }
  if (result.unattributed_leaks != 0) {
    std::printf("  (unattributed leak: heap blocks or fds grew over a batch of sequences, but no single "
                "sequence leaked when run again alone)\n");
  }
  if (o.time_given || result.interrupted) {
    const std::size_t ran = result.finding ? static_cast<std::size_t>(result.finding->index) + 1 : n.sequences;
    if (ran > 0) {
      std::printf("  repeat these sequences with: %s\n",
                  command_line(repeat_words(o, o.seed, ran)).c_str());
    }
  }

  std::vector<fs::path> written;
  std::optional<FindingText> text;
  const fs::path out_dir(o.out);
  try {
    if (result.finding) {
      const harness::Finding& f = *result.finding;
      text = describe_finding(api, f, o, timeout);
      const FindingText& t = *text;
      const std::string stem = finding_stem(o, t);
      const fs::path seq_path = out_dir / (stem + ".seq");
      const fs::path original_path = out_dir / (stem + ".original.seq");
      const fs::path c_path = out_dir / (stem + ".c");
      const auto replay_of = [&](const fs::path& file) {
        std::vector<std::string> w{"asyncconf", "replay", file.string(), "--impl", o.impl, "--level", o.level};
        if (o.misuse_given) w.insert(w.end(), {"--misuse", o.misuse});
        if (o.timeout_ms != kDefaultTimeoutMs) w.insert(w.end(), {"--timeout-ms", std::to_string(o.timeout_ms)});
        return command_line(w);
      };
      const std::string replay_line = replay_of(seq_path);

      std::printf("\nFOUND %s\n", t.headline.c_str());
      if (f.reproduced_alone) {
        std::printf("  reproduced alone: yes; shrunk from %zu to %zu ops (%zu attempts%s)\n",
                    harness::op_count(f.original), harness::op_count(f.shrunk), f.shrink_stats.attempts,
                    f.shrink_stats.exhausted ? ", stopped at --shrink-attempts" : "");
      } else {
        std::printf("  reproduced alone: no (run alone it gave: %s)\n", harness::to_string(f.outcome.kind));
      }
      std::printf("  sequence%s:\n%s", f.reproduced_alone ? " (shrunk)" : "", indent(t.shrunk_text).c_str());
      if (!t.explanation.empty()) std::printf("  what happened:\n%s", indent(t.explanation).c_str());
      if (!t.misuse.empty()) std::printf("  misuse committed: %s\n", t.misuse.c_str());
      if (!t.stderr_tail.empty()) {
        std::printf("  stderr of the child (last bytes):\n%s", indent(t.stderr_tail).c_str());
      }

      write_text_file(seq_path, seq_header(o, impl, f, t,
                                           f.reproduced_alone ? "the shrunk sequence" : "the sequence (not shrunk)",
                                           t.explanation, replay_line) +
                                    t.shrunk_text);
      written.push_back(seq_path);
      write_text_file(original_path,
                      seq_header(o, impl, f, t, "the original sequence, before shrinking",
                                 "what it does, shrunk: " + seq_path.filename().string() + "\n",
                                 replay_of(original_path)) +
                          t.original_text);
      written.push_back(original_path);
      const std::string what = t.headline + "\n" + t.explanation;
      write_text_file(c_path, c_reproducer(f.shrunk, f.config,
                                           f.kind == IsolatedOutcome::Kind::Violation ? &f.outcome.result : nullptr,
                                           what, impl_summary(impl), f.kind != IsolatedOutcome::Kind::Violation));
      written.push_back(c_path);
      std::printf("  replay with: %s\n", replay_line.c_str());
    } else if (!result.interrupted) {
      std::printf("no violation, crash or hang found\n");
    }
    const reports::RunReport report = make_report(o, impl, result, text ? &*text : nullptr, started_at);
    for (const fs::path& p : reports::write_reports(report, out_dir, formats)) written.push_back(p);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "asyncconf explore: %s\n", e.what());
    return kExitUsage;
  }
  std::printf("files written:\n");
  for (const fs::path& p : written) std::printf("  %s\n", p.string().c_str());

  if (result.interrupted) return stop_exit_code();
  if (!result.error.empty()) {
    std::fprintf(stderr, "asyncconf explore: %s\n", result.error.c_str());
    return kExitFailures;
  }
  return result.finding ? kExitFailures : kExitOk;
}

}  // namespace

void setup_explore(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<ExploreCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "explore",
      "Run random op sequences against one implementation, judged by the model; shrink, explain "
      "and save the first violation, crash or hang");
  cmd->add_option("--impl", o->impl,
                  "reference (the built libasyncref.so), openssl (the system libcrypto.so.3), "
                  "or a path to a shared object exporting the ASYNC ABI")
      ->required();
  CLI::Option* seed = cmd->add_option(
      "--seed", o->seed_text,
      "Seed of the run: the same seed, implementation and options give the same sequences "
      "(default: from the clock; always printed, with the command that repeats the run)")
      ->type_name("UINT");
  CLI::Option* sequences = cmd->add_option(
      "--sequences", o->sequences, "Stop after this many sequences (default 1000 unless --time)");
  CLI::Option* time = cmd->add_option("--time", o->time,
                                      "Stop after this many seconds instead (not with --sequences)");
  cmd->add_option("--max-ops", o->max_ops, "Ops per sequence at most, driver and job-body ops (default 64)");
  cmd->add_option("--threads", o->threads, "Threads the sequences use, 1 to 4 (default 1)");
  cmd->add_option("--level", o->level,
                  "The loosest requirement level generated and checked: must (the man pages; the "
                  "default), de-facto (+ OpenSSL's behaviour where they are silent), robustness "
                  "(+ misuse of the API, which must not crash)");
  CLI::Option* misuse = cmd->add_option(
      "--misuse", o->misuse,
      "With --level robustness only: the misuse sequences may commit, comma-separated: " +
          harness::misuse_names(harness::kAllMisuse) + ", or all (the default) or none");
  cmd->add_option("--timeout-ms", o->timeout_ms,
                  "Time limit per sequence; a sequence still running then is a hang (default 5000)");
  cmd->add_option("--shrink-attempts", o->shrink_attempts,
                  "Runs the shrinker may make to minimise a failing sequence (default 2000; a hang "
                  "uses at most 30)");
  cmd->add_option("--out", o->out,
                  "Folder for the finding's files and the reports (created if missing; default "
                  "./asyncconf-explore)");
  cmd->add_option("--format", o->formats,
                  "Report formats, comma-separated: json,junit,md,html (default: all four)");
  cmd->add_flag("--quiet", o->quiet, "No progress output");
  cmd->footer(
      "The seed and a command that repeats the run are printed first. Sequences run many to a "
      "process; the first failure is run again alone in a fresh process, shrunk, explained, and "
      "saved in --out as <impl>-<kind>-<requirement or signal>.seq (the shrunk sequence, with a "
      "'#' header saying what happened and how to replay it), .original.seq (before shrinking), "
      ".c (a standalone C reproducer), and report.json, junit.xml, report.md, report.html.\n"
      "Replay a saved finding with: asyncconf replay FILE.seq --impl X --level L\n"
      "Exit codes: 0 nothing found, 1 a violation, crash or hang, 2 usage or load error, "
      "130/143 interrupted by SIGINT/SIGTERM (what ran is reported).");
  cmd->callback([o, seed, sequences, time, misuse, &exit_code] {
    ExploreCommandOptions options = *o;
    options.seed_given = seed->count() > 0;
    options.sequences_given = sequences->count() > 0;
    options.time_given = time->count() > 0;
    options.misuse_given = misuse->count() > 0;
    exit_code = run_explore(options);
  });
}

}  // namespace asyncconf::cli
