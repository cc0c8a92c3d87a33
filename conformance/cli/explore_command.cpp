// asyncconf explore: random op sequences from a seed, judged by the model;
// the first violation, crash or hang is confirmed alone, shrunk, explained
// and saved (.seq files, a C reproducer, the reports).
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "asyncconf/conformance/explore_report.hpp"
#include "asyncconf/conformance/runner.hpp"
#include "asyncconf/harness/depth.hpp"
#include "asyncconf/harness/explorer.hpp"
#include "asyncconf/harness/finding_files.hpp"
#include "asyncconf/harness/generator.hpp"
#include "asyncconf/harness/finding_text.hpp"
#include "asyncconf/harness/interpreter.hpp"
#include "asyncconf/harness/option_values.hpp"
#include "asyncconf/harness/repeat_commands.hpp"
#include "asyncconf/harness/shell_words.hpp"
#include "asyncconf/harness/status_text.hpp"
#include "asyncconf/harness/text_blocks.hpp"
#include "asyncconf/reports/write_reports.hpp"
#include "cli_options.hpp"
#include "commands.hpp"
#include "impl_loader.hpp"
#include "progress.hpp"
#include "stop_signal.hpp"

namespace asyncconf::cli {

namespace {

namespace fs = std::filesystem;
using harness::IsolatedOutcome;

struct ExploreCommandOptions {
  std::string impl;
  SequenceOptions run;
  long long sequences = 1000;
  double time = 0;
  std::string level = "must";
  std::string misuse;
  std::string out = "asyncconf-explore";
  std::string formats = "json,junit,md,html";
  bool quiet = false;
  bool depth = false;
  bool device = false;
  std::string device_faults;
  // Which of the optional flags were given.
  bool sequences_given = false;
  bool time_given = false;
  bool misuse_given = false;
};

harness::ExploreCommand repeat_of(const ExploreCommandOptions& o) {
  harness::ExploreCommand c{o.impl, o.run.seed, static_cast<std::size_t>(o.sequences), std::nullopt,
                            static_cast<std::size_t>(o.run.max_ops), o.run.threads, o.level,
                            o.misuse_given ? o.misuse : "", o.run.timeout_ms, o.device, o.device_faults};
  if (o.time_given) c.seconds = o.time;
  return c;
}

void print_finding(const harness::Finding& f, const harness::FindingText& t) {
  std::printf("\nFOUND %s\n", t.headline.c_str());
  if (f.reproduced_alone) {
    std::printf("  reproduced alone: yes; shrunk from %zu to %zu ops (%zu attempts%s)\n",
                harness::op_count(f.original), harness::op_count(f.shrunk), f.shrink_stats.attempts,
                f.shrink_stats.exhausted ? ", stopped at --shrink-attempts" : "");
  } else {
    std::printf("  reproduced alone: no (run alone it gave: %s)\n", harness::to_string(f.outcome.kind));
  }
  std::printf("  sequence%s:\n%s", f.reproduced_alone ? " (shrunk)" : "", harness::indent(t.shrunk_text).c_str());
  if (!t.explanation.empty()) std::printf("  what happened:\n%s", harness::indent(t.explanation).c_str());
  if (!t.misuse.empty()) std::printf("  misuse committed: %s\n", t.misuse.c_str());
  if (!t.stderr_tail.empty()) {
    std::printf("  stderr of the child (last bytes):\n%s", harness::indent(t.stderr_tail).c_str());
  }
}

// Writes the finding's .seq, .original.seq and .c files; returns their paths.
std::vector<fs::path> write_finding(const ExploreCommandOptions& o, const std::string& impl_summary,
                                    const harness::Finding& f, const harness::FindingText& t) {
  const fs::path out_dir(o.out);
  const std::string stem = harness::finding_stem(o.impl, t);
  const fs::path seq_path = out_dir / (stem + ".seq");
  const fs::path original_path = out_dir / (stem + ".original.seq");
  const fs::path c_path = out_dir / (stem + ".c");
  const auto replay_of = [&](const fs::path& file) {
    return harness::command_line(
        harness::replay_words(file.string(), o.impl, o.level, o.misuse_given ? o.misuse : "", o.run.timeout_ms,
                              o.device_faults, o.run.seed));
  };
  const harness::ExploreSettings settings{o.run.seed, o.level, static_cast<std::size_t>(o.run.max_ops),
                                          o.run.threads};
  harness::write_text_file(
      seq_path, harness::finding_seq_header(settings, impl_summary, f, t,
                                            f.reproduced_alone ? "the shrunk sequence" : "the sequence (not shrunk)",
                                            t.explanation, replay_of(seq_path)) +
                    t.shrunk_text);
  harness::write_text_file(original_path,
                           harness::finding_seq_header(settings, impl_summary, f, t,
                                                       "the original sequence, before shrinking",
                                                       "what it does, shrunk: " + seq_path.filename().string() + "\n",
                                                       replay_of(original_path)) +
                               t.original_text);
  const bool violation = f.kind == IsolatedOutcome::Kind::Violation;
  harness::write_text_file(c_path, harness::c_reproducer(f.shrunk, f.config, violation ? &f.outcome.result : nullptr,
                                                         t.headline + "\n" + t.explanation, impl_summary, !violation));
  std::printf("  replay with: %s\n", replay_of(seq_path).c_str());
  return {seq_path, original_path, c_path};
}

void print_summary(const ExploreCommandOptions& o, const harness::ExploreResult& result) {
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
      harness::ExploreCommand again = repeat_of(o);
      again.seconds.reset();
      again.sequences = ran;
      std::printf("  repeat these sequences with: %s\n",
                  harness::command_line(harness::explore_words(again)).c_str());
    }
  }
}

