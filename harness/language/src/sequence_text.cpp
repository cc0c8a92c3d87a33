#include "asyncconf/harness/sequence_text.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <climits>
#include <cstddef>
#include <span>
#include <string>
#include <utility>

namespace asyncconf::harness {

namespace {

// ---------------------------------------------------------------------------
// What the text form can say: the schema's operands and their domains.

std::string quoted(std::string_view text) {
  std::string out = "\"";
  out += text;
  out += '"';
  return out;
}

/// "a stack size" -> "stack size"; "max_size" stays.
std::string_view bare(std::string_view name) {
  for (std::string_view article : {"a ", "an "}) {
    if (name.starts_with(article)) return name.substr(article.size());
  }
  return name;
}

/// "a stack size" -> "the stack size"; "max_size" stays.
std::string the(std::string_view name) {
  const std::string_view b = bare(name);
  return b.size() == name.size() ? std::string(name) : "the " + std::string(b);
}

std::string out_of(long lo, long hi) {
  if (lo == INT_MIN && hi == INT_MAX) return "out of the range of int";
  return "out of range (" + std::to_string(lo) + ".." + std::to_string(hi) + ")";
}

/// The text of each ArgsMode ("" for Copy, which is left out).
constexpr std::array<std::string_view, 3> kArgsModeText{"", "null", "size0"};
constexpr std::array<std::string_view, kWakeupCount> kWakeupText{"select", "epoll", "callback", "busy"};

/// Why `op` cannot be printed exactly in this place; "" when it can.
std::string op_problem(const Op& op, bool in_body);

/// Why field `f` of `op` is not what its operand (or its absence) allows.
std::string field_problem(const Op& op, bool in_body, OpField f) {
  const std::string name = op_name(op.kind);
  const Operand* o = operand_for(op.kind, in_body, f);
  const long v = get_field(op, f);
  if (o == nullptr) {
    if (v == get_field(Op{}, f)) return "";
    return name + (in_body ? " in a body" : "") + " does not use " + field_name(f) + " (" + field_name(f) + " = " +
           std::to_string(v) + ")";
  }
  if (o->form == OperandForm::Body) {
    for (std::size_t i = 0; i < op.body.size(); ++i) {
      std::string problem = op_problem(op.body[i], true);
      if (!problem.empty()) return "body op " + std::to_string(i + 1) + ": " + problem;
    }
    return "";
  }
  if (v < o->lo || v > o->hi) return name + ": " + field_name(f) + " " + std::to_string(v) + " is " + out_of(o->lo, o->hi);
  return "";
}

std::string op_problem(const Op& op, bool in_body) {
  if (static_cast<std::size_t>(op.kind) >= kOpKindCount) {
    return "op kind " + std::to_string(static_cast<int>(op.kind)) + " is not in ops.def";
  }
  const std::string name = op_name(op.kind);
  if (in_body && !is_body_op(op.kind)) return name + " is a driver op; it cannot be a body op";
  if (!in_body && !is_driver_op(op.kind)) return name + " is a body op; it cannot be a driver op";
  if (in_body) {
    if (op.thread != 0) return "body op " + name + " has a thread (" + std::to_string(op.thread) + ")";
  } else if (op.thread < 0 || op.thread >= kMaxThreads) {
    return name + ": thread " + std::to_string(op.thread) + " is " + out_of(0, kMaxThreads - 1);
  }
  for (OpField f : kFields) {
    std::string problem = field_problem(op, in_body, f);
    if (!problem.empty()) return problem;
  }
  return "";
}

void check_printable(const Op& op, bool in_body) {
  std::string problem = op_problem(op, in_body);
  if (!problem.empty()) throw std::invalid_argument("cannot print op: " + problem);
}

// ---------------------------------------------------------------------------
// The usage hint.

std::string operand_usage(const Operand& o, bool body_op) {
  const std::string field = field_name(o.field);
  switch (o.form) {
    case OperandForm::Job: return "j<" + field + ">";
    case OperandForm::Ctx: return "w<" + field + ">";
    case OperandForm::CtxOrNull: return "w<" + field + ">|null";
    case OperandForm::WaitCtx: return body_op ? "[w<" + field + ">]" : "w<" + field + ">";
    case OperandForm::OnOff: return "on|off";
    case OperandForm::Wakeup: return "select|epoll|callback|busy";
    case OperandForm::Arg: return "[" + std::string(o.name) + "=<" + field + ">]";
    case OperandForm::ArgsMode: {
      std::string modes;
      for (std::size_t m = 1; m < kArgsModeText.size(); ++m) modes += (m == 1 ? "" : "|") + std::string(kArgsModeText[m]);
      return "[" + std::string(o.name) + "=" + modes + "]";
    }
    case OperandForm::Body: return "{ <body> }";
    case OperandForm::Key:
    case OperandForm::Fd:
    case OperandForm::PoolSize:
    case OperandForm::StackSize:
    case OperandForm::Int:
    case OperandForm::Long: break;
  }
  std::string token(bare(o.name));
  std::replace(token.begin(), token.end(), ' ', '_');
  return "<" + token + ">";
}

// ---------------------------------------------------------------------------
// Printing (of ops already checked).

void append_body(std::string& out, const std::vector<Op>& body);

void append_operand(std::string& out, const Op& op, const Operand& o) {
  const long v = get_field(op, o.field);
  switch (o.form) {
    case OperandForm::Job: out += " j" + std::to_string(v); return;
    case OperandForm::Ctx:
    case OperandForm::WaitCtx: out += " w" + std::to_string(v); return;
    case OperandForm::CtxOrNull: out += v < 0 ? " null" : " w" + std::to_string(v); return;
    case OperandForm::OnOff: out += v != 0 ? " on" : " off"; return;
    case OperandForm::Wakeup: out += " " + std::string(kWakeupText[static_cast<std::size_t>(v)]); return;
    case OperandForm::Arg:
      if (v != 0) out += " " + std::string(o.name) + "=" + std::to_string(v);
      return;
    case OperandForm::ArgsMode:
      if (v != static_cast<long>(ArgsMode::Copy)) {
        out += " " + std::string(o.name) + "=" + std::string(kArgsModeText[static_cast<std::size_t>(v)]);
      }
      return;
    case OperandForm::Body:
      out += ' ';
      append_body(out, op.body);
      return;
    case OperandForm::Key:
    case OperandForm::Fd:
    case OperandForm::PoolSize:
    case OperandForm::StackSize:
    case OperandForm::Int:
    case OperandForm::Long: out += " " + std::to_string(v); return;
  }
}

void append_op(std::string& out, const Op& op, bool in_body) {
  if (!in_body && op.thread != 0) {
    out += 't';
    out += std::to_string(op.thread);
    out += ": ";
  }
  out += op_name(op.kind);
  for (const Operand& o : op_schema(op.kind).operands()) {
    if (in_place(o, in_body)) append_operand(out, op, o);
  }
}

void append_body(std::string& out, const std::vector<Op>& body) {
  if (body.empty()) {
    out += "{ }";
    return;
  }
  out += "{ ";
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (i != 0) out += "; ";
    append_op(out, body[i], true);
  }
  out += " }";
}

// ---------------------------------------------------------------------------
// Lexing: one line at a time.

enum class Tok { Word, LBrace, RBrace, Semi, Colon, End };

struct Token {
  Tok kind;
  std::string_view text;
  int column;  ///< 1-based
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }
bool is_punct(char c) { return c == '{' || c == '}' || c == ';' || c == ':' || c == '#'; }

/// The tokens of one line (comment stripped), always ending with an End
/// token placed just after the last real token.
std::vector<Token> tokenize(std::string_view line) {
  std::vector<Token> tokens;
  std::size_t end_of_last = 0;
  std::size_t i = 0;
  while (i < line.size()) {
    const char c = line[i];
    if (is_space(c)) {
      ++i;
      continue;
    }
    if (c == '#') break;
    const int column = static_cast<int>(i) + 1;
    if (is_punct(c)) {
      const Tok kind = c == '{' ? Tok::LBrace : c == '}' ? Tok::RBrace : c == ';' ? Tok::Semi : Tok::Colon;
      tokens.push_back({kind, line.substr(i, 1), column});
      ++i;
    } else {
      std::size_t j = i;
      while (j < line.size() && !is_space(line[j]) && !is_punct(line[j])) ++j;
      tokens.push_back({Tok::Word, line.substr(i, j - i), column});
      i = j;
    }
    end_of_last = i;
  }
  tokens.push_back({Tok::End, {}, static_cast<int>(end_of_last) + 1});
  return tokens;
}

// ---------------------------------------------------------------------------
// Parsing.

struct Failure {
  ParseError error;
};

std::optional<OpKind> kind_named(std::string_view name) {
  for (std::size_t k = 0; k < kOpKindCount; ++k) {
    const auto kind = static_cast<OpKind>(k);
    if (name == op_name(kind)) return kind;
  }
  return std::nullopt;
}

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

class LineParser {
 public:
  LineParser(std::string_view line, int line_number) : tokens_(tokenize(line)), line_(line_number) {}

