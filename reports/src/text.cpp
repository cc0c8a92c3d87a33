#include "text.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <system_error>

namespace asyncconf::reports::detail {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

bool is_xml_control(unsigned char c) { return c < 0x20 && c != '\t' && c != '\n' && c != '\r'; }

// The length of the valid UTF-8 sequence at the start of `text`, 0 if it is
// not one (overlong forms, surrogates and code points past U+10FFFF are not).
std::size_t utf8_length(std::string_view text, char32_t& code_point) {
  const auto lead = static_cast<unsigned char>(text[0]);
  std::size_t length = 0;
  char32_t minimum = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, code_point = lead & 0x1F, minimum = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, code_point = lead & 0x0F, minimum = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, code_point = lead & 0x07, minimum = 0x10000;
  } else {
    return 0;
  }
  if (text.size() < length) return 0;
  for (std::size_t i = 1; i < length; ++i) {
    const auto next = static_cast<unsigned char>(text[i]);
    if ((next & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (next & 0x3F);
  }
  if (code_point < minimum || code_point > 0x10FFFF) return 0;
  if (code_point >= 0xD800 && code_point <= 0xDFFF) return 0;
  return length;
}

}  // namespace

std::string clean_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (!is_xml_control(c)) out += static_cast<char>(c);
      ++i;
      continue;
    }
    char32_t code_point = 0;
    const std::size_t length = utf8_length(text.substr(i), code_point);
    if (length == 0) {
      out += kReplacement;
      ++i;
      continue;
    }
    if (code_point != 0xFFFE && code_point != 0xFFFF) out += text.substr(i, length);
    i += length;
  }
  return out;
}

std::string escape_markup(std::string_view text, bool attribute) {
  std::string out;
  for (const char c : clean_text(text)) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      // &apos; is XML but not HTML 4; the numeric reference is both.
      case '\'': out += "&#39;"; break;
      case '\t': out += attribute ? "&#9;" : "\t"; break;
      case '\n': out += attribute ? "&#10;" : "\n"; break;
      case '\r': out += attribute ? "&#13;" : "\r"; break;
      default: out += c; break;
    }
  }
  return out;
}

std::string markdown_text(std::string_view text) {
  // Backslash escapes work before any ASCII punctuation in CommonMark. `|`
  // would end a table cell; `<` and `&` would start raw HTML or an entity;
  // the rest would start emphasis, code or links. `_` is left alone: GFM
  // does not emphasise inside words, and function names are full of it.
  constexpr std::string_view kSpecial = "\\|`*<>&[]";
  std::string out;
  for (const char c : clean_text(text)) {
    if (c == '\r') continue;
    // A table row is one line; GitHub and GitLab render <br> inside cells.
    if (c == '\n') {
      out += "<br>";
    } else {
      if (kSpecial.find(c) != std::string_view::npos) out += '\\';
      out += c;
    }
  }
  return out;
}

std::string markdown_code_block(std::string_view text) {
  const std::string body = clean_text(text);
  // The fence must be longer than any run of backticks inside, or the
  // evidence could close the block and the rest would render as Markdown.
  std::size_t longest = 0, run = 0;
  for (const char c : body) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  const std::string fence(std::max<std::size_t>(3, longest + 1), '`');
  std::string out = fence + "text\n" + body;
  if (body.empty() || body.back() != '\n') out += '\n';
  return out + fence + "\n";
}

std::string first_line(std::string_view text, std::size_t max_bytes) {
  std::string_view line = text.substr(0, text.find('\n'));
  if (line.size() <= max_bytes) return std::string(line);
  std::size_t cut = max_bytes;
  // Back up over UTF-8 continuation bytes so no character is split.
  while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
  return std::string(line.substr(0, cut)) + "...";
}

std::string format_fixed(double value, int decimals) {
  if (!std::isfinite(value) || value < 0) value = 0;
  // Large enough for DBL_MAX in fixed notation.
  char buffer[400];
  const auto result =
      std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, decimals);
  if (result.ec != std::errc{}) return "0";
  return std::string(buffer, result.ptr);
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

std::string_view html_style() {
  return R"(<style>
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #eee; }
code, pre { font-family: ui-monospace, monospace; }
pre { background: #f6f6f6; border: 1px solid #ddd; padding: 0.6em; overflow-x: auto; white-space: pre-wrap; }
section.case { border-top: 1px solid #ccc; margin-top: 1.5em; }
.incomplete { background: #fff3cd; border: 1px solid #e0c060; padding: 0.5em; }
.v-pass { background: #c8ecc8; }
.v-fail { background: #f5b7b1; }
.v-crash { background: #c0392b; color: #fff; }
.v-timeout { background: #f0b27a; }
.v-not-applicable { background: #e5e5e5; color: #555; }
.v-expected-fail { background: #fce9a5; }
.v-error { background: #d7bde2; }
.v-missing { color: #999; }
a.v-fail, a.v-crash, a.v-timeout, a.v-error, a.v-expected-fail, a.v-not-applicable { padding: 0 0.3em; }
</style>
)";
}

}  // namespace asyncconf::reports::detail
