// Turning a run into text for people: the trace `asyncconf replay` prints,
// and the explanation of the first difference.
#pragma once

#include <functional>
#include <string>

#include "asyncconf/harness/interpreter.hpp"
#include "asyncconf/harness/model.hpp"
#include "asyncconf/harness/sequence.hpp"

namespace asyncconf::harness {

/// The text of a requirement id ("the man page sentence"), or empty.
using RequirementText = std::function<std::string(const std::string& id)>;

/// Every step with its op as in the .seq file (teardown steps marked), each
/// observation under it ("ok" or "DIFFERS"), the skipped ops with their
/// reason, and, at the first difference, what the model expected.
std::string format_trace(const Sequence& sequence, const Plan& plan, const RunResult& result);

/// The first difference in a few lines: the op (with its number in the
/// sequence), what was expected and what was observed, and the requirement it
/// breaks (with its text when `text` knows it). Empty when there is none.
std::string format_difference(const Sequence& sequence, const Plan& plan, const RunResult& result,
                              const RequirementText& text = {});

/// "resume j0" for plan step `step` (teardown steps too), or "sequence end".
std::string step_text(const Plan& plan, int step);

}  // namespace asyncconf::harness
