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

}  // namespace asyncconf::cli
