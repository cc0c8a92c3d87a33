#include "asyncconf/harness/identity.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

namespace asyncconf::harness {
namespace {

TEST(IdentityTest, ReferenceHasTheWholeAbiAndNoOpenSslVersion) {
  auto loaded = LoadedImpl::load(ASYNCCONF_TEST_REFERENCE);
  ASSERT_TRUE(loaded.ok());
  const Identity id = identify(loaded.impl());
  EXPECT_EQ(id.abi_level, AbiLevel::OpenSsl32);
  EXPECT_STREQ(to_string(id.abi_level), "3.2");
  EXPECT_EQ(id.version, "");
  EXPECT_EQ(id.capabilities, (std::vector<std::string>{"callbacks", "mem-functions"}));
  EXPECT_TRUE(id.missing_optional.empty());
  EXPECT_EQ(id.sha256.size(), 64u);
}

TEST(IdentityTest, SystemOpenSslIsA30LevelWithItsVersion) {
  auto loaded = LoadedImpl::load_system("libcrypto.so.3");
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  const Identity id = identify(loaded.impl());
  EXPECT_EQ(id.abi_level, AbiLevel::OpenSsl30);
  EXPECT_EQ(id.version.rfind("OpenSSL 3.0.", 0), 0u) << id.version;
  EXPECT_EQ(std::filesystem::canonical(id.path), std::filesystem::canonical(ASYNCCONF_TEST_OPENSSL));
  EXPECT_EQ(id.capabilities, (std::vector<std::string>{"callbacks"}));
}

TEST(IdentityTest, Sha256OfAKnownFile) {
  const std::string path = testing::TempDir() + "/asyncconf-sha-test";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::fputs("abc", f);
  std::fclose(f);
  EXPECT_EQ(sha256_of_file(path),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  std::remove(path.c_str());
  EXPECT_EQ(sha256_of_file(path), "");
}

TEST(IdentityTest, UnknownSonameIsFileNotFound) {
  auto loaded = LoadedImpl::load_system("libasyncconf-does-not-exist.so.9");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().kind, LoadError::Kind::FileNotFound);
}

}  // namespace
}  // namespace asyncconf::harness
