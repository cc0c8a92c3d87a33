// The op-level mutator of the libFuzzer targets (LLVMFuzzerCustomMutator and
// LLVMFuzzerCustomCrossOver call mutate_ops and cross_over). A fuzz input is
// bytes that decode_sequence turns into a Sequence (sequence_bytes.hpp);
// byte-level mutations change one operand at best and re-read the rest after
// a changed kind byte, so they rarely build the deep states the API breaks
// in: many jobs paused at once, many pauses of one job, many fds in one wait
// ctx. These mutations work on the decoded ops instead, and write the result
// back with encode_sequence.
//
// Every mutation keeps each op in a place ops.def allows, every operand in
// the decoder's range (fuzz_limits()) and every list within DecodeLimits, so
// that the written bytes decode back to exactly the mutated sequence. The
// operands are read and drawn through the schema (op_schema.hpp), one arm per
// OperandForm, none per op.
#pragma once

#include "asyncconf/harness/sequence.hpp"
#include "asyncconf/harness/sequence_bytes.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace asyncconf::fuzz {

/// libFuzzer's byte mutator (LLVMFuzzerMutate), or a stand-in in tests.
using ByteMutator = std::size_t (*)(std::uint8_t* data, std::size_t size, std::size_t max_size);

/// The decode limits every fuzz target uses: harness::kFuzzDecodeLimits.
harness::DecodeLimits fuzz_limits() noexcept;

/// A small fast PRNG (splitmix64): the mutator's only source of choices, so
/// that a mutation is a function of (input, seed).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) noexcept : state_(seed) {}
  std::uint64_t next() noexcept {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  /// 0..n-1; 0 when n is 0.
  std::size_t below(std::size_t n) noexcept { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }
  bool one_in(std::size_t n) noexcept { return below(n) == 0; }

 private:
  std::uint64_t state_;
};

/// The op-level mutations.
enum class Mutation : std::uint8_t {
  InsertDriver,   ///< a new driver op at a random place (a new start gets a short random body)
  InsertBody,     ///< a new body op at a random place of a random start's body
  Delete,         ///< one driver op (a start with its body) or one body op
  Duplicate,      ///< one op or a run of 2..4 ops, the copy right after the run
  Swap,           ///< two adjacent, different ops (driver ops or ops of one body)
  ChangeOperand,  ///< one operand of one op: re-drawn in its range, or +-1 for numbers
  ChangeThread,   ///< the thread of one driver op
  Repeat,         ///< one op (not a start) 8, 64 or 255 more times right after it (the byte form's repeat)
  FanOut,         ///< a start and 2..7 copies right after it, each on a fresh job: many jobs paused at once
  FillCtx,        ///< a run of set_fd into one body, one per key it does not set yet: many fds in one ctx
};
inline constexpr std::size_t kMutationCount = 10;
inline constexpr std::array<Mutation, kMutationCount> kMutations{
    Mutation::InsertDriver, Mutation::InsertBody,   Mutation::Delete, Mutation::Duplicate, Mutation::Swap,
    Mutation::ChangeOperand, Mutation::ChangeThread, Mutation::Repeat, Mutation::FanOut,    Mutation::FillCtx};
/// Relative weights with which mutate_ops picks them (indexed like kMutations):
/// growth (insert, duplicate) outweighs delete so that inputs grow deep.
inline constexpr std::array<unsigned, kMutationCount> kMutationWeights{4, 3, 3, 4, 2, 4, 1, 1, 1, 1};

/// "insert_driver", "insert_body", ...
const char* mutation_name(Mutation mutation) noexcept;

/// One of kMutations, by kMutationWeights.
Mutation pick_mutation(Rng& rng) noexcept;

/// Applies one mutation of the given kind to `sequence`. Returns false, and
/// leaves the sequence as it was, when the kind cannot apply (nothing to
/// delete, no start to put a body op into, a list at its limit, one thread
/// only, ...). `sequence` must be in the decoder's ranges for `limits` (as
/// every decoded sequence is); so is the result.
///
/// Names: a new or changed job/ctx/key operand is half the time one the
/// sequence already uses, so that ops keep working on the same objects. The
/// names of an op that carries a body (a start) are what its job holds:
/// duplicating it, or inserting a new one, gives it a job name (and a ctx, or
/// null) no other start holds while one is free, so that a copy is a second
/// live job rather than a start the model skips.
bool mutate(harness::Sequence& sequence, Mutation mutation, Rng& rng,
            const harness::DecodeLimits& limits = fuzz_limits());

/// mutate_ops calls the fallback instead of mutating ops in 1 of this many calls.
inline constexpr std::size_t kFallbackOneIn = 8;
/// mutate_ops applies 1..this many mutations (1 half the time, 2 a quarter, ...).
inline constexpr std::size_t kMaxMutationsPerCall = 4;

/// The encoding (encode_sequence) of the longest prefix of the driver ops
/// that fits in max_size bytes, so that it decodes to exactly that prefix.
std::vector<std::uint8_t> encode_fitting(const harness::Sequence& sequence, std::size_t max_size,
                                         const harness::DecodeLimits& limits = fuzz_limits());

/// One libFuzzer mutation of the input in data[0, size): decodes it, applies
/// 1..kMaxMutationsPerCall op-level mutations chosen from `seed`, encodes the
/// result into data (at most max_size bytes, whole driver ops), returns the
/// new size. In 1 of kFallbackOneIn calls, or when the op-level result would
/// be identical to the input, it calls `fallback` (when given) on the raw
/// bytes instead: byte-level mutations still find what ops cannot.
/// Never writes past max_size; deterministic for (input, seed); total (any
/// bytes, size 0 too, size > max_size too).
std::size_t mutate_ops(std::uint8_t* data, std::size_t size, std::size_t max_size, unsigned seed,
                       ByteMutator fallback);

/// How cross_over splices two parents.
enum class CrossOver : std::uint8_t {
  PrefixSuffix,  ///< a prefix of one parent and a suffix of the other
  InsertSlice,   ///< a slice (1..8 driver ops) of one inserted into the other
  TakeBody,      ///< a start of one gets the body of a start of the other
};
inline constexpr std::array<CrossOver, 3> kCrossOvers{CrossOver::PrefixSuffix, CrossOver::InsertSlice,
                                                     CrossOver::TakeBody};

/// Splices `a` and `b` (which parent gives what is drawn from rng). When both
/// have ops (and, for TakeBody, starts, else it inserts a slice) the result
/// holds ops of both. Cut to the limits.
harness::Sequence cross(const harness::Sequence& a, const harness::Sequence& b, CrossOver how, Rng& rng,
                        const harness::DecodeLimits& limits = fuzz_limits());

/// libFuzzer's cross-over: cross() of the two decoded inputs, the splice
/// drawn from `seed`, encoded into out (at most max_out bytes, whole driver
/// ops). Returns the size written. Deterministic and total like mutate_ops.
std::size_t cross_over(const std::uint8_t* data1, std::size_t size1, const std::uint8_t* data2, std::size_t size2,
                       std::uint8_t* out, std::size_t max_out, unsigned seed);

}  // namespace asyncconf::fuzz
