// asyncconf decode: a libFuzzer input (a crash-<sha1> file) decoded as the
// fuzz targets decode it, run alone against one implementation; a failure is
// shrunk and saved as explore saves its findings (.seq files, a C reproducer).
#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "asyncconf/conformance/explore_report.hpp"
#include "asyncconf/harness/decode_input.hpp"
#include "asyncconf/harness/finding_files.hpp"
#include "asyncconf/harness/finding_text.hpp"
#include "asyncconf/harness/interpreter.hpp"
#include "asyncconf/harness/option_values.hpp"
#include "asyncconf/harness/repeat_commands.hpp"
#include "asyncconf/harness/replay_text.hpp"
#include "asyncconf/harness/sequence_text.hpp"
#include "asyncconf/harness/shell_words.hpp"
#include "asyncconf/harness/text_blocks.hpp"
#include "cli_options.hpp"
#include "commands.hpp"
#include "impl_loader.hpp"
#include "progress.hpp"
#include "stop_signal.hpp"

namespace asyncconf::cli {

namespace {

namespace fs = std::filesystem;
using harness::IsolatedOutcome;

struct DecodeOptions {
  std::string file;
  std::string impl = "reference";
  std::string level = "must";  // the fuzz targets' default (ASYNCCONF_LEVEL)
  std::string misuse;
  bool misuse_given = false;
  int timeout_ms = harness::kDefaultSequenceTimeoutMs;
  std::string out = ".";
  long long shrink_attempts = 2000;
  std::string repro;
  std::string target = "fuzz_sequence";
};

// What the run needs beyond the options, once loaded.
struct Context {
  const DecodeOptions& o;
  const harness::AsyncApi& api;
  std::string impl_summary;
  harness::ModelConfig config;
  std::chrono::milliseconds timeout;
  harness::DecodeSource source;

