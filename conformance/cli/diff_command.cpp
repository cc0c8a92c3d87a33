// asyncconf diff: the same random sequences on two implementations,
// compared with each other (not with the model); the first place they
// disagree, shrunk, shown side by side and saved.
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "asyncconf/harness/explorer.hpp"
#include "asyncconf/harness/sequence_text.hpp"
#include "asyncconf/harness/trace.hpp"
#include "commands.hpp"
#include "findings.hpp"
#include "impl_loader.hpp"
#include "progress.hpp"
#include "stop_signal.hpp"

namespace asyncconf::cli {

namespace {

namespace fs = std::filesystem;
using harness::IsolatedOutcome;
using harness::Observation;

constexpr long long kDefaultSequences = 200;
constexpr int kDefaultTimeoutMs = 5000;

struct DiffCommandOptions {
  std::vector<std::string> impls;
  std::uint64_t seed = 0;
  std::string seed_text;
  bool seed_given = false;
  long long sequences = kDefaultSequences;
  long long max_ops = 64;
  int threads = 1;
  std::string level = "must";
  int timeout_ms = kDefaultTimeoutMs;
  long long shrink_attempts = 500;
  std::string out = "asyncconf-diff";
  bool quiet = false;
};

int usage_error(const std::string& message) {
  std::fprintf(stderr, "asyncconf diff: %s\n", message.c_str());
  return kExitUsage;
}

// What one side showed at observation `i`: the observation, or how its run ended.
std::string side_at(const IsolatedOutcome& side, std::size_t i, std::chrono::milliseconds timeout) {
  const auto& obs = side.result.observed;
  if (i < obs.size()) return harness::describe(obs[i]);
  switch (side.kind) {
    case IsolatedOutcome::Kind::Crash:
    case IsolatedOutcome::Kind::Hang:
    case IsolatedOutcome::Kind::HarnessError:
      return "nothing: " + end_text(side, timeout);
    default: return "nothing: its run had ended";
  }
}

// Both runs side by side: one line where they agree, both where they differ.
std::string side_by_side(const harness::Plan& plan, const harness::Disagreement& d, const std::string& a,
                         const std::string& b, std::chrono::milliseconds timeout) {
  const auto& x = d.a.result.observed;
  const auto& y = d.b.result.observed;
  const std::size_t n = std::max(x.size(), y.size());
  std::string out;
  int last_step = -2;
  for (std::size_t i = 0; i < n; ++i) {
    const Observation& site = i < x.size() ? x[i] : y[i];
    if (site.step != last_step) {
      out += (site.end ? std::string("end") : "step " + std::to_string(site.step)) + "  " +
             harness::step_text(plan, site.step) + "\n";
      last_step = site.step;
    }
    const bool same = i < x.size() && i < y.size() && !harness::compare_raw(x[i], y[i]).found;
    if (same) {
      out += "  same      " + harness::describe(x[i]) + "\n";
    } else {
      out += std::string(i == d.position ? "  DIFFERS   " : "  differs   ") + a + ": " + side_at(d.a, i, timeout) + "\n";
      out += "            " + b + ": " + side_at(d.b, i, timeout) + "\n";
    }
  }
  const auto ending = [&](const IsolatedOutcome& side) {
    switch (side.kind) {
      case IsolatedOutcome::Kind::Crash:
      case IsolatedOutcome::Kind::Hang:
      case IsolatedOutcome::Kind::HarnessError:
        return end_text(side, timeout);
      default: return std::string("ran to the end");
    }
  };
  out += "ended: " + a + " " + ending(d.a) + "; " + b + " " + ending(d.b) + "\n";
  return out;
}

std::vector<std::string> repeat_words(const DiffCommandOptions& o) {
  std::vector<std::string> w{"asyncconf", "diff", "--impl", o.impls[0], "--impl", o.impls[1],
                             "--seed", std::to_string(o.seed), "--sequences", std::to_string(o.sequences),
                             "--max-ops", std::to_string(o.max_ops), "--threads", std::to_string(o.threads),
                             "--level", o.level};
  if (o.timeout_ms != kDefaultTimeoutMs) w.insert(w.end(), {"--timeout-ms", std::to_string(o.timeout_ms)});
  return w;
}

int run_diff(DiffCommandOptions o) {
  if (o.impls.size() != 2) {
    return usage_error("give exactly two implementations: --impl A --impl B (got " +
                       std::to_string(o.impls.size()) + ")");
  }
  const std::optional<harness::Level> level = harness::level_from_string(o.level);
  if (!level) return usage_error("--level must be must, de-facto or robustness, not '" + o.level + "'");
  if (o.seed_given) {
    try {
      o.seed = parse_seed(o.seed_text);
    } catch (const std::exception& e) {
      return usage_error(e.what());
    }
  }
  if (o.sequences <= 0) return usage_error("--sequences must be at least 1");
  if (o.max_ops < 1 || o.max_ops > 100000) return usage_error("--max-ops must be between 1 and 100000");
  if (o.threads < 1 || o.threads > harness::kMaxThreads) {
    return usage_error("--threads must be between 1 and " + std::to_string(harness::kMaxThreads));
  }
  if (o.timeout_ms <= 0) return usage_error("--timeout-ms must be positive");
  if (o.shrink_attempts < 0) return usage_error("--shrink-attempts must be 0 or more");
  if (o.out.empty()) return usage_error("--out must name a directory");

  std::vector<harness::LoadResult> loaded;
  for (const std::string& name : o.impls) {
    loaded.push_back(load_impl(name));
    if (!loaded.back()) {
      return usage_error("cannot load implementation '" + name + "': " + loaded.back().error().message);
    }
  }
  const harness::LoadedImpl& impl_a = loaded[0].impl();
  const harness::LoadedImpl& impl_b = loaded[1].impl();
  const reports::Implementation a = implementation_of(o.impls[0], impl_a);
  const reports::Implementation b = implementation_of(o.impls[1], impl_b);
  // Short names for the side-by-side lines.
  std::string name_a = impl_file_name(o.impls[0]);
  std::string name_b = impl_file_name(o.impls[1]);
  if (name_a == name_b) {
    name_a = "A";
    name_b = "B";
  }

  if (!o.seed_given) o.seed = clock_seed();
  const std::chrono::milliseconds timeout(o.timeout_ms);
  harness::DiffOptions options;
  options.seed = o.seed;
  options.sequences = static_cast<std::size_t>(o.sequences);
  options.max_ops = static_cast<std::size_t>(o.max_ops);
  options.threads = o.threads;
  options.level = *level;
  options.timeout = timeout;
  options.shrink_attempts = static_cast<std::size_t>(o.shrink_attempts);
  options.stop = &stop_flag();

  std::printf("asyncconf diff %s\n  %s: %s\n  %s: %s\n", ASYNCCONF_VERSION, name_a.c_str(),
              impl_summary(a).c_str(), name_b.c_str(), impl_summary(b).c_str());
  std::printf("  seed %" PRIu64 "%s, level %s, %lld sequences, at most %lld ops per sequence, %d thread(s)\n",
              o.seed, o.seed_given ? "" : " (from the clock)", o.level.c_str(), o.sequences, o.max_ops,
              o.threads);
  std::printf("  repeat with: %s\n", command_line(repeat_words(o)).c_str());
  std::fflush(stdout);

  install_stop_handlers();
  StatusLine status(o.quiet);
  const auto started = std::chrono::steady_clock::now();
  const harness::DiffResult result =
      harness::diff(impl_a.api(), impl_b.api(), options, [&](const harness::DiffResult& r) {
        status.update("comparing", std::to_string(r.sequences) + "/" + std::to_string(o.sequences) +
                                       " sequences, " + std::to_string(r.ops) + " ops");
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
  std::string seq_text;
  try {
    seq_text = harness::print_sequence(d.sequence);
  } catch (const std::exception& e) {
    seq_text = std::string("# (cannot print this sequence: ") + e.what() + ")\n";
  }
  const Observation* at = d.position < d.a.result.observed.size()   ? &d.a.result.observed[d.position]
                          : d.position < d.b.result.observed.size() ? &d.b.result.observed[d.position]
                                                                    : nullptr;
  const std::string where = at == nullptr ? std::string("after the last observation")
                                          : (at->end ? std::string("sequence end")
                                                     : "step " + std::to_string(at->step) + ": " +
                                                           harness::step_text(plan, at->step));
  std::string first;
  first += "first difference at observation " + std::to_string(d.position + 1) + ", " + where + "\n";
  first += "  " + name_a + ": " + side_at(d.a, d.position, timeout) + "\n";
  first += "  " + name_b + ": " + side_at(d.b, d.position, timeout) + "\n";

  const fs::path seq_path = fs::path(o.out) / ("diff-" + file_safe(name_a) + "-" + file_safe(name_b) + ".seq");
  const std::string replay_a = command_line({"asyncconf", "replay", seq_path.string(), "--impl", o.impls[0], "--level", o.level});
  const std::string replay_b = command_line({"asyncconf", "replay", seq_path.string(), "--impl", o.impls[1], "--level", o.level});

  std::printf("\nDISAGREEMENT in sequence #%" PRIu64 " (shrunk from %zu to %zu ops)\n", d.index,
              harness::op_count(d.original), harness::op_count(d.sequence));
  std::printf("  sequence:\n%s", indent(seq_text).c_str());
  std::printf("%s", indent(first, "  ").c_str());
  const std::string& tail_a = d.a.stderr_tail;
  const std::string& tail_b = d.b.stderr_tail;
  if (!tail_a.empty()) std::printf("  stderr of %s's child:\n%s", name_a.c_str(), indent(tail_of(tail_a)).c_str());
  if (!tail_b.empty()) std::printf("  stderr of %s's child:\n%s", name_b.c_str(), indent(tail_of(tail_b)).c_str());
  std::printf("  both runs, side by side (observations compared with each other, not with the model):\n%s",
              indent(side_by_side(plan, d, name_a, name_b, timeout)).c_str());

  std::string header = "asyncconf diff: a sequence two implementations disagree on\n";
  header += name_a + ": " + impl_summary(a) + "\n" + name_b + ": " + impl_summary(b) + "\n";
  header += "seed " + std::to_string(o.seed) + ", sequence index " + std::to_string(d.index) + ", level " + o.level +
            ", max ops " + std::to_string(o.max_ops) + ", threads " + std::to_string(o.threads) + "\n";
  header += first;
  header += "replay with: " + replay_a + "\n";
  header += "        and: " + replay_b + "\n";
  try {
    write_text_file(seq_path, comment_lines(header) + "\n" + seq_text);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "asyncconf diff: %s\n", e.what());
    return kExitUsage;
  }
  std::printf("files written:\n  %s\n", seq_path.string().c_str());
  std::printf("replay with: %s\n         and: %s\n", replay_a.c_str(), replay_b.c_str());
  return result.interrupted ? stop_exit_code() : kExitFailures;
}

}  // namespace

void setup_diff(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<DiffCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "diff",
      "Run the same random sequences on two implementations and report the first place they "
      "disagree (differential testing: neither is trusted)");
  cmd->add_option("--impl", o->impls,
                  "Give it twice: --impl A --impl B. Each is reference, openssl, or a path to a "
                  "shared object exporting the ASYNC ABI")
      ->required();
  CLI::Option* seed = cmd->add_option(
      "--seed", o->seed_text, "Seed of the run (default: from the clock; always printed with the command "
                         "that repeats the run)")
      ->type_name("UINT");
  cmd->add_option("--sequences", o->sequences, "Sequences to compare (default 200)");
  cmd->add_option("--max-ops", o->max_ops, "Ops per sequence at most, driver and job-body ops (default 64)");
  cmd->add_option("--threads", o->threads, "Threads the sequences use, 1 to 4 (default 1)");
  cmd->add_option("--level", o->level,
                  "The loosest level the sequences stay inside: must (the default), de-facto or "
                  "robustness (misuse too). Only the capabilities both implementations have are used");
  cmd->add_option("--timeout-ms", o->timeout_ms, "Time limit per sequence and side (default 5000)");
  cmd->add_option("--shrink-attempts", o->shrink_attempts,
                  "Runs the shrinker may make to minimise a disagreement (default 500)");
  cmd->add_option("--out", o->out,
                  "Folder for diff-<A>-<B>.seq, the shrunk sequence they disagree on (created if "
                  "missing; default ./asyncconf-diff)");
  cmd->add_flag("--quiet", o->quiet, "No progress output");
  cmd->footer(
      "Every observation (return values, *job, *ret, fds, cleanups, leaks) of A is compared with "
      "B's; on the first difference the sequence is shrunk, both runs are shown side by side, and "
      "the sequence is written with a '#' header (replay it against either with asyncconf replay).\n"
      "Exit codes: 0 they agree on every sequence, 1 a disagreement, 2 usage or load error, "
      "130/143 interrupted by SIGINT/SIGTERM.");
  cmd->callback([o, seed, &exit_code] {
    DiffCommandOptions options = *o;
    options.seed_given = seed->count() > 0;
    exit_code = run_diff(options);
  });
}

}  // namespace asyncconf::cli
