#include "asyncconf/harness/shell_words.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace asyncconf::harness {

std::string shell_word(const std::string& word) {
  const bool plain = !word.empty() && std::all_of(word.begin(), word.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || (c != '\0' && std::strchr("@%+=:,./_-", c) != nullptr);
  });
  if (plain) return word;
  std::string out = "'";
  for (char c : word) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string command_line(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : " ") + shell_word(w);
  return out;
}

}  // namespace asyncconf::harness
