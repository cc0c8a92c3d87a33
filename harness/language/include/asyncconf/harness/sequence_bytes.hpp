// Bytes -> Sequence, for libFuzzer: every byte string decodes to a
// well-formed sequence, and encode_sequence turns a sequence back into bytes
// (to seed fuzz corpora from `.seq` files).
//
// The byte form is a stream of ops. Missing bytes read as 0, so any prefix of
// an encoding decodes too; ops are read while bytes remain and fewer than
// max_driver_ops have been read. Each driver op is one kind byte, then the
// bytes of its operands in the order ops.def lists them (op_schema.hpp; a
// body op has no wait_ctx operand), each read by its form:
//
//   kind byte  b: slot = b % kKindSlots, kind = D[slot % |D|],
//              thread = (b / kKindSlots) % threads, where D is the driver ops
//              of ops.def in their order (body ops: B[(b % kKindSlots) % |B|],
//              no thread). The slot count is fixed, not |D|, so that an op
//              added at the end of ops.def leaves every existing encoding's
//              meaning as it was: corpora outlive language versions.
//   job                     byte % jobs
//   ctx, wait_ctx           byte % ctxs
//   ctx_or_null             byte % (ctxs + 1) - 1 (-1 = null)
//   key                     byte % kMaxKeys
//   fd                      byte
//   pool_size               byte % (kDecodeMaxPoolSize + 1)
//   stack_size              byte % 3 -> kDecodeStackSizes: 0, 65536, 131072
//   int_value, long_value   kDecodeSmallMin + byte % 8
//   on_off                  byte % 2
//   arg                     n = byte % 9, then n bytes: little-endian,
//                           sign-extended from 8n bits (n = 0: 0)
//   args_mode               byte % 3 (copy, null, size0)
//   body                    count: byte % (max_body_ops + 1), then count body
//                           ops, each a kind byte and its operands
//
// So "start" is: kind, job, ctx, arg length (+ arg bytes), args mode, count,
// body; "set_fd w1 3 200" is: kind, 1, 3, 200; "set_fd 3 200" in a body: kind, 3, 200.
//
// The repeat form: the kind byte kRepeatByte (0xff; no kind byte of an op is
// ever that large when encoded) and a count byte c make the op before it
// stand c more times (nothing when there is none, or when it carries a
// body: a start is never repeated), up to max_driver_ops in
// the sequence and max_repeated_body_ops in a body, where such a marker is
// one of the body's count entries. "pause" 200 times in a body is 4 bytes;
// "resume j0" 200 times 4 more.
//
// Small changes in the bytes make small changes in the sequence: a changed
// operand byte changes that operand, a changed kind byte re-reads the rest.
#pragma once

#include "asyncconf/harness/sequence.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace asyncconf::harness {

/// The ranges the decoder draws from. Out-of-range limits are clamped:
/// threads to 1..kMaxThreads, jobs to 1..256, ctxs to 1..255, max_body_ops to
/// 0..255 (what one byte can choose from).
struct DecodeLimits {
  std::size_t max_driver_ops = 128;
  std::size_t max_body_ops = 12;
  int threads = 2;  ///< driver ops run on threads 0..threads-1
  int jobs = 8;     ///< job names j0..j<jobs-1>
  int ctxs = 4;     ///< ctx names w0..w<ctxs-1> (Start may also have none, -1)
  /// The ops a body may grow to with repeats (max_body_ops counts its
  /// entries); less than max_body_ops means max_body_ops.
  std::size_t max_repeated_body_ops = 0;
};

/// The kind byte of a repeat.
inline constexpr std::uint8_t kRepeatByte = 0xff;
/// How many kinds a kind byte can name per thread: room for the ops to come.
inline constexpr std::size_t kKindSlots = 63;

/// The ops a body may have under `limits`: max_repeated_body_ops or, when
/// smaller, max_body_ops.
std::size_t body_capacity(const DecodeLimits& limits) noexcept;

/// The entries the byte form writes `ops` in: each run of equal ops (but
/// starts) is the op and a repeat for every 255 more.
std::size_t entry_count(const std::vector<Op>& ops) noexcept;

/// set_status statuses and return values decode to kDecodeSmallMin..kDecodeSmallMax.
inline constexpr long kDecodeSmallMin = -2;
inline constexpr long kDecodeSmallMax = 5;
/// init_thread max_size and init_size decode to 0..kDecodeMaxPoolSize.
inline constexpr long kDecodeMaxPoolSize = 8;
/// set_mem_functions values decode to one of these.
inline constexpr long kDecodeStackSizes[] = {0, 65536, 131072};
/// set_fd fds decode to 0..kDecodeMaxFd.
inline constexpr int kDecodeMaxFd = 255;

/// Total and deterministic: every byte string (the empty one too) decodes to
/// a well-formed sequence: every op in a place ops.def allows, fields the kind
/// does not use at their defaults, every field in the ranges above. Never
/// throws (except std::bad_alloc), never reads outside `bytes`.
Sequence decode_sequence(std::span<const std::uint8_t> bytes, const DecodeLimits& limits = {});

/// The limits the decoder and the encoder use: each clamped to the range
/// above (what one byte can choose from).
DecodeLimits clamp_limits(const DecodeLimits& limits) noexcept;

/// Bytes that decode_sequence(…, limits) maps back to `sequence`, exactly when
/// the sequence is in the decoder's ranges: every op in its allowed place,
/// fields the kind does not use at their defaults, thread < threads, job <
/// jobs, ctx < ctxs (and >= -1 for Start, >= 0 otherwise), key < kMaxKeys,
/// fd 0..kDecodeMaxFd, init_thread values 0..kDecodeMaxPoolSize,
/// set_mem_functions value in kDecodeStackSizes, set_callback value 0/1,
/// set_status/return values kDecodeSmallMin..kDecodeSmallMax (Start's arg may
/// be any long), at most max_driver_ops driver ops and body_capacity() ops
/// per body, written in at most max_body_ops entries (a run of equal ops is
/// one op and repeats). Otherwise the result is not exact (it still decodes to a well-formed
/// sequence, as every byte string does):
///  - an op in the wrong place (or of a kind not in ops.def) is dropped,
///    a Start with its body;
///  - a sequence or body longer than the limit is cut to it;
///  - fields the kind does not use are not encoded (they decode as defaults);
///  - an out-of-range operand is wrapped into its range (thread, job, ctx, key,
///    fd, init_thread values and small values reduced modulo the size of their
///    range), a set_mem_functions value not in kDecodeStackSizes becomes 0,
///    a set_callback value other than 0 becomes 1, an invalid ArgsMode Copy.
std::vector<std::uint8_t> encode_sequence(const Sequence& sequence, const DecodeLimits& limits = {});

}  // namespace asyncconf::harness