  std::string replay_of(const fs::path& file) const {
    return harness::command_line(
        harness::replay_words(file.string(), o.impl, o.level, o.misuse_given ? o.misuse : "", o.timeout_ms));
  }
};

std::string sequence_block(const harness::Sequence& s) {
  return s.ops.empty() ? "    (no ops: the empty sequence)\n" : harness::indent(harness::print_sequence(s));
}

void print_outcome_details(const harness::OutcomeText& t) {
  if (!t.explanation.empty()) std::printf("  what happened:\n%s", harness::indent(t.explanation).c_str());
  if (!t.misuse.empty()) std::printf("  misuse committed: %s\n", t.misuse.c_str());
  if (!t.stderr_tail.empty()) {
    std::printf("  stderr of the child (last bytes):\n%s", harness::indent(t.stderr_tail).c_str());
  }
}

int write_c(const CLI::App& cmd, const fs::path& path, const harness::Sequence& s, const Context& c,
            const IsolatedOutcome& outcome, const harness::OutcomeText& t) {
  const bool violation = outcome.kind == IsolatedOutcome::Kind::Violation ||
                         outcome.kind == IsolatedOutcome::Kind::Inconclusive;
  const bool crashed = outcome.kind == IsolatedOutcome::Kind::Crash || outcome.kind == IsolatedOutcome::Kind::Hang;
  try {
    harness::write_text_file(path, harness::c_reproducer(s, c.config, violation ? &outcome.result : nullptr,
                                                         t.verdict + "\n" + t.explanation, c.impl_summary, crashed));
  } catch (const std::exception& e) {
    return usage_error(cmd, e.what());
  }
  return kExitOk;
}

// A sequence that does not fail alone: nothing to shrink.
int report_no_failure(const CLI::App& cmd, const Context& c, const harness::Sequence& s,
                      const IsolatedOutcome& outcome) {
  const harness::OutcomeText t = harness::describe_outcome(c.api, s, c.config, outcome, c.timeout, false);
  std::printf("%s\n", t.verdict.c_str());
  print_outcome_details(t);
  if (outcome.kind == IsolatedOutcome::Kind::HarnessError) return kExitFailures;
  std::printf(
      "\nThe input passes at level %s: its sequence, run alone in a fresh child, does what the model "
      "predicts%s.\n"
      "If a fuzz target failed on this input, that failure does not reproduce in isolation. It may "
      "depend on the inputs the fuzzing process ran before it (state they left behind), on the "
      "sanitizer the target was built with (use asyncconf from the same sanitizer build), or on the "
      "target's ASYNCCONF_IMPL and ASYNCCONF_LEVEL (give the same --impl and --level).\n",
      c.o.level.c_str(),
      outcome.kind == IsolatedOutcome::Kind::Inconclusive ? " as far as this level defines it" : "");
  if (!c.o.repro.empty()) {
    if (const int code = write_c(cmd, c.o.repro, s, c, outcome, t); code != kExitOk) return code;
    std::printf("wrote %s (a standalone C reproducer of the decoded sequence)\n", c.o.repro.c_str());
  }
  return kExitOk;
}

// A failing sequence: shrunk, described, and its files written.
int report_failure(const CLI::App& cmd, const Context& c, const harness::Sequence& decoded,
                   const IsolatedOutcome& outcome) {
  const harness::OutcomeText decoded_text =
      harness::describe_outcome(c.api, decoded, c.config, outcome, c.timeout, false);
  std::printf("%s\n", decoded_text.verdict.c_str());
  const bool hang = outcome.kind == IsolatedOutcome::Kind::Hang;
  std::printf("shrinking: at most %lld runs, each alone in a child%s...\n",
              hang ? std::min<long long>(c.o.shrink_attempts, harness::kHangShrinkAttempts) : c.o.shrink_attempts,
              hang ? (", each up to " + std::to_string(c.o.timeout_ms) + " ms").c_str() : "");
  std::fflush(stdout);

  install_stop_handlers();
  StatusLine status(false);
  harness::ShrinkFailureOptions options;
  options.max_attempts = static_cast<std::size_t>(c.o.shrink_attempts);
  options.stop = &stop_flag();
  options.progress = [&](std::size_t attempts, const harness::Sequence& best) {
    status.update("shrinking", std::to_string(attempts) + " runs, smallest so far " +
                                   std::to_string(harness::op_count(best)) + " ops");
  };
  const harness::ShrunkFailure f =
      harness::shrink_failure(c.api, decoded, outcome, c.config, c.timeout, options);
  status.finish();

  std::printf("shrunk from %zu to %zu ops (%zu runs%s%s)\n", harness::op_count(decoded),
              harness::op_count(f.sequence), f.stats.attempts,
              f.stats.exhausted ? ", stopped at --shrink-attempts" : "", f.interrupted ? ", INTERRUPTED" : "");
  if (!f.confirmed) {
    std::printf("  (the shrunk sequence did not fail the same way when run again: the decoded one is kept)\n");
  }
  const harness::OutcomeText t = harness::describe_outcome(c.api, f.sequence, c.config, f.outcome, c.timeout,
                                                           !f.interrupted);
  // sequence_text says why a failure can shrink to no ops at all.
  std::printf("  sequence (shrunk):\n%s", harness::indent(harness::sequence_text(f.sequence)).c_str());
  print_outcome_details(t);

  const harness::DecodeFiles files = harness::decode_files(c.o.file, c.o.out);
  const fs::path c_path = c.o.repro.empty() ? files.c : fs::path(c.o.repro);
  try {
    harness::write_text_file(
        files.decoded,
        harness::decode_seq_header(c.source, decoded_text, "the sequence the input decodes to, not shrunk",
                                   "what it does, shrunk: " + files.shrunk.filename().string() + "\n",
                                   c.replay_of(files.decoded)) +
            harness::print_sequence(decoded));
    harness::write_text_file(files.shrunk,
                             harness::decode_seq_header(c.source, t,
                                                        f.sequence == decoded
                                                            ? "the input's sequence (it did not shrink)"
                                                            : "the input's sequence, shrunk",
                                                        t.explanation, c.replay_of(files.shrunk)) +
                                 harness::sequence_text(f.sequence));
  } catch (const std::exception& e) {
    return usage_error(cmd, e.what());
  }
  if (const int code = write_c(cmd, c_path, f.sequence, c, f.outcome, t); code != kExitOk) return code;
  std::printf("files written:\n  %s (decoded)\n  %s (shrunk)\n  %s (C reproducer of the shrunk sequence)\n",
              files.decoded.string().c_str(), files.shrunk.string().c_str(), c_path.string().c_str());
  std::printf("replay with: %s\n", c.replay_of(files.shrunk).c_str());
  return f.interrupted ? stop_exit_code() : kExitFailures;
}

int run_decode(const CLI::App& cmd, const DecodeOptions& o) {
  const harness::Level level = *harness::level_from_string(o.level);  // checked by --level's validator
  if (o.misuse_given && level != harness::Level::Robustness) {
    return usage_error(cmd, "--misuse needs --level robustness (misuse is defined only there)");
  }
  const std::uint32_t misuse = o.misuse_given ? harness::parse_misuse_list(o.misuse) : harness::kAllMisuse;

  harness::FuzzInput input;
  try {
    input = harness::read_fuzz_input(o.file);
  } catch (const std::exception& e) {
    return usage_error(cmd, e.what());
  }
  harness::LoadResult loaded = load_impl(o.impl);
  if (!loaded) return usage_error(cmd, "cannot load implementation '" + o.impl + "': " + loaded.error().message);
  const harness::AsyncApi& api = loaded.impl().api();
  // As explore and replay do: job stacks counted when the implementation allows it.
  harness::install_counting_stacks(api);
  const reports::Implementation impl = conformance::implementation_of(o.impl, loaded.impl());

  const std::string summary = conformance::impl_summary(impl);
  const std::chrono::milliseconds timeout(o.timeout_ms);
  const Context c{o, api, summary, harness::replay_config(api, level, misuse, timeout), timeout,
                  {o.file, input.bytes, summary, o.level}};
  // fuzz_wait_ctx reads the same bytes, then keeps only its ops.
  if (o.target == "fuzz_wait_ctx") input.sequence = harness::wait_ctx_ops_only(std::move(input.sequence));
  const harness::Sequence& s = input.sequence;
  const harness::Plan plan = harness::plan(s, c.config);

  std::printf("asyncconf decode %s: %s (%zu bytes) against %s at level %s\n", ASYNCCONF_VERSION, o.file.c_str(),
              input.bytes, c.impl_summary.c_str(), o.level.c_str());
  const std::size_t body_ops = harness::op_count(s) - s.ops.size();
  std::printf("decoded as the fuzz targets decode it (kFuzzDecodeLimits: %s): %zu ops%s\n",
              harness::limits_text(harness::kFuzzDecodeLimits).c_str(), harness::op_count(s),
              body_ops == 0 ? ""
                            : (" (" + std::to_string(s.ops.size()) + " driver ops, " + std::to_string(body_ops) +
                               " in job bodies)")
                                  .c_str());
  std::printf("%s", sequence_block(s).c_str());
  if (!plan.skipped.empty()) {
    std::printf("(%zu op(s) skipped at level %s: not defined there or not valid where they are; replay lists "
                "them)\n",
                plan.skipped.size(), o.level.c_str());
  }
  std::printf("\nrun alone: ");
  std::fflush(stdout);
  const IsolatedOutcome outcome = harness::run_isolated(api, s, level, timeout, &c.config);
  if (!harness::signature(outcome).failed()) return report_no_failure(cmd, c, s, outcome);
  return report_failure(cmd, c, s, outcome);
}

}  // namespace

void setup_decode(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<DecodeOptions>();
  CLI::App* cmd = app.add_subcommand(
      "decode",
      "Decode a libFuzzer input (a crash file of a fuzz target) into its op sequence, run it alone "
      "against one implementation, and shrink and save a failure");
  cmd->add_option("file", o->file, "The input: raw bytes, as libFuzzer saved them (crash-<sha1>, a corpus file)")
      ->required()
      ->type_name("FILE");
  CLI::Option* impl = add_impl_option(*cmd, o->impl)->required(false);
  impl->description(impl->get_description() + " (default reference)");
  add_level_option(*cmd, o->level,
                   "The loosest requirement level checked (default must, the fuzz targets' default; give "
                   "the level of the target's ASYNCCONF_LEVEL)");
  CLI::Option* misuse = add_misuse_option(
      *cmd, o->misuse,
      "With --level robustness only: the misuse allowed, comma-separated (see explore --help); "
      "ops committing any other misuse are skipped (default all)");
  add_timeout_option(*cmd, o->timeout_ms,
                     "Time limit per run (the input's, and each of the shrinker's); longer is a hang "
                     "(default 5000)");
  add_out_option(*cmd, o->out,
                 "Folder for the files written on a failure (created if missing; default: the current "
                 "directory)");
  cmd->add_option("--shrink-attempts", o->shrink_attempts,
                  "Runs the shrinker may make to minimise a failing sequence (default 2000; a hang uses at "
                  "most 30)")
      ->check(at_least(0));
  cmd->add_option("--target", o->target,
                  "The fuzz target that read the input: fuzz_sequence (the default), fuzz_differential "
                  "(decoded the same way, run against --impl alone) or fuzz_wait_ctx (only its ops kept)")
      ->check(CLI::IsMember({"fuzz_sequence", "fuzz_differential", "fuzz_wait_ctx"}));
  cmd->add_option("--repro", o->repro,
                  "Write the C reproducer to this file instead of the --out folder; given, it is also "
                  "written when the input passes (a reproducer of the decoded sequence)");
  cmd->footer(
      "FILE's bytes are decoded exactly as the fuzz targets decode theirs: decode_sequence(bytes, "
      "kFuzzDecodeLimits): (" +
      harness::limits_text(harness::kFuzzDecodeLimits) +
      "); every byte string, the empty one too, is a sequence. The sequence is printed in the .seq "
      "form and run alone in a fresh child (as replay runs a file). When it fails (a violation, "
      "crash or hang) it is shrunk as explore shrinks its findings, and written into --out as "
      "NAME.seq (decoded), NAME.shrunk.seq (shrunk; both with a '#' header saying what happened "
      "and how to replay them) and NAME.c (a standalone C reproducer), NAME being FILE's name.\n"
      "Exit codes: 0 pass (or inconclusive), 1 violation, crash or hang, 2 usage or load error or "
      "an unreadable FILE, 130/143 interrupted while shrinking (the smallest sequence so far is "
      "written).");
  cmd->callback([cmd, o, misuse, &exit_code] {
    DecodeOptions options = *o;
    options.misuse_given = misuse->count() > 0;
    exit_code = run_decode(*cmd, options);
  });
}

}  // namespace asyncconf::cli
