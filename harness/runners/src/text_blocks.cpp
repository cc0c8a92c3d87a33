#include "asyncconf/harness/text_blocks.hpp"

#include <sstream>

namespace asyncconf::harness {

std::string comment_lines(const std::string& text) {
  std::string out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    out += line.empty() ? "#\n" : "# " + line + "\n";
  }
  return out;
}

std::string indent(const std::string& text, const std::string& prefix) {
  std::string out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out += prefix + line + "\n";
  return out;
}

std::string tail_of(const std::string& text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::string out = text.substr(text.size() - max_bytes);
  const std::size_t nl = out.find('\n');
  if (nl != std::string::npos && nl + 1 < out.size()) out.erase(0, nl + 1);
  return "[...]\n" + out;
}

}  // namespace asyncconf::harness
