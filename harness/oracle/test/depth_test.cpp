// The depth measures of a plan (depth.hpp): what fuzz_depth and
// explore --depth count.
#include "asyncconf/harness/depth.hpp"

#include <gtest/gtest.h>

#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "asyncconf/harness/sequence_text.hpp"

namespace asyncconf::harness {
namespace {

Plan planned(const std::string& text) {
  static std::vector<std::unique_ptr<Sequence>> keep;  // a plan points into its sequence
  keep.push_back(std::make_unique<Sequence>(parse_sequence_or_throw(text)));
  ModelConfig config;
  config.fresh_process = false;
  return plan(*keep.back(), config);
}

TEST(Depth, CountsJobsPausedAtOnceAndPausesOfOneJob) {
  const Depth d = depth(planned(
      "wctx_new w0\nwctx_new w1\nwctx_new w2\n"
      "start j0 w0 { pause; pause; pause; pause }\nstart j1 w1 { pause }\nstart j2 w2 { pause }\n"));
  EXPECT_EQ(d.paused_at_once, 3);
  EXPECT_EQ(d.pauses_of_one_job, 4);  // three at resumes of the teardown
  EXPECT_EQ(d.threads, 1);
}

TEST(Depth, CountsLiveFdsInOneCtxThreadsAndReusedJobs) {
  const Depth d = depth(planned(
      "wctx_new w0\nset_fd w0 0 10\nset_fd w0 1 11\nset_fd w0 2 12\nclear_fd w0 1\nset_fd w0 3 13\n"
      "start j0 null { return 1 }\nstart j1 null { return 2 }\nt1: start j2 null { return 3 }\n"));
  EXPECT_EQ(d.fds_in_one_ctx, 3);
  EXPECT_EQ(d.threads, 2);
  EXPECT_EQ(d.reused_jobs, 1);  // j1 on the job j0 left; j2 is on another thread
}

TEST(Depth, TableCountsSequencesAtEachThreshold) {
  DepthTable table;
  Depth a;
  a.paused_at_once = 4;
  Depth b;
  b.paused_at_once = 1;
  table.add(a);
  table.add(b);
  const std::string text = table.text();
  // The row: reached >= 1, 2, 4, 8, 16, 64, then the most.
  const std::size_t at = text.find("jobs paused at once");
  ASSERT_NE(at, std::string::npos) << text;
  std::istringstream row(text.substr(at + std::string("jobs paused at once").size()));
  std::vector<long> values{std::istream_iterator<long>(row), std::istream_iterator<long>()};
  values.resize(7);
  EXPECT_EQ(values, (std::vector<long>{2, 1, 1, 0, 0, 0, 4})) << text;
  EXPECT_NE(text.find("(2 sequences)"), std::string::npos);
}

}  // namespace
}  // namespace asyncconf::harness
