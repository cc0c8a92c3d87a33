// fuzz_depth FILE|FOLDER... : how deep the inputs of a corpus go (depth.hpp),
// decoded as the targets decode them and planned at ASYNCCONF_LEVEL (must
// when unset) with every capability: the model alone, no implementation.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "asyncconf/harness/depth.hpp"
#include "asyncconf/fuzz/fuzz_env.hpp"
#include "asyncconf/fuzz/inputs.hpp"
#include "asyncconf/fuzz/op_mutator.hpp"
#include "asyncconf/harness/decode_input.hpp"
#include "asyncconf/harness/sequence_bytes.hpp"

namespace fs = std::filesystem;
using namespace asyncconf;

int main(int argc, char** argv) {
  bool wait_ctx = false;
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--wait-ctx") {
      wait_ctx = true;  // as fuzz_wait_ctx reads its inputs
      continue;
    }
    std::error_code ec;
    if (fs::is_directory(arg, ec)) {
      for (const auto& e : fs::directory_iterator(arg, ec)) {
        if (e.is_regular_file()) files.push_back(e.path());
      }
    } else if (fs::is_regular_file(arg, ec)) {
      files.emplace_back(arg);
    } else {
      std::fprintf(stderr, "fuzz_depth: %s: no such file or folder\n", arg.c_str());
      return 2;
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "usage: fuzz_depth [--wait-ctx] FILE|FOLDER...\n");
    return 2;
  }
  harness::ModelConfig config;
  config.level = fuzz::level_from_env();
  config.fresh_process = false;
  harness::DepthTable table;
  for (const fs::path& f : files) {
    std::ifstream in(f, std::ios::binary);
    const std::vector<std::uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    harness::Sequence s = harness::decode_sequence(bytes, fuzz::fuzz_limits());
    if (wait_ctx) s = harness::wait_ctx_ops_only(std::move(s));
    table.add(harness::depth(harness::plan(s, config)));
  }
  std::printf("%s", table.text().c_str());
  return 0;
}
