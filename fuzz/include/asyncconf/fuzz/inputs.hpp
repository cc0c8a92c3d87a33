// One fuzz input, judged: what each target's LLVMFuzzerTestOneInput does.
// Each returns 0 when the input is fine; on a finding it prints the input as
// a `.seq` sequence (or text), the requirement and the difference on stderr
// and aborts, which libFuzzer and the replay program report as a crash.
// Each input is judged alone: a plan's threads exit at its end, or it runs
// on the fuzzer's thread and ends with ASYNC_cleanup_thread.
#pragma once

#include <cstddef>
#include <cstdint>

#include "asyncconf/harness/sequence.hpp"

namespace asyncconf::fuzz {

/// fuzz_sequence: bytes -> sequence -> run against ASYNCCONF_IMPL, every
/// observation and leak checked by the model at ASYNCCONF_LEVEL.
int check_sequence(const std::uint8_t* data, std::size_t size);

/// fuzz_differential: the same sequence on ASYNCCONF_IMPL and
/// ASYNCCONF_IMPL2, the ops the model keeps at ASYNCCONF_LEVEL; a finding
/// is a field the level fixes on which the two disagree.
int check_differential(const std::uint8_t* data, std::size_t size);

/// fuzz_wait_ctx: as fuzz_sequence, with only the ASYNC_WAIT_CTX ops and
/// the starts, resumes and pauses that move fds across pauses.
int check_wait_ctx(const std::uint8_t* data, std::size_t size);

/// fuzz_seq_text: the `.seq` parser and printer. Text that parses prints,
/// re-parses to the same sequence and prints the same; text that does not
/// is a ParseError with a line and column inside the text.
int check_seq_text(const std::uint8_t* data, std::size_t size);

}  // namespace asyncconf::fuzz
