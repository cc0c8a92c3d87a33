// fuzz_seeds OUT_DIR [FILE.seq...]: writes seed inputs for every target into
// OUT_DIR/<target>/, as the targets read them (bytes for the op targets,
// `.seq` text for fuzz_seq_text): the sequences explore would draw (at must
// and de-facto, on one, two and four threads), some text the parser must refuse,
// and each FILE.seq given (explore's findings). ci/fuzz-corpora.sh merges
// them into fuzz/corpus/.
//
// fuzz_seeds --canonical DIR...: rewrites each input of the op targets'
// corpus folders DIR as the encoder writes it (encode(decode(bytes))), the
// same sequence in bytes whose meaning an op added to ops.def keeps. Inputs
// merged from a fuzzing run need it: libFuzzer's own byte mutations write
// kind bytes past the last op, which wrap around the op table.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "asyncconf/fuzz/inputs.hpp"
#include "asyncconf/fuzz/op_mutator.hpp"
#include "asyncconf/harness/generator.hpp"
#include "asyncconf/harness/decode_input.hpp"
#include "asyncconf/harness/sequence_bytes.hpp"
#include "asyncconf/harness/sequence_text.hpp"

namespace fs = std::filesystem;
using namespace asyncconf;

namespace {

void write(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

std::string as_string(const std::vector<std::uint8_t>& b) { return {b.begin(), b.end()}; }

int canonicalize(int argc, char** argv) {
  int inputs = 0;
  int rewritten = 0;
  for (int i = 2; i < argc; ++i) {
    if (!fs::is_directory(argv[i])) {
      std::fprintf(stderr, "fuzz_seeds: %s: not a folder\n", argv[i]);
      return 2;
    }
    for (const fs::directory_entry& e : fs::directory_iterator(argv[i])) {
      std::ifstream in(e.path(), std::ios::binary);
      const std::vector<std::uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
      if (!in.eof() && in.fail()) {
        std::fprintf(stderr, "fuzz_seeds: %s: cannot read\n", e.path().c_str());
        return 2;
      }
      const std::vector<std::uint8_t> canonical =
          harness::encode_sequence(harness::decode_sequence(bytes, fuzz::fuzz_limits()), fuzz::fuzz_limits());
      ++inputs;
      if (canonical == bytes) continue;
      write(e.path(), as_string(canonical));
      ++rewritten;
    }
  }
  std::printf("fuzz_seeds: %d of %d inputs rewritten canonical\n", rewritten, inputs);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: fuzz_seeds OUT_DIR [FILE.seq...]\n       fuzz_seeds --canonical DIR...\n");
    return 2;
  }
  if (std::string(argv[1]) == "--canonical") return canonicalize(argc, argv);
  const fs::path out = argv[1];
  for (const char* t : {"fuzz_sequence", "fuzz_differential", "fuzz_wait_ctx", "fuzz_seq_text"}) {
    fs::create_directories(out / t);
  }
  int n = 0;
  for (const harness::Level level : {harness::Level::Must, harness::Level::DeFacto}) {
    for (int threads : {1, 2, 4}) {
      for (std::uint64_t seed = 0; seed < 30; ++seed) {
        harness::GeneratorOptions options;
        options.model.level = level;
        options.model.fresh_process = false;
        options.threads = threads;
        options.max_ops = 12 + seed % 40;
        const harness::Sequence s = harness::generate(harness::sequence_seed(1000 + threads, seed), options);
        const std::string name = std::string("gen-") + harness::to_string(level) + "-t" + std::to_string(threads) + "-" +
                                 std::to_string(seed);
        const std::string bytes = as_string(harness::encode_sequence(s, fuzz::fuzz_limits()));
        write(out / "fuzz_sequence" / name, bytes);
        if (level == harness::Level::Must) write(out / "fuzz_differential" / name, bytes);
        write(out / "fuzz_wait_ctx" / name,
              as_string(harness::encode_sequence(harness::wait_ctx_ops_only(s), fuzz::fuzz_limits())));
        write(out / "fuzz_seq_text" / (name + ".seq"), harness::print_sequence(s));
        ++n;
      }
    }
  }
  // Text the parser must refuse, each in its own way.
  const char* broken[] = {"start j0 w0 {", "resume", "set_fd w0 99 7\n", "t9 pause\n", "start j0 w0 { start j1 }\n",
                          "init_thread -1 0\n", "start j0 null arg=1 arg=2 { }\n", "# only a comment\n\n"};
  int b = 0;
  for (const char* text : broken) write(out / "fuzz_seq_text" / ("broken-" + std::to_string(b++) + ".seq"), text);
  int given = 0;
  for (int i = 2; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    const harness::ParseResult parsed = harness::parse_sequence(text);
    if (!in || !parsed.ok()) {
      std::fprintf(stderr, "fuzz_seeds: %s: %s\n", argv[i],
                   parsed.ok() ? "cannot read" : harness::to_string(*parsed.error).c_str());
      return 2;
    }
    const std::string name = "seq-" + fs::path(argv[i]).stem().string();
    const std::string bytes = as_string(harness::encode_sequence(*parsed.sequence, fuzz::fuzz_limits()));
    write(out / "fuzz_sequence" / name, bytes);
    write(out / "fuzz_differential" / name, bytes);
    write(out / "fuzz_wait_ctx" / name,
          as_string(harness::encode_sequence(harness::wait_ctx_ops_only(*parsed.sequence), fuzz::fuzz_limits())));
    write(out / "fuzz_seq_text" / (name + ".seq"), text);
    ++given;
  }
  std::printf("fuzz_seeds: %d generated sequences, %d broken texts and %d given sequences in %s\n", n, b, given,
              out.c_str());
  return 0;
}
