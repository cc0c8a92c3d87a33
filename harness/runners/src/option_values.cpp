#include "asyncconf/harness/option_values.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <stdexcept>

#include "asyncconf/harness/model.hpp"

namespace asyncconf::harness {

namespace {

std::string valid_misuse() {
  return misuse_names(kAllMisuse) + ", all, none";
}

std::string trimmed(const std::string& text) {
  const std::size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string::npos) return {};
  return text.substr(begin, text.find_last_not_of(" \t") + 1 - begin);
}

}  // namespace

std::uint32_t parse_misuse_list(const std::string& list) {
  if (trimmed(list).empty()) throw std::invalid_argument("empty list (valid: " + valid_misuse() + ")");
  std::uint32_t bits = 0;
  std::size_t begin = 0;
  while (begin <= list.size()) {
    std::size_t end = list.find(',', begin);
    if (end == std::string::npos) end = list.size();
    const std::string item = trimmed(list.substr(begin, end - begin));
    begin = end + 1;
    if (item.empty()) {
      throw std::invalid_argument("empty item in '" + list + "' (valid: " + valid_misuse() + ")");
    }
    if (item == "all") {
      bits |= kAllMisuse;
    } else if (item == "none") {
      // adds nothing; "none" alone allows no misuse
    } else if (const auto m = misuse_from_string(item)) {
      bits |= misuse_bit(*m);
    } else {
      throw std::invalid_argument("unknown misuse '" + item + "' (valid: " + valid_misuse() + ")");
    }
  }
  return bits;
}

std::uint64_t parse_seed(const std::string& text) {
  const bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
  const std::string digits = hex ? text.substr(2) : text;
  // strtoull alone would take "-3", " 3" and "3x".
  const bool ok = !digits.empty() && std::all_of(digits.begin(), digits.end(), [&](unsigned char c) {
    return hex ? std::isxdigit(c) != 0 : std::isdigit(c) != 0;
  });
  errno = 0;
  const unsigned long long value = ok ? std::strtoull(digits.c_str(), nullptr, hex ? 16 : 10) : 0;
  if (!ok || errno == ERANGE) {
    throw std::invalid_argument("must be a whole number from 0 to 18446744073709551615 (or 0x hex), not '" +
                                text + "'");
  }
  return value;
}

std::uint64_t clock_seed() {
  // splitmix64 of the wall clock's nanoseconds and the pid: two runs started
  // in the same second still differ.
  std::uint64_t x =
      static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count()) ^
      (static_cast<std::uint64_t>(::getpid()) << 40);
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x & 0xffffffffULL;
}

}  // namespace asyncconf::harness
