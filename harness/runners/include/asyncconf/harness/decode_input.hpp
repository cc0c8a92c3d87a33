// A libFuzzer input turned into what a person can act on (asyncconf decode):
// its bytes decoded exactly as the fuzz targets decode them, the sequence run
// alone, and a failure shrunk as explore shrinks its findings, then said in
// words for the output and the '#' headers of the .seq files.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "asyncconf/harness/explorer.hpp"
#include "asyncconf/harness/sequence_bytes.hpp"

namespace asyncconf::harness {

/// The limits the fuzz targets decode with. Wider than the defaults, so
/// that an input can hold the deep states: every thread, 16 jobs (as many
/// paused at once), 8 ctxs, 32 entries in one body and 255 ops with
/// repeats (a job paused hundreds of times), 512 driver ops (as many
/// resumes). Decoding with any other limits gives another sequence for the
/// same bytes.
inline constexpr DecodeLimits kFuzzDecodeLimits{.max_driver_ops = 512,
                                                .max_body_ops = 32,
                                                .threads = kMaxThreads,
                                                .jobs = 16,
                                                .ctxs = 8,
                                                .max_repeated_body_ops = 255};

/// "at most 128 driver ops, 12 ops per body, 2 threads, 8 jobs, 4 ctxs"
/// (with ", 255 ops per body with repeats" when repeats let a body grow).
std::string limits_text(const DecodeLimits& limits);

/// The ops fuzz_wait_ctx keeps of a decoded sequence (and of each body):
/// the ASYNC_WAIT_CTX ops, and the starts, resumes, pauses and returns that
/// move fds across pauses.
Sequence wait_ctx_ops_only(Sequence sequence);

struct FuzzInput {
  std::size_t bytes = 0;
  Sequence sequence;  ///< decode_sequence(bytes, kFuzzDecodeLimits)
};
/// Reads the file and decodes it. An empty file is a valid input: the empty
/// sequence. Throws std::runtime_error naming the path when it cannot be read.
FuzzInput read_fuzz_input(const std::filesystem::path& path);

/// Shrink attempts a hang gets at most: each costs the whole time limit.
inline constexpr std::size_t kHangShrinkAttempts = 30;

struct ShrinkFailureOptions {
  std::size_t max_attempts = 2000;          ///< a hang: at most kHangShrinkAttempts
  const std::atomic<bool>* stop = nullptr;  ///< set: stop soon, keep the smallest so far
  std::function<void(std::size_t attempts, const Sequence& best)> progress;
};

struct ShrunkFailure {
  Sequence sequence;        ///< the smallest that fails the same way (the input when none does)
  IsolatedOutcome outcome;  ///< of `sequence`, run alone
  ShrinkResult stats;
  /// False: the shrunk sequence, run again, did not fail the same way (a
  /// flaky failure), so `sequence` and `outcome` are the input's.
  bool confirmed = true;
  bool interrupted = false;  ///< stopped by options.stop
};

/// Shrinks `failing`, whose run alone at `config` gave `outcome` (a
/// violation, crash or hang), to the smallest sequence whose run alone fails
/// the same way (signature()): explore's confirm-and-shrink of a finding.
ShrunkFailure shrink_failure(const AsyncApi& api, const Sequence& failing, const IsolatedOutcome& outcome,
                             const ModelConfig& config, std::chrono::milliseconds timeout,
                             const ShrinkFailureOptions& options = {});

/// A run alone, in words.
struct OutcomeText {
  IsolatedOutcome::Kind kind = IsolatedOutcome::Kind::Pass;
  std::string requirement;        ///< broken (or only loosely differing), when known
  std::string requirement_level;  ///< its catalogue level (or the difference's)
  /// One line: "PASS: ...", "VIOLATION of X (must)", "INCONCLUSIVE: ...",
  /// "CRASH: killed by SIGSEGV", "HANG: ...", "HARNESS ERROR: ...".
  std::string verdict;
  /// A few lines: the difference; or how the child ended and the op at which
  /// the failure first shows. Empty for a pass.
  std::string explanation;
  std::string misuse;       ///< misuse the sequence commits, names; "" for none
  std::string stderr_tail;  ///< of a child that crashed or hung
};
/// Describes `outcome`, the run of `sequence` alone at `config`. `locate`: a
/// crash or a hang is located (locate_failure: more children run).
OutcomeText describe_outcome(const AsyncApi& api, const Sequence& sequence, const ModelConfig& config,
                             const IsolatedOutcome& outcome, std::chrono::milliseconds timeout, bool locate);

/// The files decode writes for `input` into `out`: the input's file name
/// with ".seq" (decoded), ".shrunk.seq" and ".c" appended.
struct DecodeFiles {
  std::filesystem::path decoded;
  std::filesystem::path shrunk;
  std::filesystem::path c;
};
DecodeFiles decode_files(const std::filesystem::path& input, const std::filesystem::path& out);

/// What a decode .seq header says of where its sequence came from.
struct DecodeSource {
  std::string input;           ///< the input file as given
  std::size_t bytes = 0;
  std::string implementation;  ///< its summary
  std::string level;
};
/// The '#' header of a .seq file decode writes, then a blank line: `what`
/// names the file's sequence; then the source, the kind and requirement of
/// `t`, `explanation`, the misuse, and `replay` (the command that replays it).
std::string decode_seq_header(const DecodeSource& source, const OutcomeText& t, const std::string& what,
                              const std::string& explanation, const std::string& replay);

}  // namespace asyncconf::harness
