#include "asyncconf/accel/faults.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace asyncconf::accel {
namespace {

std::vector<std::uint64_t> firing_indexes(const FaultPlan& plan, Fault fault, std::uint64_t n) {
  std::vector<std::uint64_t> out;
  for (std::uint64_t i = 0; i < n; ++i) {
    if (plan.fires(fault, i)) out.push_back(i);
  }
  return out;
}

TEST(FaultPlanTest, NamesAreStable) {
  const struct {
    Fault fault;
    const char* name;
  } kTests[] = {
      {Fault::RingFull, "ring_full"},       {Fault::LostCompletion, "lost"},
      {Fault::LateCompletion, "late"},      {Fault::ErrorResult, "error"},
      {Fault::SpuriousWake, "spurious"},    {Fault::DuplicateWake, "duplicate"},
      {Fault::NotifyBeforePublish, "notify_early"}, {Fault::FdCreateFails, "fd_fail"},
      {Fault::SlowPoll, "slow_poll"},
  };
  ASSERT_EQ(std::size(kTests), kFaultCount);
  for (const auto& t : kTests) {
    SCOPED_TRACE(t.name);
    EXPECT_EQ(fault_name(t.fault), t.name);
    EXPECT_EQ(fault_named(t.name), t.fault);
  }
  EXPECT_EQ(fault_named("Lost"), std::nullopt);
}

TEST(FaultPlanTest, NoRuleNeverFires) {
  const FaultPlan plan;
  for (Fault f : kAllFaults) EXPECT_TRUE(firing_indexes(plan, f, 1000).empty()) << fault_name(f);
}

TEST(FaultPlanTest, EveryNthFiresOnExactlyThoseIndexes) {
  FaultPlan plan;
  plan.rule(Fault::DuplicateWake).every_nth = 10;
  EXPECT_EQ(firing_indexes(plan, Fault::DuplicateWake, 45), (std::vector<std::uint64_t>{9, 19, 29, 39}));
}

TEST(FaultPlanTest, FirstKFiresOnExactlyTheFirstK) {
  FaultPlan plan;
  plan.rule(Fault::RingFull).first_k = 3;
  EXPECT_EQ(firing_indexes(plan, Fault::RingFull, 100), (std::vector<std::uint64_t>{0, 1, 2}));
}

TEST(FaultPlanTest, RulesOfOneFaultCombine) {
  FaultPlan plan;
  plan.rule(Fault::LostCompletion).every_nth = 5;
  plan.rule(Fault::LostCompletion).first_k = 2;
  EXPECT_EQ(firing_indexes(plan, Fault::LostCompletion, 12), (std::vector<std::uint64_t>{0, 1, 4, 9}));
}

TEST(FaultPlanTest, RuleOfOneFaultLeavesTheOthersAlone) {
  FaultPlan plan;
  plan.rule(Fault::ErrorResult).rate = 1.0;
  for (Fault f : kAllFaults) {
    EXPECT_EQ(firing_indexes(plan, f, 100).size(), f == Fault::ErrorResult ? 100u : 0u) << fault_name(f);
  }
}

TEST(FaultPlanTest, RateFiresOnAboutThatShare) {
  FaultPlan plan;
  plan.seed = 5;
  plan.rule(Fault::LostCompletion).rate = 0.1;
  EXPECT_NEAR(static_cast<double>(firing_indexes(plan, Fault::LostCompletion, 20'000).size()), 2'000.0, 200.0);
}

TEST(FaultPlanTest, SameSeedGivesTheSameSchedule) {
  FaultPlan a;
  a.seed = 99;
  a.rule(Fault::LateCompletion).rate = 0.3;
  FaultPlan b = a;
  // b is asked in another order: the answers depend on the index only.
  std::vector<std::uint64_t> backwards;
  for (std::uint64_t i = 500; i-- > 0;) {
    if (b.fires(Fault::LateCompletion, i)) backwards.insert(backwards.begin(), i);
  }
  EXPECT_EQ(firing_indexes(a, Fault::LateCompletion, 500), backwards);
}

TEST(FaultPlanTest, DifferentSeedsGiveDifferentSchedules) {
  FaultPlan a;
  a.rule(Fault::LateCompletion).rate = 0.3;
  FaultPlan b = a;
  b.seed = 1;
  EXPECT_NE(firing_indexes(a, Fault::LateCompletion, 500), firing_indexes(b, Fault::LateCompletion, 500));
}

TEST(FaultPlanTest, FaultsWithEqualRatesFireOnDifferentIndexes) {
  FaultPlan plan;
  plan.rule(Fault::LostCompletion).rate = 0.5;
  plan.rule(Fault::DuplicateWake).rate = 0.5;
  EXPECT_NE(firing_indexes(plan, Fault::LostCompletion, 200), firing_indexes(plan, Fault::DuplicateWake, 200));
}

TEST(FaultPlanTest, ParsesRulesOfEveryKind) {
  const Parsed<FaultPlan> p = parse_fault_plan(" lost=0.01, duplicate=every:10,ring_full=first:3,lost=first:1 ", 17);
  ASSERT_TRUE(p.ok()) << p.error();
  const FaultPlan& plan = p.value();
  EXPECT_EQ(plan.seed, 17u);
  EXPECT_EQ(plan.rule(Fault::LostCompletion).rate, 0.01);
  EXPECT_EQ(plan.rule(Fault::LostCompletion).first_k, 1u);
  EXPECT_EQ(plan.rule(Fault::DuplicateWake).every_nth, 10u);
  EXPECT_EQ(plan.rule(Fault::RingFull).first_k, 3u);
  EXPECT_FALSE(plan.rule(Fault::ErrorResult).active());
}

TEST(FaultPlanTest, EmptyAndNoneMeanNoFaults) {
  for (const char* text : {"", "none", "  "}) {
    const Parsed<FaultPlan> p = parse_fault_plan(text);
    ASSERT_TRUE(p.ok()) << p.error();
    for (Fault f : kAllFaults) EXPECT_FALSE(p.value().rule(f).active());
  }
}

TEST(FaultPlanTest, MalformedRulesAreErrorsNamingTheRule) {
  const struct {
    const char* text;
    const char* says;
  } kTests[] = {
      {"lost", "'lost': expected NAME=RATE"},
      {"lostt=0.1", "'lostt=0.1': unknown fault (known: ring_full, lost, late, error, spurious, duplicate, "
                    "notify_early, fd_fail, slow_poll)"},
      {"lost=1.5", "'lost=1.5': expected a rate in [0, 1]"},
      {"lost=every:0", "expected a count >= 1"},
      {"lost=first:x", "expected a count >= 1"},
      {"lost=every:2,lost=every:3", "'lost=every:3': given twice"},
      {"lost=0.1,lost=0.2", "'lost=0.2': rate given twice"},
      {"lost=0.1,", "'': expected NAME=RATE"},
  };
  for (const auto& t : kTests) {
    SCOPED_TRACE(t.text);
    const Parsed<FaultPlan> p = parse_fault_plan(t.text);
    ASSERT_FALSE(p.ok());
    EXPECT_NE(p.error().find(t.says), std::string::npos) << p.error();
  }
}

TEST(FaultPlanTest, ToStringReadsBackAsTheSameRules) {
  const char* text = "ring_full=first:3,lost=0.01,lost=every:7,duplicate=every:10,slow_poll=1";
  const FaultPlan plan = parse_fault_plan(text).value();
  EXPECT_EQ(to_string(plan), text);
  EXPECT_EQ(to_string(FaultPlan{}), "none");
}

}  // namespace
}  // namespace asyncconf::accel
