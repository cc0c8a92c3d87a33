// ASYNC_init_thread and the job pool: sizes, limits, ASYNC_NO_JOBS, reuse,
// and the automatic default pool.
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <vector>

#include "asyncconf/conformance/catalogue.hpp"
#include "asyncconf/harness/probes.hpp"
#include "case_support.hpp"

// The out-of-memory case needs malloc to return NULL. The sanitizers'
// allocators abort instead unless run with allocator_may_return_null=1,
// which the asan, fuzz and tsan test presets set.

namespace asyncconf::conformance {

namespace {

using harness::probes::StackCounter;
using support::start;
using support::WaitCtx;

int g_runs = 0;  // bodies entered, reset by each case that reads it

int count_then_pause(void*) {
  ++g_runs;
  api().ASYNC_pause_job();
  return 1;
}

int count_and_return(void*) {
  ++g_runs;
  return 2;
}

// Paused jobs, each on its own wait ctx (a ctx serves one job at a time).
struct PausedJobs {
  std::deque<WaitCtx> ctxs;
  std::vector<ASYNC_JOB*> handles;

  /// Starts one more job that pauses once; what ASYNC_start_job returned.
  int start_one() {
    ctxs.emplace_back();
    ASYNC_JOB* job = nullptr;
    int ret = 0;
    const int result = start(&job, ctxs.back().get(), &ret, count_then_pause);
    if (result == ASYNC_PAUSE) {
      handles.push_back(job);
    } else {
      ctxs.pop_back();
    }
    return result;
  }
  /// Starts `n` such jobs; false (with evidence) at the first that does not pause.
  bool start_n(CaseContext& c, int n) {
    for (int i = 0; i < n; ++i) {
      const std::size_t number = handles.size() + 1;
      if (!c.expect_start(start_one(), ASYNC_PAUSE, "starting job " + std::to_string(number))) {
        return false;
      }
    }
    return true;
  }
  /// Resumes job `i`, which must finish (its handle becomes NULL).
  bool finish(CaseContext& c, std::size_t i) {
    int ret = 0;
    return c.expect_start(start(&handles[i], ctxs[i].get(), &ret, count_then_pause),
                          ASYNC_FINISH, "resuming paused job " + std::to_string(i + 1));
  }
  /// Resumes every job not finished yet.
  void finish_all(CaseContext& c) {
    for (std::size_t i = 0; i < handles.size(); ++i) {
      if (handles[i] != nullptr) finish(c, i);
    }
  }
};

// A new job on a full pool: ASYNC_NO_JOBS and nothing run (the man page);
// `de_facto` adds what OpenSSL also guarantees: *job left NULL, *ret kept.
bool expect_no_jobs(CaseContext& c, std::string_view what, bool de_facto) {
  WaitCtx ctx;
  ASYNC_JOB* job = nullptr;
  int ret = -777;
  const int runs_before = g_runs;
  const std::string text(what);
  const bool ok =
      c.expect_start(start(&job, ctx.get(), &ret, count_then_pause), ASYNC_NO_JOBS, text);
  c.expect_eq(g_runs - runs_before, 0, text + ": bodies entered");
  if (de_facto) {
    c.expect_eq(job, nullptr, text + ": *job");
    c.expect_eq(ret, -777, text + ": *ret (must be left as it was)");
  }
  return ok;
}

void init_thread_returns_1(CaseContext& c) {
  if (!c.expect_eq(api().ASYNC_init_thread(4, 2), 1, "ASYNC_init_thread(4, 2)")) return;
  WaitCtx ctx;
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  c.expect_start(start(&job, ctx.get(), &ret, support::return_seven), ASYNC_FINISH,
                 "a job on the initialised pool");
}

void init_thread_zero_zero_is_unlimited(CaseContext& c) {
  if (!c.expect_eq(api().ASYNC_init_thread(0, 0), 1, "ASYNC_init_thread(0, 0)")) return;
  PausedJobs jobs;
  jobs.start_n(c, 200);
  jobs.finish_all(c);
}

void init_size_above_max_fails(CaseContext& c) {
  if (!c.expect_eq(api().ASYNC_init_thread(1, 2), 0, "ASYNC_init_thread(1, 2)")) return;
  // No pool of max_size 1 may be left behind: the default pool is unlimited.
  PausedJobs jobs;
  jobs.start_n(c, 3);
  jobs.finish_all(c);
}

void init_zero_max_with_init_size_fails(CaseContext& c) {
  c.expect_eq(api().ASYNC_init_thread(0, 5), 0,
              "ASYNC_init_thread(0, 5) (init_size above max_size, though 0 means unlimited)");
}

void init_max_above_int_max_fails(CaseContext& c) {
  const std::size_t above = static_cast<std::size_t>(INT_MAX) + 1;
  c.expect_eq(api().ASYNC_init_thread(above, 0), 0, "ASYNC_init_thread(INT_MAX + 1, 0)");
  c.expect_eq(api().ASYNC_init_thread(SIZE_MAX, 0), 0, "ASYNC_init_thread(SIZE_MAX, 0)");
  c.expect_eq(api().ASYNC_init_thread(INT_MAX, 0), 1, "ASYNC_init_thread(INT_MAX, 0)");
}

void max_size_gives_no_jobs(CaseContext& c) {
  if (!c.expect_eq(api().ASYNC_init_thread(4, 0), 1, "ASYNC_init_thread(4, 0)")) return;
  g_runs = 0;
  PausedJobs jobs;
  if (!jobs.start_n(c, 4)) return;
  expect_no_jobs(c, "a fifth job while 4 (max_size) are paused", true);
  jobs.finish_all(c);
}

void no_jobs_retry_succeeds_after_finish(CaseContext& c) {
  if (!c.expect_eq(api().ASYNC_init_thread(2, 0), 1, "ASYNC_init_thread(2, 0)")) return;
  g_runs = 0;
  PausedJobs jobs;
  if (!jobs.start_n(c, 2)) return;
  if (!expect_no_jobs(c, "a third job while 2 (max_size) are paused", true)) return;
  expect_no_jobs(c, "the same start retried while the pool is still full", true);
  if (!jobs.finish(c, 0)) return;
  const int runs_before = g_runs;
  if (c.expect_start(jobs.start_one(), ASYNC_PAUSE, "the retry after one job finished")) {
    c.expect_eq(g_runs - runs_before, 1, "bodies entered by the retry");
  }
  jobs.finish_all(c);
}

void max_size_one_runs_jobs_one_after_another(CaseContext& c) {
  if (!c.expect_eq(api().ASYNC_init_thread(1, 0), 1, "ASYNC_init_thread(1, 0)")) return;
  g_runs = 0;
  for (int i = 1; i <= 20; ++i) {
    PausedJobs jobs;
    if (!c.expect_start(jobs.start_one(), ASYNC_PAUSE,
                        "job " + std::to_string(i) + " after " + std::to_string(i - 1) +
                            " finished ones (their job must be back in the pool)")) {
      return;
    }
    if (i == 1 && !expect_no_jobs(c, "a second job while the only one is paused", false)) return;
    if (!jobs.finish(c, 0)) return;
  }
}

void auto_init_is_unlimited(CaseContext& c) {
  // No ASYNC_init_thread: the first start makes the default pool.
  PausedJobs jobs;
  jobs.start_n(c, 200);
  jobs.finish_all(c);
}

void auto_init_creates_no_jobs_up_front(CaseContext& c) {
  if (!c.expect(StackCounter::install(api()), "installing the counting stack allocator failed")) {
    return;
  }
  PausedJobs jobs;
  if (!jobs.start_n(c, 1)) return;
  c.expect_eq(StackCounter::allocated(), 1,
              "stacks allocated by the first job of the default pool (init_size 0)");
  if (!jobs.start_n(c, 1)) return;
  c.expect_eq(StackCounter::allocated(), 2, "stacks allocated once a second job is paused");
  jobs.finish_all(c);
}

void init_size_precreates_stacks(CaseContext& c) {
  if (!c.expect(StackCounter::install(api()), "installing the counting stack allocator failed")) {
    return;
  }
  if (!c.expect_eq(api().ASYNC_init_thread(4, 4), 1, "ASYNC_init_thread(4, 4)")) return;
  c.expect_eq(StackCounter::allocated(), 4, "stacks allocated by ASYNC_init_thread(4, 4)");
  PausedJobs jobs;
  if (!jobs.start_n(c, 4)) return;
  c.expect_eq(StackCounter::allocated(), 4, "stacks allocated after 4 jobs took the ready ones");
  expect_no_jobs(c, "a fifth job", false);
  jobs.finish_all(c);
}

void created_on_demand_up_to_max(CaseContext& c) {
  if (!c.expect(StackCounter::install(api()), "installing the counting stack allocator failed")) {
    return;
  }
  if (!c.expect_eq(api().ASYNC_init_thread(3, 1), 1, "ASYNC_init_thread(3, 1)")) return;
  c.expect_eq(StackCounter::allocated(), 1, "stacks allocated by ASYNC_init_thread(3, 1)");
  PausedJobs jobs;
  static constexpr std::int64_t kStacksAfter[] = {1, 2, 3};
  for (std::int64_t expected : kStacksAfter) {
    if (!jobs.start_n(c, 1)) return;
    c.expect_eq(StackCounter::allocated(), expected,
                "stacks allocated with " + std::to_string(jobs.handles.size()) + " jobs paused");
  }
  expect_no_jobs(c, "a fourth job", false);
  c.expect_eq(StackCounter::allocated(), 3, "stacks allocated after the refused fourth job");
  jobs.finish_all(c);
}

void finished_jobs_reuse_one_stack(CaseContext& c) {
  if (!c.expect(StackCounter::install(api()), "installing the counting stack allocator failed")) {
    return;
  }
  for (int i = 0; i < 50; ++i) {
    PausedJobs jobs;
    if (!jobs.start_n(c, 1) || !jobs.finish(c, 0)) return;
  }
  c.expect_eq(StackCounter::allocated(), 1, "stacks allocated for 50 jobs run one after another");
}

void init_size_jobs_are_ready_made(CaseContext& c) {
  namespace probes = harness::probes;
  if (!c.expect(probes::allocation_counting(), "this asyncconf build does not count heap blocks")) {
    return;
  }
  if (!c.expect_eq(api().ASYNC_init_thread(16, 8), 1, "ASYNC_init_thread(16, 8)")) return;
  // Warm-up: a first job finishes and goes back to the pool, so the thread's
  // one-time state (OpenSSL 3.x: the async ctx, its thread-stop handler and
  // the default library context: 51 blocks on 3.0.19) is not counted against the
  // pre-created jobs; 8 idle jobs remain.
  {
    WaitCtx warm_ctx;
    ASYNC_JOB* warm = nullptr;
    int warm_ret = 0;
    if (!c.expect_start(start(&warm, warm_ctx.get(), &warm_ret, support::return_seven),
                        ASYNC_FINISH, "a warm-up job")) {
      return;
    }
  }
  std::deque<WaitCtx> ctxs(16);
  std::vector<ASYNC_JOB*> handles(16, nullptr);
  std::int64_t blocks[2] = {0, 0};  // taking the 8 ready jobs, then creating 8 more
  for (int half = 0; half < 2; ++half) {
    const std::int64_t before = probes::live_allocations();
    for (int i = half * 8; i < half * 8 + 8; ++i) {
      int ret = 0;
      if (!c.expect_start(start(&handles[i], ctxs[i].get(), &ret, count_then_pause), ASYNC_PAUSE,
                          "starting job " + std::to_string(i + 1))) {
        return;
      }
    }
    blocks[half] = probes::live_allocations() - before;
  }
  c.expect(blocks[1] >= blocks[0] + 8,
           "heap blocks allocated by starting the 8 pre-created jobs: " +
               std::to_string(blocks[0]) + ", by starting 8 jobs beyond init_size: " +
               std::to_string(blocks[1]) +
               "; expected the pre-created ones to need at least 8 fewer (they exist already)");
  for (int i = 0; i < 16; ++i) {
    int ret = 0;
    c.expect_start(start(&handles[i], ctxs[i].get(), &ret, count_then_pause), ASYNC_FINISH,
                   "resuming job " + std::to_string(i + 1));
  }
}

// Bytes of address space the process has mapped, from /proc/self/statm (0 if unreadable).
std::size_t address_space_bytes() {
  std::FILE* statm = std::fopen("/proc/self/statm", "r");
  if (statm == nullptr) return 0;
  unsigned long pages = 0;
  const int read = std::fscanf(statm, "%lu", &pages);
  std::fclose(statm);
  return read == 1 ? pages * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)) : 0;
}

