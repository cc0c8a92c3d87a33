// SIGINT / SIGTERM for the long-running subcommands (run, explore, diff): the
// handler only sets a flag the harness polls, so the command stops soon,
// reports what ran, and exits with 128 + the signal.
#pragma once

#include <atomic>

namespace asyncconf::cli {

/// Installs the handlers (no SA_RESTART: a blocking poll returns early).
void install_stop_handlers();
/// Set by the first SIGINT or SIGTERM.
const std::atomic<bool>& stop_flag() noexcept;
/// True once a stop signal arrived.
bool stop_requested() noexcept;
/// 128 + the signal that arrived (130 for SIGINT, 143 for SIGTERM).
int stop_exit_code() noexcept;

}  // namespace asyncconf::cli
