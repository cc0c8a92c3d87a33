#include "asyncconf/harness/sequence_text.hpp"

#include <array>
#include <charconv>
#include <climits>
#include <cstddef>
#include <utility>

namespace asyncconf::harness {

namespace {

// ---------------------------------------------------------------------------
// What the text form can say: which fields an op's kind uses, and their ranges.

/// The operands column of ops.def, for "usage:" hints in error messages.
constexpr std::array<const char*, kOpKindCount> kUsage{{
#define ASYNCCONF_OP(kind, name, where, operands) operands,
#include "asyncconf/harness/ops.def"
#undef ASYNCCONF_OP
}};

/// The fields of an Op that its kind uses in one place (driver or body).
struct Uses {
  bool job = false;
  bool ctx = false;
  bool key = false;
  bool fd = false;
  bool value = false;
  bool value2 = false;
  bool start = false;  ///< args and body
};

Uses uses_of(OpKind kind, bool in_body) {
  Uses u;
  switch (kind) {
    case OpKind::InitThread: u.value = u.value2 = true; break;
    case OpKind::SetMemFunctions: u.value = true; break;
    case OpKind::Start: u.job = u.ctx = u.value = u.start = true; break;
    case OpKind::Resume: u.job = true; break;
    case OpKind::Return: u.value = true; break;
    case OpKind::WaitCtxNew:
    case OpKind::WaitCtxFree:
    case OpKind::GetAllFds:
    case OpKind::GetChangedFds:
    case OpKind::GetCallback:
    case OpKind::GetStatus: u.ctx = !in_body; break;
    case OpKind::SetFd: u.ctx = !in_body; u.key = u.fd = true; break;
    case OpKind::ClearFd:
    case OpKind::GetFd: u.ctx = !in_body; u.key = true; break;
    case OpKind::SetCallback:
    case OpKind::SetStatus: u.ctx = !in_body; u.value = true; break;
    case OpKind::CleanupThread:
    case OpKind::Pause:
    case OpKind::Block:
    case OpKind::Unblock:
    case OpKind::CurrentJob:
    case OpKind::WaitCtx:
    case OpKind::CheckArg:
    case OpKind::NestedStart: break;
  }
  return u;
}

std::string quoted(std::string_view text) {
  std::string out = "\"";
  out += text;
  out += '"';
  return out;
}

/// Why `op` cannot be printed exactly in this place; "" when it can.
std::string op_problem(const Op& op, bool in_body) {
  if (static_cast<std::size_t>(op.kind) >= kOpKindCount) {
    return "op kind " + std::to_string(static_cast<int>(op.kind)) + " is not in ops.def";
  }
  const std::string name = op_name(op.kind);
  if (in_body && !is_body_op(op.kind)) return name + " is a driver op; it cannot be a body op";
  if (!in_body && !is_driver_op(op.kind)) return name + " is a body op; it cannot be a driver op";
  const Uses u = uses_of(op.kind, in_body);
  const Op d;  // the defaults

  if (in_body) {
    if (op.thread != d.thread) return "body op " + name + " has a thread (" + std::to_string(op.thread) + ")";
  } else if (op.thread < 0 || op.thread >= kMaxThreads) {
    return name + ": thread " + std::to_string(op.thread) + " is out of range (0.." +
           std::to_string(kMaxThreads - 1) + ")";
  }
  if (u.job) {
    if (op.job < 0 || op.job >= kMaxTextName) return name + ": job " + std::to_string(op.job) + " is out of range";
  } else if (op.job != d.job) {
    return name + " does not use a job (job = " + std::to_string(op.job) + ")";
  }
  if (u.ctx) {
    const int lowest = op.kind == OpKind::Start ? -1 : 0;
    if (op.ctx < lowest || op.ctx >= kMaxTextName) return name + ": ctx " + std::to_string(op.ctx) + " is out of range";
  } else if (op.ctx != d.ctx) {
    return name + (in_body ? " in a body names no ctx" : " does not use a ctx") + " (ctx = " + std::to_string(op.ctx) + ")";
  }
  if (u.key) {
    if (op.key < 0 || op.key >= kMaxKeys) return name + ": key " + std::to_string(op.key) + " is out of range";
  } else if (op.key != d.key) {
    return name + " does not use a key (key = " + std::to_string(op.key) + ")";
  }
  if (u.fd) {
    if (op.fd < 0) return name + ": fd " + std::to_string(op.fd) + " is negative";
  } else if (op.fd != d.fd) {
    return name + " does not use an fd (fd = " + std::to_string(op.fd) + ")";
  }
  if (u.value) {
    switch (op.kind) {
      case OpKind::InitThread:
      case OpKind::SetMemFunctions:
        if (op.value < 0) return name + ": value " + std::to_string(op.value) + " is negative";
        break;
      case OpKind::SetCallback:
        if (op.value != 0 && op.value != 1) return name + ": value " + std::to_string(op.value) + " is not 0 (off) or 1 (on)";
        break;
      case OpKind::SetStatus:
        if (op.value < INT_MIN || op.value > INT_MAX) return name + ": value " + std::to_string(op.value) + " is not an int";
        break;
      default: break;  // Start arg, Return value: any long
    }
  } else if (op.value != d.value) {
    return name + " does not use a value (value = " + std::to_string(op.value) + ")";
  }
  if (u.value2) {
    if (op.value2 < 0) return name + ": value2 " + std::to_string(op.value2) + " is negative";
  } else if (op.value2 != d.value2) {
    return name + " does not use value2 (value2 = " + std::to_string(op.value2) + ")";
  }
  if (u.start) {
    if (op.args != ArgsMode::Copy && op.args != ArgsMode::Null && op.args != ArgsMode::SizeZero) {
      return name + ": args mode " + std::to_string(static_cast<int>(op.args)) + " is not a mode";
    }
    for (std::size_t i = 0; i < op.body.size(); ++i) {
      std::string problem = op_problem(op.body[i], true);
      if (!problem.empty()) return "body op " + std::to_string(i + 1) + ": " + problem;
    }
  } else {
    if (op.args != d.args) return name + " does not use an args mode";
    if (!op.body.empty()) return name + " has no body (body has " + std::to_string(op.body.size()) + " ops)";
  }
  return "";
}

void check_printable(const Op& op, bool in_body) {
  std::string problem = op_problem(op, in_body);
  if (!problem.empty()) throw std::invalid_argument("cannot print op: " + problem);
}

// ---------------------------------------------------------------------------
// Printing (of ops already checked).

void append_body(std::string& out, const std::vector<Op>& body);

void append_op(std::string& out, const Op& op, bool in_body) {
  if (!in_body && op.thread != 0) {
    out += 't';
    out += std::to_string(op.thread);
    out += ": ";
  }
  out += op_name(op.kind);
  const Uses u = uses_of(op.kind, in_body);
  if (u.job) {
    out += " j";
    out += std::to_string(op.job);
  }
  if (u.ctx) {
    if (op.ctx < 0) {
      out += " null";
    } else {
      out += " w";
      out += std::to_string(op.ctx);
    }
  }
  if (u.key) {
    out += ' ';
    out += std::to_string(op.key);
  }
  if (u.fd) {
    out += ' ';
    out += std::to_string(op.fd);
  }
  if (op.kind == OpKind::Start) {
    if (op.value != 0) {
      out += " arg=";
      out += std::to_string(op.value);
    }
    if (op.args == ArgsMode::Null) out += " args=null";
    if (op.args == ArgsMode::SizeZero) out += " args=size0";
    out += ' ';
    append_body(out, op.body);
    return;
  }
  if (op.kind == OpKind::SetCallback) {
    out += op.value != 0 ? " on" : " off";
    return;
  }
  if (u.value) {
    out += ' ';
    out += std::to_string(op.value);
  }
  if (u.value2) {
    out += ' ';
    out += std::to_string(op.value2);
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

  Op driver_op() {
    Op op;
    if (peek(1).kind == Tok::Colon) op.thread = thread_prefix();
    const Token& name = take();
    op.kind = op_kind(name);
    if (!is_driver_op(op.kind)) {
      fail(name, std::string(op_name(op.kind)) + " is a body op; it cannot be a driver op");
    }
    operands(op, false);
    const Token& next = peek();
    if (next.kind != Tok::End) {
      fail(next, "trailing " + quoted(next.text) + " after " + op_name(op.kind) + " (usage: " +
                     op_name(op.kind) + usage_suffix(op.kind) + ")");
    }
    return op;
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

  static std::string usage_suffix(OpKind kind) {
    const std::string_view usage = kUsage[static_cast<std::size_t>(kind)];
    return usage.empty() ? std::string() : " " + std::string(usage);
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

  long non_negative(const Token& t, const char* what) const {
    if (!t.text.empty() && t.text[0] == '-') {
      fail(t, "bad number " + quoted(t.text) + " (" + what + " must not be negative)");
    }
    return number(t.text, t.column);
  }

  /// j<N> / w<N>, 0 <= N < kMaxTextName.
  int name(const Token& t, char prefix, OpKind op, const std::string& what) const {
    if (t.text.size() < 2 || t.text[0] != prefix || !all_digits(t.text.substr(1))) {
      fail(t, std::string(op_name(op)) + " needs " + what + not_this(t));
    }
    long n = 0;
    const auto digits = t.text.substr(1);
    const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec != std::errc() || n >= kMaxTextName) {
      fail(t, "name " + quoted(t.text) + " is out of range (" + prefix + "0.." + prefix +
                  std::to_string(kMaxTextName - 1) + ")");
    }
    return static_cast<int>(n);
  }

  int job(OpKind op) { return name(operand(op, "a job name j<N>"), 'j', op, "a job name j<N>"); }
  int ctx(OpKind op) { return name(operand(op, "a wait ctx name w<N>"), 'w', op, "a wait ctx name w<N>"); }

  int key(OpKind op) {
    const Token& t = operand(op, "a key 0.." + std::to_string(kMaxKeys - 1));
    const long k = number(t.text, t.column);
    if (k < 0 || k >= kMaxKeys) {
      fail(t, "key " + std::string(t.text) + " is out of range (0.." + std::to_string(kMaxKeys - 1) + ")");
    }
    return static_cast<int>(k);
  }

  void operands(Op& op, bool in_body) {
    const OpKind k = op.kind;
    if (in_body && uses_of(k, false).ctx) {
      const Token& t = peek();
      if (t.kind == Tok::Word && t.text.size() >= 2 && t.text[0] == 'w' && all_digits(t.text.substr(1))) {
        fail(t, std::string(op_name(k)) + " in a body names no wait ctx (it uses its job's)");
      }
    }
    switch (k) {
      case OpKind::InitThread:
        op.value = non_negative(operand(k, "max_size (a non-negative integer)"), "max_size");
        op.value2 = non_negative(operand(k, "init_size (a non-negative integer)"), "init_size");
        return;
      case OpKind::SetMemFunctions:
        op.value = non_negative(operand(k, "a stack size (a non-negative integer)"), "the stack size");
        return;
      case OpKind::Start: start(op); return;
      case OpKind::Resume: op.job = job(k); return;
      case OpKind::Return: {
        const Token& t = operand(k, "a value (an integer)");
        op.value = number(t.text, t.column);
        return;
      }
      case OpKind::WaitCtxNew:
      case OpKind::WaitCtxFree:
      case OpKind::GetAllFds:
      case OpKind::GetChangedFds:
      case OpKind::GetCallback:
      case OpKind::GetStatus:
        if (!in_body) op.ctx = ctx(k);
        return;
      case OpKind::SetFd: {
        if (!in_body) op.ctx = ctx(k);
        op.key = key(k);
        const Token& t = operand(k, "an fd (a non-negative integer)");
        const long fd = non_negative(t, "the fd");
        if (fd > INT_MAX) fail(t, "fd " + std::string(t.text) + " is out of range (0.." + std::to_string(INT_MAX) + ")");
        op.fd = static_cast<int>(fd);
        return;
      }
      case OpKind::ClearFd:
      case OpKind::GetFd:
        if (!in_body) op.ctx = ctx(k);
        op.key = key(k);
        return;
      case OpKind::SetCallback: {
        op.ctx = ctx(k);
        const Token& t = operand(k, "on or off");
        if (t.text == "on") {
          op.value = 1;
        } else if (t.text == "off") {
          op.value = 0;
        } else {
          fail(t, "set_callback needs on or off" + not_this(t));
        }
        return;
      }
      case OpKind::SetStatus: {
        if (!in_body) op.ctx = ctx(k);
        const Token& t = operand(k, "a status (an integer)");
        const long status = number(t.text, t.column);
        if (status < INT_MIN || status > INT_MAX) fail(t, "status " + std::string(t.text) + " is out of the range of int");
        op.value = status;
        return;
      }
      case OpKind::CleanupThread:
      case OpKind::Pause:
      case OpKind::Block:
      case OpKind::Unblock:
      case OpKind::CurrentJob:
      case OpKind::WaitCtx:
      case OpKind::CheckArg:
      case OpKind::NestedStart: return;
    }
  }

  void start(Op& op) {
    const OpKind k = OpKind::Start;
    op.job = job(k);
    const Token& c = operand(k, "a wait ctx name w<N> or null");
    op.ctx = c.text == "null" ? -1 : name(c, 'w', k, "a wait ctx name w<N> or null");
    bool have_arg = false;
    bool have_args = false;
    while (peek().kind == Tok::Word) {
      const Token& t = take();
      if (t.text.substr(0, 4) == "arg=") {
        if (have_arg) fail(t, "arg= given twice");
        have_arg = true;
        op.value = number(t.text.substr(4), t.column + 4);
      } else if (t.text.substr(0, 5) == "args=") {
        if (have_args) fail(t, "args= given twice");
        have_args = true;
        const std::string_view mode = t.text.substr(5);
        if (mode == "null") {
          op.args = ArgsMode::Null;
        } else if (mode == "size0") {
          op.args = ArgsMode::SizeZero;
        } else {
          fail(t, "args= must be null or size0, not " + quoted(mode));
        }
      } else {
        fail(t, "start needs a body { ... }, not " + quoted(t.text));
      }
    }
    const Token& brace = peek();
    if (brace.kind != Tok::LBrace) fail(brace, "start needs a body { ... }" + not_this(brace));
    take();
    body(op.body, brace);
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
      ops.push_back(std::move(op));
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
      if (!line.empty()) sequence.ops.push_back(line.driver_op());
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
