// How a run in a child ended, in words, and where a crash or a hang first
// shows: a crash leaves no observations, so the op is found by running
// prefixes of the sequence.
#pragma once

#include <chrono>
#include <string>

#include "asyncconf/harness/explorer.hpp"

namespace asyncconf::harness {

/// "killed by SIGSEGV", "no result within 5000 ms; the child was killed", ...
std::string end_text(const IsolatedOutcome& outcome, std::chrono::milliseconds timeout);

/// FailurePoint::op_index when the sequence with none of its ops fails too.
inline constexpr int kBeforeAnyOp = -2;

struct FailurePoint {
  /// The op whose addition makes the prefix fail; kBeforeAnyOp when the
  /// empty sequence fails too; -1 unknown (an empty sequence).
  int op_index = -1;
  std::string op;  ///< its text (body shown)
  int runs = 0;    ///< children run to find it
};

/// The shortest prefix of the sequence's driver ops that still fails as
/// `want` says (bisection, each prefix run alone at `config`), taking the
/// whole sequence to fail so.
FailurePoint locate_failure(const AsyncApi& api, const Sequence& sequence, const ModelConfig& config,
                            std::chrono::milliseconds timeout, const FailureSignature& want);
/// "the sequence first fails this way once op 3 (`resume j0`) is included
/// (...)", or "" when unknown.
std::string failure_point_text(const FailurePoint& point);

}  // namespace asyncconf::harness
