// The C reproducer's runtime (src/reproducer/runtime.c, embedded at build
// time) cut into the named parts the writer copies into each reproducer.
#pragma once

#include <string_view>

namespace asyncconf::harness::repro {

/// runtime.c as it was when the harness was built.
extern const char* const kRuntimeC;

/// The text of part `name` of runtime.c (from the line after its
/// "/*@ part NAME */" marker to the next marker). Throws std::logic_error
/// for a name runtime.c does not have.
std::string_view runtime_part(std::string_view name);

}  // namespace asyncconf::harness::repro
