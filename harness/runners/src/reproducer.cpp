// The C reproducer generator. The program it writes mirrors the interpreter
// op for op (the same calls, the same observation fields, the same names for
// pointers; each op's run and its C sit side by side in its home,
// harness/ops/), so that a violation the harness saw shows up the same way in a
// plain C program a maintainer can build without the harness.
//
// Where it lives: reproducer_writer.cpp writes what depends on the plan,
// reproducer/runtime.c holds the C that is the same in every program (embedded
// at build time, reproducer_runtime.cpp cuts it into parts), c_text.cpp the
// C literal and comment helpers.
#include "asyncconf/harness/reproducer.hpp"

#include <stdexcept>

#include "reproducer_writer.hpp"

namespace asyncconf::harness {

std::string write_c_reproducer(const ReproducerInput& input) {
  if (input.sequence == nullptr || input.plan == nullptr) {
    throw std::invalid_argument("write_c_reproducer: sequence and plan must be set");
  }
  return repro::write_program(input);
}

}  // namespace asyncconf::harness
