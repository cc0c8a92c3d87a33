// C reproducers: a failing (shrunk) sequence and its plan written out as one
// standalone C file that uses only <openssl/async.h> (and the C library,
// plus pthreads when the plan uses more than one thread), to attach to a bug
// report upstream. The program performs the plan's steps in order, checks
// every observation of the plan where it is made, and prints the first
// violation with its requirement and the man page's words.
//
// What the generated program does, in the interpreter's terms:
//   - each job j<N> is a `static int job_jN(void *args)` whose body is the
//     job's straight-line body ops (those the plan skips are left out);
//   - the observation fields mean what interpreter.cpp records: job handles
//     are named with the interpreter's job_ref rules (`handle_jN`, the
//     `bound` handle of each job), *ret starts at kRetUntouched, keys are the
//     addresses of keys[k], custom data and callback args the same values,
//     the args buffer is scribbled (~value) after ASYNC_start_job returns;
//   - with ModelConfig::counting_stacks, the interpreter's counting stack
//     allocator is installed with ASYNC_set_mem_functions first (OpenSSL
//     3.2+ API, declared by the file itself for 3.0 headers);
//   - the plan's threads are pthreads handing control over with semaphores
//     in plan order (one runs at a time); they exit before the sequence-end
//     check, so per-thread ASYNC state is freed (as in the interpreter, t0 is
//     a pthread too, not main's thread);
//   - a difference in a check of the plan's level (or a stricter one) is a
//     violation: printed on stdout, exit status 1. A difference in a check
//     of a looser level is printed as a "note:" and the program goes on
//     (the harness would call it "not enforced"); `checked_level` in the
//     file says which level is enforced;
//   - heap blocks and fds gained at the end cannot be counted by a plain C
//     program: when the failing observation is the sequence end, the
//     program prints a note pointing at valgrind / -fsanitize=address.
#pragma once

#include <cstddef>
#include <functional>
#include <limits>
#include <string>

#include "asyncconf/harness/model.hpp"
#include "asyncconf/harness/observation.hpp"
#include "asyncconf/harness/sequence.hpp"

namespace asyncconf::harness {

/// The exit statuses of the program (it defines them as EXIT_VIOLATION and
/// EXIT_SETUP_FAILED; 0 is "no violation").
inline constexpr int kReproducerViolation = 1;    ///< a difference at the checked level
inline constexpr int kReproducerSetupFailed = 2;  ///< a thread could not be created

struct ReproducerInput {
  static constexpr std::size_t npos = std::numeric_limits<std::size_t>::max();

  const Sequence* sequence = nullptr;  ///< the (shrunk) failing sequence
  const Plan* plan = nullptr;          ///< plan(*sequence, config)
  /// Index into plan->expected of the observation that differed, or npos (a
  /// crash or a hang: no observation).
  std::size_t failing = npos;
  /// One paragraph for the header comment ("libcrypto.so.3 (OpenSSL 3.0.19)
  /// crashed with SIGSEGV at step 3", or the expected/observed text).
  std::string what_happened;
  /// The implementation's name, shown in the header comment.
  std::string implementation;
  /// The man page's words for a requirement id; may be empty (then only the
  /// ids are printed), and may return an empty string for an unknown id.
  std::function<std::string(const std::string& requirement_id)> requirement_text;
  /// Optional: what the harness observed at `failing` (shown in the header,
  /// e.g. how many heap blocks leaked).
  const Observation* observed = nullptr;
  /// The finding is a crash or a hang: a difference is printed but the
  /// program goes on, so that it reaches the crash (which may come later,
  /// e.g. when a thread's exit frees a pool that a difference corrupted).
  bool keep_going = false;
};

/// The C file (deterministic: the same input gives the same text). Throws
/// std::invalid_argument when sequence or plan is null.
std::string write_c_reproducer(const ReproducerInput& input);

}  // namespace asyncconf::harness
