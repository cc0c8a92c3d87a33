// asyncconf diff: the same random sequences on two implementations,
// compared with each other (not with the model); the first place they
// disagree, shrunk, shown side by side and saved.
#include <cinttypes>
#include <cstdio>
#include <filesystem>

#include "asyncconf/conformance/explore_report.hpp"
#include "asyncconf/harness/disagreement_text.hpp"
#include "asyncconf/harness/finding_files.hpp"
#include "asyncconf/harness/finding_text.hpp"
#include "asyncconf/harness/option_values.hpp"
#include "asyncconf/harness/repeat_commands.hpp"
#include "asyncconf/harness/shell_words.hpp"
#include "asyncconf/harness/status_text.hpp"
#include "asyncconf/harness/text_blocks.hpp"
#include "cli_options.hpp"
#include "commands.hpp"
#include "impl_loader.hpp"
#include "progress.hpp"
#include "stop_signal.hpp"

namespace asyncconf::cli {

namespace {

namespace fs = std::filesystem;

struct DiffCommandOptions {
  std::vector<std::string> impls;
  SequenceOptions run;
  long long sequences = 200;
  std::string level = "must";
  std::string out = "asyncconf-diff";
  bool quiet = false;
};

int run_diff(const CLI::App& cmd, DiffCommandOptions o) {
  // Not ->expected(2): CLI11 would say "At Most 2 required but received 3".
  if (o.impls.size() != 2) {
    return usage_error(cmd, "give exactly two implementations: --impl A --impl B (got " +
                                std::to_string(o.impls.size()) + ")");
  }
  const harness::Level level = *harness::level_from_string(o.level);  // checked by --level's validator
  std::vector<harness::LoadResult> loaded;
  std::vector<reports::Implementation> impls;
  for (const std::string& name : o.impls) {
    loaded.push_back(load_impl(name));
    if (!loaded.back()) {
      return usage_error(cmd, "cannot load implementation '" + name + "': " + loaded.back().error().message);
    }
    impls.push_back(conformance::implementation_of(name, loaded.back().impl()));
  }
  const auto [name_a, name_b] = harness::side_names(o.impls[0], o.impls[1]);

  if (!o.run.seed_given) o.run.seed = harness::clock_seed();
  const std::chrono::milliseconds timeout(o.run.timeout_ms);
  harness::DiffOptions options;
  options.seed = o.run.seed;
  options.sequences = static_cast<std::size_t>(o.sequences);
  options.max_ops = static_cast<std::size_t>(o.run.max_ops);
  options.threads = o.run.threads;
  options.level = level;
  options.timeout = timeout;
  options.shrink_attempts = static_cast<std::size_t>(o.run.shrink_attempts);
  options.stop = &stop_flag();
  const harness::DiffCommand repeat{o.impls[0], o.impls[1], o.run.seed, static_cast<std::size_t>(o.sequences),
                                    static_cast<std::size_t>(o.run.max_ops), o.run.threads, o.level,
                                    o.run.timeout_ms};

  std::printf("asyncconf diff %s\n  %s: %s\n  %s: %s\n", ASYNCCONF_VERSION, name_a.c_str(),
              conformance::impl_summary(impls[0]).c_str(), name_b.c_str(),
              conformance::impl_summary(impls[1]).c_str());
  std::printf("  seed %" PRIu64 "%s, level %s, %lld sequences, at most %lld ops per sequence, %d thread(s)\n",
              o.run.seed, o.run.seed_given ? "" : " (from the clock)", o.level.c_str(), o.sequences, o.run.max_ops,
              o.run.threads);
  std::printf("  repeat with: %s\n", harness::command_line(harness::diff_words(repeat)).c_str());
  std::fflush(stdout);

  install_stop_handlers();
  StatusLine status(o.quiet);
  const auto started = std::chrono::steady_clock::now();
  const harness::DiffResult result =
      harness::diff(loaded[0].impl().api(), loaded[1].impl().api(), options, [&](const harness::DiffResult& r) {
        status.update("comparing", harness::diff_status_text(r, options.sequences));
      });
  status.finish();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  std::printf("%s %zu sequences (%zu ops) in %.1f s\n", result.interrupted ? "INTERRUPTED after" : "compared",
              result.sequences, result.ops, seconds);
  if (!result.disagreement) {
    if (!result.interrupted) std::printf("they agree on every sequence\n");
    return result.interrupted ? stop_exit_code() : kExitOk;
  }

  const harness::Disagreement& d = *result.disagreement;
  const harness::Plan plan = harness::plan(d.sequence, d.config);
  const std::string seq_text = harness::sequence_text(d.sequence);
  const std::string first = harness::first_difference_text(plan, d, name_a, name_b, timeout);
  const fs::path seq_path = fs::path(o.out) / harness::disagreement_file_name(name_a, name_b);
  const std::string replay_a = harness::command_line(harness::replay_words(seq_path.string(), o.impls[0], o.level));
  const std::string replay_b = harness::command_line(harness::replay_words(seq_path.string(), o.impls[1], o.level));

  std::printf("\nDISAGREEMENT in sequence #%" PRIu64 " (shrunk from %zu to %zu ops)\n", d.index,
              harness::op_count(d.original), harness::op_count(d.sequence));
  std::printf("  sequence:\n%s", harness::indent(seq_text).c_str());
  std::printf("%s", harness::indent(first, "  ").c_str());
  for (const auto& [name, side] : {std::pair{&name_a, &d.a}, std::pair{&name_b, &d.b}}) {
    if (side->stderr_tail.empty()) continue;
    std::printf("  stderr of %s's child:\n%s", name->c_str(),
                harness::indent(harness::tail_of(side->stderr_tail)).c_str());
  }
  std::printf("  both runs, side by side (observations compared with each other, not with the model):\n%s",
              harness::indent(harness::side_by_side(plan, d, name_a, name_b, timeout)).c_str());

  std::string header = "asyncconf diff: a sequence two implementations disagree on\n";
  header += name_a + ": " + conformance::impl_summary(impls[0]) + "\n" + name_b + ": " +
            conformance::impl_summary(impls[1]) + "\n";
  header += "seed " + std::to_string(o.run.seed) + ", sequence index " + std::to_string(d.index) + ", level " +
            o.level + ", max ops " + std::to_string(o.run.max_ops) + ", threads " + std::to_string(o.run.threads) +
            "\n";
  header += first;
  header += "replay with: " + replay_a + "\n";
  header += "        and: " + replay_b + "\n";
  try {
    harness::write_text_file(seq_path, harness::comment_lines(header) + "\n" + seq_text);
  } catch (const std::exception& e) {
    return usage_error(cmd, e.what());
  }
  std::printf("files written:\n  %s\n", seq_path.string().c_str());
  std::printf("replay with: %s\n         and: %s\n", replay_a.c_str(), replay_b.c_str());
  return result.interrupted ? stop_exit_code() : kExitFailures;
}

}  // namespace

void setup_diff(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<DiffCommandOptions>();
  o->run.shrink_attempts = 500;
  CLI::App* cmd = app.add_subcommand(
      "diff",
      "Run the same random sequences on two implementations and report the first place they "
      "disagree (differential testing: neither is trusted)");
  cmd->add_option("--impl", o->impls,
                  "Give it twice: --impl A --impl B. Each is reference, openssl, or a path to a "
                  "shared object exporting the ASYNC ABI")
      ->required();
  CLI::Option* seed = add_sequence_options(*cmd, o->run);
  cmd->add_option("--sequences", o->sequences, "Sequences to compare (default 200)")->check(at_least(1));
  add_level_option(*cmd, o->level,
                   "The loosest level the sequences stay inside: must (the default), de-facto or "
                   "robustness (misuse too). Only the capabilities both implementations have are used");
  add_out_option(*cmd, o->out,
                 "Folder for diff-<A>-<B>.seq, the shrunk sequence they disagree on (created if "
                 "missing; default ./asyncconf-diff)");
  add_quiet_flag(*cmd, o->quiet);
  cmd->footer(
      "Every observation (return values, *job, *ret, fds, cleanups, leaks) of A is compared with "
      "B's; on the first difference the sequence is shrunk, both runs are shown side by side, and "
      "the sequence is written with a '#' header (replay it against either with asyncconf replay).\n"
      "Exit codes: 0 they agree on every sequence, 1 a disagreement, 2 usage or load error, "
      "130/143 interrupted by SIGINT/SIGTERM.");
  cmd->callback([cmd, o, seed, &exit_code] {
    DiffCommandOptions options = *o;
    options.run.seed_given = seed->count() > 0;
    exit_code = run_diff(*cmd, options);
  });
}

}  // namespace asyncconf::cli
