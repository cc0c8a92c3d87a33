// Pieces of C source text: integer constants, string literals and comments
// that hold any text safely, and words wrapped into lines. Used by the C
// reproducer writer; nothing here knows about sequences or plans.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace asyncconf::harness::c_text {

/// A C integer constant for v (an L suffix outside int; LONG_MIN spelled so
/// that no constant overflows).
std::string c_long(long v);

/// c_long(v) as the operand of a unary operator (negative values in parens).
std::string c_operand(long v);

/// A C string literal: plain ASCII, octal escapes for everything else, no
/// trigraphs.
std::string c_string(std::string_view s);

/// A long C string literal split at spaces into concatenated pieces, one per
/// line, each line starting with `indent`.
std::string c_string_lines(std::string_view s, const std::string& indent, std::size_t width = 66);

/// Text that can sit inside a /* */ comment: no comment delimiters, no
/// trigraphs, no control characters.
std::string comment_safe(std::string_view s);

/// Words of `text` in lines of at most `width` characters (longer words get
/// a line of their own); a newline in the text starts a new line.
std::vector<std::string> wrap(std::string_view text, std::size_t width);

/// "#define NAME VALUE" with `comment` after it at column 30 (or one space
/// further when the definition is longer).
std::string c_define(std::string_view name, std::string_view value, std::string_view comment);

}  // namespace asyncconf::harness::c_text
