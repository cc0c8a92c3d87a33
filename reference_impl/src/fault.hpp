// Deliberate faults for libasyncref-faulty.so, the broken variants that prove
// the conformance suite catches bugs. Each fault breaks one rule (its rule is
// the third column of faults.def) at a marked site:
//
//   if (fault_active(Fault::FinishKeepsJob)) ...
//
// In libasyncref.so (ASYNCREF_WITH_FAULTS undefined) fault_active() is a
// compile-time false, so every site compiles away and the library is unchanged.
// In libasyncref-faulty.so (fault.cpp) it names at most one fault, read once
// from the environment variable ASYNCREF_FAULT at the first use.
#pragma once

#include <cstddef>
#include <span>

namespace asyncconf::ref {

/// One enumerator per line of faults.def; the rule each breaks is written there.
enum class Fault {
#define ASYNCREF_FAULT(id, name, rule) id,
#include "faults.def"
#undef ASYNCREF_FAULT
};

struct FaultInfo {
  Fault fault;
  const char* name;  // the value of ASYNCREF_FAULT that selects it
  const char* rule;  // the rule it breaks
};

inline constexpr FaultInfo kFaults[] = {
#define ASYNCREF_FAULT(id, name, rule) {Fault::id, name, rule},
#include "faults.def"
#undef ASYNCREF_FAULT
};

/// Every fault, in faults.def order (enumerator i is entry i).
constexpr std::span<const FaultInfo> all_faults() noexcept { return kFaults; }

/// The environment variable that selects a fault in libasyncref-faulty.so.
inline constexpr const char* kFaultEnv = "ASYNCREF_FAULT";

#ifdef ASYNCREF_WITH_FAULTS
/// Whether `f` is the fault named by ASYNCREF_FAULT. The first call reads the
/// variable; an unknown name aborts the process with the list of valid ones.
bool fault_active(Fault f) noexcept;
#else
// consteval (a constexpr function that is evaluated at compile time only):
// each site's condition is the constant false even in unoptimised builds, and
// no fault_active symbol is ever emitted.
consteval bool fault_active(Fault) noexcept { return false; }
#endif

}  // namespace asyncconf::ref
