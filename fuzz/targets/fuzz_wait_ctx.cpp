// fuzz_wait_ctx: the ASYNC_WAIT_CTX ops alone (and the pauses that move fds) (fuzz/include/asyncconf/fuzz/inputs.hpp).
#include <cstddef>
#include <cstdint>

#include "asyncconf/fuzz/inputs.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return asyncconf::fuzz::check_wait_ctx(data, size);
}