void* volatile g_malloc_sink = nullptr;

void args_copy_out_of_memory_gives_err(CaseContext& c) {
  WaitCtx ctx;
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  // First a job, so the thread state exists and an idle job waits in the pool.
  if (!c.expect_start(start(&job, ctx.get(), &ret, support::return_seven), ASYNC_FINISH,
                      "a first job")) {
    return;
  }
  // Real, readable args of 1 GiB (zero pages, never written), and an address
  // space limit 64 MiB above the current size: copying them cannot be allocated.
  constexpr std::size_t kArgsSize = std::size_t{1} << 30;
  void* args = ::mmap(nullptr, kArgsSize, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                      -1, 0);
  if (!c.expect(args != MAP_FAILED, "environment: mmap of 1 GiB of args failed")) return;
  rlimit old{};
  const std::size_t now = address_space_bytes();
  if (!c.expect(::getrlimit(RLIMIT_AS, &old) == 0 && now != 0,
                "environment: cannot read the address space size or limit")) {
    ::munmap(args, kArgsSize);
    return;
  }
  rlimit tight = old;
  tight.rlim_cur = now + (std::size_t{64} << 20);
  if (old.rlim_max != RLIM_INFINITY && tight.rlim_cur > old.rlim_max) tight.rlim_cur = old.rlim_max;
  ::setrlimit(RLIMIT_AS, &tight);
  g_malloc_sink = std::malloc(kArgsSize);  // proves the limit bites
  const bool limited = g_malloc_sink == nullptr;
  std::free(g_malloc_sink);
  g_malloc_sink = nullptr;
  g_runs = 0;
  const int result = limited ? start(&job, ctx.get(), &ret, count_and_return, args, kArgsSize) : 0;
  ::setrlimit(RLIMIT_AS, &old);
  ::munmap(args, kArgsSize);
  if (!c.expect(limited, "environment: malloc(1 GiB) succeeded under RLIMIT_AS")) return;
  c.expect_start(result, ASYNC_ERR,
                 "ASYNC_start_job whose 1 GiB of args cannot be copied (out of memory)");
  c.expect_eq(g_runs, 0, "bodies entered");
}

}  // namespace

