// The interpreter against the reference: it agrees with the model, a
// prediction that is wrong is caught at the right observation, and sessions
// run op by op (explorer_test has the system OpenSSL). ctest runs each test
// in its own process, so each starts with a fresh ASYNC state.
#include "asyncconf/harness/interpreter.hpp"

#include <gtest/gtest.h>
#include <openssl/async.h>

#include <string>

#include "asyncconf/harness/generator.hpp"
#include "asyncconf/harness/sequence_text.hpp"
#include "asyncconf/harness/trace.hpp"
#include "run_generated.hpp"

namespace asyncconf::harness {
namespace {

const AsyncApi& reference() {
  static LoadResult r = LoadedImpl::load(ASYNCCONF_TEST_REFERENCE);
  return r.impl().api();
}

// Loads, counts stacks, warms up: the state every explore child starts in.
const AsyncApi& ready(const AsyncApi& api) {
  install_counting_stacks(api);
  warm_up(api);
  return api;
}

using harness::testing::On;
using harness::testing::run_generated;

TEST(Interpreter, ReferenceAgreesWithTheModelAtEveryLevel) {
  const AsyncApi& api = ready(reference());
  EXPECT_TRUE(counting_stacks());
  for (const Level level : {Level::Must, Level::DeFacto, Level::Robustness}) {
    EXPECT_EQ(run_generated(api, level, 3, On::OwnThreads, 300, 77), "") << to_string(level);
  }
}

TEST(Interpreter, ReferenceAgreesOnTheCallingThreadToo) {
  const AsyncApi& api = ready(reference());
  EXPECT_EQ(run_generated(api, Level::DeFacto, 1, On::CallingThread, 500, 77), "");
}

TEST(Interpreter, ReferenceAgreesOnKeptThreadsToo) {
  const AsyncApi& api = ready(reference());
  for (const Level level : {Level::Must, Level::Robustness}) {
    EXPECT_EQ(run_generated(api, level, 4, On::KeptThreads, 150, 79), "") << to_string(level);
  }
}

// A run stopped at a difference leaves a job paused and a pool of one on
// kept thread 1; the next run on it starts from fresh thread state.
TEST(Interpreter, AStoppedRunResetsTheKeptThreads) {
  const AsyncApi& api = ready(reference());
  KeptThreads kept;
  InterpreterOptions o{.inline_thread = true, .kept_threads = &kept};
  ModelConfig c = model_config(api, Level::Must);
  c.thread_exits = false;
  const Sequence first = parse_sequence_or_throw("wctx_new w0\nt1: init_thread 1 0\nt1: start j0 w0 { pause }\n");
  Plan stopped = plan(first, c);
  stopped.expected[2].want.rc = ASYNC_FINISH;  // the start pauses
  const RunResult r1 = run_plan(api, stopped, o);
  ASSERT_TRUE(r1.violation()) << format_trace(first, stopped, r1);
  // Two jobs at once: only on a thread whose pool of one is gone.
  const Sequence second = parse_sequence_or_throw("wctx_new w0\nwctx_new w1\nt1: start j0 w0 { pause }\nt1: start j1 w1 { }\n");
  const Plan p = plan(second, c);
  const RunResult r = run_plan(api, p, o);
  EXPECT_EQ(r.mismatch, RunResult::npos) << format_trace(second, p, r);
}

TEST(Interpreter, RecordsWhatTheImplementationDid) {
  const AsyncApi& api = ready(reference());
  const Sequence s = parse_sequence_or_throw(
      "wctx_new w0\nstart j0 w0 arg=41 { set_fd 1 5; set_fd 2 6; pause; check_arg; current_job; return 9 }\n"
      "get_all_fds w0\nresume j0\n");
  const Plan p = plan(s, model_config(api, Level::DeFacto));
  const RunResult r = run_plan(api, p);
  ASSERT_EQ(r.mismatch, RunResult::npos) << format_trace(s, p, r);
  const Observation& all = r.observed[4];
  ASSERT_EQ(all.op, OpKind::GetAllFds);
  EXPECT_EQ(all.list.size, 2);
  EXPECT_EQ(all.list.fd[0], 6);  // newest first
  const Observation& arg = r.observed[6];
  ASSERT_EQ(arg.op, OpKind::CheckArg);
  EXPECT_EQ(arg.extra, 41);  // the copy, not the caller's buffer (scribbled after the start)
  const Observation& finish = r.observed[8];
  EXPECT_EQ(finish.rc, ASYNC_FINISH);
  EXPECT_EQ(finish.ret, 9);
  EXPECT_TRUE(r.observed.back().end);
  EXPECT_EQ(r.observed.back().stacks, 0);
}

TEST(Interpreter, AWrongPredictionStopsTheRunThere) {
  const AsyncApi& api = ready(reference());
  const Sequence s = parse_sequence_or_throw("wctx_new w0\nstart j0 w0 { pause }\nresume j0\nget_status w0\n");
  Plan p = plan(s, model_config(api, Level::Must));
  p.expected[1].want.rc = ASYNC_FINISH;  // the start pauses
  const RunResult r = run_plan(api, p);
  EXPECT_EQ(r.mismatch, 1u);
  EXPECT_TRUE(r.violation());
  EXPECT_EQ(r.difference.field, Field::Rc);
  EXPECT_EQ(r.observed.size(), 2u);  // nothing after the difference
  EXPECT_NE(format_difference(s, p, r).find("START-PAUSE-STARTED-THEN-PAUSED"), std::string::npos);

  InterpreterOptions all;
  all.check = false;
  const RunResult everything = run_plan(api, p, all);
  EXPECT_EQ(everything.mismatch, RunResult::npos);
  EXPECT_EQ(everything.observed.size(), p.expected.size());
}

// A value only a looser level fixes (OpenSSL's *ret on PAUSE, its fd
// order) is noted, and the run's own level is still checked to the end.
TEST(Interpreter, AValueOutsideTheLevelIsNotedAndTheRunGoesOn) {
  const AsyncApi& api = ready(reference());
  const Sequence s = parse_sequence_or_throw("wctx_new w0\nget_status w0\nget_status w0\n");
  Plan p = plan(s, model_config(api, Level::Must));
  p.expected[1].want.rc = 3;
  p.expected[1].check(Field::Rc).level = Level::DeFacto;
  const RunResult noted = run_plan(api, p);
  EXPECT_EQ(noted.looser, 1u);
  EXPECT_EQ(noted.mismatch, RunResult::npos);
  EXPECT_EQ(noted.observed.size(), p.expected.size());
  p.expected[2].want.rc = 3;
  const RunResult r = run_plan(api, p);
  EXPECT_EQ(r.looser, 1u);
  EXPECT_EQ(r.mismatch, 2u);
  EXPECT_TRUE(r.violation());
}

// A different op than predicted, where only a looser level says which: the
// model cannot follow, so the run stops there, inconclusive.
TEST(Interpreter, ADifferentOpOutsideTheLevelIsInconclusive) {
  const AsyncApi& api = ready(reference());
  const Sequence s = parse_sequence_or_throw("wctx_new w0\nget_status w0\n");
  Plan p = plan(s, model_config(api, Level::Must));
  p.expected[1].want.op = OpKind::GetCallback;
  p.expected[1].check(Field::Rc).level = Level::DeFacto;
  const RunResult r = run_plan(api, p);
  EXPECT_EQ(r.mismatch, 1u);
  EXPECT_FALSE(r.violation());
}

TEST(Interpreter, ASessionRunsOneOpAtATime) {
  const AsyncApi& api = ready(reference());
  const Sequence s = parse_sequence_or_throw("wctx_new w0\nstart j0 w0 { pause; pause }\nresume j0\n");
  Session session(api, model_config(api, Level::Must));
  for (const Op& op : s.ops) {
    ASSERT_EQ(session.skip_reason(op), "");
    ASSERT_TRUE(session.run(op));
  }
  EXPECT_EQ(session.result().observed.size(), 4u);  // new, start, j0's pause returns, resume (paused again)
  const RunResult& r = session.finish();
  EXPECT_EQ(r.mismatch, RunResult::npos) << format_trace(s, session.plan(), r);
  EXPECT_TRUE(r.observed.back().end);
}

TEST(Interpreter, StackSizesAskedAreObserved) {
  const AsyncApi& api = ready(reference());
  const Sequence s = parse_sequence_or_throw("init_thread 4 2\n");
  const Plan p = plan(s, model_config(api, Level::Must));
  const RunResult r = run_plan(api, p);
  ASSERT_EQ(r.mismatch, RunResult::npos);
  EXPECT_EQ(r.observed[0].extra, 32768);
  EXPECT_EQ(r.observed[0].stacks, 2);
}

// get_mem_functions sees the counting pair the harness installed, and an
// implementation that reports another pair (here: its defaults again, as one
// that forgot the set would) is caught at that op, at de-facto.
TEST(Interpreter, GetMemFunctionsReportsThePairSet) {
  const AsyncApi& api = ready(reference());
  const Sequence s = parse_sequence_or_throw("get_mem_functions\nstart j0 null { }\nget_mem_functions\n");
  const RunResult r = run_plan(api, plan(s, model_config(api, Level::DeFacto)));
  ASSERT_EQ(r.mismatch, RunResult::npos);
  ASSERT_GE(r.observed.size(), 3u);  // and the teardown's
  EXPECT_EQ(r.observed[2].rc, 1);

  static ASYNC_stack_alloc_fn defaults_alloc = nullptr;
  static ASYNC_stack_free_fn defaults_free = nullptr;
  AsyncApi forgetful = api;
  forgetful.ASYNC_get_mem_functions = [](ASYNC_stack_alloc_fn* a, ASYNC_stack_free_fn* f) {
    if (a != nullptr) *a = defaults_alloc;
    if (f != nullptr) *f = defaults_free;
  };
  defaults_alloc = [](std::size_t*) -> void* { return nullptr; };
  defaults_free = [](void*) {};
  const RunResult bad = run_plan(forgetful, plan(s, model_config(api, Level::DeFacto)));
  EXPECT_EQ(bad.mismatch, 0u);
  EXPECT_TRUE(bad.enforced);
  EXPECT_STREQ(bad.difference.requirement, "MEM-GET-DEFAULTS-NON-NULL");
}

}  // namespace
}  // namespace asyncconf::harness
