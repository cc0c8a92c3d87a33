// compare(): an observation against the model's prediction. Each rule of the
// comparison (which field, which requirement, which level, lists as sets or in
// order, leaks as gains) has its own small test. Pure: no implementation.
#include "asyncconf/harness/observation.hpp"

#include <gtest/gtest.h>
#include <openssl/async.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

#include "asyncconf/harness/model.hpp"
#include "asyncconf/harness/sequence_text.hpp"

namespace asyncconf::harness {
namespace {

FdList fds(std::initializer_list<int> values) {
  FdList l;
  for (int v : values) l.push(v);
  return l;
}

// A get_all_fds at step 3 that the model fully predicts: every field it
// fills is checked, each by a requirement of its own.
Expected all_fds_prediction() {
  Expected e;
  e.want.step = 3;
  e.want.op = OpKind::GetAllFds;
  e.want.rc = 1;
  e.want.extra = 2;
  e.want.list = fds({6, 5});
  e.check(Field::Rc) = {"FD-GET-ALL-RETURNS-FDS", Level::Must};
  e.check(Field::Extra) = {"FD-GET-ALL-NUMFDS", Level::Must};
  e.check(Field::List) = {"FD-GET-ALL-RETURNS-FDS", Level::Must, "FD-GET-ALL-NEWEST-FIRST", Level::DeFacto};
  e.check(Field::Cleanups) = {"CLEANUP-NOT-CALLED-ON-CLEAR", Level::Must};
  return e;
}

// Every field checked, each with its own id "REQ-<field>" at `level`.
struct EveryField {
  std::array<std::string, kFieldCount> ids;
  Expected e;
  explicit EveryField(Level level = Level::Must) {
    e.want.step = 1;
    e.want.op = OpKind::Start;
    e.want.rc = ASYNC_PAUSE;
    e.want.ref = 0;
    e.want.list = fds({3});
    e.want.list2 = fds({4});
    for (std::size_t i = 0; i < kFieldCount; ++i) {
      ids[i] = std::string("REQ-") + to_string(static_cast<Field>(i));
      e.checks[i].requirement = ids[i].c_str();
      e.checks[i].level = level;
    }
  }
};

// `seen` with field f changed in the direction that counts (a gain for Heap
// and Fds, another fd for the lists).
Observation changed(Observation seen, Field f) {
  switch (f) {
    case Field::Rc: seen.rc += 1; break;
    case Field::Ref: seen.ref += 1; break;
    case Field::Ret: seen.ret += 1; break;
    case Field::Extra: seen.extra += 1; break;
    case Field::Extra2: seen.extra2 += 1; break;
    case Field::List: seen.list = fds({99}); break;
    case Field::List2: seen.list2 = fds({99}); break;
    case Field::Cleanups: seen.cleanups += 1; break;
    case Field::Stacks: seen.stacks += 1; break;
    case Field::Heap: seen.heap += 1; break;
    case Field::Fds: seen.fds += 1; break;
  }
  return seen;
}

// --- matches -------------------------------------------------------------

TEST(Compare, AnExactMatchHasNoDifference) {
  const Expected e = all_fds_prediction();
  const Difference d = compare(e, e.want);
  EXPECT_FALSE(d.found);
  EXPECT_FALSE(d.site);
  const EveryField all;
  EXPECT_FALSE(compare(all.e, all.e.want).found);
}

// --- one differing field -------------------------------------------------

TEST(Compare, EachDifferingFieldNamesItsFieldRequirementAndLevel) {
  for (const Level level : {Level::Must, Level::DeFacto, Level::Robustness}) {
    const EveryField all(level);
    for (std::size_t i = 0; i < kFieldCount; ++i) {
      const Field f = static_cast<Field>(i);
      const Difference d = compare(all.e, changed(all.e.want, f));
      SCOPED_TRACE(std::string(to_string(f)) + " at " + to_string(level));
      ASSERT_TRUE(d.found);
      EXPECT_FALSE(d.site);
      EXPECT_EQ(d.field, f);
      ASSERT_NE(d.requirement, nullptr);
      EXPECT_EQ(std::string(d.requirement), all.ids[i]);
      EXPECT_EQ(d.level, level);
    }
  }
}

TEST(Compare, AWrongFdCountNamesTheCountRequirement) {
  const Expected e = all_fds_prediction();
  Observation seen = e.want;
  seen.extra = 3;
  const Difference d = compare(e, seen);
  ASSERT_TRUE(d.found);
  EXPECT_EQ(d.field, Field::Extra);
  EXPECT_STREQ(d.requirement, "FD-GET-ALL-NUMFDS");
  EXPECT_EQ(d.level, Level::Must);
}

// --- levels: a violation vs a value only a looser level fixes --------------

// compare() has no run level: it reports a difference in a de-facto check
// with that level, and the caller (the interpreter) decides. At a must run
// it is inconclusive (noted as looser); at a de-facto run it is a violation.
TEST(Compare, ADifferenceFixedOnlyAtALooserLevelIsReportedWithThatLevel) {
  Expected e;
  e.want.step = 1;
  e.want.op = OpKind::Start;
  e.want.rc = ASYNC_PAUSE;
  e.want.ret = kRetUntouched;
  e.check(Field::Rc) = {"START-PAUSE-STARTED-THEN-PAUSED", Level::Must};
  e.check(Field::Ret) = {"START-PAUSE-RET-UNTOUCHED", Level::DeFacto};
  Observation seen = e.want;
  seen.ret = 0;  // an implementation that writes *ret on PAUSE
  const Difference d = compare(e, seen);
  ASSERT_TRUE(d.found);
  EXPECT_EQ(d.field, Field::Ret);
  EXPECT_STREQ(d.requirement, "START-PAUSE-RET-UNTOUCHED");
  EXPECT_EQ(d.level, Level::DeFacto);
  EXPECT_FALSE(d.level <= Level::Must) << "a must run would treat it as a violation";
  EXPECT_TRUE(d.level <= Level::DeFacto);
}

// A stricter difference must not hide behind an earlier, looser one: a run at
// must would otherwise take a must violation for an inconclusive note.
TEST(Compare, AStricterDifferenceOutranksAnEarlierLooserOne) {
  Expected e;
  e.want.step = 1;
  e.want.op = OpKind::Start;
  e.want.rc = ASYNC_PAUSE;
  e.want.ret = kRetUntouched;
  e.want.stacks = 1;
  e.check(Field::Ret) = {"START-PAUSE-RET-UNTOUCHED", Level::DeFacto};
  e.check(Field::Stacks) = {"POOL-JOBS-RETURNED-TO-POOL", Level::Must};
  Observation seen = e.want;
  seen.ret = 0;     // looser (Ret comes first in Field order)
  seen.stacks = 2;  // must
  const Difference d = compare(e, seen);
  ASSERT_TRUE(d.found);
  EXPECT_EQ(d.field, Field::Stacks);
  EXPECT_STREQ(d.requirement, "POOL-JOBS-RETURNED-TO-POOL");
  EXPECT_EQ(d.level, Level::Must);
}

TEST(Compare, AmongDifferencesOfOneLevelTheFirstInFieldOrderIsReported) {
  const EveryField all(Level::DeFacto);
  Observation seen = changed(changed(all.e.want, Field::Cleanups), Field::Extra);
  const Difference d = compare(all.e, seen);
  ASSERT_TRUE(d.found);
  EXPECT_EQ(d.field, Field::Extra);
}

// --- fields the model does not predict --------------------------------------

TEST(Compare, AFieldWithNoRequirementIsNotCompared) {
  const Expected e = all_fds_prediction();  // Ref, Ret, Extra2, List2, Stacks, Heap, Fds unchecked
  Observation seen = e.want;
  seen.ref = 7;
  seen.ret = 1;
  seen.extra2 = 4;
  seen.list2 = fds({1, 2});
  seen.stacks = 9;
  seen.heap = 100;
  seen.fds = 3;
  EXPECT_FALSE(compare(e, seen).found);
}

TEST(Compare, APredictionWithNoChecksAcceptsAnyValuesAtItsSite) {
  Expected e;
  e.want.step = 2;
  e.want.op = OpKind::Block;
  Observation seen = e.want;
  for (std::size_t i = 0; i < kFieldCount; ++i) seen = changed(seen, static_cast<Field>(i));
  EXPECT_FALSE(compare(e, seen).found);
}

// --- a different op ran ---------------------------------------------------------

TEST(Compare, ADifferentOpIsASiteDifferenceNamedByTheFirstCheckedField) {
  Expected e;
  e.want.step = 4;
  e.want.job = 0;
  e.want.body_index = 2;
  e.want.op = OpKind::Pause;
  e.check(Field::Extra) = {"FIRST-CHECKED", Level::DeFacto};
  e.check(Field::Stacks) = {"LATER-CHECKED", Level::Must};
  // Each part of the site on its own: step, job, body index, op, end.
  std::vector<Observation> others(5, e.want);
  others[0].step = 5;
  others[1].job = 1;
  others[2].body_index = 3;
  others[3].op = OpKind::Return;
  others[4].end = true;
  for (const Observation& seen : others) {
    const Difference d = compare(e, seen);
    ASSERT_TRUE(d.found);
    EXPECT_TRUE(d.site);
    EXPECT_EQ(d.field, Field::Extra);
    EXPECT_STREQ(d.requirement, "FIRST-CHECKED");
    EXPECT_EQ(d.level, Level::DeFacto);
  }
}

TEST(Compare, ASiteDifferenceWithNothingCheckedIsStillFoundAtMust) {
  Expected e;
  e.want.step = 0;
  e.want.op = OpKind::Block;
  Observation seen = e.want;
  seen.op = OpKind::Unblock;
  const Difference d = compare(e, seen);
  EXPECT_TRUE(d.found);
  EXPECT_TRUE(d.site);
  EXPECT_EQ(d.requirement, nullptr);
  EXPECT_EQ(d.level, Level::Must);
}

// --- fd lists: sets unless an order requirement fixes the order ---------------

TEST(Compare, AListWithoutAnOrderRequirementComparesAsASet) {
  Expected e = all_fds_prediction();
  e.want.list = fds({5, 6, 7});
  e.want.extra = 3;
  e.check(Field::List).order_requirement = nullptr;
  Observation seen = e.want;
  seen.list = fds({7, 5, 6});
  EXPECT_FALSE(compare(e, seen).found);
}

TEST(Compare, AListWithAnOrderRequirementInAnotherOrderBreaksTheOrderAtItsLevel) {
  Expected e = all_fds_prediction();  // [6 5], newest first at de-facto
  Observation seen = e.want;
  seen.list = fds({5, 6});
  const Difference d = compare(e, seen);
  ASSERT_TRUE(d.found);
  EXPECT_EQ(d.field, Field::List);
  EXPECT_STREQ(d.requirement, "FD-GET-ALL-NEWEST-FIRST");
  EXPECT_EQ(d.level, Level::DeFacto);  // a must run only notes it
}

TEST(Compare, AListWithOtherFdsBreaksTheListRequirementEvenWhenOrderIsFixed) {
  const Expected e = all_fds_prediction();
  Observation seen = e.want;
  seen.list = fds({5, 9});  // another set, and not newest first either
  const Difference d = compare(e, seen);
  ASSERT_TRUE(d.found);
  EXPECT_EQ(d.field, Field::List);
  EXPECT_STREQ(d.requirement, "FD-GET-ALL-RETURNS-FDS");
  EXPECT_EQ(d.level, Level::Must);
}

TEST(Compare, ListsCompareAsMultisetsAndByLength) {
  Expected e;
  e.want.step = 0;
  e.want.op = OpKind::GetChangedFds;
  e.check(Field::List) = {"CHANGED-LISTS", Level::Must};
  e.want.list = fds({5, 5, 6});
  Observation seen = e.want;
  seen.list = fds({5, 6, 6});  // same distinct fds, other counts
  EXPECT_TRUE(compare(e, seen).found);
  seen.list = fds({5, 5});  // a prefix
  EXPECT_TRUE(compare(e, seen).found);
  seen.list = fds({6, 5, 5});
  EXPECT_FALSE(compare(e, seen).found);
}

TEST(Compare, AListLongerThanItsCapacityStillDiffers) {
  Expected e;
  e.want.step = 0;
  e.want.op = OpKind::GetAllFds;
  e.check(Field::List) = {"FD-GET-ALL-RETURNS-FDS", Level::Must};
  for (int i = 0; i < kMaxFdsPerCtx; ++i) e.want.list.push(100 + i);
  Observation seen = e.want;
  seen.list.push(999);  // one past the capacity: only the size records it
  EXPECT_EQ(seen.list.size, kMaxFdsPerCtx + 1);
  EXPECT_TRUE(compare(e, seen).found);
}

TEST(Compare, TheDeletedListIsCheckedLikeTheAddedOne) {
  Expected e;
  e.want.step = 0;
  e.want.op = OpKind::GetChangedFds;
  e.check(Field::List2) = {"CHANGED-LISTS", Level::Must};
  e.want.list2 = fds({3, 4});
  Observation seen = e.want;
  seen.list2 = fds({4, 3});
  EXPECT_FALSE(compare(e, seen).found);
  seen.list2 = fds({4});
  const Difference d = compare(e, seen);
  ASSERT_TRUE(d.found);
  EXPECT_EQ(d.field, Field::List2);
}

// Where the model expresses order: get_all_fds is newest first at de-facto
// (OpenSSL; the man page fixes no order), get_changed_fds and the fds
// cleaned on free have no order.
struct ModelPlanned {
  Sequence sequence;
  Plan plan;
};
const Expected& expected_for(const ModelPlanned& p, int op_index) {
  const int step = p.plan.step_of_op.at(static_cast<std::size_t>(op_index));
  const Expected* last = nullptr;
  for (const Expected& e : p.plan.expected) {
    if (e.want.step == step) last = &e;
  }
  return *last;
}

TEST(Compare, TheModelFixesGetAllFdsOrderAtDeFactoAndNoOtherListsOrder) {
  ModelPlanned p{parse_sequence_or_throw("wctx_new w0\nset_fd w0 1 5\nset_fd w0 2 6\n"
                                         "get_all_fds w0\nget_changed_fds w0\nwctx_free w0\n"),
                 {}};
  ModelConfig c;
  c.fresh_process = false;
  p.plan = plan(p.sequence, c);
  ASSERT_TRUE(p.plan.skipped.empty());

  const Expected& all = expected_for(p, 3);
  ASSERT_EQ(all.want.op, OpKind::GetAllFds);
  EXPECT_STREQ(all.check(Field::List).order_requirement, "FD-GET-ALL-NEWEST-FIRST");
  EXPECT_EQ(all.check(Field::List).order_level, Level::DeFacto);
  Observation oldest_first = all.want;
  std::reverse(oldest_first.list.fd.begin(), oldest_first.list.fd.begin() + oldest_first.list.size);
  ASSERT_FALSE(oldest_first.list == all.want.list);
  const Difference d = compare(all, oldest_first);
  ASSERT_TRUE(d.found);
  EXPECT_EQ(d.level, Level::DeFacto);

  for (const int op_index : {4, 5}) {
    const Expected& e = expected_for(p, op_index);
    ASSERT_GE(e.want.list.size, 2) << op_index;
    EXPECT_EQ(e.check(Field::List).order_requirement, nullptr) << op_index;
    Observation reversed = e.want;
    std::reverse(reversed.list.fd.begin(), reversed.list.fd.begin() + reversed.list.size);
    EXPECT_FALSE(compare(e, reversed).found) << op_index;
  }
}

// --- leaks: a gain above the prediction, never a loss ------------------------

Expected sequence_end() {
  Expected e;
  e.want.step = 5;
  e.want.end = true;
  e.want.op = OpKind::CleanupThread;
  e.check(Field::Stacks) = {"LEAK-AUTO-CLEANUP-AT-THREAD-EXIT", Level::Must};
  e.check(Field::Heap) = {"LEAK-AUTO-CLEANUP-AT-THREAD-EXIT", Level::Must};
  e.check(Field::Fds) = {"LEAK-AUTO-CLEANUP-AT-THREAD-EXIT", Level::Must};
  return e;
}

TEST(Compare, HeapBlocksGainedAreALeak) {
  const Expected e = sequence_end();
  Observation seen = e.want;
  seen.heap = 1;
  const Difference d = compare(e, seen);
  ASSERT_TRUE(d.found);
  EXPECT_EQ(d.field, Field::Heap);
  EXPECT_STREQ(d.requirement, "LEAK-AUTO-CLEANUP-AT-THREAD-EXIT");
}

TEST(Compare, FewerHeapBlocksThanAtTheStartAreNoLeak) {
  const Expected e = sequence_end();
  Observation seen = e.want;
  seen.heap = -3;  // the C library freed blocks of its own
  EXPECT_FALSE(compare(e, seen).found);
}

TEST(Compare, FdsGainedAreALeakAndFdsClosedAreNot) {
  const Expected e = sequence_end();
  Observation seen = e.want;
  seen.fds = 2;
  const Difference d = compare(e, seen);
  ASSERT_TRUE(d.found);
  EXPECT_EQ(d.field, Field::Fds);
  seen.fds = -1;
  EXPECT_FALSE(compare(e, seen).found);
}

TEST(Compare, AGainUpToThePredictionIsNoLeak) {
  Expected e = sequence_end();
  e.want.heap = 2;
  Observation seen = e.want;
  EXPECT_FALSE(compare(e, seen).found);
  seen.heap = 1;
  EXPECT_FALSE(compare(e, seen).found);
  seen.heap = 3;
  EXPECT_TRUE(compare(e, seen).found);
}

// Job stacks are counted exactly by the interpreter's own allocator, and the
// model predicts them exactly (a pool keeps its idle jobs): fewer is as wrong
// as more. Only heap blocks and fds are "gained or not".
TEST(Compare, JobStacksAreExactFewerThanPredictedDifferToo) {
  const Expected e = sequence_end();
  Observation seen = e.want;
  seen.stacks = -1;
  const Difference fewer = compare(e, seen);
  ASSERT_TRUE(fewer.found);
  EXPECT_EQ(fewer.field, Field::Stacks);
  seen.stacks = 1;
  EXPECT_TRUE(compare(e, seen).found);
}

// --- compare_raw: two implementations side by side ------------------------------

TEST(CompareRaw, ListsCompareInOrderAndEveryFieldCounts) {
  Observation a;
  a.step = 1;
  a.op = OpKind::GetAllFds;
  a.list = fds({5, 6});
  Observation b = a;
  b.list = fds({6, 5});
  const Difference d = compare_raw(a, b);
  ASSERT_TRUE(d.found);
  EXPECT_EQ(d.field, Field::List);
  b = a;
  b.extra2 = 1;  // no requirement needed: every field is compared
  EXPECT_EQ(compare_raw(a, b).field, Field::Extra2);
  EXPECT_FALSE(compare_raw(a, a).found);
}

TEST(CompareRaw, LeaksCompareAsGainedOrNot) {
  Observation a;
  a.end = true;
  a.heap = 1;
  Observation b = a;
  b.heap = 40;  // both leaked: the counts may differ
  EXPECT_FALSE(compare_raw(a, b).found);
  b.heap = 0;
  const Difference d = compare_raw(a, b);
  ASSERT_TRUE(d.found);
  EXPECT_EQ(d.field, Field::Heap);
  b.heap = -2;  // fewer than at the start: not gained either
  a.heap = 0;
  EXPECT_FALSE(compare_raw(a, b).found);
}

TEST(CompareRaw, ADifferentOpIsASiteDifference) {
  Observation a;
  a.op = OpKind::Pause;
  Observation b = a;
  b.op = OpKind::Return;
  const Difference d = compare_raw(a, b);
  EXPECT_TRUE(d.found);
  EXPECT_TRUE(d.site);
}

}  // namespace
}  // namespace asyncconf::harness
