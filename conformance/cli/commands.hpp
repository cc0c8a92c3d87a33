// The asyncconf subcommands. Each has an options struct, a setup_<cmd> that
// registers it with CLI11, and a run_<cmd> that returns the exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace asyncconf::cli {

/// Exit codes of every subcommand (README.md, "Exit codes").
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailures = 1;  ///< a case failed, crashed, timed out, or errored; explore/replay/diff/decode found something
inline constexpr int kExitUsage = 2;     ///< bad flags, missing files, an unloadable implementation
inline constexpr int kExitInterrupted = 130;  ///< SIGINT (128 + signal; SIGTERM gives 143)

/// Each setup_* registers a subcommand whose callback stores its exit code
/// in `exit_code`.
void setup_run(CLI::App& app, int& exit_code);
void setup_list(CLI::App& app, int& exit_code);
void setup_report(CLI::App& app, int& exit_code);
void setup_explore(CLI::App& app, int& exit_code);
void setup_replay(CLI::App& app, int& exit_code);
void setup_diff(CLI::App& app, int& exit_code);
void setup_decode(CLI::App& app, int& exit_code);
/// `accel bench` (fake_accel's benchmark).
void setup_accel(CLI::App& app, int& exit_code);

}  // namespace asyncconf::cli
