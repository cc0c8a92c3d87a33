// fuzz_seq_text: the `.seq` parser and printer on any text.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

#include "asyncconf/fuzz/inputs.hpp"
#include "asyncconf/harness/sequence_text.hpp"

namespace asyncconf::fuzz {

namespace {

[[noreturn]] void fail(const std::string& what, std::string_view text) {
  std::fprintf(stderr, "\nfuzz_seq_text: %s\n--- input ---\n%.*s\n--- end ---\n", what.c_str(),
               static_cast<int>(std::min<std::size_t>(text.size(), 4096)), text.data());
  std::fflush(stderr);
  std::abort();
}

}  // namespace

int check_seq_text(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const harness::ParseResult parsed = harness::parse_sequence(text);
  if (parsed.ok() == parsed.error.has_value()) fail("parse_sequence set both or neither of sequence and error", text);
  if (!parsed.ok()) {
    const harness::ParseError& e = *parsed.error;
    const long lines = 1 + std::count(text.begin(), text.end(), '\n');
    if (e.line < 1 || e.line > lines || e.column < 1 || e.message.empty()) {
      fail("an error outside the text or without a message: " + harness::to_string(e), text);
    }
    return 0;
  }
  std::string printed;
  try {
    printed = harness::print_sequence(*parsed.sequence);
  } catch (const std::invalid_argument& e) {
    fail(std::string("a parsed sequence does not print: ") + e.what(), text);
  }
  const harness::ParseResult again = harness::parse_sequence(printed);
  if (!again.ok()) fail("the printed text does not parse: " + harness::to_string(*again.error) + "\n" + printed, text);
  if (!(*again.sequence == *parsed.sequence)) fail("the printed text parses to another sequence:\n" + printed, text);
  if (harness::print_sequence(*again.sequence) != printed) fail("printing is not stable:\n" + printed, text);
  return 0;
}

}  // namespace asyncconf::fuzz
