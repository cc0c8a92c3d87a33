// fuzz_differential: the same sequence on ASYNCCONF_IMPL and ASYNCCONF_IMPL2 (fuzz/include/asyncconf/fuzz/inputs.hpp).
#include <cstddef>
#include <cstdint>

#include "asyncconf/fuzz/inputs.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return asyncconf::fuzz::check_differential(data, size);
}
