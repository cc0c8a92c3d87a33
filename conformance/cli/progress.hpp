// Progress of a run on stderr: a live line on a terminal, one plain line
// per case otherwise, nothing when quiet.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "asyncconf/reports/result.hpp"

namespace asyncconf::cli {

class Progress {
public:
  /// `quiet`: print nothing. Detects a terminal on stderr by itself.
  explicit Progress(bool quiet);
  /// One case ended; `done` of `total` have.
  void on_result(const reports::CaseResult& result, std::size_t done, std::size_t total);
  /// Ends the live line, if any.
  void finish();

private:
  bool quiet_;
  bool terminal_;
  bool line_open_ = false;
  reports::Summary counts_;
};

/// The status of a long exploration (explore, diff) on stderr: one line
/// that rewrites itself on a terminal; otherwise a plain line when the
/// phase changes and at most every few seconds; nothing when quiet.
class StatusLine {
public:
  explicit StatusLine(bool quiet);
  /// The current status. `phase` changes always print a plain line.
  void update(const std::string& phase, const std::string& text);
  /// Ends the live line, if any.
  void finish();

private:
  bool quiet_;
  bool terminal_;
  bool line_open_ = false;
  std::string last_phase_;
  std::chrono::steady_clock::time_point last_plain_{};
};

}  // namespace asyncconf::cli
