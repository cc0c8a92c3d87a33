#include "asyncconf/harness/replay_text.hpp"

#include <sstream>

#include "asyncconf/harness/explorer.hpp"
#include "asyncconf/harness/interpreter.hpp"

namespace asyncconf::harness {

ModelConfig replay_config(const AsyncApi& api, Level level, std::uint32_t misuse,
                          std::chrono::milliseconds timeout) {
  ModelConfig config = model_config(api, level);
  config.fresh_process = false;
  config.misuse = misuse;
  if (level >= Level::Robustness) apply(probe_behaviour(api, timeout), config);
  return config;
}

std::vector<int> op_lines(const std::string& text) {
  std::vector<int> lines;
  std::istringstream in(text);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    const std::string code = line.substr(0, line.find('#'));
    if (code.find_first_not_of(" \t\r") != std::string::npos) lines.push_back(number);
  }
  return lines;
}

std::string line_note(const std::string& file, const std::string& text, std::size_t ops) {
  const std::vector<int> lines = op_lines(text);
  if (lines.size() != ops || ops == 0) return {};
  bool same = true;
  bool constant_offset = true;
  for (std::size_t i = 0; i < ops; ++i) {
    same = same && lines[i] == static_cast<int>(i) + 1;
    constant_offset = constant_offset && lines[i] - static_cast<int>(i) == lines[0];
  }
  if (same) return {};
  std::string note = "note: \"line N\" in the trace is the N-th op of the sequence; in " + file + " ";
  if (ops == 1) return note + "op 1 is on line " + std::to_string(lines[0]) + "\n";
  if (constant_offset) {
    return note + "op N is on line N+" + std::to_string(lines[0] - 1) + " (ops 1-" + std::to_string(ops) +
           " on lines " + std::to_string(lines[0]) + "-" + std::to_string(lines[ops - 1]) + ")\n";
  }
  note += "the ops are on lines";
  for (std::size_t i = 0; i < ops; ++i) note += (i == 0 ? " " : ", ") + std::to_string(lines[i]);
  return note + "\n";
}

}  // namespace asyncconf::harness
