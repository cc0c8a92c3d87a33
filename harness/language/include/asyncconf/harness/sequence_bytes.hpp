// Bytes -> Sequence, for libFuzzer: every byte string decodes to a
// well-formed sequence, and encode_sequence turns a sequence back into bytes
// (to seed fuzz corpora from `.seq` files).
//
// The byte form is a stream of ops. Missing bytes read as 0, so any prefix of
// an encoding decodes too; ops are read while bytes remain and fewer than
// max_driver_ops have been read. Each driver op is one kind byte, then the
// operand bytes of that kind:
//
//   kind byte  b: kind = D[b % |D|], thread = (b / |D|) % threads, where D is
//              the driver ops of ops.def in their order (body ops: B[b % |B|],
//              no thread)
//   init_thread        max: byte % 9, init: byte % 9
//   set_mem_functions  byte % 3 -> 0, 65536, 131072
//   start              job: byte % jobs; ctx: byte % (ctxs + 1) - 1 (-1 = null);
//                      m: byte, args mode = m % 3 (copy, null, size0) and
//                      n = (m / 3) % 9 more bytes: arg, little-endian,
//                      sign-extended from 8n bits (n = 0: arg 0);
//                      count: byte % (max_body_ops + 1), then count body ops
//   resume             job: byte % jobs
//   wctx_new, wctx_free, get_all_fds, get_changed_fds, get_callback, get_status
//                      ctx: byte % ctxs
//   set_fd             ctx: byte % ctxs (driver form only), key: byte % kMaxKeys, fd: byte
//   clear_fd, get_fd   ctx (driver form only), key
//   set_callback       ctx, on: byte % 2
//   set_status         ctx (driver form only), status: kDecodeSmallMin + byte % 8
//   return             value: kDecodeSmallMin + byte % 8
//   the others         no operand bytes
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
};

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

/// Bytes that decode_sequence(…, limits) maps back to `sequence`, exactly when
/// the sequence is in the decoder's ranges: every op in its allowed place,
/// fields the kind does not use at their defaults, thread < threads, job <
/// jobs, ctx < ctxs (and >= -1 for Start, >= 0 otherwise), key < kMaxKeys,
/// fd 0..kDecodeMaxFd, init_thread values 0..kDecodeMaxPoolSize,
/// set_mem_functions value in kDecodeStackSizes, set_callback value 0/1,
/// set_status/return values kDecodeSmallMin..kDecodeSmallMax (Start's arg may
/// be any long), at most max_driver_ops driver ops and max_body_ops ops per
/// body. Otherwise the result is not exact (it still decodes to a well-formed
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
