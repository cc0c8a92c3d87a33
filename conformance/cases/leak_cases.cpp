// Leaks: what ASYNC_cleanup_thread, thread exit and ASYNC_WAIT_CTX_free
// give back, and that reused jobs do not grow the heap. Heap blocks are
// counted for the whole process (harness::probes), so each case measures a
// difference around its own work, after a warm-up that makes any one-time
// allocation of the implementation (or of the C library) happen first.
#include <cstdint>
#include <string>
#include <thread>

#include "asyncconf/conformance/catalogue.hpp"
#include "asyncconf/harness/probes.hpp"
#include "case_support.hpp"

namespace asyncconf::conformance {

namespace {

namespace probes = harness::probes;
using support::start;
using support::WaitCtx;

std::int64_t heap() { return probes::live_allocations(); }

bool heap_is_counted(CaseContext& c) {
  return c.expect(
      probes::allocation_counting(),
      "this process does not count heap blocks (not linked with asyncconf::alloc_probe)");
}

// Starts n jobs that pause once, then resumes each to ASYNC_FINISH. Returns
// how many did not go PAUSE then FINISH with *ret 3.
int run_together(ASYNC_WAIT_CTX* ctx, int n) {
  constexpr int kMax = 32;
  ASYNC_JOB* jobs[kMax] = {};
  int wrong = 0;
  int ret = 0;
  for (int i = 0; i < n && i < kMax; ++i) {
    if (start(&jobs[i], ctx, &ret, support::pause_once) != ASYNC_PAUSE) ++wrong;
  }
  for (int i = 0; i < n && i < kMax; ++i) {
    if (jobs[i] == nullptr) continue;
    ret = 0;
    if (start(&jobs[i], ctx, &ret, support::pause_once) != ASYNC_FINISH || ret != 3) ++wrong;
  }
  return wrong;
}

// Runs n jobs one after another, each with 16 bytes of args and one pause.
// Returns how many did not give PAUSE, then FINISH with their args' tag.
int run_sequentially(ASYNC_WAIT_CTX* ctx, int n) {
  struct Args {
    int tag;
    char pad[12];
  };
  static const auto body = [](void* args) {
    api().ASYNC_pause_job();
    return static_cast<Args*>(args)->tag;
  };
  int wrong = 0;
  for (int i = 0; i < n; ++i) {
    Args args{i, {}};
    ASYNC_JOB* job = nullptr;
    int ret = -1;
    if (start(&job, ctx, &ret, body, &args, sizeof args) != ASYNC_PAUSE ||
        start(&job, ctx, &ret, body) != ASYNC_FINISH || ret != i) {
      ++wrong;
    }
  }
  return wrong;
}

void sequential_jobs_keep_heap_flat(CaseContext& c) {
  if (!heap_is_counted(c)) return;
  WaitCtx ctx;
  c.expect_eq(run_sequentially(ctx.get(), 100), 0, "warm-up jobs that went wrong");
  const std::int64_t before = heap();
  const int fds_before = probes::open_fds();
  constexpr int kJobs = 100000;
  c.expect_eq(run_sequentially(ctx.get(), kJobs), 0, "jobs (of 100000) that went wrong");
  support::expect_no_gain(c, heap() - before,
                          "heap blocks over 100000 sequential jobs with args and a pause");
  support::expect_no_gain(c, probes::open_fds() - fds_before, "file descriptors over the 100000 jobs");
}

void sequential_jobs_allocate_one_stack(CaseContext& c) {
  if (!c.expect(probes::StackCounter::install(api()),
                "installing the counting stack allocator (ASYNC_set_mem_functions) failed")) {
    return;
  }
  WaitCtx ctx;
  c.expect_eq(run_sequentially(ctx.get(), 10000), 0, "jobs (of 10000) that went wrong");
  c.expect_eq(probes::StackCounter::allocated(), std::int64_t{1},
              "job stacks allocated for 10000 jobs run one after another");
  c.expect_eq(probes::StackCounter::freed(), std::int64_t{0}, "job stacks freed meanwhile");
}

// Heap blocks left behind by: init_thread(0, 0), n jobs paused at once and
// finished, ASYNC_cleanup_thread.
std::int64_t residue_of_cycle(CaseContext& c, int n) {
  const std::int64_t before = heap();
  c.expect_eq(api().ASYNC_init_thread(0, 0), 1, "ASYNC_init_thread(0, 0)");
  {
    WaitCtx ctx;
    c.expect_eq(run_together(ctx.get(), n), 0,
                "of " + std::to_string(n) + " jobs paused at once, those that went wrong");
  }
  api().ASYNC_cleanup_thread();
  return heap() - before;
}

void cleanup_thread_frees_pooled_jobs(CaseContext& c) {
  if (!heap_is_counted(c)) return;
  residue_of_cycle(c, 1);  // warm-up
  const std::int64_t one = residue_of_cycle(c, 1);
  const std::int64_t sixteen = residue_of_cycle(c, 16);
  c.note("heap blocks left by a cycle with 1 job: " + std::to_string(one) +
         "; with 16 jobs: " + std::to_string(sixteen));
  c.expect_eq(sixteen, one,
              "heap blocks left after ASYNC_cleanup_thread by a pool of 16 jobs vs a pool of 1 "
              "(equal when every pooled job is freed)");
}

void cleanup_cycles_return_heap_to_baseline(CaseContext& c) {
  if (!heap_is_counted(c)) return;
  residue_of_cycle(c, 4);  // warm-up
  const std::int64_t before = heap();
  constexpr int kCycles = 50;
  for (int i = 0; i < kCycles; ++i) residue_of_cycle(c, 4);
  support::expect_no_gain(c, heap() - before,
                          "heap blocks over 50 cycles of ASYNC_init_thread, 4 jobs, ASYNC_cleanup_thread");
}

void cleanup_thread_frees_every_stack(CaseContext& c) {
  if (!c.expect(probes::StackCounter::install(api()),
                "installing the counting stack allocator (ASYNC_set_mem_functions) failed")) {
    return;
  }
  {
    WaitCtx ctx;
    c.expect_eq(run_together(ctx.get(), 8), 0, "of 8 jobs paused at once, those that went wrong");
  }
  c.expect_eq(probes::StackCounter::allocated(), std::int64_t{8},
              "stacks allocated for 8 jobs at once");
  api().ASYNC_cleanup_thread();
  c.expect_eq(probes::StackCounter::freed(), probes::StackCounter::allocated(),
              "stacks freed by ASYNC_cleanup_thread vs stacks allocated");
}

void cleanup_thread_then_fresh_default_pool(CaseContext& c) {
  if (!c.expect_eq(api().ASYNC_init_thread(2, 0), 1, "ASYNC_init_thread(2, 0)")) return;
  WaitCtx ctx;
  c.expect_eq(run_together(ctx.get(), 2), 0, "of 2 jobs paused at once, those that went wrong");
  api().ASYNC_cleanup_thread();
  constexpr int kJobs = 6;
  ASYNC_JOB* jobs[kJobs] = {};
  int ret = 0;
  for (int i = 0; i < kJobs; ++i) {
    c.expect_start(
        start(&jobs[i], ctx.get(), &ret, support::pause_once), ASYNC_PAUSE,
        "job " + std::to_string(i) + " paused after ASYNC_cleanup_thread (the old max_size was 2)");
  }
  for (int i = 0; i < kJobs; ++i) {
    if (jobs[i] == nullptr) continue;
    c.expect_start(start(&jobs[i], ctx.get(), &ret, support::pause_once), ASYNC_FINISH,
                   "resuming job " + std::to_string(i));
  }
}

// A thread that runs 8 jobs at once and exits without ASYNC_cleanup_thread.
int run_thread_without_cleanup() {
  int wrong = -1;
  std::thread t([&] {
    WaitCtx ctx;
    wrong = run_together(ctx.get(), 8);
  });
  t.join();
  return wrong;
}

void thread_exit_frees_pool(CaseContext& c) {
  if (!heap_is_counted(c)) return;
  c.expect_eq(run_thread_without_cleanup(), 0, "warm-up thread: jobs that went wrong");
  const std::int64_t before = heap();
  c.expect_eq(run_thread_without_cleanup(), 0, "jobs that went wrong");
  support::expect_no_gain(c, heap() - before,
                          "heap blocks over a thread that ran 8 jobs at once and exited without cleanup");
}

void thread_exit_frees_every_stack(CaseContext& c) {
  if (!c.expect(probes::StackCounter::install(api()),
                "installing the counting stack allocator (ASYNC_set_mem_functions) failed")) {
    return;
  }
  c.expect_eq(run_thread_without_cleanup(), 0, "jobs that went wrong");
  c.expect_eq(probes::StackCounter::allocated(), std::int64_t{8}, "stacks allocated by the thread");
  c.expect_eq(probes::StackCounter::freed(), probes::StackCounter::allocated(),
              "stacks freed by the time the thread was joined vs stacks allocated");
}

int g_cleanups = 0;
void count_cleanup(ASYNC_WAIT_CTX*, const void*, OSSL_ASYNC_FD, void*) { ++g_cleanups; }

// Sets n wait fds (numbers only, never opened) on a new ctx and frees it.
// Returns how many set_wait_fd calls did not return 1.
int fill_and_free_wait_ctx(int n) {
  static char keys[1000];
  ASYNC_WAIT_CTX* ctx = api().ASYNC_WAIT_CTX_new();
  if (ctx == nullptr) return n;
  int wrong = 0;
  for (int i = 0; i < n; ++i) {
    if (api().ASYNC_WAIT_CTX_set_wait_fd(ctx, &keys[i % 1000], 100000 + i, nullptr,
                                         count_cleanup) != 1)
      ++wrong;
  }
  api().ASYNC_WAIT_CTX_free(ctx);
  return wrong;
}

void wait_ctx_free_releases_every_entry(CaseContext& c) {
  if (!heap_is_counted(c)) return;
  c.expect_eq(fill_and_free_wait_ctx(10), 0, "warm-up: set_wait_fd calls that did not return 1");
  g_cleanups = 0;
  const std::int64_t before = heap();
  c.expect_eq(fill_and_free_wait_ctx(1000), 0, "set_wait_fd calls (of 1000) that did not return 1");
  c.expect_eq(g_cleanups, 1000, "cleanup calls made by ASYNC_WAIT_CTX_free for 1000 live entries");
  support::expect_no_gain(c, heap() - before,
                          "heap blocks over ASYNC_WAIT_CTX_free of a ctx with 1000 wait fds");
}

}  // namespace

void add_leak_cases(std::vector<Case>& out) {
  const std::vector<Capability> mem = {Capability::MemFunctions};
  out.push_back(
      {"leaks/sequential-jobs-keep-heap-flat",
       "100000 jobs run one after another (args, one pause) gain no heap blocks and no fds",
       {"LEAK-POOL-NO-GROWTH"},
       {},
       sequential_jobs_keep_heap_flat});
  out.push_back({"leaks/sequential-jobs-allocate-one-stack",
                 "10000 jobs run one after another allocate one job stack",
                 {"LEAK-POOL-NO-GROWTH"},
                 mem,
                 sequential_jobs_allocate_one_stack});
  out.push_back(
      {"leaks/cleanup-thread-frees-pooled-jobs",
       "After ASYNC_cleanup_thread a pool of 16 jobs leaves no more heap blocks than a pool of 1",
       {"LEAK-CLEANUP-THREAD-FREES-STACKS", "LEAK-EXPLICIT-CLEANUP-THREAD"},
       {},
       cleanup_thread_frees_pooled_jobs});
  out.push_back(
      {"leaks/cleanup-cycles-return-heap-to-baseline",
       "50 cycles of init, jobs and ASYNC_cleanup_thread on one thread leave no heap blocks",
       {"LEAK-EXPLICIT-CLEANUP-THREAD"},
       {},
       cleanup_cycles_return_heap_to_baseline});
  out.push_back({"leaks/cleanup-thread-frees-every-stack",
                 "ASYNC_cleanup_thread passes every pooled stack to the stack free function",
                 {"LEAK-CLEANUP-THREAD-FREES-STACKS"},
                 mem,
                 cleanup_thread_frees_every_stack});
  out.push_back({"leaks/cleanup-thread-then-fresh-default-pool",
                 "After ASYNC_cleanup_thread the thread starts jobs in a fresh, unlimited pool",
                 {"LEAK-CLEANUP-THREAD-FREES-STACKS", "POOL-AUTO-INIT-DEFAULTS"},
                 {},
                 cleanup_thread_then_fresh_default_pool});
  out.push_back({"leaks/thread-exit-frees-pool",
                 "A thread that exits without ASYNC_cleanup_thread leaves no heap blocks behind",
                 {"LEAK-AUTO-CLEANUP-AT-THREAD-EXIT", "LEAK-THREAD-EXIT-FREES-POOL"},
                 {},
                 thread_exit_frees_pool});
  out.push_back({"leaks/thread-exit-frees-every-stack",
                 "A thread that exits without ASYNC_cleanup_thread has every stack freed by the "
                 "time it is joined",
                 {"LEAK-THREAD-EXIT-FREES-POOL", "LEAK-AUTO-CLEANUP-AT-THREAD-EXIT"},
                 mem,
                 thread_exit_frees_every_stack});
  out.push_back({"leaks/wait-ctx-free-releases-every-entry",
                 "ASYNC_WAIT_CTX_free of a ctx with 1000 wait fds calls 1000 cleanups and leaves "
                 "no heap blocks",
                 {"CLEANUP-CALLED-ON-FREE", "CLEANUP-ONCE-PER-LIVE-ENTRY"},
                 {},
                 wait_ctx_free_releases_every_entry});
}

}  // namespace asyncconf::conformance
