#include "cli_options.hpp"

#include <cstdio>

#include "asyncconf/harness/level.hpp"
#include "asyncconf/harness/option_values.hpp"
#include "asyncconf/harness/repeat_commands.hpp"
#include "asyncconf/harness/sequence.hpp"
#include "asyncconf/reports/write_reports.hpp"
#include "commands.hpp"

namespace asyncconf::cli {

namespace {

// A validator from a function that throws the error message.
template <typename Check>
CLI::Validator checked_by(Check check, const std::string& name) {
  return CLI::Validator(
      [check](std::string& input) {
        try {
          check(input);
        } catch (const std::exception& e) {
          return std::string(e.what());
        }
        return std::string();
      },
      name);
}

const std::string kMaxThreads = std::to_string(harness::kMaxThreads);

}  // namespace

int usage_error(const CLI::App& cmd, const std::string& message) {
  std::fprintf(stderr, "asyncconf %s: %s\n", cmd.get_name().c_str(), message.c_str());
  return kExitUsage;
}

std::string parse_failure_message(const CLI::App* app, const CLI::Error& error) {
  const std::vector<CLI::App*> parsed = app->get_subcommands();
  const std::string who = parsed.empty() ? "asyncconf" : "asyncconf " + parsed.back()->get_name();
  const std::string help = parsed.empty() ? "asyncconf --help" : who + " --help";
  return who + ": " + error.what() + "\n(" + help + " lists the options)\n";
}

CLI::Validator at_least(long long min) {
  return CLI::Validator(
      [min](std::string& input) {
        long long value = 0;
        if (!CLI::detail::lexical_cast(input, value)) return "must be a whole number, not '" + input + "'";
        if (value < min) return "must be at least " + std::to_string(min) + ", not " + input;
        return std::string();
      },
      "INT >= " + std::to_string(min));
}

CLI::Validator positive(const std::string& unit) {
  return CLI::Validator(
      [unit](std::string& input) {
        double value = 0;
        if (!CLI::detail::lexical_cast(input, value) || !(value > 0)) {
          return "must be a positive number of " + unit + ", not '" + input + "'";
        }
        return std::string();
      },
      "NUMBER > 0");
}

CLI::Option* add_impl_option(CLI::App& cmd, std::string& impl) {
  return cmd.add_option("--impl", impl,
                        "reference (libasyncref.so.1 beside asyncconf: installed, or in the build tree), openssl (the system libcrypto.so.3), "
                        "or a path to a shared object exporting the ASYNC ABI")
      ->required();
}

CLI::Option* add_level_option(CLI::App& cmd, std::string& level, const std::string& help) {
  std::vector<std::string> names;
  for (harness::Level l : {harness::Level::Must, harness::Level::DeFacto, harness::Level::Robustness}) {
    names.emplace_back(harness::to_string(l));
  }
  return cmd.add_option("--level", level, help)->check(CLI::IsMember(names));
}

CLI::Option* add_timeout_option(CLI::App& cmd, int& timeout_ms, const std::string& help) {
  return cmd.add_option("--timeout-ms", timeout_ms, help)->check(at_least(1));
}

CLI::Option* add_format_option(CLI::App& cmd, std::string& formats) {
  return cmd
      .add_option("--format", formats, "Report formats, comma-separated: json,junit,md,html (default: all four)")
      ->check(checked_by([](const std::string& list) { reports::parse_formats(list); }, "FORMATS"));
}

CLI::Option* add_out_option(CLI::App& cmd, std::string& out, const std::string& help) {
  return cmd.add_option("--out", out, help)->check(checked_by(
      [](const std::string& dir) {
        if (dir.empty()) throw std::invalid_argument("must name a directory");
      },
      "DIR"));
}

CLI::Option* add_quiet_flag(CLI::App& cmd, bool& quiet) {
  return cmd.add_flag("--quiet", quiet, "No progress output");
}

CLI::Option* add_misuse_option(CLI::App& cmd, std::string& misuse, const std::string& help) {
  return cmd.add_option("--misuse", misuse, help)
      ->check(checked_by([](const std::string& list) { harness::parse_misuse_list(list); }, "LIST"));
}

CLI::Option* add_sequence_options(CLI::App& cmd, SequenceOptions& o) {
  CLI::Option_group* group = cmd.add_option_group("Sequences", "How the random sequences are made, run and shrunk");
  CLI::Option* seed =
      group
          ->add_option("--seed", o.seed,
                       "Seed of the run, decimal or 0x hex: the same seed, implementations and options give the "
                       "same sequences (default: from the clock; always printed, with the command that repeats "
                       "the run)")
          ->type_name("UINT")
          // Rewritten to decimal: CLI11 alone would read "010" as octal.
          ->transform(CLI::Validator(
              [](std::string& input) {
                try {
                  input = std::to_string(harness::parse_seed(input));
                } catch (const std::exception& e) {
                  return std::string(e.what());
                }
                return std::string();
              },
              ""));
  group->add_option("--max-ops", o.max_ops, "Ops per sequence at most, driver and job-body ops (default 64)")
      ->check(CLI::Range(1LL, 100000LL));
  group->add_option("--threads", o.threads, "Threads the sequences use, 1 to " + kMaxThreads + " (default 1)")
      ->check(CLI::Range(1, harness::kMaxThreads));
  group->add_option("--timeout-ms", o.timeout_ms,
                    "Time limit per sequence (and side); a sequence still running then is a hang (default " +
                        std::to_string(harness::kDefaultSequenceTimeoutMs) + ")")
      ->check(at_least(1));
  group->add_option("--shrink-attempts", o.shrink_attempts,
                    "Runs the shrinker may make to minimise a failing sequence (default " +
                        std::to_string(o.shrink_attempts) + "; a hang uses at most 30)")
      ->check(at_least(0));
  return seed;
}

}  // namespace asyncconf::cli
