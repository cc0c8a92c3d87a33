// format_trace() and format_difference(): a run as text for people. Most
// runs here are made by hand from the model's own predictions (observed =
// predicted, then one value changed), so each test controls exactly what
// differs; the last ones run the plan against the reference.
#include "asyncconf/harness/trace.hpp"

#include <gtest/gtest.h>
#include <openssl/async.h>

#include <string>
#include <vector>

#include "asyncconf/harness/interpreter.hpp"
#include "asyncconf/harness/sequence_text.hpp"

namespace asyncconf::harness {
namespace {

// op 4 (a stale handle) is skipped below robustness; op 6 runs on t1.
constexpr const char* kText =
    "wctx_new w0\n"
    "start j0 w0 arg=7 { set_fd 1 5; pause; check_arg; return 3 }\n"
    "resume j0\n"
    "resume j0\n"
    "get_all_fds w0\n"
    "t1: get_status w0\n";

ModelConfig config(Level level = Level::Must) {
  ModelConfig c;
  c.level = level;
  c.fresh_process = false;
  return c;
}

struct Case {
  Sequence sequence;
  Plan plan;
};

Case planned(const std::string& text, const ModelConfig& c = config()) {
  Case k{parse_sequence_or_throw(text), {}};
  k.plan = plan(k.sequence, c);
  return k;
}

// A run that saw exactly what the model predicted.
RunResult as_predicted(const Plan& p) {
  RunResult r;
  for (const Expected& e : p.expected) r.observed.push_back(e.want);
  return r;
}

// The run stops at observation `i`, which is `seen` (as the interpreter does
// at a difference its level checks).
RunResult stopped_at(const Plan& p, std::size_t i, const Observation& seen) {
  RunResult r = as_predicted(p);
  r.observed.resize(i);
  r.observed.push_back(seen);
  r.mismatch = i;
  r.difference = compare(p.expected[i], seen);
  r.enforced = r.difference.level <= p.config.level;
  return r;
}

// Index of the first prediction for op `op` (not in a body) of step `step`.
std::size_t index_of(const Plan& p, int step, OpKind op) {
  for (std::size_t i = 0; i < p.expected.size(); ++i) {
    const Observation& w = p.expected[i].want;
    if (w.step == step && w.job < 0 && w.op == op && !w.end) return i;
  }
  ADD_FAILURE() << "no " << op_name(op) << " at step " << step;
  return 0;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t from = 0;
  while (from < text.size()) {
    const std::size_t nl = text.find('\n', from);
    out.push_back(text.substr(from, nl - from));
    if (nl == std::string::npos) break;
    from = nl + 1;
  }
  return out;
}

// The index of the first line that starts with `prefix`, or -1.
int line_starting(const std::vector<std::string>& ls, const std::string& prefix) {
  for (std::size_t i = 0; i < ls.size(); ++i) {
    if (ls[i].rfind(prefix, 0) == 0) return static_cast<int>(i);
  }
  return -1;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

int count(const std::string& text, const std::string& part) {
  int n = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

// --- the trace ---------------------------------------------------------------

TEST(Trace, EachStepIsNamedAsTheSeqTextPrintsItsOp) {
  const Case k = planned(kText);
  const std::string trace = format_trace(k.sequence, k.plan, as_predicted(k.plan));
  const std::vector<std::string> ls = lines(trace);
  // Each driver op that runs, as its .seq line (a start without its body),
  // with its number in the sequence.
  EXPECT_GE(line_starting(ls, "step 0  wctx_new w0   (op 1)"), 0) << trace;
  EXPECT_GE(line_starting(ls, "step 1  start j0 w0 arg=7   (op 2)"), 0) << trace;
  EXPECT_GE(line_starting(ls, "step 2  resume j0   (op 3)"), 0) << trace;
  EXPECT_GE(line_starting(ls, "step 3  get_all_fds w0   (op 5)"), 0) << trace;
  EXPECT_GE(line_starting(ls, "step 4  t1: get_status w0   (op 6)"), 0) << trace;
  // The teardown's own ops, marked, and the sequence-end check.
  EXPECT_GE(line_starting(ls, "step 5  wctx_free w0   (teardown)"), 0) << trace;
  EXPECT_GE(line_starting(ls, "end  sequence end"), 0) << trace;
  // The step lines are the ones step_text gives, which print_op makes.
  for (std::size_t s = 0; s < k.plan.steps.size(); ++s) {
    EXPECT_TRUE(has(trace, "step " + std::to_string(s) + "  " + step_text(k.plan, static_cast<int>(s)) + "\n"));
  }
}

TEST(Trace, BodyOpsAppearUnderTheirStepAsOpsOfTheirJob) {
  const Case k = planned(kText);
  const std::vector<std::string> ls = lines(format_trace(k.sequence, k.plan, as_predicted(k.plan)));
  const int start = line_starting(ls, "step 1 ");
  const int set_fd = line_starting(ls, "  ok      j0: set_fd");
  const int resume = line_starting(ls, "step 2 ");
  const int pause = line_starting(ls, "  ok      j0: pause (returns 1)");
  const int check_arg = line_starting(ls, "  ok      j0: check_arg (returns non-NULL args, arg read 7)");
  ASSERT_GE(set_fd, 0);
  ASSERT_GE(pause, 0);
  ASSERT_GE(check_arg, 0);
  EXPECT_LT(start, set_fd);   // set_fd runs during the start
  EXPECT_LT(resume, pause);   // the pause returns during the resume
  EXPECT_LT(pause, check_arg);
}

TEST(Trace, EveryObservationOfAMatchingRunIsOk) {
  const Case k = planned(kText);
  const RunResult r = as_predicted(k.plan);
  const std::string trace = format_trace(k.sequence, k.plan, r);
  EXPECT_EQ(count(trace, "\n  ok      "), static_cast<int>(r.observed.size())) << trace;
  EXPECT_FALSE(has(trace, "DIFFERS")) << trace;
  EXPECT_FALSE(has(trace, "looser")) << trace;
  EXPECT_FALSE(has(trace, "expected")) << trace;
}

TEST(Trace, ASkippedOpIsListedWithItsReasonWhereItWouldHaveRun) {
  const Case k = planned(kText);
  ASSERT_EQ(k.plan.skipped.size(), 1u);
  const std::string reason = k.plan.skipped[0].reason;
  EXPECT_TRUE(has(reason, "stale handle")) << reason;
  const std::vector<std::string> ls = lines(format_trace(k.sequence, k.plan, as_predicted(k.plan)));
  const int skipped = line_starting(ls, "  skipped op 4: " + reason);
  ASSERT_GE(skipped, 0);
  EXPECT_LT(line_starting(ls, "step 2 "), skipped);  // after op 3
  EXPECT_LT(skipped, line_starting(ls, "step 3 "));  // before op 5
}

TEST(Trace, ASkippedLastOpIsListedToo) {
  const Case k = planned("wctx_new w0\nresume j9\n");
  const std::string trace = format_trace(k.sequence, k.plan, as_predicted(k.plan));
  EXPECT_TRUE(has(trace, "  skipped op 2: j9 was never started\n")) << trace;
}

TEST(Trace, TheFirstDifferenceShowsTheObservedAndTheExpectedValues) {
  const Case k = planned(kText);
  const std::size_t i = index_of(k.plan, 3, OpKind::GetAllFds);
  Observation seen = k.plan.expected[i].want;
  ASSERT_EQ(seen.list.size, 1);
  ASSERT_EQ(seen.list.fd[0], 5);
  seen.list.fd[0] = 9;
  const RunResult r = stopped_at(k.plan, i, seen);
  ASSERT_TRUE(r.violation());
  const std::string trace = format_trace(k.sequence, k.plan, r);
  const std::vector<std::string> ls = lines(trace);
  const int differs = line_starting(ls, "  DIFFERS get_all_fds (");
  ASSERT_GE(differs, 0) << trace;
  EXPECT_TRUE(has(ls[static_cast<std::size_t>(differs)], "fds [9]")) << trace;
  ASSERT_LT(differs + 1, static_cast<int>(ls.size()));
  const std::string& expected = ls[static_cast<std::size_t>(differs + 1)];
  EXPECT_EQ(expected.rfind("  expected get_all_fds (", 0), 0u) << trace;
  EXPECT_TRUE(has(expected, "fds [5]")) << trace;
  EXPECT_EQ(count(trace, "DIFFERS"), 1);
  // Nothing observed after the difference is shown as observed.
  EXPECT_EQ(line_starting(ls, "step 4 "), -1) << trace;
}

TEST(Trace, AValueOnlyALooserLevelFixesIsMarkedLooserNotDiffers) {
  const Case k = planned(kText);
  const std::size_t i = index_of(k.plan, 1, OpKind::Start);
  ASSERT_EQ(k.plan.expected[i].check(Field::Ret).level, Level::DeFacto);
  RunResult r = as_predicted(k.plan);
  r.observed[i].ret = 0;  // *ret written on PAUSE (de-facto says untouched)
  r.looser = i;
  const std::string trace = format_trace(k.sequence, k.plan, r);
  const std::vector<std::string> ls = lines(trace);
  const int looser = line_starting(ls, "  looser  start (");
  ASSERT_GE(looser, 0) << trace;
  EXPECT_TRUE(has(ls[static_cast<std::size_t>(looser)], "*ret 0")) << trace;
  EXPECT_EQ(ls[static_cast<std::size_t>(looser + 1)].rfind("  expected start (", 0), 0u) << trace;
  EXPECT_TRUE(has(ls[static_cast<std::size_t>(looser + 1)], "*ret untouched")) << trace;
  EXPECT_FALSE(has(trace, "DIFFERS")) << trace;
  EXPECT_EQ(format_difference(k.sequence, k.plan, r), "");  // not a difference
}

// --- the difference ------------------------------------------------------------

TEST(Difference, NamesTheOpTheValuesAndTheRequirementWithItsText) {
  const Case k = planned(kText);
  const std::size_t i = index_of(k.plan, 3, OpKind::GetAllFds);
  Observation seen = k.plan.expected[i].want;
  seen.list.fd[0] = 9;
  const RunResult r = stopped_at(k.plan, i, seen);
  const std::string text = format_difference(k.sequence, k.plan, r, [](const std::string& id) {
    return id == "FD-GET-ALL-RETURNS-FDS" ? std::string("the fds of the ctx are returned") : std::string();
  });
  const std::vector<std::string> ls = lines(text);
  ASSERT_GE(ls.size(), 4u) << text;
  EXPECT_EQ(ls[0], "at step 3: get_all_fds w0   (op 5)");
  EXPECT_EQ(ls[1].rfind("  expected get_all_fds (", 0), 0u) << text;
  EXPECT_TRUE(has(ls[1], "fds [5]")) << text;
  EXPECT_EQ(ls[2].rfind("  observed get_all_fds (", 0), 0u) << text;
  EXPECT_TRUE(has(ls[2], "fds [9]")) << text;
  EXPECT_EQ(ls[3], "  requirement FD-GET-ALL-RETURNS-FDS (must): \"the fds of the ctx are returned\"");
  EXPECT_FALSE(has(text, "outside the run's level")) << text;
  EXPECT_FALSE(has(text, "misuses")) << text;
}

TEST(Difference, WithoutItsTextTheRequirementIdStandsAlone) {
  const Case k = planned(kText);
  const std::size_t i = index_of(k.plan, 0, OpKind::WaitCtxNew);
  Observation seen = k.plan.expected[i].want;
  seen.rc = 0;
  const std::string text = format_difference(k.sequence, k.plan, stopped_at(k.plan, i, seen));
  EXPECT_TRUE(has(text, "at step 0: wctx_new w0   (op 1)\n")) << text;
  EXPECT_TRUE(has(text, "  expected wctx_new (returns 1)\n")) << text;
  EXPECT_TRUE(has(text, "  observed wctx_new (returns 0)\n")) << text;
  EXPECT_TRUE(has(text, "  requirement WAITCTX-NEW-RETURN-VALUE (must)\n")) << text;
}

TEST(Difference, ABodyOpDifferenceNamesTheDriverStepItRanIn) {
  const Case k = planned(kText);
  std::size_t i = 0;
  while (k.plan.expected[i].want.op != OpKind::CheckArg) ++i;
  Observation seen = k.plan.expected[i].want;
  seen.extra = 8;  // the job read another arg
  const std::string text = format_difference(k.sequence, k.plan, stopped_at(k.plan, i, seen));
  EXPECT_TRUE(has(text, "at step 2: resume j0   (op 3)\n")) << text;
  EXPECT_TRUE(has(text, "  expected j0: check_arg (returns non-NULL args, arg read 7)\n")) << text;
  EXPECT_TRUE(has(text, "  observed j0: check_arg (returns non-NULL args, arg read 8)\n")) << text;
  EXPECT_TRUE(has(text, "requirement START-ARGS-COPIED (must)")) << text;
}

TEST(Difference, ADifferentOpShowsTheSiteExpectedAndTheOneObserved) {
  const Case k = planned(kText);
  // During the resume, j0's pause should return first; the resume finishing at once is another op.
  const std::size_t i = index_of(k.plan, 2, OpKind::Resume) - 2;
  ASSERT_EQ(k.plan.expected[i].want.op, OpKind::Pause);
  Observation seen = k.plan.expected[i + 2].want;
  const RunResult r = stopped_at(k.plan, i, seen);
  ASSERT_TRUE(r.difference.site);
  const std::string text = format_difference(k.sequence, k.plan, r);
  EXPECT_TRUE(has(text, "at step 2: resume j0   (op 3)\n")) << text;
  EXPECT_TRUE(has(text, "  expected j0 body op 2: pause: j0: pause (returns 1)\n")) << text;
  EXPECT_TRUE(has(text, "  observed resume j0   (op 3) instead: resume (")) << text;
  EXPECT_TRUE(has(text, "requirement PAUSE-RESUME-CONTINUES (must)")) << text;
}

TEST(Difference, ADifferenceOutsideTheRunLevelSaysTheModelCannotFollow) {
  const Case k = planned(kText);
  const std::size_t i = index_of(k.plan, 1, OpKind::Start);
  Observation seen = k.plan.expected[i].want;
  seen.op = OpKind::Resume;  // a different op where only de-facto decides (made up)
  RunResult r = stopped_at(k.plan, i, seen);
  r.difference.level = Level::DeFacto;
  r.enforced = false;
  ASSERT_FALSE(r.violation());
  const std::string text = format_difference(k.sequence, k.plan, r);
  EXPECT_TRUE(has(text, "(de-facto)")) << text;
  EXPECT_TRUE(has(text, "(outside the run's level must: the model cannot follow")) << text;
}

TEST(Difference, ASequenceThatMisusesTheApiSaysWhichMisuse) {
  const Case k = planned(kText, config(Level::Robustness));
  ASSERT_TRUE(k.plan.skipped.empty());
  ASSERT_EQ(k.plan.misuse, misuse_bit(Misuse::StaleHandle));
  const std::size_t i = index_of(k.plan, 3, OpKind::Resume);  // the stale resume
  Observation seen = k.plan.expected[i].want;
  seen.rc = ASYNC_FINISH;
  const std::string text = format_difference(k.sequence, k.plan, stopped_at(k.plan, i, seen));
  EXPECT_TRUE(has(text, "at step 3: resume j0   (op 4)\n")) << text;
  EXPECT_TRUE(has(text, "(robustness)")) << text;
  EXPECT_TRUE(has(text, "(the sequence misuses the API: stale-handle)")) << text;
}

TEST(Difference, NoDifferenceGivesNoText) {
  const Case k = planned(kText);
  EXPECT_EQ(format_difference(k.sequence, k.plan, as_predicted(k.plan)), "");
}

TEST(Difference, AnObservationBeyondThePlanSaysTheModelExpectedNothingMore) {
  const Case k = planned("wctx_new w0\n");
  RunResult r = as_predicted(k.plan);
  Observation extra;
  extra.step = 0;
  extra.job = 0;
  extra.body_index = 0;
  extra.op = OpKind::Pause;
  r.observed.push_back(extra);
  r.mismatch = r.observed.size() - 1;
  r.difference.found = r.difference.site = true;
  r.enforced = true;
  const std::string text = format_difference(k.sequence, k.plan, r);
  EXPECT_TRUE(has(text, "the model expected nothing more, but j0 body op 1: pause ran")) << text;
  const std::string trace = format_trace(k.sequence, k.plan, r);
  EXPECT_TRUE(has(trace, "  DIFFERS j0: pause")) << trace;
}

TEST(StepText, TeardownStepsAreMarkedAndPastTheEndIsTheSequenceEnd) {
  const Case k = planned("wctx_new w0\nstart j0 w0 { pause }\n");
  ASSERT_EQ(k.plan.steps.size(), 4u);  // new, start, resume (teardown), free (teardown)
  EXPECT_EQ(step_text(k.plan, 1), "start j0 w0   (op 2)");
  EXPECT_EQ(step_text(k.plan, 2), "resume j0   (teardown)");
  EXPECT_EQ(step_text(k.plan, 3), "wctx_free w0   (teardown)");
  EXPECT_EQ(step_text(k.plan, 4), "sequence end");
  EXPECT_EQ(step_text(k.plan, -1), "sequence end");
}

// --- a real run against the reference -------------------------------------------

const AsyncApi& reference() {
  static LoadResult r = LoadedImpl::load(ASYNCCONF_TEST_REFERENCE);
  return r.impl().api();
}

const AsyncApi& ready() {
  const AsyncApi& api = reference();
  install_counting_stacks(api);
  warm_up(api);
  return api;
}

// The trace shows the checked fields only, so a run that matched reads the
// same as the predictions themselves.
TEST(TraceOfARun, AMatchingRunReadsLikeItsPrediction) {
  const AsyncApi& api = ready();
  const Sequence s = parse_sequence_or_throw(kText);
  const Plan p = plan(s, model_config(api, Level::Must));
  const RunResult r = run_plan(api, p);
  ASSERT_EQ(r.mismatch, RunResult::npos) << format_trace(s, p, r);
  EXPECT_EQ(format_trace(s, p, r), format_trace(s, p, as_predicted(p)));
}

TEST(TraceOfARun, AWrongPredictionIsExplainedWithWhatTheReferenceDid) {
  const AsyncApi& api = ready();
  const Sequence s = parse_sequence_or_throw(kText);
  Plan p = plan(s, model_config(api, Level::Must));
  const std::size_t i = index_of(p, 3, OpKind::GetAllFds);
  p.expected[i].want.list.fd[0] = 9;  // the reference returns fd 5
  const RunResult r = run_plan(api, p);
  ASSERT_EQ(r.mismatch, i) << format_trace(s, p, r);
  const std::string text = format_difference(s, p, r);
  EXPECT_TRUE(has(text, "at step 3: get_all_fds w0   (op 5)\n")) << text;
  EXPECT_TRUE(has(text, "  observed get_all_fds (returns 1, numfds 1, fds [5]")) << text;
  EXPECT_TRUE(has(text, "fds [9]")) << text;
  EXPECT_TRUE(has(text, "requirement FD-GET-ALL-RETURNS-FDS (must)")) << text;
  EXPECT_TRUE(has(format_trace(s, p, r), "  DIFFERS get_all_fds (returns 1, numfds 1, fds [5]")) << text;
}

}  // namespace
}  // namespace asyncconf::harness