  bool empty() const { return tokens_.front().kind == Tok::End; }

  /// Appends the line's driver op to `ops`, as many times as it repeats.
  void driver_op(std::vector<Op>& ops) {
    Op op;
    if (peek(1).kind == Tok::Colon) op.thread = thread_prefix();
    const Token& name = take();
    op.kind = op_kind(name);
    if (!is_driver_op(op.kind)) {
      fail(name, std::string(op_name(op.kind)) + " is a body op; it cannot be a driver op");
    }
    operands(op, false);
    const long times = repeat();
    const Token& next = peek();
    if (next.kind != Tok::End) {
      fail(next, "trailing " + quoted(next.text) + " after " + op_name(op.kind) + " (usage: " + op_usage(op.kind) +
                     ")");
    }
    ops.insert(ops.end(), static_cast<std::size_t>(times), op);
  }

 private:
  [[noreturn]] void fail(const Token& at, std::string message) const {
    throw Failure{ParseError{line_, at.column, std::move(message)}};
  }

  const Token& peek(std::size_t ahead = 0) const {
    const std::size_t i = pos_ + ahead;
    return i < tokens_.size() ? tokens_[i] : tokens_.back();
  }
  const Token& take() {
    const Token& t = peek();
    if (t.kind != Tok::End) ++pos_;
    return t;
  }

