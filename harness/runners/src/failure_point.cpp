#include "asyncconf/harness/failure_point.hpp"

#include "asyncconf/harness/sandbox.hpp"
#include "asyncconf/harness/sequence_text.hpp"

namespace asyncconf::harness {

std::string end_text(const IsolatedOutcome& outcome, std::chrono::milliseconds timeout) {
  using Kind = IsolatedOutcome::Kind;
  switch (outcome.kind) {
    case Kind::Crash:
      return outcome.signal != 0 ? "killed by " + signal_name(outcome.signal)
                                 : std::string("the process ended before the sequence did (exit, or abort path)");
    case Kind::Hang: return "no result within " + std::to_string(timeout.count()) + " ms; the child was killed";
    case Kind::HarnessError: return "harness error: " + outcome.stderr_tail;
    case Kind::Pass: return "every observation as the model predicted";
    case Kind::Violation: return "a violation";
    case Kind::Inconclusive: return "inconclusive";
  }
  return "?";
}

FailurePoint locate_failure(const AsyncApi& api, const Sequence& sequence, const ModelConfig& config,
                            std::chrono::milliseconds timeout, const FailureSignature& want) {
  FailurePoint point;
  const std::size_t n = sequence.ops.size();
  if (n == 0) return point;
  const auto fails = [&](std::size_t k) {
    Sequence prefix;
    prefix.ops.assign(sequence.ops.begin(), sequence.ops.begin() + static_cast<std::ptrdiff_t>(k));
    ++point.runs;
    return signature(run_isolated(api, prefix, config.level, timeout, &config)) == want;
  };
  if (fails(0)) {
    point.op_index = kBeforeAnyOp;
    return point;
  }
  // Invariant: the prefix of `lo` ops does not fail, the one of `hi` is taken to.
  std::size_t lo = 0;
  std::size_t hi = n;
  while (hi - lo > 1) {
    const std::size_t mid = lo + (hi - lo) / 2;
    if (fails(mid)) {
      hi = mid;
    } else {
      lo = mid;
    }
  }
  point.op_index = static_cast<int>(hi - 1);
  try {
    point.op = print_op(sequence.ops[hi - 1]);
  } catch (const std::exception&) {
    point.op = op_name(sequence.ops[hi - 1].kind);
  }
  return point;
}

std::string failure_point_text(const FailurePoint& point) {
  if (point.op_index == kBeforeAnyOp) {
    return "it fails even with none of the sequence's ops: in the harness's warm-up of the child "
           "(the implementation's first ASYNC calls) or its end";
  }
  if (point.op_index < 0) return {};
  std::string text = "the sequence first fails this way once op " + std::to_string(point.op_index + 1) + " (`" +
                     point.op + "`) is included";
  if (point.runs > 0) {
    text += " (located by running " + std::to_string(point.runs) + (point.runs == 1 ? " prefix" : " prefixes") +
            " of the sequence)";
  }
  return text;
}

}  // namespace asyncconf::harness
