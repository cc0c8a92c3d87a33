// The model, on its own: what it predicts and what it skips. No
// implementation is loaded here.
#include "asyncconf/harness/model.hpp"

#include <gtest/gtest.h>
#include <openssl/async.h>

#include <algorithm>
#include <string>

#include "asyncconf/harness/generator.hpp"
#include "asyncconf/harness/sequence_text.hpp"
#include "asyncconf/ops/device_ops.hpp"

namespace asyncconf::harness {
namespace {

ModelConfig config(Level level = Level::Must) {
  ModelConfig c;
  c.level = level;
  c.counting_stacks = true;
  c.counting_heap = true;
  c.fresh_process = false;
  return c;
}

struct Planned {
  Sequence sequence;
  Plan plan;
};

Planned planned(const std::string& text, const ModelConfig& c = config()) {
  Planned p{parse_sequence_or_throw(text), {}};
  p.plan = plan(p.sequence, c);
  return p;
}

// The expected observations of driver op `op` (in sequence order): the ones
// made during its step.
std::vector<Expected> during(const Planned& p, int op_index) {
  std::vector<Expected> out;
  const int step = p.plan.step_of_op.at(static_cast<std::size_t>(op_index));
  for (const Expected& e : p.plan.expected) {
    if (e.want.step == step) out.push_back(e);
  }
  return out;
}

Expected last_of(const std::vector<Expected>& v) { return v.back(); }

TEST(Model, PausingJobPredictsPauseThenFinishWithItsValue) {
  const Planned p = planned("wctx_new w0\nstart j0 w0 { pause; return 7 }\nresume j0\n");
  const Expected start = last_of(during(p, 1));
  EXPECT_EQ(start.want.rc, ASYNC_PAUSE);
  EXPECT_EQ(start.want.ref, 0);  // j0's handle
  EXPECT_EQ(start.want.ret, kRetUntouched);
  EXPECT_STREQ(start.check(Field::Rc).requirement, "START-PAUSE-STARTED-THEN-PAUSED");

  const std::vector<Expected> resume = during(p, 2);
  ASSERT_EQ(resume.size(), 2u);
  EXPECT_EQ(resume[0].want.op, OpKind::Pause);  // the pause returns inside j0 first
  EXPECT_EQ(resume[0].want.job, 0);
  EXPECT_EQ(resume[0].want.rc, 1);
  EXPECT_EQ(resume[1].want.rc, ASYNC_FINISH);
  EXPECT_EQ(resume[1].want.ref, kRefNull);
  EXPECT_EQ(resume[1].want.ret, 7);
}

TEST(Model, OpsWithoutTheirPreconditionAreSkippedWithAReason) {
  const Planned p = planned("resume j3\nwctx_free w1\nstart j0 null { }\nstart j0 null { }\n");
  ASSERT_EQ(p.plan.skipped.size(), 3u);
  EXPECT_EQ(p.plan.skipped[0].op_index, 0);
  EXPECT_NE(p.plan.skipped[0].reason.find("never started"), std::string::npos);
  EXPECT_NE(p.plan.skipped[1].reason.find("not live"), std::string::npos);
  EXPECT_EQ(p.plan.skipped[2].op_index, 3);
  EXPECT_NE(p.plan.skipped[2].reason.find("started before"), std::string::npos);
  EXPECT_EQ(p.plan.step_of_op[2], 0);
}

TEST(Model, MisuseIsSkippedBelowRobustnessAndAnsweredAtIt) {
  const std::string text = "wctx_new w0\nstart j0 w0 { pause }\nresume j0\nresume j0\n";
  const Planned must = planned(text);
  ASSERT_EQ(must.plan.skipped.size(), 1u);
  EXPECT_NE(must.plan.skipped[0].reason.find("stale handle"), std::string::npos);
  EXPECT_NE(must.plan.skipped[0].reason.find("robustness"), std::string::npos);

  const Planned robust = planned(text, config(Level::Robustness));
  EXPECT_TRUE(robust.plan.skipped.empty());
  const Expected stale = last_of(during(robust, 3));
  EXPECT_EQ(stale.want.rc, ASYNC_ERR);
  EXPECT_STREQ(stale.check(Field::Rc).requirement, "ROBUST-STALE-HANDLE-AFTER-FINISH");
  EXPECT_EQ(robust.plan.misuse, misuse_bit(Misuse::StaleHandle));
}

TEST(Model, MisuseKindsCanBeAllowedOneByOne) {
  ModelConfig c = config(Level::Robustness);
  c.misuse = misuse_bit(Misuse::StaleHandle);
  const Planned p = planned("wctx_new w0\nstart j0 w0 { nested_start; pause }\nresume j0\nresume j0\n", c);
  ASSERT_TRUE(p.plan.body_op_skipped(0, 0));  // nested_start: not allowed
  EXPECT_FALSE(p.plan.body_op_skipped(0, 1));
  EXPECT_EQ(p.plan.misuse, misuse_bit(Misuse::StaleHandle));
  EXPECT_EQ(misuse_names(p.plan.misuse), "stale-handle");
}

TEST(Model, AFullPoolGivesNoJobs) {
  const Planned p = planned("init_thread 1 0\nwctx_new w0\nwctx_new w1\nstart j0 w0 { pause }\nstart j1 w1 { }\n");
  const Expected second = last_of(during(p, 4));
  EXPECT_EQ(second.want.rc, ASYNC_NO_JOBS);
  EXPECT_EQ(second.want.stacks, 1);
}

TEST(Model, NestedBlocksHoldThePauseOffUntilTheLastUnblock) {
  const Planned p = planned("wctx_new w0\nstart j0 w0 { block; block; pause; unblock; pause; unblock; pause }\n");
  const std::vector<Expected> start = during(p, 1);
  // block, block, pause (held: returns 1), unblock, pause (held), unblock, then the start pauses.
  ASSERT_EQ(start.size(), 7u);
  EXPECT_EQ(start[2].want.op, OpKind::Pause);
  EXPECT_STREQ(start[2].check(Field::Rc).requirement, "BLOCK-PREVENTS-PAUSE");
  EXPECT_EQ(start[4].want.op, OpKind::Pause);
  EXPECT_EQ(start[6].want.op, OpKind::Start);
  EXPECT_EQ(start[6].want.rc, ASYNC_PAUSE);
}

TEST(Model, ABlockTheJobNeverLiftsIsDeFacto) {
  const Planned must = planned("start j0 null { block }\n");
  EXPECT_TRUE(must.plan.body_op_skipped(0, 0));
  const Planned de_facto = planned("start j0 null { block }\n", config(Level::DeFacto));
  EXPECT_FALSE(de_facto.plan.body_op_skipped(0, 0));
}

TEST(Model, ChangedFdsCountFromTheLastResume) {
  const Planned p = planned(
      "wctx_new w0\nstart j0 w0 { set_fd 1 5; pause; get_changed_fds; clear_fd 1; pause }\n"
      "get_changed_fds w0\nresume j0\nget_changed_fds w0\n");
  const Expected before = last_of(during(p, 2));
  EXPECT_EQ(before.want.extra, 1);  // added
  EXPECT_EQ(before.want.list.size, 1);
  EXPECT_EQ(before.want.list.fd[0], 5);
  const std::vector<Expected> resume = during(p, 3);
  EXPECT_EQ(resume[1].want.op, OpKind::GetChangedFds);  // inside, after the resume: reset
  EXPECT_EQ(resume[1].want.extra, 0);
  const Expected after = last_of(during(p, 4));
  EXPECT_EQ(after.want.extra2, 1);  // cleared after the reset: deleted
  EXPECT_EQ(after.want.list2.fd[0], 5);
}

TEST(Model, FreeCallsTheCleanupOfEveryLiveFd) {
  const Planned p = planned("wctx_new w0\nset_fd w0 1 5\nset_fd w0 2 6\nclear_fd w0 1\nwctx_free w0\n");
  const Expected free = last_of(during(p, 4));
  EXPECT_EQ(free.want.cleanups, 1);
  EXPECT_EQ(free.want.list.fd[0], 6);
  const Expected clear = last_of(during(p, 3));
  EXPECT_EQ(clear.want.cleanups, 0);
  EXPECT_STREQ(clear.check(Field::Cleanups).requirement, "CLEANUP-NOT-CALLED-ON-CLEAR");
}

TEST(Model, TeardownResumesPausedJobsFreesCtxsAndChecksLeaks) {
  const Planned p = planned("wctx_new w0\nstart j0 w0 { pause; pause }\n");
  // resume, resume, free, end
  ASSERT_EQ(p.plan.steps.size(), 5u);
  EXPECT_EQ(p.plan.steps[2].op_index, -1);
  EXPECT_EQ(p.plan.steps[2].op->kind, OpKind::Resume);
  EXPECT_EQ(p.plan.steps[4].op->kind, OpKind::WaitCtxFree);
  const Expected end = p.plan.expected.back();
  EXPECT_TRUE(end.want.end);
  EXPECT_STREQ(end.check(Field::Heap).requirement, "LEAK-AUTO-CLEANUP-AT-THREAD-EXIT");
  EXPECT_EQ(end.want.stacks, 0);
}

TEST(Model, AnInlinePlanEndsWithCleanupThreadAndNoHeapCheck) {
  ModelConfig c = config();
  c.thread_exits = false;
  const Planned p = planned("start j0 null { }\n", c);
  EXPECT_EQ(p.plan.steps.back().op->kind, OpKind::CleanupThread);
  EXPECT_EQ(p.plan.expected.back().check(Field::Heap).requirement, nullptr);
}

TEST(Model, SetMemFunctionsSucceedsOnlyBeforeTheProcessMadeAStack) {
  ModelConfig fresh = config();
  fresh.fresh_process = true;
  const Planned p = planned("set_mem_functions 0\nstart j0 null { }\nset_mem_functions 0\n", fresh);
  EXPECT_EQ(last_of(during(p, 0)).want.rc, 1);
  EXPECT_EQ(last_of(during(p, 2)).want.rc, 0);
  const Planned warm = planned("set_mem_functions 0\n");
  EXPECT_EQ(last_of(during(warm, 0)).want.rc, 0);
}

TEST(Model, WithoutCapabilitiesTheirOpsAreSkipped) {
  ModelConfig c = config();
  c.callbacks = false;
  c.mem_functions = false;
  const Planned p = planned("wctx_new w0\nset_status w0 1\nset_mem_functions 0\n", c);
  EXPECT_EQ(p.plan.skipped.size(), 2u);
}

TEST(Model, GeneratedSequencesRunEveryOpTheyHold) {
  // The generator offers each op to the model first: nothing it keeps is skipped.
  for (const Level level : {Level::Must, Level::DeFacto, Level::Robustness}) {
    GeneratorOptions g;
    g.model = config(level);
    g.threads = 3;
    for (std::uint64_t i = 0; i < 300; ++i) {
      const Sequence s = generate(sequence_seed(42, i), g);
      const Plan p = plan(s, g.model);
      ASSERT_TRUE(p.skipped.empty()) << to_string(level) << " " << i << "\n" << print_sequence(s);
      ASSERT_LE(op_count(s), g.max_ops);
    }
  }
}

TEST(Model, TheSameSeedGivesTheSameSequence) {
  GeneratorOptions g;
  g.model = config(Level::Robustness);
  g.threads = 2;
  EXPECT_EQ(generate(sequence_seed(9, 3), g), generate(sequence_seed(9, 3), g));
  EXPECT_NE(generate(sequence_seed(9, 3), g), generate(sequence_seed(9, 4), g));
}

TEST(Model, EveryPredictionNamesARequirement) {
  GeneratorOptions g;
  g.model = config(Level::Robustness);
  g.threads = 2;
  for (std::uint64_t i = 0; i < 200; ++i) {
    const Sequence s = generate(sequence_seed(5, i), g);
    const Plan p = plan(s, g.model);
    for (const Expected& e : p.expected) {
      for (const FieldCheck& c : e.checks) {
        if (c.requirement != nullptr) {
          EXPECT_GT(std::string(c.requirement).size(), 4u);
        }
      }
    }
  }
}

// A plan made in a spent plan's memory is the plan made fresh: nothing of
// the spent one (its steps, predictions, skips, teardown) is left in it.
TEST(Model, PlanningIntoASpentPlanGivesTheFreshPlan) {
  GeneratorOptions g;
  g.model = config(Level::Robustness);
  g.threads = 3;
  Plan spent;
  for (std::uint64_t i = 0; i < 100; ++i) {
    // Every other sequence is one of a single op, after a longer one.
    Sequence s = generate(sequence_seed(17, i), g);
    if (i % 2 == 1) s.ops.resize(1);
    const Plan fresh = plan(s, g.model);
    Plan reused = plan(s, g.model, std::move(spent));
    ASSERT_EQ(reused.steps.size(), fresh.steps.size()) << i;
    for (std::size_t k = 0; k < fresh.steps.size(); ++k) {
      EXPECT_EQ(reused.steps[k].op_index, fresh.steps[k].op_index);
      EXPECT_EQ(reused.steps[k].thread, fresh.steps[k].thread);
    }
    ASSERT_EQ(reused.expected.size(), fresh.expected.size()) << i;
    for (std::size_t k = 0; k < fresh.expected.size(); ++k) {
      EXPECT_EQ(describe(reused.expected[k].want, &reused.expected[k]), describe(fresh.expected[k].want, &fresh.expected[k]));
    }
    EXPECT_EQ(reused.skipped.size(), fresh.skipped.size());
    EXPECT_EQ(reused.step_of_op, fresh.step_of_op);
    EXPECT_EQ(reused.teardown.size(), fresh.teardown.size());
    EXPECT_EQ(reused.threads, fresh.threads);
    EXPECT_EQ(reused.jobs, fresh.jobs);
    EXPECT_EQ(reused.ctxs, fresh.ctxs);
    EXPECT_EQ(reused.misuse, fresh.misuse);
    spent = std::move(reused);
  }
}

// --- the device (offload, await) ---------------------------------------------

TEST(ModelDevice, AnOffloadPausesAndRegistersTheDeviceFdOnce) {
  const Planned p = planned(
      "wctx_new w0\nset_fd w0 1 5\nstart j0 w0 { offload; offload; return 7 }\nget_all_fds w0\n"
      "await j0 select\nget_all_fds w0\nawait j0 epoll\n");
  EXPECT_TRUE(p.plan.config.device);
  EXPECT_EQ(last_of(during(p, 2)).want.rc, ASYNC_PAUSE);
  const Expected all = last_of(during(p, 3));
  ASSERT_EQ(all.want.list.size, 2);
  EXPECT_EQ(all.want.list.fd[0], kDeviceFd);  // newest first
  EXPECT_EQ(all.want.list.fd[1], 5);
  const std::vector<Expected> first = during(p, 4);
  ASSERT_EQ(first.size(), 3u);
  EXPECT_EQ(first[0].want.op, OpKind::Await);  // the wake-up, through an fd the ctx lists
  EXPECT_EQ(first[0].want.extra2, 1);
  EXPECT_STREQ(first[0].check(Field::Extra2).requirement, "FD-GET-ALL-RETURNS-FDS");
  EXPECT_EQ(first[1].want.op, OpKind::Offload);  // then the offload returns inside j0
  EXPECT_EQ(first[1].want.rc, 0);
  EXPECT_EQ(first[1].want.extra, ops::Offload::kResult);
  EXPECT_EQ(first[2].want.rc, ASYNC_PAUSE);  // at the second offload
  EXPECT_EQ(last_of(during(p, 5)).want.list.size, 2);  // the same fd: one per ctx
  EXPECT_EQ(last_of(during(p, 6)).want.rc, ASYNC_FINISH);
  EXPECT_EQ(last_of(during(p, 6)).want.ret, 7);
}

TEST(ModelDevice, OnlyTheDeviceWakeUpResumesAnOffloadingJob) {
  const Planned p = planned("wctx_new w0\nstart j0 w0 { offload; return 1 }\nresume j0\nawait j0 callback\n");
  ASSERT_EQ(p.plan.skipped.size(), 2u);
  EXPECT_EQ(p.plan.skipped[0].reason, "j0 waits on the device");
  EXPECT_EQ(p.plan.skipped[1].reason, "its wake-up is the device's fd, not a callback");
  // The teardown awaits it: the job finishes and its ctx is freed.
  ASSERT_FALSE(p.plan.teardown.empty());
  EXPECT_EQ(p.plan.teardown.front().kind, OpKind::Await);
}

TEST(ModelDevice, WithACallbackTheStatusIsOkAndNoFdIsSet) {
  const Planned p = planned(
      "wctx_new w0\nset_callback w0 on\nstart j0 w0 { offload; return 1 }\nget_status w0\nget_all_fds w0\n"
      "await j0 select\nawait j0 callback\n");
  EXPECT_EQ(last_of(during(p, 3)).want.rc, ASYNC_STATUS_OK);
  EXPECT_EQ(last_of(during(p, 4)).want.list.size, 0);
  ASSERT_EQ(p.plan.skipped.size(), 1u);
  EXPECT_EQ(p.plan.skipped[0].op_index, 5);
  EXPECT_EQ(last_of(during(p, 6)).want.rc, ASYNC_FINISH);
}

TEST(ModelDevice, WithoutAWaitCtxOrUnderABlockTheOffloadDoesNotPause) {
  const Planned p = planned(
      "start j0 null { offload; return 3 }\nwctx_new w0\nstart j1 w0 { block; offload; unblock; return 4 }\n"
      "get_all_fds w0\n");
  EXPECT_EQ(last_of(during(p, 0)).want.rc, ASYNC_FINISH);
  EXPECT_EQ(last_of(during(p, 2)).want.rc, ASYNC_FINISH);
  EXPECT_EQ(last_of(during(p, 3)).want.list.size, 1);  // the helper set its fd before it spun
}

TEST(ModelDevice, SequenceFdsInTheDevicesRangeAreSkippedOnlyWhenItIsAttached) {
  const char* with = "wctx_new w0\nset_fd w0 1 600\nstart j0 w0 { offload; return 1 }\n";
  const Planned p = planned(with);
  ASSERT_EQ(p.plan.skipped.size(), 1u);
  EXPECT_EQ(p.plan.skipped[0].reason, "fds from 512 up are the device's");
  const Planned q = planned("wctx_new w0\nset_fd w0 1 600\n");
  EXPECT_FALSE(q.plan.config.device);
  EXPECT_TRUE(q.plan.skipped.empty());
}

TEST(ModelDevice, TheEndCountsFdsButNotHeapBlocksWhenTheDeviceIsAttached) {
  const Planned p = planned("wctx_new w0\nstart j0 w0 { offload; return 1 }\n");
  const Expected& end = p.plan.expected.back();
  ASSERT_TRUE(end.want.end);
  EXPECT_NE(end.check(Field::Fds).requirement, nullptr);
  EXPECT_EQ(end.check(Field::Heap).requirement, nullptr);
  const Planned q = planned("wctx_new w0\nstart j0 w0 { pause; return 1 }\n");
  EXPECT_NE(q.plan.expected.back().check(Field::Heap).requirement, nullptr);
}

}  // namespace
}  // namespace asyncconf::harness