  /// ", not \"x\"" for a token that is there, "" at the end of the line.
  static std::string not_this(const Token& t) { return t.kind == Tok::End ? std::string() : ", not " + quoted(t.text); }

  int thread_prefix() {
    const Token& t = take();
    take();  // the ':'
    if (t.kind != Tok::Word || t.text.size() < 2 || t.text[0] != 't' || !all_digits(t.text.substr(1))) {
      fail(t, "bad thread prefix " + quoted(std::string(t.text) + ":") + " (expected t<N>:)");
    }
    long n = 0;
    const auto digits = t.text.substr(1);
    const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec != std::errc() || n >= kMaxThreads) {
      fail(t, "thread " + std::string(t.text) + " is out of range (t0..t" + std::to_string(kMaxThreads - 1) + ")");
    }
    return static_cast<int>(n);
  }

  OpKind op_kind(const Token& t) const {
    if (t.kind != Tok::Word) {
      fail(t, t.kind == Tok::End ? "expected an op name after the thread prefix" : "expected an op name, not " + quoted(t.text));
    }
    const auto kind = kind_named(t.text);
    if (!kind) fail(t, "unknown op " + quoted(t.text));
    return *kind;
  }

  /// The repeat suffix "x<N>" after an op's operands: N, or 1 without one.
  long repeat() {
    const Token& t = peek();
    if (t.kind != Tok::Word || t.text.size() < 2 || t.text[0] != 'x' || !all_digits(t.text.substr(1))) return 1;
    take();
    const long n = number(t.text.substr(1), t.column + 1);
    if (n < 1 || n > kMaxTextRepeat) {
      fail(t, "repeat " + quoted(t.text) + " is " + out_of(1, kMaxTextRepeat));
    }
    return n;
  }

