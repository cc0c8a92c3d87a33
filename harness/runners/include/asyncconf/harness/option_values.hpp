// The values of the options explore, replay and diff take that are more than
// a number: run seeds and misuse lists. Errors are std::invalid_argument
// whose message reads after the option's name ("--seed: must be ...").
#pragma once

#include <cstdint>
#include <string>

namespace asyncconf::harness {

/// Misuse names (model.hpp) separated by commas, "all" and "none" too, as
/// misuse_bit()s. Throws naming the bad item and the valid names.
std::uint32_t parse_misuse_list(const std::string& list);

/// A whole number 0..2^64-1, decimal or 0x hex. Throws saying so.
std::uint64_t parse_seed(const std::string& text);
/// A seed from the clock and the pid, for runs started without one: 32
/// bits, short enough to type.
std::uint64_t clock_seed();

}  // namespace asyncconf::harness
