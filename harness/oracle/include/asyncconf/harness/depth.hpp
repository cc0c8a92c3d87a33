// How deep a sequence goes: the states where real bugs hide (several jobs
// paused at once, many pauses of one job, many fds in one wait ctx, several
// threads, jobs reused from the pool), counted over the ops the model lets
// run. fuzz_depth prints them over a corpus, `asyncconf explore --depth`
// over what it generated.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "asyncconf/harness/model.hpp"
#include "asyncconf/harness/sequence.hpp"

namespace asyncconf::harness {

struct Depth {
  int paused_at_once = 0;     ///< most jobs paused at the same time
  int pauses_of_one_job = 0;  ///< most times one job paused
  int fds_in_one_ctx = 0;     ///< most fds set (not cleared) in one wait ctx at once
  int threads = 0;            ///< threads that ran an op
  int reused_jobs = 0;        ///< starts that ran on a pooled job a finished job left
  std::size_t ops = 0;        ///< observations the plan predicts
};

/// The depth of `plan` (of a sequence planned with any config).
Depth depth(const Plan& plan);

/// The distribution over many sequences: for each measure, how many reach
/// at least each threshold, and the most any reached.
class DepthTable {
public:
  void add(const Depth& d);
  std::size_t sequences() const noexcept { return count_; }
  /// A table for people: one row per measure.
  std::string text() const;

private:
  static constexpr std::array<int, 6> kThresholds{1, 2, 4, 8, 16, 64};
  struct Row {
    const char* name;
    std::array<std::size_t, 6> reached{};
    long max = 0;
  };
  std::array<Row, 6> rows_{{{"jobs paused at once"},
                            {"pauses of one job"},
                            {"fds in one wait ctx"},
                            {"threads"},
                            {"starts on a reused job"},
                            {"observations"}}};
  std::size_t count_ = 0;
};

}  // namespace asyncconf::harness
