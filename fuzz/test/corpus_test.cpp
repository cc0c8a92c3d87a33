// The checked-in corpora of the op targets hold canonical encodings only:
// bytes the encoder wrote (encode(decode(b)) == b). A canonical kind byte
// names an op that exists, so an op added at the end of ops.def leaves its
// meaning as it was; a raw byte from libFuzzer's own mutations may name a
// slot past the last op, which wraps around the table and would name a
// different op once one is added.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "asyncconf/fuzz/op_mutator.hpp"
#include "asyncconf/harness/sequence_bytes.hpp"

namespace asyncconf::fuzz {
namespace {

namespace fs = std::filesystem;

std::vector<std::uint8_t> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class OpCorpus : public testing::TestWithParam<const char*> {};

TEST_P(OpCorpus, HoldsCanonicalEncodingsOnly) {
  const fs::path dir = fs::path(ASYNCCONF_TEST_CORPORA) / GetParam();
  ASSERT_TRUE(fs::is_directory(dir)) << dir;
  std::size_t inputs = 0;
  for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
    const std::vector<std::uint8_t> bytes = read_bytes(e.path());
    const std::vector<std::uint8_t> canonical =
        harness::encode_sequence(harness::decode_sequence(bytes, fuzz_limits()), fuzz_limits());
    EXPECT_EQ(bytes, canonical) << e.path() << " is not canonical: fuzz_seeds --canonical " << dir.string();
    ++inputs;
  }
  EXPECT_GT(inputs, 0u) << dir;
}

INSTANTIATE_TEST_SUITE_P(Corpora, OpCorpus, testing::Values("fuzz_sequence", "fuzz_differential", "fuzz_wait_ctx"));

}  // namespace
}  // namespace asyncconf::fuzz
