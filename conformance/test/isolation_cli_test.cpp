// The process that loads an implementation holds no libcrypto but the one
// under test: a byte-for-byte copy of the system libcrypto, loaded by path,
// must get exactly the verdicts of `--impl openssl`, and two copies in one
// process are refused (exit 2, both paths named) instead of judged.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "cli_fixture.hpp"

namespace {

namespace fs = std::filesystem;
using namespace asyncconf::cli::testing;

class IsolationTest : public CliFixture {
protected:
  IsolationTest() : CliFixture("asyncconf-isolation") {}

  void SetUp() override {
    CliFixture::SetUp();
    fs::create_directories(dir_ / "copy");
    copy_ = dir_ / "copy" / "libcrypto.so.3";
    fs::copy_file(ASYNCCONF_TEST_OPENSSL, copy_);
  }

  std::map<std::string, std::string> verdicts(const fs::path& report) {
    const nlohmann::json j = nlohmann::json::parse(read_file(report));
    std::map<std::string, std::string> out;
    for (const auto& c : j.at("cases")) out[c.at("id").get<std::string>()] = c.at("verdict").get<std::string>();
    return out;
  }

  // explore's verdict lines (what it ran and what it found), without the
  // times; the header lines name the implementation and differ by design.
  static std::string verdict_lines(const std::string& out) {
    static const std::regex clock(R"( in [0-9.]+ s \([0-9.]+ ops/s\))");
    std::string kept;
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("  ", 0) == 0 || line.rfind("asyncconf explore", 0) == 0) continue;
      kept += std::regex_replace(line, clock, "") + "\n";
    }
    return kept;
  }

  fs::path copy_;
};

TEST_F(IsolationTest, AsyncconfItselfLinksNoLibcryptoOrLibssl) {
  // The copy would otherwise meet the harness's own libcrypto (issue 8:
  // 93 crashes and 20 failures of 144 that were the harness's).
  const Result r = run({"list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const int rc = std::system(("ldd " + std::string(ASYNCCONF_TEST_CLI) + " > " +
                              (dir_ / "ldd").string() + " 2>&1").c_str());
  ASSERT_EQ(rc, 0);
  const std::string ldd = read_file(dir_ / "ldd");
  EXPECT_FALSE(contains(ldd, "libcrypto")) << ldd;
  EXPECT_FALSE(contains(ldd, "libssl")) << ldd;
}

TEST_F(IsolationTest, CopiedSystemLibcryptoGetsTheVerdictsOfOpenssl) {
  const Result system = run({"run", "--impl", "openssl", "--report-dir", (dir_ / "system").string(), "--quiet"});
  const Result copy = run({"run", "--impl", copy_.string(), "--report-dir", (dir_ / "copy-report").string(), "--quiet"});
  EXPECT_EQ(system.exit_code, 0) << system.out << system.err;
  EXPECT_EQ(copy.exit_code, system.exit_code) << copy.out << copy.err;
  const auto a = verdicts(dir_ / "system" / "report.json");
  const auto b = verdicts(dir_ / "copy-report" / "report.json");
  ASSERT_EQ(a.size(), b.size());
  ASSERT_GT(a.size(), 100u);
  for (const auto& [id, verdict] : a) {
    EXPECT_EQ(b.at(id), verdict) << id;
  }
}

TEST_F(IsolationTest, CopiedSystemLibcryptoExploresAsOpenssl) {
  const std::vector<std::string> common = {"--seed", "7", "--sequences", "300", "--threads", "2", "--quiet"};
  std::vector<std::string> system_args = {"explore", "--impl", "openssl", "--out", (dir_ / "e").string()};
  std::vector<std::string> copy_args = {"explore", "--impl", copy_.string(), "--out", (dir_ / "e").string()};
  system_args.insert(system_args.end(), common.begin(), common.end());
  copy_args.insert(copy_args.end(), common.begin(), common.end());
  const Result system = run(system_args);
  const Result copy = run(copy_args);
  EXPECT_EQ(system.exit_code, 0) << system.out << system.err;
  EXPECT_EQ(copy.exit_code, system.exit_code) << copy.out << copy.err;
  EXPECT_TRUE(contains(system.out, "explored 300 sequences")) << system.out;
  EXPECT_EQ(verdict_lines(copy.out), verdict_lines(system.out));
}

TEST_F(IsolationTest, TwoCopiesInOneProcessAreRefusedNamingBoth) {
  const Result r = run({"diff", "--impl", "openssl", "--impl", copy_.string(), "--sequences", "5",
                        "--out", (dir_ / "d").string(), "--quiet"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, copy_.string())) << r.err;
  // The other path may be spelt through a symlink (/lib vs /usr/lib).
  std::smatch other;
  ASSERT_TRUE(std::regex_search(r.err, other, std::regex(R"(already in this process: (/[^:]+):)"))) << r.err;
  EXPECT_TRUE(fs::equivalent(other[1].str(), ASYNCCONF_TEST_OPENSSL)) << other[1];
}

}  // namespace
