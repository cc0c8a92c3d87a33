#include "asyncconf/harness/async_api.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace asyncconf::harness {
namespace {

constexpr const char* kReference = ASYNCCONF_TEST_REFERENCE;
constexpr const char* kOpenSsl = ASYNCCONF_TEST_OPENSSL;
constexpr const char* kNotAsync = ASYNCCONF_TEST_NOT_ASYNC;
// The system library matches the headers we build against.
constexpr bool kOpenSslHasMemFunctions = OPENSSL_VERSION_NUMBER >= 0x30200000L;

std::size_t count_present(const AsyncApi& api) {
  std::size_t n = 0;
#define ASYNCCONF_SYMBOL(name, major, minor) n += api.name != nullptr ? 1 : 0;
#include "asyncconf/async_symbols.def"
#undef ASYNCCONF_SYMBOL
  return n;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(AsyncApiLoad, ReferenceHasEveryFunction) {
  const LoadResult result = LoadedImpl::load(kReference);
  ASSERT_TRUE(result.ok()) << result.error().message;
  const LoadedImpl& impl = result.impl();
  EXPECT_EQ(kAsyncSymbolCount, 22u);
  EXPECT_EQ(count_present(impl.api()), kAsyncSymbolCount);
  EXPECT_TRUE(impl.api().has_callbacks);
  EXPECT_TRUE(impl.api().has_mem_functions);
  EXPECT_TRUE(impl.missing_optional().empty());
  EXPECT_EQ(impl.path(), kReference);
}

TEST(AsyncApiLoad, SystemOpenSslHasCallbacks) {
  const LoadResult result = LoadedImpl::load(kOpenSsl);
  ASSERT_TRUE(result.ok()) << result.error().message;
  const AsyncApi& api = result.impl().api();
  EXPECT_TRUE(api.has_callbacks);
  if (kOpenSslHasMemFunctions) {
    EXPECT_EQ(count_present(api), 22u);
    EXPECT_TRUE(api.has_mem_functions);
  } else {
    EXPECT_EQ(count_present(api), 20u);
    EXPECT_FALSE(api.has_mem_functions);
    EXPECT_EQ(result.impl().missing_optional(),
              (std::vector<std::string>{"ASYNC_set_mem_functions", "ASYNC_get_mem_functions"}));
  }
}

TEST(AsyncApiLoad, SymbolsStayOutOfTheGlobalScope) {
  const LoadResult result = LoadedImpl::load(kReference);
  ASSERT_TRUE(result.ok()) << result.error().message;
  // The global scope may hold libcrypto's ASYNC_start_job (the harness links
  // libcrypto), but never the reference's.
  EXPECT_NE(dlsym(RTLD_DEFAULT, "ASYNC_start_job"),
            reinterpret_cast<void*>(result.impl().api().ASYNC_start_job));
}

TEST(AsyncApiLoad, TableStaysPutWhenMoved) {
  LoadResult result = LoadedImpl::load(kReference);
  ASSERT_TRUE(result.ok()) << result.error().message;
  const AsyncApi* table = &result.impl().api();
  const LoadedImpl moved = std::move(result).impl();
  EXPECT_EQ(&moved.api(), table);
}

TEST(AsyncApiLoad, MissingFileIsFileNotFound) {
  const std::string path = "/nonexistent/asyncconf/libasync.so";
  const LoadResult result = LoadedImpl::load(path);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, LoadError::Kind::FileNotFound);
  EXPECT_TRUE(contains(result.error().message, path)) << result.error().message;
}

TEST(AsyncApiLoad, BareNameIsNotLookedUpOnTheLibraryPath) {
  const LoadResult result = LoadedImpl::load("libc.so.6");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, LoadError::Kind::FileNotFound);
}

TEST(AsyncApiLoad, LibraryWithoutTheAbiIsMissingSymbols) {
  const LoadResult result = LoadedImpl::load(kNotAsync);
  ASSERT_FALSE(result.ok());
  const LoadError& error = result.error();
  EXPECT_EQ(error.kind, LoadError::Kind::MissingSymbols);
  EXPECT_TRUE(contains(error.message, "ASYNC_start_job")) << error.message;
  EXPECT_TRUE(contains(error.message, "ASYNC_WAIT_CTX_clear_fd")) << error.message;
  // Only the required functions are listed.
  EXPECT_FALSE(contains(error.message, "ASYNC_WAIT_CTX_set_callback")) << error.message;
  EXPECT_FALSE(contains(error.message, "ASYNC_set_mem_functions")) << error.message;
}

TEST(AsyncApiLoad, TextFileIsNotLoadable) {
  const std::string path =
      testing::TempDir() + "asyncconf_not_elf_" + std::to_string(getpid()) + ".so";
  std::ofstream(path) << "not a shared object\n";
  const LoadResult result = LoadedImpl::load(path);
  std::remove(path.c_str());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, LoadError::Kind::NotLoadable);
  EXPECT_TRUE(contains(result.error().message, path)) << result.error().message;
}

// Job arguments are copied by the implementation: the body reaches the
// table and the test's counter through pointers.
struct Progress {
  const AsyncApi* api;
  int* steps;
};

int pause_once(void* arg) {
  const Progress& progress = *static_cast<const Progress*>(arg);
  ++*progress.steps;
  if (progress.api->ASYNC_get_current_job() == nullptr) return -2;
  if (progress.api->ASYNC_pause_job() != 1) return -1;
  ++*progress.steps;
  return 42;
}

void run_one_job(const AsyncApi& api) {
  ASYNC_WAIT_CTX* ctx = api.ASYNC_WAIT_CTX_new();
  ASSERT_NE(ctx, nullptr);
  int steps = 0;
  Progress progress{&api, &steps};
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  ASSERT_EQ(api.ASYNC_start_job(&job, ctx, &ret, pause_once, &progress, sizeof progress),
            ASYNC_PAUSE);
  EXPECT_NE(job, nullptr);
  EXPECT_EQ(steps, 1);
  EXPECT_EQ(api.ASYNC_get_current_job(), nullptr);
  ASSERT_EQ(api.ASYNC_start_job(&job, ctx, &ret, pause_once, &progress, sizeof progress),
            ASYNC_FINISH);
  EXPECT_EQ(ret, 42);
  EXPECT_EQ(job, nullptr);
  EXPECT_EQ(steps, 2);
  api.ASYNC_WAIT_CTX_free(ctx);
  api.ASYNC_cleanup_thread();
}

TEST(AsyncApiJob, RunsOnTheReference) {
  const LoadResult result = LoadedImpl::load(kReference);
  ASSERT_TRUE(result.ok()) << result.error().message;
  run_one_job(result.impl().api());
}

TEST(AsyncApiJob, RunsOnSystemOpenSsl) {
  const LoadResult result = LoadedImpl::load(kOpenSsl);
  ASSERT_TRUE(result.ok()) << result.error().message;
  run_one_job(result.impl().api());
}

TEST(AsyncApiJob, BothRunInOneProcess) {
  const LoadResult reference = LoadedImpl::load(kReference);
  const LoadResult openssl = LoadedImpl::load(kOpenSsl);
  ASSERT_TRUE(reference.ok()) << reference.error().message;
  ASSERT_TRUE(openssl.ok()) << openssl.error().message;
  run_one_job(reference.impl().api());
  run_one_job(openssl.impl().api());
}

}  // namespace
}  // namespace asyncconf::harness