  /// The next token, which must be a word: `op` needs `what`.
  const Token& operand(OpKind op, const std::string& what) {
    const Token& t = peek();
    if (t.kind != Tok::Word) fail(t, std::string(op_name(op)) + " needs " + what + not_this(t));
    return take();
  }

  /// A signed decimal long. `text` is the number's part of the token at `column`.
  long number(std::string_view text, int column) const {
    long n = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    const Token at{Tok::Word, text, column};
    if (ec == std::errc::result_out_of_range && ptr == text.data() + text.size()) {
      fail(at, "number " + quoted(text) + " is out of range");
    }
    if (ec != std::errc() || ptr != text.data() + text.size()) fail(at, "bad number " + quoted(text));
    return n;
  }

  /// j<N> / w<N>, in o's domain (null aside).
  long name(const Token& t, char prefix, OpKind op, const Operand& o, const std::string& what) const {
    if (t.text.size() < 2 || t.text[0] != prefix || !all_digits(t.text.substr(1))) {
      fail(t, std::string(op_name(op)) + " needs " + what + not_this(t));
    }
    long n = 0;
    const auto digits = t.text.substr(1);
    const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec != std::errc() || n > o.hi) {
      fail(t, "name " + quoted(t.text) + " is out of range (" + prefix + "0.." + prefix + std::to_string(o.hi) + ")");
    }
    return n;
  }

  long key(OpKind op, const Operand& o) {
    const Token& t = operand(op, "a key " + std::to_string(o.lo) + ".." + std::to_string(o.hi));
    const long k = number(t.text, t.column);
    if (k < o.lo || k > o.hi) fail(t, std::string(bare(o.name)) + " " + std::string(t.text) + " is " + out_of(o.lo, o.hi));
    return k;
  }

  /// A number operand: "max_size (a non-negative integer)", in o's domain.
  long bounded(OpKind op, const Operand& o) {
    const bool non_negative = o.lo >= 0;
    const Token& t = operand(op, o.name + std::string(non_negative ? " (a non-negative integer)" : " (an integer)"));
    if (non_negative && t.text.starts_with('-')) {
      fail(t, "bad number " + quoted(t.text) + " (" + the(o.name) + " must not be negative)");
    }
    const long n = number(t.text, t.column);
    if (n < o.lo || n > o.hi) fail(t, std::string(bare(o.name)) + " " + std::string(t.text) + " is " + out_of(o.lo, o.hi));
    return n;
  }

  long on_off(OpKind op, const Operand& o) {
    const Token& t = operand(op, o.name);
    if (t.text == "on") return 1;
    if (t.text == "off") return 0;
    fail(t, std::string(op_name(op)) + " needs " + o.name + not_this(t));
  }

  long wakeup(OpKind op, const Operand& o) {
    const Token& t = operand(op, o.name);
    for (std::size_t w = 0; w < kWakeupText.size(); ++w) {
      if (t.text == kWakeupText[w]) return static_cast<long>(w);
    }
    fail(t, std::string(op_name(op)) + " needs select, epoll, callback or busy" + not_this(t));
  }

  /// One positional operand into its field.
  void positional(Op& op, const Operand& o) {
    const OpKind k = op.kind;
    const auto set = [&](long v) { set_field(op, o.field, v); };
    switch (o.form) {
      case OperandForm::Job: set(name(operand(k, "a job name j<N>"), 'j', k, o, "a job name j<N>")); return;
      case OperandForm::Ctx:
      case OperandForm::WaitCtx: set(name(operand(k, "a wait ctx name w<N>"), 'w', k, o, "a wait ctx name w<N>")); return;
      case OperandForm::CtxOrNull: {
        const std::string what = "a wait ctx name w<N> or null";
        const Token& t = operand(k, what);
        set(t.text == "null" ? -1 : name(t, 'w', k, o, what));
        return;
      }
      case OperandForm::Key: set(key(k, o)); return;
      case OperandForm::OnOff: set(on_off(k, o)); return;
      case OperandForm::Wakeup: set(wakeup(k, o)); return;
      case OperandForm::Body: {
        const Token& brace = peek();
        if (brace.kind != Tok::LBrace) fail(brace, std::string(op_name(k)) + " needs a body { ... }" + not_this(brace));
        take();
        body(op.body, brace);
        return;
      }
      case OperandForm::Fd:
      case OperandForm::PoolSize:
      case OperandForm::StackSize:
      case OperandForm::Int:
      case OperandForm::Long: set(bounded(k, o)); return;
      case OperandForm::Arg:
      case OperandForm::ArgsMode: return;  // keywords(): not positional
    }
  }

  /// Whether `text` is "<o.name>=...".
  static bool is_keyword_token(std::string_view text, const Operand& o) {
    const std::string_view name = o.name;
    return text.starts_with(name) && text.substr(name.size()).starts_with('=');
  }

  /// `name=value` of a keyword operand, `t` being the whole token.
  void keyword_value(Op& op, const Operand& o, const Token& t) {
    const std::size_t skip = std::string_view(o.name).size() + 1;
    const std::string_view text = t.text.substr(skip);
    if (o.form == OperandForm::Arg) {
      set_field(op, o.field, number(text, t.column + static_cast<int>(skip)));
      return;
    }
    for (std::size_t m = 1; m < kArgsModeText.size(); ++m) {
      if (text == kArgsModeText[m]) return set_field(op, o.field, static_cast<long>(m));
    }
    std::string modes;
    for (std::size_t m = 1; m < kArgsModeText.size(); ++m) {
      modes += (m == 1 ? "" : m + 1 == kArgsModeText.size() ? " or " : ", ") + std::string(kArgsModeText[m]);
    }
    fail(t, std::string(o.name) + "= must be " + modes + ", not " + quoted(text));
  }

  /// The keyword operands list[first..end): in any order, each at most once.
  /// Stops at the first word that is none of them: what comes next says what is wrong.
  void keywords(Op& op, std::span<const Operand> list, std::size_t first, std::size_t end) {
    std::array<bool, kMaxOperands> seen{};
    while (peek().kind == Tok::Word) {
      const Token& t = peek();
      std::size_t i = first;
      while (i < end && !is_keyword_token(t.text, list[i])) ++i;
      if (i == end) return;
      take();
      if (seen[i]) fail(t, std::string(list[i].name) + "= given twice");
      seen[i] = true;
      keyword_value(op, list[i], t);
    }
  }

  void operands(Op& op, bool in_body) {
    const OpKind k = op.kind;
    const auto list = op_schema(k).operands();
    if (in_body && !list.empty() && !in_place(list[0], true)) {
      const Token& t = peek();
      if (t.kind == Tok::Word && t.text.size() >= 2 && t.text[0] == 'w' && all_digits(t.text.substr(1))) {
        fail(t, std::string(op_name(k)) + " in a body names no wait ctx (it uses its job's)");
      }
    }
    for (std::size_t i = 0; i < list.size();) {
      if (!in_place(list[i], in_body)) {
        ++i;
      } else if (is_keyword(list[i].form)) {
        std::size_t end = i;
        while (end < list.size() && is_keyword(list[end].form)) ++end;
        keywords(op, list, i, end);
        i = end;
      } else {
        positional(op, list[i++]);
      }
    }
  }

  void body(std::vector<Op>& ops, const Token& brace) {
    const auto unterminated = [&] { fail(brace, "unterminated \"{\": no \"}\" on this line"); };
    if (peek().kind == Tok::RBrace) {
      take();
      return;
    }
    for (;;) {
      const Token& t = peek();
      if (t.kind == Tok::End) unterminated();
      if (t.kind != Tok::Word) fail(t, "expected a body op, not " + quoted(t.text));
      if (peek(1).kind == Tok::Colon) fail(t, "a body op has no thread prefix");
      take();
      Op op;
      op.kind = op_kind(t);
      if (op.kind == OpKind::Start) {
        fail(t, "start is a driver op; it cannot be a body op (bodies do not nest: use nested_start)");
      }
      if (!is_body_op(op.kind)) fail(t, std::string(op_name(op.kind)) + " is a driver op; it cannot be a body op");
      operands(op, true);
      ops.insert(ops.end(), static_cast<std::size_t>(repeat()), op);
      const Token& next = take();
      if (next.kind == Tok::RBrace) return;
      if (next.kind == Tok::End) unterminated();
      if (next.kind != Tok::Semi) {
        fail(next, "unexpected " + quoted(next.text) + " after " + op_name(ops.back().kind) +
                       " (expected \";\" or \"}\")");
      }
    }
  }

  std::vector<Token> tokens_;
  int line_;
  std::size_t pos_ = 0;
};

}  // namespace

