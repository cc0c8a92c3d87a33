// The explorer end to end, and the system OpenSSL against the model: a
// long-lived child finds nothing where there is nothing, and turns a real
// OpenSSL misuse crash into a small sequence. Not under TSan: OpenSSL's
// fibres are not annotated for it.
#include "asyncconf/harness/explorer.hpp"

#include <gtest/gtest.h>

#include "asyncconf/harness/generator.hpp"
#include "asyncconf/harness/sequence_text.hpp"
#include "asyncconf/harness/trace.hpp"
#include "loaded_impls.hpp"
#include "run_generated.hpp"

namespace asyncconf::harness {
namespace {

using testing::openssl;
using testing::reference;

using harness::testing::On;
using harness::testing::run_generated;

TEST(OpenSsl, AgreesWithTheModelAtMustAndDeFacto) {
  const AsyncApi& api = openssl();
  install_counting_stacks(api);
  warm_up(api);
  EXPECT_FALSE(counting_stacks());  // OpenSSL 3.0 has no ASYNC_set_mem_functions
  EXPECT_EQ(run_generated(api, Level::Must, 3, On::OwnThreads, 300, 78), "");
  EXPECT_EQ(run_generated(api, Level::DeFacto, 1, On::CallingThread, 300, 78), "");
}

TEST(Explorer, FindsNothingInTheReference) {
  install_counting_stacks(reference());
  ExploreOptions o;
  o.seed = 3;
  o.sequences = 2000;
  o.threads = 2;
  o.level = Level::Robustness;
  const ExploreResult r = explore(reference(), o);
  EXPECT_FALSE(r.finding.has_value()) << print_sequence(r.finding->shrunk);
  EXPECT_EQ(r.totals.sequences, 2000u);
  EXPECT_GT(r.totals.ops, 2000u * 20);
  EXPECT_EQ(r.children, 1u);
  EXPECT_EQ(r.unattributed_leaks, 0u);
}

// The three misuse crashes of OpenSSL 3.0, each found on its own.
class OpenSslMisuse : public ::testing::TestWithParam<Misuse> {};

TEST_P(OpenSslMisuse, IsFoundAsACrashAndShrunk) {
  ExploreOptions o;
  o.seed = 1;
  o.sequences = 500;
  o.level = Level::Robustness;
  o.misuse = misuse_bit(GetParam());
  const ExploreResult r = explore(openssl(), o);
  ASSERT_TRUE(r.finding.has_value());
  const Finding& f = *r.finding;
  EXPECT_EQ(f.kind, IsolatedOutcome::Kind::Crash);
  EXPECT_TRUE(f.reproduced_alone);
  EXPECT_LE(op_count(f.shrunk), 5u) << print_sequence(f.shrunk);
  EXPECT_EQ(plan(f.shrunk, f.config).misuse, misuse_bit(GetParam())) << print_sequence(f.shrunk);
  // The shrunk sequence crashes on its own, again.
  EXPECT_EQ(run_isolated(openssl(), f.shrunk, Level::Robustness, o.timeout, &f.config).kind,
            IsolatedOutcome::Kind::Crash);
}

INSTANTIATE_TEST_SUITE_P(Crashes, OpenSslMisuse,
                         ::testing::Values(Misuse::NestedStart, Misuse::NullWaitCtx, Misuse::StaleHandle),
                         [](const auto& info) {
                           std::string name = to_string(info.param);
                           std::erase(name, '-');
                           return name;
                         });

TEST(Explorer, ProbesWhichAllowedAnswerAnImplementationGives) {
  EXPECT_TRUE(probe_behaviour(openssl(), std::chrono::seconds(5)).null_ctx_pauses);
  const Behaviour ref = probe_behaviour(reference(), std::chrono::seconds(5));
  EXPECT_TRUE(ref.probed);
  EXPECT_FALSE(ref.null_ctx_pauses);
}

TEST(Explorer, RunIsolatedTellsPassFromCrash) {
  const Sequence ok = parse_sequence_or_throw("wctx_new w0\nstart j0 w0 { pause }\nresume j0\n");
  EXPECT_EQ(run_isolated(openssl(), ok, Level::Must, std::chrono::seconds(5)).kind, IsolatedOutcome::Kind::Pass);
  const Sequence stale = parse_sequence_or_throw("start j0 null { current_job }\nresume j0\nstart j1 null { }\nstart j2 null { }\n");
  const IsolatedOutcome crash = run_isolated(openssl(), stale, Level::Robustness, std::chrono::seconds(5));
  EXPECT_NE(crash.kind, IsolatedOutcome::Kind::Pass);
}

TEST(Explorer, DiffFindsNoDisagreementBetweenReferenceAndOpenSslAtMust) {
  DiffOptions o;
  o.sequences = 40;
  const DiffResult r = diff(reference(), openssl(), o);
  EXPECT_FALSE(r.disagreement.has_value()) << print_sequence(r.disagreement->sequence);
  EXPECT_EQ(r.sequences, 40u);
}

TEST(Explorer, DiffFindsTheRobustnessDifference) {
  DiffOptions o;
  o.sequences = 200;
  o.level = Level::Robustness;
  const DiffResult r = diff(reference(), openssl(), o);
  ASSERT_TRUE(r.disagreement.has_value());
  EXPECT_LE(op_count(r.disagreement->sequence), 8u) << print_sequence(r.disagreement->sequence);
}

}  // namespace
}  // namespace asyncconf::harness
