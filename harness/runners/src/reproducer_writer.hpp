// The C reproducer writer (reproducer_writer.cpp): the whole C file for one
// plan, the runtime parts it needs included.
#pragma once

#include <string>

#include "asyncconf/harness/reproducer.hpp"

namespace asyncconf::harness::repro {

/// The C file for `input` (sequence and plan set).
std::string write_program(const ReproducerInput& input);

}  // namespace asyncconf::harness::repro
