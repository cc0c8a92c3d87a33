#include "asyncconf/accel/parse.hpp"

#include <charconv>
#include <cmath>
#include <string>

namespace asyncconf::accel {
namespace {

constexpr double kMaxDurationNs = 1e15;  // 10^6 s: far beyond any test, far below int64

struct Unit {
  std::string_view name;
  std::int64_t ns;
};
constexpr Unit kUnits[] = {{"ns", 1}, {"us", 1'000}, {"ms", 1'000'000}, {"s", 1'000'000'000}};

std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

}  // namespace

std::string_view trim(std::string_view text) noexcept {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

Parsed<Nanos> parse_duration(std::string_view text) {
  const std::string expected =
      "expected a duration such as 100us (a number and one of ns, us, ms, s), got " + quoted(text);
  text = trim(text);
  if (text == "0") return Nanos{0};
  std::size_t end = 0;
  while (end < text.size() && (is_digit(text[end]) || text[end] == '.')) ++end;
  if (end == 0 || !is_digit(text[0])) return ParseError{expected};
  double number = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + end, number);
  if (ec != std::errc{} || ptr != text.data() + end) return ParseError{expected};
  const std::string_view unit = text.substr(end);
  for (const Unit& u : kUnits) {
    if (unit != u.name) continue;
    const double ns = number * static_cast<double>(u.ns);
    if (!(ns <= kMaxDurationNs)) {
      return ParseError{"duration " + quoted(text) + " is too long (at most 1000000s)"};
    }
    return Nanos{std::llround(ns)};
  }
  return ParseError{expected};
}

std::string format_duration(Nanos d) {
  const std::int64_t n = d.count();
  if (n == 0) return "0";
  for (auto it = std::rbegin(kUnits); it != std::rend(kUnits); ++it) {
    if (n % it->ns == 0) return std::to_string(n / it->ns) + std::string(it->name);
  }
  return std::to_string(n) + "ns";  // not reached: every n is a whole number of ns
}

Parsed<std::uint64_t> parse_unsigned(std::string_view text) {
  const std::string expected = "expected a whole number, got " + quoted(text);
  text = trim(text);
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    text.remove_prefix(2);
    base = 16;
  }
  // from_chars would take a leading '-' for a signed type only; this keeps '+' out too.
  if (text.empty() || text[0] == '-' || text[0] == '+') return ParseError{expected};
  std::uint64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (ec == std::errc::result_out_of_range) return ParseError{"number " + quoted(text) + " is too large"};
  if (ec != std::errc{} || ptr != text.data() + text.size()) return ParseError{expected};
  return value;
}

Parsed<double> parse_number(std::string_view text) {
  const std::string expected = "expected a number, got " + quoted(text);
  text = trim(text);
  if (text.empty()) return ParseError{expected};
  double value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size() || !std::isfinite(value)) {
    return ParseError{expected};
  }
  return value;
}

Parsed<double> parse_probability(std::string_view text) {
  Parsed<double> number = parse_number(text);
  if (!number.ok() || number.value() < 0.0 || number.value() > 1.0) {
    return ParseError{"expected a probability in [0, 1], got " + quoted(trim(text))};
  }
  return number;
}

std::string format_number(double x) {
  char buf[32];
  const auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, x);
  return ec == std::errc{} ? std::string(buf, ptr) : std::to_string(x);
}

}  // namespace asyncconf::accel
