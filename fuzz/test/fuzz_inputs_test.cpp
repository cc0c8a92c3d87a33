// The fuzz targets' logic outside libFuzzer: the depth measures, the
// wait-ctx restriction, the text target, and that fuzz_sequence aborts with
// the sequence and the requirement on a broken implementation and passes
// the reference.
#include <gtest/gtest.h>

#include <cstdlib>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "asyncconf/fuzz/depth.hpp"
#include "asyncconf/fuzz/inputs.hpp"
#include "asyncconf/fuzz/op_mutator.hpp"
#include "asyncconf/harness/sequence_bytes.hpp"
#include "asyncconf/harness/sequence_text.hpp"

namespace asyncconf::fuzz {
namespace {

harness::Plan planned(const std::string& text, harness::Level level = harness::Level::Must) {
  static std::vector<std::unique_ptr<harness::Sequence>> keep;  // a plan points into its sequence
  keep.push_back(std::make_unique<harness::Sequence>(harness::parse_sequence_or_throw(text)));
  harness::ModelConfig config;
  config.level = level;
  config.fresh_process = false;
  return harness::plan(*keep.back(), config);
}

std::vector<std::uint8_t> bytes_of(const std::string& text) {
  return harness::encode_sequence(harness::parse_sequence_or_throw(text), fuzz_limits());
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

TEST(WaitCtxOnly, KeepsTheWaitCtxOpsAndWhatMovesFdsAcrossPauses) {
  const harness::Sequence s = wait_ctx_only(harness::parse_sequence_or_throw(
      "init_thread 2 0\nwctx_new w0\nblock\nstart j0 w0 { set_fd 1 7; block; pause; unblock; get_changed_fds }\n"
      "resume j0\ncleanup_thread\n"));
  EXPECT_EQ(harness::print_sequence(s),
            "wctx_new w0\nstart j0 w0 { set_fd 1 7; pause; get_changed_fds }\nresume j0\n");
}

TEST(SeqText, ValidAndBrokenTextBothReturn) {
  for (const std::string text : {"start j0 w0 {", "", "wctx_new w0\nstart j0 w0 { pause }\n", "\xff\xfe", "t3 pause\n"}) {
    EXPECT_EQ(check_seq_text(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()), 0) << text;
  }
}

TEST(SequenceInput, TheReferencePassesASequenceWithPausesFdsAndTwoThreads) {
  const std::vector<std::uint8_t> b =
      bytes_of("wctx_new w0\nstart j0 w0 { set_fd 1 7; pause; get_changed_fds }\nt1: start j1 null { return 2 }\nresume j0\n");
  EXPECT_EQ(check_sequence(b.data(), b.size()), 0);
  EXPECT_EQ(check_wait_ctx(b.data(), b.size()), 0);
}

TEST(SequenceInputDeathTest, ABrokenImplementationAbortsWithTheSequenceAndTheRequirement) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");  // the child loads its own implementation
  const std::vector<std::uint8_t> b = bytes_of("wctx_new w0\nstart j0 w0 { block; pause; unblock }\n");
  EXPECT_DEATH(
      {
        setenv("ASYNCCONF_IMPL", ASYNCCONF_TEST_FAULTY, 1);
        setenv("ASYNCREF_FAULT", "block-ignored", 1);
        check_sequence(b.data(), b.size());
      },
      "violation of BLOCK-PREVENTS-PAUSE(.|\n)*start j0 w0 \\{ block; pause; unblock \\}");
}

TEST(SequenceInputDeathTest, AnImplementationThatDoesNotLoadIsExit2NotAFinding) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const std::vector<std::uint8_t> b = bytes_of("wctx_new w0\n");
  EXPECT_EXIT(
      {
        setenv("ASYNCCONF_IMPL", "/nonexistent/libnothing.so", 1);
        check_sequence(b.data(), b.size());
      },
      testing::ExitedWithCode(2), "ASYNCCONF_IMPL=/nonexistent/libnothing.so");
}

}  // namespace
}  // namespace asyncconf::fuzz
