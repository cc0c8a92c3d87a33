#include "c_text.hpp"

#include <algorithm>
#include <climits>
#include <cstdio>

namespace asyncconf::harness::c_text {

std::string c_long(long v) {
  if (v == LONG_MIN) return "(-" + std::to_string(LONG_MAX) + "L - 1)";
  if (v < INT_MIN || v > INT_MAX) return std::to_string(v) + "L";
  return std::to_string(v);
}

std::string c_operand(long v) {
  const std::string s = c_long(v);
  return v < 0 && s.front() != '(' ? "(" + s + ")" : s;
}

std::string c_string(std::string_view s) {
  std::string out = "\"";
  char prev = 0;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '?': out += prev == '?' ? "\\?" : "?"; break;
      default:
        if (c < 0x20 || c >= 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\%03o", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += ch;
        }
    }
    prev = ch;
  }
  return out + "\"";
}

std::string c_string_lines(std::string_view s, const std::string& indent, std::size_t width) {
  if (s.size() <= width) return indent + c_string(s);
  std::string out;
  std::size_t start = 0;
  while (start < s.size()) {
    std::size_t end = std::min(s.size(), start + width);
    if (end < s.size()) {
      const std::size_t space = s.rfind(' ', end);
      if (space != std::string_view::npos && space > start) end = space + 1;
    }
    if (!out.empty()) out += '\n';
    out += indent + c_string(s.substr(start, end - start));
    start = end;
  }
  return out;
}

std::string comment_safe(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const char next = i + 1 < s.size() ? s[i + 1] : '\0';
    if ((c == '/' && next == '*') || (c == '*' && next == '/') || (c == '?' && next == '?')) {
      out += c;
      out += ' ';
    } else if (static_cast<unsigned char>(c) < 0x20 && c != '\n') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::vector<std::string> wrap(std::string_view text, std::size_t width) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view para = text.substr(start, end - start);
    std::string line;
    std::size_t i = 0;
    bool any = false;
    while (i < para.size()) {
      while (i < para.size() && (para[i] == ' ' || para[i] == '\t' || para[i] == '\r')) ++i;
      std::size_t j = i;
      while (j < para.size() && para[j] != ' ' && para[j] != '\t' && para[j] != '\r') ++j;
      if (j == i) break;
      const std::string_view word = para.substr(i, j - i);
      if (!line.empty() && line.size() + 1 + word.size() > width) {
        lines.push_back(line);
        line.clear();
      }
      if (!line.empty()) line += ' ';
      line += word;
      any = true;
      i = j;
    }
    if (any || para.empty()) lines.push_back(line);
    if (end == text.size()) break;
    start = end + 1;
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

std::string c_define(std::string_view name, std::string_view value, std::string_view comment) {
  constexpr std::size_t kCommentColumn = 30;
  std::string line = "#define ";
  line += name;
  line += ' ';
  line += value;
  line += std::string(line.size() < kCommentColumn ? kCommentColumn - line.size() : 1, ' ');
  return line + "/* " + comment_safe(comment) + " */\n";
}

}  // namespace asyncconf::harness::c_text
