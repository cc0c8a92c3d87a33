#include "asyncconf/accel/config.hpp"

#include <gtest/gtest.h>

#include <string>

namespace asyncconf::accel {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(DeviceConfigTest, EmptyTextGivesTheDefaults) {
  const Parsed<DeviceConfig> p = parse_device_config("");
  ASSERT_TRUE(p.ok()) << p.error();
  EXPECT_EQ(to_string(p.value()), to_string(DeviceConfig{}));
  EXPECT_EQ(to_string(DeviceConfig{}),
            "queue_depth=64;workers=1;latency=fixed:100us;notify=fd;poll_interval=0;ring_full=retry;"
            "retry_limit=8;late_by=10ms;give_up_after=5s;fd_floor=0;faults=none;seed=0");
}

TEST(DeviceConfigTest, ReadsEveryKey) {
  const Parsed<DeviceConfig> p = parse_device_config(
      " queue_depth=4 ; workers=3;latency=uniform:50us..150us;notify=poll;poll_interval=2ms;"
      "ring_full=block;retry_limit=0;late_by=1s;give_up_after=250ms;fd_floor=600;faults=lost=0.5,error=every:2;seed=0x10;");
  ASSERT_TRUE(p.ok()) << p.error();
  const DeviceConfig& c = p.value();
  EXPECT_EQ(c.queue_depth, 4u);
  EXPECT_EQ(c.workers, 3u);
  EXPECT_TRUE(c.latency == LatencyModel::uniform(microseconds{50}, microseconds{150}));
  EXPECT_EQ(c.notify, NotifyMode::Poll);
  EXPECT_EQ(c.poll_interval, milliseconds{2});
  EXPECT_EQ(c.ring_full, RingFullPolicy::Block);
  EXPECT_EQ(c.retry_limit, 0u);
  EXPECT_EQ(c.late_by, seconds{1});
  EXPECT_EQ(c.give_up_after, milliseconds{250});
  EXPECT_EQ(c.fd_floor, 600);
  EXPECT_EQ(c.faults.rule(Fault::LostCompletion).rate, 0.5);
  EXPECT_EQ(c.faults.rule(Fault::ErrorResult).every_nth, 2u);
  EXPECT_EQ(c.seed, 16u);
}

TEST(DeviceConfigTest, SeedKeySeedsTheFaultsInEitherOrder) {
  for (const char* text : {"seed=7;faults=lost=0.5", "faults=lost=0.5;seed=7"}) {
    SCOPED_TRACE(text);
    const Parsed<DeviceConfig> p = parse_device_config(text);
    ASSERT_TRUE(p.ok()) << p.error();
    EXPECT_EQ(p.value().faults.seed, 7u);
  }
}

TEST(DeviceConfigTest, BadValuesAreErrorsNamingTheKey) {
  const struct {
    const char* text;
    const char* says;
  } kTests[] = {
      {"queue_depth=0", "key 'queue_depth': expected a number in 1..65536, got 0"},
      {"queue_depth=x", "key 'queue_depth': expected a whole number"},
      {"workers=257", "key 'workers': expected a number in 1..256"},
      {"latency=fast", "key 'latency': latency 'fast'"},
      {"notify=signal", "key 'notify': expected one of fd, callback, poll, got 'signal'"},
      {"poll_interval=5", "key 'poll_interval': expected a duration"},
      {"ring_full=drop", "key 'ring_full': expected one of retry, block, fail"},
      {"retry_limit=-1", "key 'retry_limit': expected a whole number"},
      {"late_by=soon", "key 'late_by': expected a duration"},
      {"give_up_after=0", "key 'give_up_after': expected a duration > 0"},
      {"faults=lost", "key 'faults': fault rule 'lost'"},
      {"seed=abc", "key 'seed': expected a whole number"},
  };
  for (const auto& t : kTests) {
    SCOPED_TRACE(t.text);
    const Parsed<DeviceConfig> p = parse_device_config(t.text);
    ASSERT_FALSE(p.ok());
    EXPECT_NE(p.error().find(t.says), std::string::npos) << p.error();
  }
}

TEST(DeviceConfigTest, UnknownKeyIsAnErrorListingTheKnownOnes) {
  const Parsed<DeviceConfig> p = parse_device_config("workers=2;depth=4");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().find("unknown key 'depth' (known: queue_depth, workers, latency, notify, poll_interval, "
                           "ring_full, retry_limit, late_by, give_up_after, fd_floor, faults, seed)"),
            std::string::npos)
      << p.error();
}

TEST(DeviceConfigTest, RepeatedKeyIsAnError) {
  const Parsed<DeviceConfig> p = parse_device_config("workers=2;workers=3");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().find("key 'workers' given twice"), std::string::npos) << p.error();
}

TEST(DeviceConfigTest, PairWithoutEqualsIsAnError) {
  const Parsed<DeviceConfig> p = parse_device_config("workers=2;fast");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().find("expected key=value, got 'fast'"), std::string::npos) << p.error();
}

TEST(DeviceConfigTest, TextAppliesOnTopOfABase) {
  DeviceConfig base;
  base.workers = 4;
  base.notify = NotifyMode::Callback;
  const Parsed<DeviceConfig> p = parse_device_config("notify=fd", base);
  ASSERT_TRUE(p.ok()) << p.error();
  EXPECT_EQ(p.value().workers, 4u);
  EXPECT_EQ(p.value().notify, NotifyMode::Fd);
}

TEST(DeviceConfigTest, ToStringReadsBackAsTheSameConfig) {
  const char* text =
      "queue_depth=2;workers=5;latency=bimodal:100us,5ms,0.01;notify=callback;poll_interval=1ms;ring_full=fail;"
      "retry_limit=3;late_by=20ms;give_up_after=1s;fd_floor=512;faults=lost=0.25,duplicate=every:10;seed=9";
  const Parsed<DeviceConfig> p = parse_device_config(text);
  ASSERT_TRUE(p.ok()) << p.error();
  EXPECT_EQ(to_string(p.value()), text);
}

}  // namespace
}  // namespace asyncconf::accel
