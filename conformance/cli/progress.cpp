#include "progress.hpp"

#include <unistd.h>

#include <cstdio>

namespace asyncconf::cli {

Progress::Progress(bool quiet) : quiet_(quiet), terminal_(::isatty(STDERR_FILENO) == 1) {}

void Progress::on_result(const reports::CaseResult& result, std::size_t done, std::size_t total) {
  counts_.add(result);
  if (quiet_) return;
  if (terminal_) {
    // \r and clear-to-end-of-line: one line that rewrites itself.
    std::fprintf(stderr,
                 "\r\033[K[%zu/%zu] pass %lld  fail %lld  crash %lld  timeout %lld  expected %lld  "
                 "n/a %lld | %s",
                 done, total, static_cast<long long>(counts_.pass),
                 static_cast<long long>(counts_.fail), static_cast<long long>(counts_.crash),
                 static_cast<long long>(counts_.timeout),
                 static_cast<long long>(counts_.expected_fail),
                 static_cast<long long>(counts_.not_applicable), result.id.c_str());
    line_open_ = true;
  } else {
    std::fprintf(stderr, "[%zu/%zu] %-14s %s\n", done, total, reports::to_string(result.verdict),
                 result.id.c_str());
  }
  std::fflush(stderr);
}

void Progress::finish() {
  if (line_open_) std::fputs("\r\033[K", stderr);
  line_open_ = false;
}

StatusLine::StatusLine(bool quiet) : quiet_(quiet), terminal_(::isatty(STDERR_FILENO) == 1) {}

void StatusLine::update(const std::string& phase, const std::string& text) {
  if (quiet_) return;
  if (terminal_) {
    std::fprintf(stderr, "\r\033[K[%s] %s", phase.c_str(), text.c_str());
    line_open_ = true;
  } else {
    const auto now = std::chrono::steady_clock::now();
    if (phase == last_phase_ && now - last_plain_ < std::chrono::seconds(2)) return;
    last_plain_ = now;
    std::fprintf(stderr, "[%s] %s\n", phase.c_str(), text.c_str());
  }
  last_phase_ = phase;
  std::fflush(stderr);
}

void StatusLine::finish() {
  if (line_open_) std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
  line_open_ = false;
}

}  // namespace asyncconf::cli
