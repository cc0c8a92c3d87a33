// The global operator new/delete of reference_faults_test count their calls
// (counting_new.cpp).
#pragma once

namespace asyncref_test {

/// Blocks from operator new (any form) not yet deleted.
long LiveNews() noexcept;

}  // namespace asyncref_test
