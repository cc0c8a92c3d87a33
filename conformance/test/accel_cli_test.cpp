// asyncconf accel bench, run as a user would: its usage errors.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli_fixture.hpp"

namespace {

using namespace asyncconf::cli::testing;

class AccelCliTest : public CliFixture {
protected:
  AccelCliTest() : CliFixture("asyncconf-accel-cli") {}
};

TEST_F(AccelCliTest, BadOptionValuesAreExit2WithAMessage) {
  const struct {
    std::vector<std::string> args;
    const char* names;  // what the message must mention
  } kTests[] = {
      {{"accel", "bench", "--mode", "signal"}, "--mode"},
      {{"accel", "bench", "--latency", "fast"}, "--latency"},
      {{"accel", "bench", "--device", "workers=0"}, "workers"},
      {{"accel", "bench", "--in-flight", "0"}, "--in-flight"},
      {{"accel", "bench", "--sweep", "jobs=1,2"}, "--sweep"},
      {{"accel", "bench", "--requests", "10", "--time", "1"}, "--time"},
      {{"accel", "bench", "--impl", "/nonexistent/libnothing.so"}, "/nonexistent/libnothing.so"},
  };
  for (const auto& t : kTests) {
    SCOPED_TRACE(t.args[2]);
    const Result r = run(t.args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find(t.names), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
  }
}

TEST_F(AccelCliTest, AccelAloneNeedsASubcommand) { EXPECT_EQ(run({"accel"}).exit_code, 2); }

}  // namespace
