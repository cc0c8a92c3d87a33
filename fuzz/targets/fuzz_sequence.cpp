// fuzz_sequence: bytes -> sequence -> ASYNCCONF_IMPL, judged by the model at ASYNCCONF_LEVEL (fuzz/include/asyncconf/fuzz/inputs.hpp).
#include <cstddef>
#include <cstdint>

#include "asyncconf/fuzz/inputs.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return asyncconf::fuzz::check_sequence(data, size);
}
