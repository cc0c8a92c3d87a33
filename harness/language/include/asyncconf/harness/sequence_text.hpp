// The text form of the op-sequence language: the `.seq` files users keep in
// their repositories. One driver op per line; `#` starts a comment (whole
// line or trailing); blank lines are allowed.
//
//   # a comment
//   init_thread 4 2                   # max_size init_size
//   set_mem_functions 65536
//   wctx_new w0
//   start j0 w0 arg=-5 args=size0 { pause; set_fd 1 7; return 3 }
//   start j1 null { }                 # null: no wait ctx
//   resume j0
//   set_fd w0 3 107                   # driver form names the ctx ...
//   set_callback w0 on                # on = 1, off = 0
//   t1: resume j1                     # runs on thread t1 (t0 is the main thread)
//   start j2 w0 { pause x200 }        # x<N> after an op: it stands N times in a row
//   resume j2 x200
//
// Body ops (inside `{ }`, separated by `;`) use the body form, which names no
// ctx ("set_fd 1 7"), and never take a thread prefix. Bodies do not nest.
// Tokens are separated by any runs of spaces, tabs (and '\r'); spaces around
// `{`, `}`, `;` and `:` are optional. Every op, its body included, is on one
// line. Columns count bytes, a tab is one column.
//
// The repeat suffix x<N> (1 <= N <= kMaxTextRepeat) is shorthand: the
// sequence holds N equal ops, and the canonical text writes each.
//
// Canonical text (what print_sequence writes): no comments or blank lines,
// single spaces, `arg=` only when the arg is not 0, `args=` only when not
// ArgsMode::Copy, an empty body as `{ }`, `tN: ` only when N != 0, every line
// ending with '\n'. parse_sequence(print_sequence(s)) == s for every sequence
// print_sequence accepts, and print_sequence(parse(t)) == t for canonical t.
#pragma once

#include "asyncconf/harness/op_schema.hpp"
#include "asyncconf/harness/sequence.hpp"

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace asyncconf::harness {

/// Where and why a text did not parse: 1-based line and column of the
/// offending token (for a missing operand: just after the last token).
struct ParseError {
  int line = 0;
  int column = 0;
  std::string message;
  friend bool operator==(const ParseError&, const ParseError&) = default;
};

/// "<line>:<column>: <message>".
std::string to_string(const ParseError& error);

/// A ParseError as an exception (thrown by parse_sequence_or_throw).
class SequenceParseError : public std::runtime_error {
 public:
  explicit SequenceParseError(ParseError error);
  const ParseError& error() const noexcept { return error_; }

 private:
  ParseError error_;
};

/// Exactly one of the two is set: the sequence when the text parsed, the
/// (first) error when it did not.
struct ParseResult {
  std::optional<Sequence> sequence;
  std::optional<ParseError> error;
  bool ok() const noexcept { return sequence.has_value(); }
};

/// Parses a whole `.seq` text. Stops at the first error. Never throws
/// (except std::bad_alloc).
ParseResult parse_sequence(std::string_view text);
/// The same, throwing SequenceParseError on the first error.
Sequence parse_sequence_or_throw(std::string_view text);

/// The canonical text: one driver op per line, each line ending with '\n'
/// (the empty sequence is the empty string). Throws std::invalid_argument for
/// a sequence the text form cannot say exactly: an op in the wrong place
/// (a body-only op among the driver ops, a driver-only op or a Start in a
/// body), a field out of its range (thread, job/ctx name, key, fd, a negative
/// init_thread/set_mem_functions value, set_callback value not 0/1, set_status
/// value outside int), or a field the kind does not use that is not at its
/// default (a body op with a thread or ctx, a non-Start op with a body, ...).
std::string print_sequence(const Sequence& sequence);
/// The "usage:" hint of an op's parse errors, derived from its schema:
/// "start j<job> w<ctx>|null [arg=<value>] [args=null|size0] { <body> }".
std::string usage_of(const OpSchema& schema);
/// usage_of(op_schema(kind)).
std::string op_usage(OpKind kind);

/// One op, no newline. Driver form ("tN: " prefix when thread != 0) unless
/// `in_body`, then the body form. Throws std::invalid_argument as above.
std::string print_op(const Op& op, bool in_body = false);
/// A job body: "{ a; b }", "{ }" when empty. Throws std::invalid_argument as above.
std::string print_body(const std::vector<Op>& body);

}  // namespace asyncconf::harness
