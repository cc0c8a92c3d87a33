// Progress of a run on stderr: a live line on a terminal, one plain line
// per case otherwise, nothing when quiet.
#pragma once

#include <cstddef>

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

}  // namespace asyncconf::cli