// How deep the sequences that ran went (the same table as fuzz_depth):
// they are generated again from their seeds and planned, not run.
void print_depth(const harness::AsyncApi& api, const harness::ExploreOptions& eo, const harness::ExploreResult& r) {
  const harness::GeneratorOptions gen = harness::explore_generator(api, eo, r.behaviour);
  harness::DepthTable table;
  for (std::uint64_t i = 0; i < r.totals.sequences; ++i) {
    const harness::Sequence s = harness::generate(harness::sequence_seed(eo.seed, i), gen);
    table.add(harness::depth(harness::plan(s, gen.model)));
  }
  std::printf("depth of the %zu sequences run:\n%s", r.totals.sequences, table.text().c_str());
}

int run_explore(const CLI::App& cmd, ExploreCommandOptions o) {
  if (o.sequences_given && o.time_given) {
    return usage_error(cmd, "--sequences and --time cannot be used together: give a count or a time limit");
  }
  const harness::Level level = *harness::level_from_string(o.level);  // checked by --level's validator
  if (o.misuse_given && level != harness::Level::Robustness) {
    return usage_error(cmd, "--misuse needs --level robustness (only that level generates misuse)");
  }
  const std::uint32_t misuse = o.misuse_given ? harness::parse_misuse_list(o.misuse) : harness::kAllMisuse;
  const reports::Formats formats = reports::parse_formats(o.formats);

  harness::LoadResult loaded = load_impl(o.impl);
  if (!loaded) return usage_error(cmd, "cannot load implementation '" + o.impl + "': " + loaded.error().message);
  const harness::AsyncApi& api = loaded.impl().api();
  // Before any child is forked: job stacks are counted from now on (when
  // the implementation has mem functions).
  harness::install_counting_stacks(api);
  const reports::Implementation impl = conformance::implementation_of(o.impl, loaded.impl());
  const std::string summary = conformance::impl_summary(impl);

  if (!o.run.seed_given) o.run.seed = harness::clock_seed();
  const std::chrono::milliseconds timeout(o.run.timeout_ms);
  harness::ExploreOptions eo;
  eo.seed = o.run.seed;
  if (o.time_given) {
    eo.seconds = o.time;
  } else {
    eo.sequences = static_cast<std::size_t>(o.sequences);
  }
  eo.max_ops = static_cast<std::size_t>(o.run.max_ops);
  eo.threads = o.run.threads;
  eo.level = level;
  eo.misuse = misuse;
  eo.device = o.device || !o.device_faults.empty();
  eo.device_faults = !o.device_faults.empty();
  if (eo.device_faults) {
    const std::string why = harness::set_device_faults(o.device_faults, o.run.seed);
    if (!why.empty()) return usage_error(cmd, "--device-faults: " + why);
  }
  eo.timeout = timeout;
  eo.shrink_attempts = static_cast<std::size_t>(o.run.shrink_attempts);
  eo.stop = &stop_flag();

  std::printf("asyncconf explore %s: %s\n", ASYNCCONF_VERSION, summary.c_str());
  std::printf("  seed %" PRIu64 "%s, level %s%s, %s, at most %lld ops per sequence, %d thread(s)%s\n", o.run.seed,
              o.run.seed_given ? "" : " (from the clock)", o.level.c_str(),
              o.misuse_given ? (", misuse: " + harness::misuse_names(misuse)).c_str() : "",
              o.time_given ? (harness::seconds_text(o.time) + " s").c_str()
                           : (std::to_string(o.sequences) + " sequences").c_str(),
              o.run.max_ops, o.run.threads, o.device ? ", offloading to the device" : "");
  std::printf("  repeat with: %s\n", harness::command_line(harness::explore_words(repeat_of(o))).c_str());
  std::fflush(stdout);

  install_stop_handlers();
  StatusLine status(o.quiet);
  const std::string started_at = conformance::utc_now();
  const harness::ExploreResult result = harness::explore(
      api, eo, [&](const harness::ExploreProgress& p) { status.update(p.phase, harness::explore_status_text(p)); });
  status.finish();
  print_summary(o, result);
  if (o.depth) print_depth(api, eo, result);

  std::vector<fs::path> written;
  try {
    std::optional<harness::FindingText> text;
    if (result.finding) {
      text = harness::describe_finding(api, *result.finding, o.run.seed, timeout);
      print_finding(*result.finding, *text);
      written = write_finding(o, summary, *result.finding, *text);
    } else if (!result.interrupted) {
      std::printf("no violation, crash or hang found\n");
    }
    const conformance::ExploreReportInput in{
        impl, {o.run.seed, o.level, static_cast<std::size_t>(o.run.max_ops), o.run.threads}, o.run.timeout_ms,
        started_at};
    const reports::RunReport report = conformance::explore_report(in, result, text ? &*text : nullptr);
    for (const fs::path& p : reports::write_reports(report, o.out, formats)) written.push_back(p);
  } catch (const std::exception& e) {
    return usage_error(cmd, e.what());
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
  o->run.shrink_attempts = 2000;
  CLI::App* cmd = app.add_subcommand(
      "explore",
      "Run random op sequences against one implementation, judged by the model; shrink, explain "
      "and save the first violation, crash or hang");
  add_impl_option(*cmd, o->impl);
  CLI::Option* seed = add_sequence_options(*cmd, o->run);
  CLI::Option* sequences =
      cmd->add_option("--sequences", o->sequences, "Stop after this many sequences (default 1000 unless --time)")
          ->check(at_least(1));
  CLI::Option* time = cmd->add_option("--time", o->time, "Stop after this many seconds instead (not with --sequences)")
                          ->check(positive("seconds"));
  add_level_option(*cmd, o->level,
                   "The loosest requirement level generated and checked: must (the man pages; the "
                   "default), de-facto (+ OpenSSL's behaviour where they are silent), robustness "
                   "(+ misuse of the API, which must not crash)");
  CLI::Option* misuse = add_misuse_option(
      *cmd, o->misuse,
      "With --level robustness only: the misuse sequences may commit, comma-separated: " +
          harness::misuse_names(harness::kAllMisuse) + ", or all (the default) or none");
  add_out_option(*cmd, o->out,
                 "Folder for the finding's files and the reports (created if missing; default "
                 "./asyncconf-explore)");
  add_format_option(*cmd, o->formats);
  add_quiet_flag(*cmd, o->quiet);
  cmd->add_flag("--device", o->device,
                "Bodies also offload to the simulated device (fake_accel/) and the "
                "driver awaits them by select, edge-triggered epoll, the wait ctx's callback or busy "
                "resumes: the offload and await ops (harness/README.md). Heap blocks are then not "
                "counted (the device allocates on its own threads); fds are");
  cmd->add_option("--device-faults", o->device_faults,
                  "With --device (implied): the device misbehaves, by fake_accel's rules, e.g. "
                  "'spurious=0.3,duplicate=every:4,late=0.1,notify_early=0.1,error=0.05,lost=every:50' "
                  "(rates drawn from the seed). An offload's outcome is then not predicted, only that "
                  "it returned its result or a failure the job sees; ring_full, fd_fail and slow_poll "
                  "are refused");
  cmd->add_flag("--depth", o->depth,
                "After the run, how deep its sequences went: how many reached 1, 2, 4 ... jobs paused "
                "at once, pauses of one job, fds in one wait ctx, threads, starts on a reused job (as "
                "fuzz_depth prints for a fuzz corpus)");
  cmd->footer(
      "The seed and a command that repeats the run are printed first. Sequences run many to a "
      "process; the first failure is run again alone in a fresh process, shrunk, explained, and "
      "saved in --out as <impl>-<kind>-<requirement or signal>.seq (the shrunk sequence, with a "
      "'#' header saying what happened and how to replay it), .original.seq (before shrinking), "
      ".c (a standalone C reproducer), and report.json, junit.xml, report.md, report.html.\n"
      "Replay a saved finding with: asyncconf replay FILE.seq --impl X --level L\n"
      "Exit codes: 0 nothing found, 1 a violation, crash or hang, 2 usage or load error, "
      "130/143 interrupted by SIGINT/SIGTERM (what ran is reported).");
  cmd->callback([cmd, o, seed, sequences, time, misuse, &exit_code] {
    ExploreCommandOptions options = *o;
    options.run.seed_given = seed->count() > 0;
    options.sequences_given = sequences->count() > 0;
    options.time_given = time->count() > 0;
    options.misuse_given = misuse->count() > 0;
    exit_code = run_explore(*cmd, options);
  });
}

}  // namespace asyncconf::cli
