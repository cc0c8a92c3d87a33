// What replay needs beyond the interpreter: the model config a .seq file is
// judged with, and where its ops are in the file (the trace numbers ops).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "asyncconf/harness/async_api.hpp"
#include "asyncconf/harness/model.hpp"

namespace asyncconf::harness {

/// The config a sequence run alone is judged with: a warmed-up process
/// (run_isolated warms the child up), `misuse` allowed, and at the
/// robustness level the answer `api` gives where misuse has two allowed
/// answers (probed in a child).
ModelConfig replay_config(const AsyncApi& api, Level level, std::uint32_t misuse,
                          std::chrono::milliseconds timeout);

/// The file line (1-based) of each op of a .seq text: the lines that hold
/// more than a comment.
std::vector<int> op_lines(const std::string& text);

/// "line N" in a trace is the N-th op; when the ops of `text` are on other
/// lines (comments, blank lines), a note saying where; "" otherwise.
std::string line_note(const std::string& file, const std::string& text, std::size_t ops);

}  // namespace asyncconf::harness
