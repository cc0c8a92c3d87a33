// Everything said about an explore finding, computed once: the words
// printed, the .seq file's '#' header, and the C reproducer.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "asyncconf/harness/explorer.hpp"

namespace asyncconf::harness {

struct FindingText {
  IsolatedOutcome::Kind kind = IsolatedOutcome::Kind::Violation;
  std::string kind_name;          ///< "violation", "crash", "hang"
  std::string requirement;        ///< the requirement broken, when known
  std::string requirement_level;  ///< its catalogue level (or the difference's)
  std::string detail;             ///< for the file stem and the case id: requirement, signal, ...
  std::string headline;           ///< one line
  std::string explanation;        ///< a few lines
  std::string misuse;             ///< misuse committed, names; "" for none
  std::string stderr_tail;        ///< of the child, when it crashed
  std::string shrunk_text;        ///< the sequence as .seq text
  std::string original_text;      ///< before shrinking
};

/// The sequence as .seq text, or a '#' line saying why there is none.
std::string sequence_text(const Sequence& sequence);

/// Describes `f`, found by the run of `seed`. A crash or a hang is located
/// (locate_failure: more children run against `api`).
FindingText describe_finding(const AsyncApi& api, const Finding& f, std::uint64_t seed,
                             std::chrono::milliseconds timeout);

/// The files' common name: "<impl>-<kind>-<detail>", file_safe.
std::string finding_stem(const std::string& impl, const FindingText& t);

/// What the .seq header says of the run that found it.
struct ExploreSettings {
  std::uint64_t seed = 0;
  std::string level;
  std::size_t max_ops = 0;
  int threads = 1;
};
/// The .seq file's header: '#' lines, then a blank line. `what` names the
/// file's sequence, `replay` is the command that replays it.
std::string finding_seq_header(const ExploreSettings& run, const std::string& impl_summary, const Finding& f,
                               const FindingText& t, const std::string& what, const std::string& explanation,
                               const std::string& replay);

/// The C reproducer of `sequence` as a fresh process runs it: the plan of
/// `config` with fresh_process; `result`'s mismatch (an index into the
/// warmed-up plan's expected observations) is kept when that observation is
/// the same op in the fresh plan. `crashed`: the harness saw a crash or a
/// hang, so the program goes on past differences to reach it.
std::string c_reproducer(const Sequence& sequence, const ModelConfig& config, const RunResult* result,
                         const std::string& what_happened, const std::string& implementation, bool crashed);

}  // namespace asyncconf::harness
