#include "findings.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "asyncconf/conformance/catalogue.hpp"
#include "asyncconf/harness/identity.hpp"
#include "asyncconf/harness/reproducer.hpp"
#include "asyncconf/harness/sandbox.hpp"
#include "asyncconf/harness/sequence_text.hpp"

namespace asyncconf::cli {

namespace fs = std::filesystem;

std::string requirement_text(const std::string& id) {
  const reports::Requirement* r = conformance::find_requirement(id);
  return r != nullptr ? r->text : std::string();
}

std::string requirement_level(const std::string& id) {
  const reports::Requirement* r = conformance::find_requirement(id);
  return r != nullptr ? r->level : std::string();
}

std::uint32_t parse_misuse_list(const std::string& list) {
  std::string valid;
  for (int i = 0; i < harness::kMisuseCount; ++i) {
    valid += std::string(i == 0 ? "" : ", ") + harness::to_string(static_cast<harness::Misuse>(i));
  }
  std::uint32_t bits = 0;
  std::size_t begin = 0;
  bool any = false;
  while (begin <= list.size()) {
    std::size_t end = list.find(',', begin);
    if (end == std::string::npos) end = list.size();
    std::string item = list.substr(begin, end - begin);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    begin = end + 1;
    if (item.empty()) {
      throw std::invalid_argument("--misuse: empty item in '" + list + "' (valid: " + valid +
                                  ", all, none)");
    }
    any = true;
    if (item == "all") {
      bits |= harness::kAllMisuse;
    } else if (item == "none") {
      // nothing
    } else if (const auto m = harness::misuse_from_string(item)) {
      bits |= harness::misuse_bit(*m);
    } else {
      throw std::invalid_argument("--misuse: unknown misuse '" + item + "' (valid: " + valid +
                                  ", all, none)");
    }
  }
  if (!any) throw std::invalid_argument("--misuse: empty list (valid: " + valid + ", all, none)");
  return bits;
}

std::uint64_t clock_seed() {
  // splitmix64 of the wall clock's nanoseconds and the pid: two runs started
  // in the same second still differ. 32 bits: short enough to type.
  std::uint64_t x = static_cast<std::uint64_t>(
                        std::chrono::system_clock::now().time_since_epoch().count()) ^
                    (static_cast<std::uint64_t>(::getpid()) << 40);
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x & 0xffffffffULL;
}

std::uint64_t parse_seed(const std::string& text) {
  const bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
  const std::string digits = hex ? text.substr(2) : text;
  const bool ok = !digits.empty() && std::all_of(digits.begin(), digits.end(), [&](unsigned char c) {
    return hex ? std::isxdigit(c) != 0 : std::isdigit(c) != 0;
  });
  errno = 0;
  const unsigned long long value = ok ? std::strtoull(digits.c_str(), nullptr, hex ? 16 : 10) : 0;
  if (!ok || errno == ERANGE) {
    throw std::invalid_argument("--seed must be a whole number from 0 to 18446744073709551615 (or 0x hex), not '" +
                                text + "'");
  }
  return value;
}

std::string shell_word(const std::string& word) {
  const bool plain = !word.empty() && std::all_of(word.begin(), word.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || std::strchr("@%+=:,./_-", c) != nullptr;
  });
  if (plain) return word;
  std::string out = "'";
  for (char c : word) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string command_line(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : " ") + shell_word(w);
  return out;
}

std::string file_safe(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    const char l = static_cast<char>(std::tolower(c));
    const bool ok = (l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '.' || l == '_' || l == '-';
    if (ok) {
      if (l == '-' && !out.empty() && out.back() == '-') continue;
      out += l;
    } else if (out.empty() || out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && (out.front() == '-' || out.front() == '.')) out.erase(0, 1);
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "x" : out;
}

std::string impl_file_name(const std::string& impl) {
  if (impl.find('/') == std::string::npos && impl.find(".so") == std::string::npos) return file_safe(impl);
  std::string name = fs::path(impl).filename().string();
  const std::size_t so = name.find(".so");
  if (so != std::string::npos && so > 0) name.erase(so);
  return file_safe(name);
}

std::string comment_lines(const std::string& text) {
  std::string out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    out += line.empty() ? "#\n" : "# " + line + "\n";
  }
  return out;
}

std::string indent(const std::string& text, const std::string& prefix) {
  std::string out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out += prefix + line + "\n";
  return out;
}

std::string tail_of(const std::string& text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::string out = text.substr(text.size() - max_bytes);
  const std::size_t nl = out.find('\n');
  if (nl != std::string::npos && nl + 1 < out.size()) out.erase(0, nl + 1);
  return "[...]\n" + out;
}

void write_text_file(const fs::path& path, const std::string& text) {
  std::error_code ec;
  if (path.has_parent_path()) {
    fs::create_directories(path.parent_path(), ec);
    if (ec) {
      throw std::runtime_error(path.parent_path().string() + ": cannot create the directory: " +
                               ec.message());
    }
  }
  const fs::path tmp = path.string() + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error(tmp.string() + ": cannot write: " + std::strerror(errno));
    out << text;
    out.flush();
    if (!out) {
      fs::remove(tmp, ec);
      throw std::runtime_error(tmp.string() + ": cannot write: " + std::strerror(errno));
    }
  }
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw std::runtime_error(path.string() + ": cannot write: " + ec.message());
  }
}

