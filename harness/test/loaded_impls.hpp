// The two implementations the harness tests run against, loaded once per
// test process (each test is a process of its own under ctest).
#pragma once

#include <gtest/gtest.h>

#include "asyncconf/harness/async_api.hpp"

namespace asyncconf::harness::testing {

inline const AsyncApi& reference() {
  static LoadResult r = LoadedImpl::load(ASYNCCONF_TEST_REFERENCE);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.impl().api();
}

inline const AsyncApi& openssl() {
  static LoadResult r = LoadedImpl::load_system("libcrypto.so.3");
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.impl().api();
}

}  // namespace asyncconf::harness::testing
