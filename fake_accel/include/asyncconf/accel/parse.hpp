// The result of reading a piece of the device's configuration text, and the
// number and duration readers every part of that grammar shares.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace asyncconf::accel {

using Nanos = std::chrono::nanoseconds;

/// Why a text could not be read: says what was expected and what was found.
struct ParseError {
  std::string message;
};

/// Either a value read from text or the reason there is none. Bad input is
/// an expected outcome: it is reported here, never thrown.
template <class T>
class Parsed {
public:
  // Implicit, so that a parser can return either alternative as it is.
  Parsed(T value) : value_(std::move(value)) {}
  Parsed(ParseError error) : value_(std::move(error)) {}

  bool ok() const noexcept { return std::holds_alternative<T>(value_); }
  explicit operator bool() const noexcept { return ok(); }

  /// The value; throws std::bad_variant_access unless ok().
  const T& value() const& { return std::get<T>(value_); }
  T&& value() && { return std::get<T>(std::move(value_)); }
  /// The message; throws std::bad_variant_access when ok().
  const std::string& error() const { return std::get<ParseError>(value_).message; }

private:
  std::variant<T, ParseError> value_;
};

/// A duration: a decimal number (a fraction allowed) and a unit, one of
/// ns, us, ms, s: `100us`, `1.5ms`, `2s`. A bare `0` is zero. At most
/// 10^6 s.
Parsed<Nanos> parse_duration(std::string_view text);
/// The shortest text parse_duration() reads back as `d` (`100us`, `5ms`).
std::string format_duration(Nanos d);

/// An unsigned decimal integer, or hexadecimal after `0x`.
Parsed<std::uint64_t> parse_unsigned(std::string_view text);
/// A number in [0, 1].
Parsed<double> parse_probability(std::string_view text);
/// A finite number (any sign).
Parsed<double> parse_number(std::string_view text);
/// The shortest text parse_number() reads back as exactly `x`.
std::string format_number(double x);

/// `text` without leading and trailing spaces and tabs.
std::string_view trim(std::string_view text) noexcept;

}  // namespace asyncconf::accel
