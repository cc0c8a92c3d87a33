// Shared by explore, replay and diff: the files a finding leaves behind
// (.seq files with a comment header, the C reproducer), requirement texts,
// --misuse lists, seeds, command lines to repeat a run, and where a crash
// or hang happens.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "asyncconf/harness/async_api.hpp"
#include "asyncconf/harness/explorer.hpp"
#include "asyncconf/harness/model.hpp"
#include "asyncconf/harness/sequence.hpp"
#include "asyncconf/reports/result.hpp"

namespace asyncconf::cli {

/// The catalogue's text of a requirement ("" for an unknown id): the
/// RequirementText of format_difference and of the C reproducer.
std::string requirement_text(const std::string& id);
/// The catalogue's level of a requirement ("" for an unknown id).
std::string requirement_level(const std::string& id);

/// Parses --misuse: harness::Misuse names separated by commas ("all" and
/// "none" too). Throws std::invalid_argument naming the bad item and the
/// valid names.
std::uint32_t parse_misuse_list(const std::string& list);

/// A seed from the clock (and the pid), for runs started without --seed.
std::uint64_t clock_seed();
/// Parses --seed: a whole number 0..2^64-1, decimal or 0x hex. Throws
/// std::invalid_argument saying so.
std::uint64_t parse_seed(const std::string& text);

/// `word` as one shell word (quoted only when needed).
std::string shell_word(const std::string& word);
/// The words joined into a command line for a shell.
std::string command_line(const std::vector<std::string>& words);

/// Lowercase, only [a-z0-9._-]; anything else becomes '-', runs of '-'
/// collapse, no leading or trailing '-' ("x" for an empty result).
std::string file_safe(const std::string& text);
/// A short name of --impl for file names: "reference", "openssl", or the
/// library file's name without ".so*".
std::string impl_file_name(const std::string& impl);

/// Each line of `text` as a `#` comment line ("#" alone for an empty line).
std::string comment_lines(const std::string& text);
/// Each line of `text` prefixed with `prefix`.
std::string indent(const std::string& text, const std::string& prefix = "    ");
/// The last `max_bytes` of `text`, starting at a line when there is one.
std::string tail_of(const std::string& text, std::size_t max_bytes = 2000);

/// Writes `text` to `path` atomically (a temporary file renamed over it),
/// creating the parent directories. Throws std::runtime_error naming the path.
void write_text_file(const std::filesystem::path& path, const std::string& text);
/// Reads a whole file. Throws std::runtime_error naming the path.
std::string read_text_file(const std::filesystem::path& path);

/// Who was tested, as the reports record it.
reports::Implementation implementation_of(const std::string& name, const harness::LoadedImpl& impl);
/// "reference (OpenSSL 3.x ..., /path/lib.so)": one line for people.
std::string impl_summary(const reports::Implementation& impl);

/// "killed by SIGSEGV", "no result within 5000 ms", ... for a crash or hang.
std::string end_text(const harness::IsolatedOutcome& outcome, std::chrono::milliseconds timeout);

/// Where a crash or a hang first shows: the shortest prefix of the driver
/// ops (found by bisection, each prefix run alone) that still fails the same
/// way. A crash leaves no observations, so this is how the op is found.
inline constexpr int kBeforeAnyOp = -2;
struct FailurePoint {
  /// The op whose addition makes the prefix fail; kBeforeAnyOp when the
  /// empty sequence fails too; -1 unknown (an empty sequence).
  int op_index = -1;
  std::string op;     ///< its text (body shown)
  int runs = 0;       ///< children run to find it
};
FailurePoint locate_failure(const harness::AsyncApi& api, const harness::Sequence& sequence,
                            const harness::ModelConfig& config, std::chrono::milliseconds timeout,
                            const harness::FailureSignature& want);
/// "it happens once line 3 (`resume j0`) is reached" or "".
std::string failure_point_text(const FailurePoint& point);

/// The C reproducer of `sequence` as a fresh process would run it: the plan
/// of `config` with fresh_process, `failing` (an index into the warmed-up
/// plan's expected observations) kept when that observation is the same
/// op in the fresh plan. `crashed`: the harness saw a crash or a hang, so the
/// program goes on past differences to reach it.
std::string c_reproducer(const harness::Sequence& sequence, const harness::ModelConfig& config,
                         const harness::RunResult* result, const std::string& what_happened,
                         const std::string& implementation, bool crashed);

}  // namespace asyncconf::cli
