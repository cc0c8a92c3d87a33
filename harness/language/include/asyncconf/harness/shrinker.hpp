// The shrinker: from a sequence that makes an implementation fail, the
// smallest sequence found that still makes it fail. Delta debugging over the
// driver ops and over each Start's body, then simplification of the ops'
// operands, until a fixpoint. Deterministic: the same input and the same
// predicate give the same result after the same number of predicate calls.
#pragma once

#include <cstddef>
#include <functional>

#include "asyncconf/harness/sequence.hpp"

namespace asyncconf::harness {

struct ShrinkOptions {
  /// Calls of still_fails at most. The shrinker stops (exhausted) when it
  /// would need one more.
  std::size_t max_attempts = 5000;
  /// Optional: called after each accepted step with the calls made so far and
  /// the new smallest failing sequence.
  std::function<void(std::size_t attempts, const Sequence& best)> progress;
};

struct ShrinkResult {
  Sequence sequence;          ///< smallest found that still fails (== input if nothing smaller fails)
  std::size_t attempts = 0;   ///< calls of still_fails
  std::size_t accepted = 0;   ///< steps that kept the failure
  bool exhausted = false;     ///< stopped at max_attempts before reaching a fixpoint
};

/// Shrinks `failing`, which is taken to fail (still_fails is never called on
/// it). still_fails is called on candidates only, never twice on the same
/// candidate, at most options.max_attempts times.
///
/// Passes, repeated until none changes anything:
///  - removal, to a fixpoint: ops naming a job or ctx that no earlier op
///    created, all at once; then chunks of driver ops of halving size, from
///    the end (a Start also together with the ops naming its job, a
///    WaitCtxNew with the ops naming its ctx); then the same over each
///    Start's body;
///  - simplification: ArgsMode toward Copy, thread, value, value2, key, fd
///    toward 0, a driver op's ctx toward a smaller ctx created earlier, then
///    jobs and ctxs renamed j0, j1, ... / w0, w1, ... in order of first
///    appearance.
/// Every accepted step keeps or lowers op_count, so op_count(result) <=
/// op_count(failing).
ShrinkResult shrink(const Sequence& failing, const std::function<bool(const Sequence&)>& still_fails,
                    const ShrinkOptions& options = {});

}  // namespace asyncconf::harness