void add_pool_cases(std::vector<Case>& out) {
  out.push_back({"pool/init-thread-returns-1", "ASYNC_init_thread(4, 2) returns 1",
                 {"POOL-INIT-RETURN-VALUE"}, {}, init_thread_returns_1});
  out.push_back({"pool/init-thread-zero-zero-is-unlimited",
                 "ASYNC_init_thread(0, 0) returns 1 and its pool takes 200 paused jobs",
                 {"POOL-INIT-RETURN-VALUE", "POOL-MAX-SIZE-ZERO-UNLIMITED", "START-MANY-PAUSED"},
                 {},
                 init_thread_zero_zero_is_unlimited});
  out.push_back({"pool/init-size-above-max-fails",
                 "ASYNC_init_thread(1, 2) returns 0 and leaves no pool limited to 1 job",
                 {"POOL-INIT-SIZE-ABOVE-MAX-FAILS", "POOL-INIT-RETURN-VALUE"},
                 {},
                 init_size_above_max_fails});
  out.push_back({"pool/init-zero-max-with-init-size-fails",
                 "ASYNC_init_thread(0, 5) returns 0 (init_size > max_size, though 0 is unlimited)",
                 {"POOL-INIT-SIZE-ABOVE-MAX-FAILS"}, {}, init_zero_max_with_init_size_fails});
  out.push_back({"pool/init-max-above-int-max-fails",
                 "ASYNC_init_thread returns 0 for max_size INT_MAX + 1 and SIZE_MAX, 1 for INT_MAX",
                 {"POOL-INIT-MAX-ABOVE-INT-MAX-FAILS", "POOL-INIT-RETURN-VALUE"},
                 {},
                 init_max_above_int_max_fails});
  out.push_back({"pool/max-size-gives-no-jobs",
                 "With max_size 4 and 4 jobs paused, a new job gets ASYNC_NO_JOBS and runs nothing",
                 {"POOL-MAX-SIZE-LIMITS", "POOL-FULL-GIVES-NO-JOBS", "START-NO-JOBS-POOL-EMPTY"},
                 {},
                 max_size_gives_no_jobs});
  out.push_back({"pool/no-jobs-retry-succeeds-after-finish",
                 "After ASYNC_NO_JOBS the same start succeeds once a paused job has finished",
                 {"START-NO-JOBS-RETRY", "POOL-FULL-GIVES-NO-JOBS", "POOL-JOBS-RETURNED-TO-POOL"},
                 {},
                 no_jobs_retry_succeeds_after_finish});
  out.push_back({"pool/max-size-one-runs-jobs-one-after-another",
                 "A pool of one job runs 20 jobs in turn: each finished job goes back to the pool",
                 {"POOL-JOBS-RETURNED-TO-POOL", "POOL-MAX-SIZE-LIMITS"},
                 {},
                 max_size_one_runs_jobs_one_after_another});
  out.push_back({"pool/auto-init-is-unlimited",
                 "Without ASYNC_init_thread the default pool takes 200 paused jobs",
                 {"POOL-AUTO-INIT-DEFAULTS", "START-MANY-PAUSED"}, {}, auto_init_is_unlimited});
  out.push_back({"pool/auto-init-creates-no-jobs-up-front",
                 "The default pool allocates one stack per job, created when the job is needed",
                 {"POOL-AUTO-INIT-DEFAULTS", "POOL-CREATED-ON-DEMAND"},
                 {Capability::MemFunctions},
                 auto_init_creates_no_jobs_up_front});
  out.push_back({"pool/init-size-precreates-stacks",
                 "ASYNC_init_thread(4, 4) allocates 4 stacks at once; 4 jobs then need no more",
                 {"POOL-INIT-SIZE-PRECREATED", "POOL-MAX-SIZE-LIMITS"},
                 {Capability::MemFunctions},
                 init_size_precreates_stacks});
  out.push_back({"pool/created-on-demand-up-to-max",
                 "ASYNC_init_thread(3, 1): 1 stack at once, one more per job up to 3, then NO_JOBS",
                 {"POOL-CREATED-ON-DEMAND", "POOL-INIT-SIZE-PRECREATED", "POOL-MAX-SIZE-LIMITS",
                  "START-NO-JOBS-POOL-EMPTY"},
                 {Capability::MemFunctions},
                 created_on_demand_up_to_max});
  out.push_back({"pool/finished-jobs-reuse-one-stack",
                 "50 jobs run one after another allocate a single stack",
                 {"POOL-JOBS-RETURNED-TO-POOL"},
                 {Capability::MemFunctions},
                 finished_jobs_reuse_one_stack});
  out.push_back({"pool/init-size-jobs-are-ready-made",
                 "Starting init_size jobs allocates less heap than creating as many new ones",
                 {"POOL-INIT-SIZE-PRECREATED", "POOL-CREATED-ON-DEMAND"},
                 {},
                 init_size_jobs_are_ready_made});
  out.push_back({"pool/args-copy-out-of-memory-gives-err",
                 "When the copy of args cannot be allocated, ASYNC_start_job gives ASYNC_ERR",
                 {"START-ERR-ON-ERROR"},
                 {},
                 args_copy_out_of_memory_gives_err});
}

}  // namespace asyncconf::conformance