std::string read_text_file(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw std::runtime_error(path.string() + ": is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path.string() + ": cannot open: " + std::strerror(errno));
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) throw std::runtime_error(path.string() + ": cannot read: " + std::strerror(errno));
  return s.str();
}

reports::Implementation implementation_of(const std::string& name, const harness::LoadedImpl& impl) {
  const harness::Identity id = harness::identify(impl);
  return {name, id.path, id.sha256, id.version, harness::to_string(id.abi_level), id.capabilities,
          id.missing_optional};
}

std::string impl_summary(const reports::Implementation& impl) {
  std::string out = impl.name + " (";
  if (!impl.version.empty()) out += impl.version + ", ";
  if (impl.path != impl.name) out += impl.path + ", ";
  return out + "ABI " + impl.abi_level + ")";
}

std::string end_text(const harness::IsolatedOutcome& outcome, std::chrono::milliseconds timeout) {
  using Kind = harness::IsolatedOutcome::Kind;
  switch (outcome.kind) {
    case Kind::Crash:
      return outcome.signal != 0 ? "killed by " + harness::signal_name(outcome.signal)
                                 : std::string("the process ended before the sequence did (exit, or abort path)");
    case Kind::Hang:
      return "no result within " + std::to_string(timeout.count()) + " ms; the child was killed";
    case Kind::HarnessError: return "harness error: " + outcome.stderr_tail;
    case Kind::Pass: return "every observation as the model predicted";
    case Kind::Violation: return "a violation";
    case Kind::Inconclusive: return "inconclusive";
  }
  return "?";
}

FailurePoint locate_failure(const harness::AsyncApi& api, const harness::Sequence& sequence,
                            const harness::ModelConfig& config, std::chrono::milliseconds timeout,
                            const harness::FailureSignature& want) {
  FailurePoint point;
  const std::size_t n = sequence.ops.size();
  if (n == 0) return point;
  const auto fails = [&](std::size_t k) {
    harness::Sequence prefix;
    prefix.ops.assign(sequence.ops.begin(), sequence.ops.begin() + static_cast<std::ptrdiff_t>(k));
    ++point.runs;
    return harness::signature(harness::run_isolated(api, prefix, config.level, timeout, &config)) == want;
  };
  if (fails(0)) {
    point.op_index = kBeforeAnyOp;
    return point;
  }
  // Invariant: the prefix of `lo` ops does not fail, the one of `hi` is taken to.
  std::size_t lo = 0;
  std::size_t hi = n;
  while (hi - lo > 1) {
    const std::size_t mid = lo + (hi - lo) / 2;
    if (fails(mid)) {
      hi = mid;
    } else {
      lo = mid;
    }
  }
  point.op_index = static_cast<int>(hi - 1);
  try {
    point.op = harness::print_op(sequence.ops[hi - 1]);
  } catch (const std::exception&) {
    point.op = harness::op_name(sequence.ops[hi - 1].kind);
  }
  return point;
}

std::string failure_point_text(const FailurePoint& point) {
  if (point.op_index == kBeforeAnyOp) {
    return "it fails even with none of the sequence's ops: in the harness's warm-up of the child "
           "(the implementation's first ASYNC calls) or its end";
  }
  if (point.op_index < 0) return {};
  std::string text = "the sequence first fails this way once op " + std::to_string(point.op_index + 1) + " (`" +
                     point.op + "`) is included";
  if (point.runs > 0) {
    text += " (located by running " + std::to_string(point.runs) + (point.runs == 1 ? " prefix" : " prefixes") +
            " of the sequence)";
  }
  return text;
}

std::string c_reproducer(const harness::Sequence& sequence, const harness::ModelConfig& config,
                         const harness::RunResult* result, const std::string& what_happened,
                         const std::string& implementation, bool crashed) {
  // The C program runs in a fresh process; the harness judged a warmed-up one.
  harness::ModelConfig fresh = config;
  fresh.fresh_process = true;
  const harness::Plan warmed_plan = harness::plan(sequence, config);
  const harness::Plan fresh_plan = harness::plan(sequence, fresh);
  harness::ReproducerInput input;
  input.sequence = &sequence;
  input.plan = &fresh_plan;
  input.what_happened = what_happened;
  input.implementation = implementation;
  input.requirement_text = requirement_text;
  input.keep_going = crashed;
  if (result != nullptr && result->mismatch != harness::RunResult::npos) {
    const std::size_t i = result->mismatch;
    if (i < fresh_plan.expected.size() && i < warmed_plan.expected.size() &&
        fresh_plan.expected[i].want.same_site(warmed_plan.expected[i].want)) {
      input.failing = i;
      if (i < result->observed.size()) input.observed = &result->observed[i];
    }
  }
  return harness::write_c_reproducer(input);
}

}  // namespace asyncconf::cli
