// fuzz_seq_text: the .seq parser and printer (fuzz/include/asyncconf/fuzz/inputs.hpp).
#include <cstddef>
#include <cstdint>

#include "asyncconf/fuzz/inputs.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return asyncconf::fuzz::check_seq_text(data, size);
}
