// The loader's isolation checks: a process that loads an implementation
// holds no other copy of it and no libcrypto or libssl of its own, so every
// verdict is the implementation's.
#include <dlfcn.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "asyncconf/harness/async_api.hpp"
#include "asyncconf/harness/mapped_objects.hpp"

namespace asyncconf::harness {
namespace {

namespace fs = std::filesystem;

constexpr const char* kReference = ASYNCCONF_TEST_REFERENCE;
constexpr const char* kOpenSsl = ASYNCCONF_TEST_OPENSSL;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A byte-for-byte copy of a library in a folder of its own.
class CopiedLibrary : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("asyncconf-isolation-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    copy_ = dir_ / "libcrypto.so.3";
    fs::copy_file(kOpenSsl, copy_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
  fs::path copy_;
};

TEST(ElfSoname, ReadsItFromTheFile) {
  EXPECT_EQ(elf_soname(kOpenSsl), std::optional<std::string>("libcrypto.so.3"));
  const std::optional<std::string> reference = elf_soname(kReference);
  ASSERT_TRUE(reference.has_value());
  EXPECT_TRUE(contains(*reference, "libasyncref.so")) << *reference;
}

TEST(ElfSoname, NothingForAFileThatIsNotElf) {
  const fs::path text = fs::path(::testing::TempDir()) / ("not-elf-" + std::to_string(::getpid()));
  std::ofstream(text) << "not an ELF file\n";
  EXPECT_FALSE(elf_soname(text).has_value());
  fs::remove(text);
  EXPECT_FALSE(elf_soname("/nonexistent/libnothing.so").has_value());
}

TEST(MappedObjects, IncludeTheExecutableAndLibc) {
  const std::vector<MappedObject> objects = mapped_objects();
  ASSERT_FALSE(objects.empty());
  EXPECT_TRUE(fs::equivalent(objects.front().path, "/proc/self/exe")) << objects.front().path;
  bool libc = false;
  for (const MappedObject& o : objects) libc = libc || o.soname == std::optional<std::string>("libc.so.6");
  EXPECT_TRUE(libc);
}

TEST_F(CopiedLibrary, LoadsAloneAndIsItsOwnImplementation) {
  const LoadResult result = LoadedImpl::load(copy_.string());
  ASSERT_TRUE(result.ok()) << result.error().message;
  const std::optional<MappedObject> owner =
      object_containing(reinterpret_cast<const void*>(result.impl().api().ASYNC_start_job));
  ASSERT_TRUE(owner.has_value());
  EXPECT_TRUE(fs::equivalent(owner->path, copy_));
}

TEST_F(CopiedLibrary, IsRefusedBesideTheSystemOneNamingBothPaths) {
  const LoadResult system = LoadedImpl::load(kOpenSsl);
  ASSERT_TRUE(system.ok()) << system.error().message;
  const LoadResult copy = LoadedImpl::load(copy_.string());
  ASSERT_FALSE(copy.ok());
  EXPECT_EQ(copy.error().kind, LoadError::Kind::NotIsolated);
  EXPECT_TRUE(contains(copy.error().message, copy_.string())) << copy.error().message;
  EXPECT_TRUE(contains(copy.error().message, system.impl().path())) << copy.error().message;
}

TEST_F(CopiedLibrary, TheSameFileTwiceIsOneObjectAndAllowed) {
  const LoadResult first = LoadedImpl::load(copy_.string());
  const LoadResult second = LoadedImpl::load(copy_.string());
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_TRUE(second.ok()) << second.error().message;
}

// What the harness did before: libcrypto in the process's global scope.
TEST_F(CopiedLibrary, IsRefusedWhenALibcryptoIsAlreadyGlobal) {
  ASSERT_NE(dlopen(kOpenSsl, RTLD_NOW | RTLD_GLOBAL), nullptr) << dlerror();
  const LoadResult copy = LoadedImpl::load(copy_.string());
  ASSERT_FALSE(copy.ok());
  EXPECT_EQ(copy.error().kind, LoadError::Kind::NotIsolated);
}

TEST(Isolation, AnImplementationBesideAForeignLibcryptoIsRefused) {
  void* foreign = dlopen(kOpenSsl, RTLD_NOW | RTLD_GLOBAL);
  ASSERT_NE(foreign, nullptr) << dlerror();
  const LoadResult reference = LoadedImpl::load(kReference);
  ASSERT_FALSE(reference.ok());
  EXPECT_EQ(reference.error().kind, LoadError::Kind::NotIsolated);
  EXPECT_TRUE(contains(reference.error().message, "libcrypto.so.3")) << reference.error().message;
  EXPECT_TRUE(contains(reference.error().message, kReference)) << reference.error().message;
}

TEST(Isolation, AGlobalDefinitionOfAnAsyncFunctionIsRefused) {
  // The reference in the global scope: a second implementation's own calls
  // to ASYNC_* could bind there.
  ASSERT_NE(dlopen(kReference, RTLD_NOW | RTLD_GLOBAL), nullptr) << dlerror();
  const LoadResult openssl = LoadedImpl::load(kOpenSsl);
  ASSERT_FALSE(openssl.ok());
  EXPECT_EQ(openssl.error().kind, LoadError::Kind::NotIsolated);
  EXPECT_TRUE(contains(openssl.error().message, "global scope")) << openssl.error().message;
}

TEST(Isolation, TwoDifferentImplementationsLoadSideBySide) {
  // What diff does: each was brought in by a load, neither is global.
  const LoadResult openssl = LoadedImpl::load_system("libcrypto.so.3");
  const LoadResult reference = LoadedImpl::load(kReference);
  ASSERT_TRUE(openssl.ok()) << openssl.error().message;
  ASSERT_TRUE(reference.ok()) << reference.error().message;
}

}  // namespace
}  // namespace asyncconf::harness