std::string to_string(const ParseError& error) {
  return std::to_string(error.line) + ":" + std::to_string(error.column) + ": " + error.message;
}

SequenceParseError::SequenceParseError(ParseError error)
    : std::runtime_error(to_string(error)), error_(std::move(error)) {}

ParseResult parse_sequence(std::string_view text) {
  ParseResult result;
  Sequence sequence;
  int line_number = 0;
  std::size_t begin = 0;
  try {
    while (begin <= text.size()) {
      ++line_number;
      std::size_t end = text.find('\n', begin);
      if (end == std::string_view::npos) end = text.size();
      LineParser line(text.substr(begin, end - begin), line_number);
      if (!line.empty()) line.driver_op(sequence.ops);
      begin = end + 1;
    }
  } catch (const Failure& failure) {
    result.error = failure.error;
    return result;
  }
  result.sequence = std::move(sequence);
  return result;
}

Sequence parse_sequence_or_throw(std::string_view text) {
  ParseResult result = parse_sequence(text);
  if (!result.ok()) throw SequenceParseError(*result.error);
  return std::move(*result.sequence);
}

std::string usage_of(const OpSchema& schema) {
  std::string out = schema.name;
  const bool body_op = schema.body();
  for (const Operand& o : schema.operands()) out += " " + operand_usage(o, body_op);
  return out;
}

std::string op_usage(OpKind kind) { return usage_of(op_schema(kind)); }

std::string print_op(const Op& op, bool in_body) {
  check_printable(op, in_body);
  std::string out;
  append_op(out, op, in_body);
  return out;
}

std::string print_body(const std::vector<Op>& body) {
  for (const Op& op : body) check_printable(op, true);
  std::string out;
  append_body(out, body);
  return out;
}

std::string print_sequence(const Sequence& sequence) {
  for (std::size_t i = 0; i < sequence.ops.size(); ++i) {
    std::string problem = op_problem(sequence.ops[i], false);
    if (!problem.empty()) throw std::invalid_argument("cannot print op " + std::to_string(i + 1) + ": " + problem);
  }
  std::string out;
  for (const Op& op : sequence.ops) {
    append_op(out, op, false);
    out += '\n';
  }
  return out;
}

}  // namespace asyncconf::harness
