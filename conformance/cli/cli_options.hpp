// The options several subcommands take, each defined once with its
// validator, and the one form every usage error is reported in.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

namespace asyncconf::cli {

/// "asyncconf <subcommand>: <message>" on stderr; returns kExitUsage.
int usage_error(const CLI::App& cmd, const std::string& message);
/// CLI11's parse errors (bad or missing options, failed validators) in the
/// same form, for App::failure_message.
std::string parse_failure_message(const CLI::App* app, const CLI::Error& error);

/// A whole number >= min: "must be at least 1, not 0".
CLI::Validator at_least(long long min);
/// A number > 0 of `unit`s: "must be a positive number of seconds, not 0".
CLI::Validator positive(const std::string& unit);

/// --impl NAME: reference, openssl or a path (required).
CLI::Option* add_impl_option(CLI::App& cmd, std::string& impl);
/// --level must|de-facto|robustness.
CLI::Option* add_level_option(CLI::App& cmd, std::string& level, const std::string& help);
/// --timeout-ms, a positive number of milliseconds.
CLI::Option* add_timeout_option(CLI::App& cmd, int& timeout_ms, const std::string& help);
/// --format: report formats, comma-separated (reports::parse_formats checks them).
CLI::Option* add_format_option(CLI::App& cmd, std::string& formats);
/// --out DIR: a folder for what the command writes (not empty).
CLI::Option* add_out_option(CLI::App& cmd, std::string& out, const std::string& help);
/// --quiet: no progress output.
CLI::Option* add_quiet_flag(CLI::App& cmd, bool& quiet);
/// --misuse LIST (harness::parse_misuse_list checks it; kept as typed, for
/// the repeat lines).
CLI::Option* add_misuse_option(CLI::App& cmd, std::string& misuse, const std::string& help);

/// What explore and diff share: how random sequences are made, run and shrunk.
struct SequenceOptions {
  std::uint64_t seed = 0;
  bool seed_given = false;  ///< else a clock seed is used (set by the command's callback)
  long long max_ops = 64;
  int threads = 1;
  int timeout_ms = 5000;
  long long shrink_attempts = 0;  ///< the command's default, set before add_sequence_options
};
/// Adds --seed, --max-ops, --threads, --timeout-ms and --shrink-attempts as
/// the option group "Sequences"; returns --seed (its count() says whether it
/// was given).
CLI::Option* add_sequence_options(CLI::App& cmd, SequenceOptions& o);

}  // namespace asyncconf::cli
