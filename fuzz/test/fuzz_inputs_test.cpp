// The fuzz targets' logic outside libFuzzer: the wait-ctx restriction, the text target, and that fuzz_sequence aborts with
// the sequence and the requirement on a broken implementation and passes
// the reference.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "asyncconf/fuzz/inputs.hpp"
#include "asyncconf/fuzz/op_mutator.hpp"
#include "asyncconf/harness/decode_input.hpp"
#include "asyncconf/harness/op_schema.hpp"
#include "asyncconf/harness/sequence_bytes.hpp"
#include "asyncconf/harness/sequence_text.hpp"

namespace asyncconf::fuzz {
namespace {

std::vector<std::uint8_t> bytes_of(const std::string& text) {
  return harness::encode_sequence(harness::parse_sequence_or_throw(text), fuzz_limits());
}

TEST(WaitCtxOnly, KeepsTheWaitCtxOpsAndWhatMovesFdsAcrossPauses) {
  const harness::Sequence s = harness::wait_ctx_ops_only(harness::parse_sequence_or_throw(
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

// The text target's dictionary names every op of ops.def, so that
// libFuzzer composes the ops a new line in ops.def adds too.
TEST(SeqText, TheDictionaryNamesEveryOp) {
  std::ifstream in(ASYNCCONF_TEST_SEQ_TEXT_DICT);
  ASSERT_TRUE(in) << ASYNCCONF_TEST_SEQ_TEXT_DICT;
  const std::string dict{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  for (std::size_t k = 0; k < harness::kOpKindCount; ++k) {
    const std::string name{harness::op_schema(static_cast<harness::OpKind>(k)).name};
    EXPECT_NE(dict.find("=\"" + name + "\"\n"), std::string::npos) << name << " is not in the dictionary";
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
