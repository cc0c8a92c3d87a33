// Threads: each thread has its own pool, current job and block counter.
// Job bodies and threads only record what they saw; every check is made on
// the case's own thread after the others were joined.
#include <atomic>
#include <barrier>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "asyncconf/conformance/catalogue.hpp"
#include "case_support.hpp"

namespace asyncconf::conformance {

namespace {

using support::start;
using support::WaitCtx;

// Waits (yielding) until flag is set, for at most two seconds.
bool wait_for(const std::atomic<bool>& flag) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (!flag.load()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

// What one thread of pools_limits_are_per_thread saw.
struct PoolRun {
  int init = -1;
  int paused = 0;    // jobs that returned ASYNC_PAUSE
  int extra = -1;    // the start beyond max_size
  int finished = 0;  // resumes that returned ASYNC_FINISH with *ret 3
};

void pool_limits_are_per_thread(CaseContext& c) {
  constexpr int kThreads = 4;
  constexpr int kMax[kThreads] = {1, 2, 3, 5};
  PoolRun runs[kThreads];
  std::barrier sync(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      PoolRun& r = runs[t];
      r.init = api().ASYNC_init_thread(kMax[t], 0);
      sync.arrive_and_wait();  // every pool is configured
      WaitCtx ctx;
      ASYNC_JOB* jobs[5] = {};
      int ret = 0;
      for (int i = 0; i < kMax[t]; ++i) {
        if (start(&jobs[i], ctx.get(), &ret, support::pause_once) == ASYNC_PAUSE) ++r.paused;
      }
      sync.arrive_and_wait();  // every thread holds max_size paused jobs
      ASYNC_JOB* extra = nullptr;
      r.extra = start(&extra, ctx.get(), &ret, support::pause_once);
      sync.arrive_and_wait();
      for (int i = 0; i < kMax[t]; ++i) {
        if (jobs[i] == nullptr) continue;
        ret = 0;
        if (start(&jobs[i], ctx.get(), &ret, support::pause_once) == ASYNC_FINISH && ret == 3) {
          ++r.finished;
        }
      }
      api().ASYNC_cleanup_thread();
    });
  }
  for (std::thread& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    const std::string who =
        "thread " + std::to_string(t) + " (max_size " + std::to_string(kMax[t]) + ")";
    c.expect_eq(runs[t].init, 1, who + ": ASYNC_init_thread");
    c.expect_eq(runs[t].paused, kMax[t], who + ": jobs paused at once");
    c.expect_start(runs[t].extra, ASYNC_NO_JOBS, who + ": one job more than its own max_size");
    c.expect_eq(runs[t].finished, kMax[t], who + ": jobs resumed to ASYNC_FINISH with *ret 3");
  }
}

void init_on_one_thread_leaves_other_unlimited(CaseContext& c) {
  if (!c.expect_eq(api().ASYNC_init_thread(1, 0), 1,
                   "ASYNC_init_thread(1, 0) on the case's thread"))
    return;
  WaitCtx ctx;
  ASYNC_JOB* mine = nullptr;
  int ret = 0;
  if (!c.expect_start(start(&mine, ctx.get(), &ret, support::pause_once), ASYNC_PAUSE,
                      "the one job this thread's pool allows")) {
    return;
  }
  constexpr int kOther = 6;
  int other_results[kOther] = {};
  int other_finished = 0;
  std::thread other([&] {
    WaitCtx other_ctx;
    ASYNC_JOB* jobs[kOther] = {};
    int r = 0;
    for (int i = 0; i < kOther; ++i)
      other_results[i] = start(&jobs[i], other_ctx.get(), &r, support::pause_once);
    for (int i = 0; i < kOther; ++i) {
      if (jobs[i] != nullptr &&
          start(&jobs[i], other_ctx.get(), &r, support::pause_once) == ASYNC_FINISH) {
        ++other_finished;
      }
    }
    api().ASYNC_cleanup_thread();
  });
  other.join();
  for (int i = 0; i < kOther; ++i) {
    c.expect_start(other_results[i], ASYNC_PAUSE,
                   "job " + std::to_string(i) + " on a thread that never called ASYNC_init_thread");
  }
  c.expect_eq(other_finished, kOther, "jobs of the other thread resumed to ASYNC_FINISH");
  ASYNC_JOB* extra = nullptr;
  c.expect_start(start(&extra, ctx.get(), &ret, support::pause_once), ASYNC_NO_JOBS,
                 "a second job on the case's thread (max_size 1)");
  c.expect_start(start(&mine, ctx.get(), &ret, support::pause_once), ASYNC_FINISH,
                 "resuming the case's thread's job");
}

// Args of the jobs of many_threads_pause_and_resume.
struct Tagged {
  int tag;
  int pauses;
};
std::atomic<int> g_wrong_current{0};

int tagged_body(void* args) {
  const auto* a = static_cast<const Tagged*>(args);
  ASYNC_JOB* self = api().ASYNC_get_current_job();
  for (int i = 0; i < a->pauses; ++i) {
    api().ASYNC_pause_job();
    if (api().ASYNC_get_current_job() != self || self == nullptr) ++g_wrong_current;
  }
  return a->tag;
}

void many_threads_pause_and_resume(CaseContext& c) {
  constexpr int kThreads = 4;
  constexpr int kJobs = 200;     // per thread
  constexpr int kInFlight = 10;  // paused at once, per thread
  g_wrong_current = 0;
  int wrong[kThreads] = {};
  int finished[kThreads] = {};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      WaitCtx ctx;
      for (int base = 0; base < kJobs; base += kInFlight) {
        ASYNC_JOB* jobs[kInFlight] = {};
        int ret = 0;
        for (int i = 0; i < kInFlight; ++i) {
          Tagged args{t * 100000 + base + i, 1 + i % 3};
          if (start(&jobs[i], ctx.get(), &ret, tagged_body, &args, sizeof args) != ASYNC_PAUSE) {
            ++wrong[t];
          }
        }
        // Round robin until every job finished.
        for (int live = kInFlight; live > 0;) {
          live = 0;
          for (int i = 0; i < kInFlight; ++i) {
            if (jobs[i] == nullptr) continue;
            ret = -1;
            const int r = start(&jobs[i], ctx.get(), &ret, tagged_body);
            if (r == ASYNC_PAUSE) {
              ++live;
            } else if (r == ASYNC_FINISH && ret == t * 100000 + base + i) {
              ++finished[t];
            } else {
              ++wrong[t];
              jobs[i] = nullptr;
            }
          }
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    const std::string who = "thread " + std::to_string(t);
    c.expect_eq(wrong[t], 0,
                who + ": starts or resumes with a wrong result (or *ret from another job)");
    c.expect_eq(finished[t], kJobs, who + ": jobs finished with their own tag in *ret");
  }
  c.expect_eq(g_wrong_current.load(), 0,
              "resumes after which ASYNC_get_current_job was not the job's own handle");
}

// What the two jobs of current_job_is_per_thread saw.
struct CurrentSeen {
  std::atomic<bool> a_running{false};
  std::atomic<bool> b_done{false};
  ASYNC_JOB* a_before = nullptr;   // A's current job, before B ran
  ASYNC_JOB* a_after = nullptr;    // and after
  ASYNC_JOB* b_outside = nullptr;  // B's current job outside any job, while A's runs
  ASYNC_JOB* b_inside = nullptr;   // B's current job inside its own job
  bool timed_out = false;
};
CurrentSeen* g_current = nullptr;

int a_body(void*) {
  g_current->a_before = api().ASYNC_get_current_job();
  g_current->a_running = true;
  if (!wait_for(g_current->b_done)) g_current->timed_out = true;
  g_current->a_after = api().ASYNC_get_current_job();
  return 41;
}

int b_body(void*) {
  g_current->b_inside = api().ASYNC_get_current_job();
  api().ASYNC_pause_job();
  return 42;
}

void current_job_is_per_thread(CaseContext& c) {
  CurrentSeen seen;
  g_current = &seen;
  int a_result = -1, a_ret = 0, b_start = -1, b_resume = -1, b_ret = 0;
  ASYNC_JOB* b_handle = nullptr;
  std::thread a([&] {
    WaitCtx ctx;
    ASYNC_JOB* job = nullptr;
    a_result = start(&job, ctx.get(), &a_ret, a_body);
  });
  std::thread b([&] {
    if (!wait_for(seen.a_running)) seen.timed_out = true;
    seen.b_outside = api().ASYNC_get_current_job();
    WaitCtx ctx;
    b_start = start(&b_handle, ctx.get(), &b_ret, b_body);
    ASYNC_JOB* job = b_handle;
    if (b_start == ASYNC_PAUSE) b_resume = start(&job, ctx.get(), &b_ret, b_body);
    seen.b_done = true;
  });
  a.join();
  b.join();
  c.expect(!seen.timed_out, "the two threads did not meet within 2 s");
  c.expect(seen.a_before != nullptr, "thread A's current job inside its job: NULL");
  c.expect_eq(seen.b_outside, nullptr, "thread B's current job outside any job while A's job runs");
  c.expect(seen.b_inside != nullptr && seen.b_inside != seen.a_before,
           "thread B's current job inside its own job: " + describe(seen.b_inside) +
               " (thread A's job is " + describe(seen.a_before) + ")");
  c.expect_start(b_start, ASYNC_PAUSE, "thread B's job while thread A's job runs");
  c.expect_eq(b_handle, seen.b_inside, "handle of B's paused job vs B's current job inside it");
  c.expect_start(b_resume, ASYNC_FINISH, "resuming thread B's job");
  c.expect_eq(seen.a_after, seen.a_before, "thread A's current job after B's job ran");
  c.expect_start(a_result, ASYNC_FINISH, "thread A's job");
  c.expect_eq(a_ret, 41, "*ret of thread A's job");
  g_current = nullptr;
}

// What the two jobs of block_is_per_thread saw.
struct BlockSeen {
  std::atomic<bool> a_blocked{false};
  std::atomic<bool> b_done{false};
  int a_pause = -1;
  bool timed_out = false;
};
BlockSeen* g_block = nullptr;

int blocking_body(void*) {
  api().ASYNC_block_pause();
  g_block->a_blocked = true;
  if (!wait_for(g_block->b_done)) g_block->timed_out = true;
  g_block->a_pause = api().ASYNC_pause_job();  // still blocked here: no pause
  api().ASYNC_unblock_pause();
  return 43;
}

void block_is_per_thread(CaseContext& c) {
  BlockSeen seen;
  g_block = &seen;
  int a_result = -1, a_ret = 0, b_start = -1, b_resume = -1, b_ret = 0;
  std::thread a([&] {
    WaitCtx ctx;
    ASYNC_JOB* job = nullptr;
    a_result = start(&job, ctx.get(), &a_ret, blocking_body);
  });
  std::thread b([&] {
    if (!wait_for(seen.a_blocked)) seen.timed_out = true;
    WaitCtx ctx;
    ASYNC_JOB* job = nullptr;
    b_start = start(&job, ctx.get(), &b_ret, support::pause_once);
    if (b_start == ASYNC_PAUSE) b_resume = start(&job, ctx.get(), &b_ret, support::pause_once);
    seen.b_done = true;
  });
  a.join();
  b.join();
  c.expect(!seen.timed_out, "the two threads did not meet within 2 s");
  c.expect_start(b_start, ASYNC_PAUSE,
                 "thread B's job pausing while thread A's job blocks pausing");
  c.expect_start(b_resume, ASYNC_FINISH, "resuming thread B's job");
  c.expect_start(a_result, ASYNC_FINISH, "thread A's job, whose pause was blocked");
  c.expect_eq(seen.a_pause, 1, "ASYNC_pause_job in thread A's blocked job");
  c.expect_eq(a_ret, 43, "*ret of thread A's job");
  g_block = nullptr;
}

void cleanup_on_other_thread_keeps_paused_job(CaseContext& c) {
  WaitCtx ctx;
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  if (!c.expect_start(start(&job, ctx.get(), &ret, support::pause_once), ASYNC_PAUSE,
                      "a job paused on the case's thread")) {
    return;
  }
  int other = -1;
  std::thread t([&] {
    WaitCtx other_ctx;
    ASYNC_JOB* j = nullptr;
    int r = 0;
    other = start(&j, other_ctx.get(), &r, support::pause_once);
    if (other == ASYNC_PAUSE) other = start(&j, other_ctx.get(), &r, support::pause_once);
    api().ASYNC_cleanup_thread();
  });
  t.join();
  c.expect_start(other, ASYNC_FINISH,
                 "a job on another thread, which then called ASYNC_cleanup_thread");
  c.expect_start(start(&job, ctx.get(), &ret, support::pause_once), ASYNC_FINISH,
                 "resuming the case's thread's job after the other thread's cleanup");
  c.expect_eq(ret, 3, "*ret of the resumed job");
}

}  // namespace

void add_thread_cases(std::vector<Case>& out) {
  out.push_back(
      {"threads/pool-limits-are-per-thread",
       "Four threads with max_size 1, 2, 3, 5: each gets exactly its own limit, then ASYNC_NO_JOBS",
       {"THREAD-INIT-PER-THREAD", "THREAD-POOL-PER-THREAD"},
       {},
       pool_limits_are_per_thread});
  out.push_back(
      {"threads/init-on-one-thread-leaves-other-unlimited",
       "ASYNC_init_thread(1, 0) on one thread does not limit another thread's default pool",
       {"THREAD-INIT-PER-THREAD", "THREAD-POOL-PER-THREAD"},
       {},
       init_on_one_thread_leaves_other_unlimited});
  out.push_back(
      {"threads/many-threads-pause-and-resume",
       "Four threads each run 200 jobs, ten paused at a time, each finishing with its own result",
       {"THREAD-POOL-PER-THREAD"},
       {},
       many_threads_pause_and_resume});
  out.push_back(
      {"threads/current-job-is-per-thread",
       "While one thread's job runs, another thread sees no current job, then only its own",
       {"THREAD-POOL-PER-THREAD"},
       {},
       current_job_is_per_thread});
  out.push_back(
      {"threads/block-is-per-thread",
       "A pause block in one thread's job does not stop another thread's job from pausing",
       {"THREAD-POOL-PER-THREAD"},
       {},
       block_is_per_thread});
  out.push_back({"threads/cleanup-on-other-thread-keeps-paused-job",
                 "ASYNC_cleanup_thread on one thread leaves another thread's paused job resumable",
                 {"THREAD-POOL-PER-THREAD"},
                 {},
                 cleanup_on_other_thread_keeps_paused_job});
}

}  // namespace asyncconf::conformance
