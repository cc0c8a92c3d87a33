// libFuzzer's mutation hooks for the targets whose input is an op sequence
// (linked into those targets in the fuzz build only): mutations on ops,
// most of them meaningful, with libFuzzer's byte mutations now and then.
#include <cstddef>
#include <cstdint>

#include "asyncconf/fuzz/op_mutator.hpp"

extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size);

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size, std::size_t max_size,
                                               unsigned int seed) {
  return asyncconf::fuzz::mutate_ops(data, size, max_size, seed, LLVMFuzzerMutate);
}

extern "C" std::size_t LLVMFuzzerCustomCrossOver(const std::uint8_t* data1, std::size_t size1,
                                                 const std::uint8_t* data2, std::size_t size2, std::uint8_t* out,
                                                 std::size_t max_out_size, unsigned int seed) {
  return asyncconf::fuzz::cross_over(data1, size1, data2, size2, out, max_out_size, seed);
}
