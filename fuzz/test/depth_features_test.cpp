// Depth as libFuzzer features: each measure of a plan's depth sets the one
// byte of its bucket, so deeper inputs are new coverage.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>

#include "asyncconf/fuzz/depth_features.hpp"
#include "asyncconf/harness/depth.hpp"
#include "asyncconf/harness/model.hpp"
#include "asyncconf/harness/sequence_text.hpp"

namespace asyncconf::fuzz {
namespace {

TEST(DepthFeatures, SmallDepthsHaveABucketEachAndLargeOnesOnePerPowerOfTwo) {
  EXPECT_EQ(depth_bucket(0), 0u);
  EXPECT_EQ(depth_bucket(1), 1u);
  EXPECT_EQ(depth_bucket(5), 5u);
  EXPECT_EQ(depth_bucket(16), 16u);
  EXPECT_EQ(depth_bucket(17), 17u);
  EXPECT_EQ(depth_bucket(31), 17u);
  EXPECT_EQ(depth_bucket(32), 18u);
  EXPECT_EQ(depth_bucket(64), 19u);
  EXPECT_EQ(depth_bucket(255), 20u);
  EXPECT_EQ(depth_bucket(1 << 30), kDepthBuckets - 1);
}

TEST(DepthFeatures, EachMeasureSetsTheByteOfItsDepthAndNoOther) {
  const harness::ParseResult parsed = harness::parse_sequence(
      "wctx_new w0\nwctx_new w1\nwctx_new w2\n"
      "start j0 w0 { set_fd 1 7; set_fd 2 8; set_fd 3 9; pause x20 }\n"
      "start j1 w1 { pause }\nstart j2 w2 { pause }\n"
      "t1: start j3 null { return 1 }\n");
  ASSERT_TRUE(parsed.ok());
  harness::ModelConfig config;
  const harness::Plan plan = harness::plan(*parsed.sequence, config);
  const harness::Depth d = harness::depth(plan);
  ASSERT_EQ(d.paused_at_once, 3);
  ASSERT_EQ(d.pauses_of_one_job, 20);  // the plan's teardown resumes j0 until it finishes
  ASSERT_EQ(d.fds_in_one_ctx, 3);
  ASSERT_EQ(d.threads, 2);

  const std::span<std::uint8_t> counters = depth_counters();
  std::fill(counters.begin(), counters.end(), 0);
  note_depth(plan);
  const int measures[kDepthMeasures] = {d.paused_at_once, d.pauses_of_one_job, d.fds_in_one_ctx, d.threads,
                                        d.reused_jobs};
  for (std::size_t m = 0; m < kDepthMeasures; ++m) {
    for (std::size_t b = 0; b < kDepthBuckets; ++b) {
      EXPECT_EQ(counters[m * kDepthBuckets + b], b == depth_bucket(measures[m]) ? 1 : 0)
          << "measure " << m << ", bucket " << b;
    }
  }
}

}  // namespace
}  // namespace asyncconf::fuzz
