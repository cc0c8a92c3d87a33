// fault_active() of libasyncref-faulty.so (compiled into that library only).
#include "fault.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#ifndef ASYNCREF_WITH_FAULTS
#error "fault.cpp belongs to libasyncref-faulty.so only (ASYNCREF_WITH_FAULTS)"
#endif

namespace asyncconf::ref {

namespace {

constexpr int kNoFault = -1;

// The index of the fault ASYNCREF_FAULT names; kNoFault when it is unset or
// empty. A name that is not in faults.def must not quietly run the correct
// library: it aborts.
int read_fault_env() noexcept {
  const char* value = std::getenv(kFaultEnv);
  if (value == nullptr || *value == '\0') return kNoFault;
  for (std::size_t i = 0; i < all_faults().size(); ++i) {
    if (std::strcmp(value, all_faults()[i].name) == 0) return static_cast<int>(i);
  }
  std::fprintf(stderr, "libasyncref-faulty: unknown %s=\"%s\"; valid names:", kFaultEnv, value);
  for (const FaultInfo& f : all_faults()) std::fprintf(stderr, " %s", f.name);
  std::fprintf(stderr, "\n");
  std::abort();
}

}  // namespace

bool fault_active(Fault f) noexcept {
  static const int active = read_fault_env();
  return active == static_cast<int>(f);
}

}  // namespace asyncconf::ref
