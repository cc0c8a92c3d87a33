// Text helpers shared by the writers: cleaning untrusted bytes and escaping
// for XML/HTML and Markdown. Internal to the reports library.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace asyncconf::reports::detail {

/// `text` as valid UTF-8 that XML 1.0 accepts: each invalid byte becomes
/// U+FFFD; C0 control characters other than tab, newline and carriage
/// return, and U+FFFE/U+FFFF, are dropped.
std::string clean_text(std::string_view text);

/// clean_text(), then & < > " ' as character references. With
/// `attribute`, tab, newline and CR too, which parsers would otherwise
/// normalise to spaces in an attribute value. Valid in XML and in HTML.
std::string escape_markup(std::string_view text, bool attribute = false);

/// clean_text(), then made safe for one Markdown table cell or a heading:
/// Markdown punctuation backslash-escaped (| included), newlines as <br>.
std::string markdown_text(std::string_view text);

/// A fenced code block holding clean_text(`text`) verbatim.
std::string markdown_code_block(std::string_view text);

/// The first line of `text`, cut to at most `max_bytes` on a UTF-8
/// boundary, with "..." when it was cut.
std::string first_line(std::string_view text, std::size_t max_bytes);

/// `value` with `decimals` digits after the point, independent of the C
/// locale; 0 for NaN, infinities and negatives.
std::string format_fixed(double value, int decimals);

/// The items joined with ", ".
std::string join(const std::vector<std::string>& items);

/// "(none)" for an empty text, else the text.
inline std::string or_none(const std::string& text) { return text.empty() ? "(none)" : text; }

/// The <style> element of the HTML pages (report.html, compare.html).
std::string_view html_style();

}  // namespace asyncconf::reports::detail
