// Counting replacements of the global operator new/delete (counting_new.cpp),
// linked into the test executables that count the library's heap blocks:
// the reference allocates its job objects, argument copies and wait-ctx
// entries through operator new.
#pragma once

namespace asyncref_test {

/// Blocks from operator new (any form) not yet deleted.
long LiveNews() noexcept;
/// Blocks from operator new (any form) so far, deleted or not.
long TotalNews() noexcept;

}  // namespace asyncref_test
