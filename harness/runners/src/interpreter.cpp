#include "asyncconf/harness/interpreter.hpp"

#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <new>
#include <system_error>

#include "asyncconf/accel/offload.hpp"
#include "asyncconf/harness/probes.hpp"
#include "asyncconf/harness/sequence_text.hpp"
#include "asyncconf/ops/all_ops.hpp"
#include "device_wait.hpp"

namespace asyncconf::harness {

// --- threads on stacks of the harness's own ---------------------------------

namespace {

static_assert(sizeof(pthread_t) == sizeof(unsigned long));

// The thread stacks, mmap'ed (never malloc'ed, so never counted) and kept
// for the next thread: the harness makes a thread per plan thread, and a
// reused stack has its pages already.
class StackPool {
public:
  static StackPool& instance() {
    static StackPool pool;
    return pool;
  }
  // The usable part (above the guard page) of a stack of size(); nullptr if
  // none can be mapped.
  void* take() {
    {
      std::lock_guard lock(mutex_);
      if (count_ > 0) return free_[--count_];
    }
    void* base = ::mmap(nullptr, size_ + guard_, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    if (base == MAP_FAILED) return nullptr;
    ::mprotect(base, guard_, PROT_NONE);  // an overflow faults instead of writing below
    return static_cast<char*>(base) + guard_;
  }
  // After the thread on it was joined.
  void give(void* stack) {
    {
      std::lock_guard lock(mutex_);
      if (count_ < free_.size()) {
        free_[count_++] = stack;
        return;
      }
    }
    ::munmap(static_cast<char*>(stack) - guard_, size_ + guard_);
  }
  std::size_t size() const noexcept { return size_; }

private:
  StackPool() {
    // The size glibc gives a thread by default (from RLIMIT_STACK), as the
    // std::threads the harness used had.
    pthread_attr_t attr;
    std::size_t size = 0;
    if (::pthread_attr_init(&attr) == 0) {
      ::pthread_attr_getstacksize(&attr, &size);
      ::pthread_attr_destroy(&attr);
    }
    const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    guard_ = page;
    size_ = std::max<std::size_t>(size, std::size_t{1} << 20);
    size_ = (size_ + page - 1) / page * page;
  }
  std::mutex mutex_;
  std::array<void*, 4 * kMaxThreads> free_{};
  std::size_t count_ = 0;
  std::size_t size_ = 0;
  std::size_t guard_ = 0;
};

}  // namespace

HarnessThread::HarnessThread(void (*fn)(void*), void* arg) {
  StackPool& pool = StackPool::instance();
  void* stack = pool.take();
  if (stack == nullptr) throw std::system_error(errno, std::generic_category(), "cannot map a thread stack");
  // pthread's start routine has another signature than fn: both are handed
  // over in the new stack's lowest bytes, the last it would grow into, which
  // the thread copies out first. Allocation-free, and nothing to free.
  struct Start {
    void (*fn)(void*);
    void* arg;
  };
  pthread_attr_t attr;
  int rc = ::pthread_attr_init(&attr);
  if (rc == 0) rc = ::pthread_attr_setstack(&attr, stack, pool.size());
  Start* start = nullptr;
  if (rc == 0) {
    start = new (stack) Start{fn, arg};
    pthread_t id;
    rc = ::pthread_create(
        &id, &attr,
        [](void* p) -> void* {
          const Start s = *static_cast<Start*>(p);
          s.fn(s.arg);
          return nullptr;
        },
        start);
    if (rc == 0) id_ = id;
  }
  ::pthread_attr_destroy(&attr);
  if (rc != 0) {
    pool.give(stack);
    throw std::system_error(rc, std::generic_category(), "cannot start a thread");
  }
  stack_ = stack;
}

HarnessThread::HarnessThread(HarnessThread&& other) noexcept : id_(other.id_), stack_(other.stack_) {
  other.stack_ = nullptr;
}

HarnessThread& HarnessThread::operator=(HarnessThread&& other) noexcept {
  if (this != &other) {
    join();
    id_ = other.id_;
    stack_ = other.stack_;
    other.stack_ = nullptr;
  }
  return *this;
}

HarnessThread::~HarnessThread() { join(); }

void HarnessThread::join() noexcept {
  if (stack_ == nullptr) return;
  ::pthread_join(static_cast<pthread_t>(id_), nullptr);
  // Joined: glibc has freed the thread's DTV and TLS blocks and is done
  // with the stack.
  StackPool::instance().give(stack_);
  stack_ = nullptr;
}

namespace {

// --- the counting stack allocator ------------------------------------------

std::atomic<long> g_stacks_live{0};
std::atomic<long> g_stack_allocs{0};
std::atomic<std::size_t> g_last_asked{0};
std::atomic<std::size_t> g_hand_out{0};  // 0: the size asked
std::atomic<bool> g_counting{false};
// The implementation whose stacks are counted (one per process).
std::atomic<decltype(AsyncApi::ASYNC_set_mem_functions)> g_counting_owner{nullptr};

void* count_alloc(std::size_t* num) {
  g_last_asked.store(*num, std::memory_order_relaxed);
  const std::size_t give = g_hand_out.load(std::memory_order_relaxed);
  if (give != 0) *num = give;
  void* p = std::malloc(*num);
  if (p != nullptr) {
    g_stacks_live.fetch_add(1, std::memory_order_relaxed);
    g_stack_allocs.fetch_add(1, std::memory_order_relaxed);
  }
  return p;
}

void count_free(void* p) {
  if (p == nullptr) return;
  g_stacks_live.fetch_sub(1, std::memory_order_relaxed);
  std::free(p);
}

// --- wait-fd cleanups and callbacks ---------------------------------------

constexpr std::size_t kCleanupRing = 1024;
std::atomic<long> g_cleanups{0};
std::array<int, kCleanupRing> g_cleaned_fds{};

extern "C" void on_cleanup(ASYNC_WAIT_CTX*, const void*, OSSL_ASYNC_FD fd, void*) {
  const long n = g_cleanups.fetch_add(1, std::memory_order_relaxed);
  g_cleaned_fds[static_cast<std::size_t>(n) % kCleanupRing] = fd;
}

std::array<char, kMaxKeys> g_keys{};  // a key is the address of one of these

constexpr std::uintptr_t kCallbackArgBase = 0xca11ba00u;

// The arg names the ctx whose callback it is (callback_arg).
extern "C" int on_wake(void* arg) {
  device_wait::note_wake(static_cast<int>(reinterpret_cast<std::uintptr_t>(arg) - kCallbackArgBase));
  return 1;
}

// --- a run -----------------------------------------------------------------

struct Run;

struct JobRec {
  Run* run = nullptr;
  int name = -1;
  const Op* start = nullptr;
  ASYNC_JOB* handle = nullptr;  // the *job the driver passes
  ASYNC_JOB* bound = nullptr;   // the handle first seen for this job
  int ret = kRetUntouched;
  long arg = 0;                 // the caller's args buffer
  bool offloading = false;      // in an offload, waiting for the device
  std::atomic<bool> offload_paused{false};  // its offload's helper has paused
  long offloads = 0;            // offloads it began
  long wakes_seen = 0;          // its ctx's callback wake-ups when it last looked
};

thread_local JobRec* t_starting = nullptr;

// ops::Offload::visible() reads the status as a number.
static_assert(static_cast<int>(accel::OffloadResult::Status::Ok) == 0 &&
              static_cast<int>(accel::OffloadResult::Status::DeviceError) == 1 &&
              static_cast<int>(accel::OffloadResult::Status::Timeout) == 4);

// The offload helper pauses through this: the device serves a request only
// once its job has called ASYNC_pause_job (which returns at once under a
// block), so that whether an offload pauses does not depend on how fast the
// device is. A device without threads serves it here, on the job's thread.
thread_local JobRec* t_offloading = nullptr;
thread_local int (*t_pause_job)() = nullptr;
thread_local accel::Device* t_serve_here = nullptr;
extern "C" int offload_pause() {
  if (t_serve_here != nullptr) {
    t_serve_here->serve_queued();
  } else if (t_offloading != nullptr) {
    t_offloading->offload_paused.store(true, std::memory_order_release);
    t_offloading->offload_paused.notify_all();
  }
  return t_pause_job();
}

int job_main(void* args);

// A binary semaphore on a futex, one waiter at a time: a turn handed over
// is one atomic exchange and, when the other thread sleeps, one wake.
// (libstdc++ 12's std::binary_semaphore backs off with timed sleeps, and a
// mutex with a condition variable costs two more system calls a turn: both
// cost more than the ops themselves when threads hand over many times a
// millisecond.)
struct Sem {
  struct Impl {
    static constexpr int kEmpty = 0, kReady = 1, kSleeping = 2;
    std::atomic<int> state{kEmpty};
    void release() {
      if (state.exchange(kReady) == kSleeping) futex(FUTEX_WAKE_PRIVATE, 1);
    }
    void acquire() {
      for (;;) {
        int seen = kReady;
        if (state.compare_exchange_strong(seen, kEmpty)) return;
        if (seen == kEmpty && !state.compare_exchange_strong(seen, kSleeping)) continue;
        futex(FUTEX_WAIT_PRIVATE, kSleeping);
      }
    }
    void futex(int op, int value) {
      ::syscall(SYS_futex, reinterpret_cast<int*>(&state), op, value, nullptr, nullptr, 0);
    }
  } s;
};
static_assert(sizeof(std::atomic<int>) == sizeof(int) && std::atomic<int>::is_always_lock_free);

struct Run {
  const AsyncApi& api;
  AsyncApi offload_api;  // api with ASYNC_pause_job through offload_pause: the offload helper's
  const Plan& plan;  // may grow between advance() calls (a Session)
  InterpreterOptions options;
  std::deque<JobRec> jobs;  // a paused job's body holds its JobRec: never moved
  std::vector<ASYNC_WAIT_CTX*> ctxs;
  std::vector<std::pair<ASYNC_JOB*, int>> bindings;  // handle -> last job bound
  RunResult result;
  std::size_t next_step = 0;
  std::size_t available = 0;  // steps the workers may run
  int current_step = -1;
  bool stop = false;
  bool done = false;
  // Thread t runs when gate[t] opens: its own go[t], a kept thread's, or,
  // for thread 0 on the caller's thread, `finished`.
  std::array<Sem*, kMaxThreads> gate{};
  std::array<Sem, kMaxThreads> go;
  // On stacks of the harness's own: a plan's threads leave no block of
  // glibc's behind, however many other threads are alive (HarnessThread).
  std::array<HarnessThread, kMaxThreads> threads;
  struct Worker {
    Run* run;
    int thread;
  };
  std::array<Worker, kMaxThreads> workers;
  Sem finished;  // the caller's turn again
  std::size_t limit = 0;
  long stacks_base = g_stacks_live.load();  // stacks left by earlier runs in this process
  std::int64_t heap_base = 0;
  int fds_base = 0;

  Run(const AsyncApi& a, const Plan& p, const InterpreterOptions& o, std::vector<Observation>&& spent = {})
      : api(a), offload_api(a), plan(p), options(o) {
    offload_api.ASYNC_pause_job = &offload_pause;
    result.observed = std::move(spent);
    result.observed.clear();
    grow();
    result.observed.reserve(plan.expected.size() + 1);
    bindings.reserve(jobs.size() + 4);
  }

  // Sizes the tables for the plan as it is now (workers idle).
  void grow() {
    while (jobs.size() < static_cast<std::size_t>(plan.jobs)) {
      JobRec& rec = jobs.emplace_back();
      rec.run = this;
      rec.name = static_cast<int>(jobs.size()) - 1;
    }
    if (ctxs.size() < static_cast<std::size_t>(plan.ctxs)) ctxs.resize(static_cast<std::size_t>(plan.ctxs), nullptr);
    limit = plan.expected.size() + 64;
  }

  void baseline() {
    heap_base = probes::live_allocations();
    fds_base = probes::open_fds();
  }

  // Runs the steps up to `n` on their threads; returns when they ran or the run stopped.
  void advance(std::size_t n) {
    grow();
    available = std::min(n, plan.steps.size());
    if (stop || next_step >= available) return;
    for (std::size_t i = next_step; i < available; ++i) {
      const int t = plan.steps[i].thread;
      if (gate[static_cast<std::size_t>(t)] == nullptr) open_thread(t);
    }
    if (!options.inline_thread) {
      pass_on();
      finished.s.acquire();
      return;
    }
    for (;;) {
      steps_of(0);
      if (stop || next_step >= available) return;
      pass_on();
      finished.s.acquire();
    }
  }

  // Where thread t's steps run, made ready on first use.
  void open_thread(int t) {
    const auto i = static_cast<std::size_t>(t);
    if (t == 0 && options.inline_thread) {
      gate[i] = &finished;
    } else if (options.kept_threads != nullptr) {
      gate[i] = attach_kept(t);
    } else if (options.inline_thread) {
      throw std::invalid_argument("interpreter: a plan on several threads with inline_thread needs kept_threads");
    } else {
      gate[i] = &go[i];
      workers[i] = {this, t};
      threads[i] = HarnessThread([](void* w) { static_cast<Worker*>(w)->run->worker(static_cast<Worker*>(w)->thread); },
                                 &workers[i]);
    }
  }

  // Every thread exits (the implementation frees its per-thread state), then
  // the leak check at the end of the plan.
  void close(bool check_end) {
    done = true;
    for (std::size_t t = 0; t < threads.size(); ++t) {
      if (threads[t].joinable()) {
        go[t].s.release();
        threads[t].join();
      } else if (gate[t] != nullptr && gate[t] != &finished) {
        detach_kept(static_cast<int>(t));
      }
    }
    // A stopped plan did not reach its teardown: the threads that stay
    // reset their state, so the next run starts on fresh threads.
    if (stop && gate[0] == &finished) api.ASYNC_cleanup_thread();
    if (stop) {
      // The teardown did not run: free the ctxs it would have freed (no job
      // will resume to use them), so that a stopped run leaks nothing of ours.
      for (ASYNC_WAIT_CTX*& ctx : ctxs) {
        if (ctx != nullptr) api.ASYNC_WAIT_CTX_free(ctx);
        ctx = nullptr;
      }
    }
    if (!check_end || stop) return;
    Observation end = observation(OpKind::CleanupThread);
    end.step = static_cast<int>(plan.steps.size());
    end.end = true;
    note_stacks(end);
    if (!options.reuses_threads()) {
      end.heap = static_cast<long>(probes::live_allocations() - heap_base);
      end.fds = probes::open_fds() - fds_base;
    }
    record(end);
  }

  // --- names -------------------------------------------------------------

  long job_ref(int job, ASYNC_JOB* p) {
    if (p == nullptr) return kRefNull;
    JobRec& rec = jobs[static_cast<std::size_t>(job)];
    if (rec.bound == nullptr) {
      rec.bound = p;
      for (auto& b : bindings) {
        if (b.first == p) {
          b.second = job;
          return job;
        }
      }
      bindings.emplace_back(p, job);
      return job;
    }
    if (rec.bound == p) return job;
    for (const auto& b : bindings) {
      if (b.first == p) return b.second;
    }
    return kRefUnknown;
  }

  long ctx_ref(const ASYNC_WAIT_CTX* p) const {
    if (p == nullptr) return kRefNull;
    for (std::size_t i = 0; i < ctxs.size(); ++i) {
      if (ctxs[i] == p) return static_cast<long>(i);
    }
    return kRefUnknown;
  }

  // --- observations --------------------------------------------------------

  // Records one observation; false when the run must stop.
  bool record(const Observation& seen) {
    if (stop) return false;  // what happens after the first difference is not evidence
    if (result.observed.size() >= limit) {
      stop = true;
      return false;
    }
    result.observed.push_back(seen);
    Observation& o = result.observed.back();
    if (plan.config.device) name_device_fds(o);
    if (!options.check) return true;
    const std::size_t i = result.observed.size() - 1;
    Difference d;
    if (i >= plan.expected.size()) {
      d.found = true;
      d.site = true;
      d.level = Level::Must;
    } else {
      d = compare(plan.expected[i], o);
    }
    if (!d.found) return true;
    const bool enforced = d.level <= plan.config.level;
    if (!enforced && !d.site) {
      // A value only a looser level fixes (OpenSSL's *ret on PAUSE, its fd
      // order): the same ops ran, so the run's own level is checked on to
      // the end.
      if (result.looser == RunResult::npos) result.looser = i;
      return true;
    }
    result.mismatch = i;
    result.difference = d;
    result.enforced = enforced;
    stop = true;
    return false;
  }

  // The device's fds have a new number each run: lists show their name.
  static void name_device_fds(Observation& o) {
    for (FdList* list : {&o.list, &o.list2}) {
      for (int i = 0; i < list->size && i < kMaxFdsPerCtx; ++i) {
        int& fd = list->fd[static_cast<std::size_t>(i)];
        if (fd >= kDeviceFdFloor) fd = kDeviceFd;
      }
    }
  }

  Observation observation(OpKind op) const {
    Observation o;
    o.step = current_step;
    o.op = op;
    return o;
  }

  void note_stacks(Observation& o) const {
    o.stacks = g_stacks_live.load(std::memory_order_relaxed) - stacks_base;
  }

  // --- what the ops' homes call (harness/ops/) ----------------------------------

  static constexpr auto counting_alloc = &count_alloc;
  static constexpr auto counting_free = &count_free;
  static constexpr ASYNC_callback_fn wake_callback = &on_wake;
  static constexpr auto record_cleanup = &on_cleanup;
  static const void* key(int k) { return &g_keys[static_cast<std::size_t>(k) % kMaxKeys]; }
  static void* custom_data(int fd) {
    return reinterpret_cast<void*>(static_cast<std::uintptr_t>(0xc0de0000u) + static_cast<unsigned>(fd));
  }
  static void* callback_arg(int ctx) {
    return reinterpret_cast<void*>(kCallbackArgBase + static_cast<unsigned>(ctx));
  }
  static long cleanups() { return g_cleanups.load(std::memory_order_relaxed); }
  static int cleaned_fd(long n) { return g_cleaned_fds[static_cast<std::size_t>(n) % kCleanupRing]; }
  static long stack_allocs() { return g_stack_allocs.load(std::memory_order_relaxed); }
  static long last_stack_asked() { return static_cast<long>(g_last_asked.load(std::memory_order_relaxed)); }
  static void hand_out(std::size_t bytes) { g_hand_out.store(bytes, std::memory_order_relaxed); }

  JobRec& job(int name) { return jobs[static_cast<std::size_t>(name)]; }
  ASYNC_WAIT_CTX* ctx(int name) const {
    return name >= 0 && static_cast<std::size_t>(name) < ctxs.size() ? ctxs[static_cast<std::size_t>(name)] : nullptr;
  }
  void set_ctx(int name, ASYNC_WAIT_CTX* p) { ctxs[static_cast<std::size_t>(name)] = p; }

  // ASYNC_start_job with the job function bound to `rec`'s body (null: a
  // job the plan did not start, which returns at once).
  int start(JobRec* rec, ASYNC_JOB** handle, ASYNC_WAIT_CTX* wctx, int* ret, void* args, std::size_t size) {
    t_starting = rec;
    const int rc = api.ASYNC_start_job(handle, wctx, ret, job_main, args, size);
    t_starting = nullptr;
    return rc;
  }
  // What a start or a resume of job `name` left: its handle, *ret, stacks.
  void note_start(int name, long allocs_before, Observation& o) {
    const JobRec& rec = job(name);
    o.ref = job_ref(name, rec.handle);
    o.ret = rec.ret;
    note_stacks(o);
    if (stack_allocs() != allocs_before) o.extra = last_stack_asked();
  }
  // The name of the job running now, as the driver knows it.
  long current_ref(ASYNC_JOB* p) const {
    long ref = p == nullptr ? kRefNull : kRefUnknown;
    for (const auto& b : bindings) {
      if (b.first == p) ref = b.second;
    }
    return ref;
  }

  // --- the device (device_ops.hpp) --------------------------------------------

  // The offload helper, inside the job: it returns once the work is done.
  void offload(JobRec& rec, Observation& o) {
    rec.offloading = true;
    rec.offload_paused.store(false, std::memory_order_relaxed);
    ++rec.offloads;
    rec.wakes_seen = device_wait::wakes(rec.start->ctx);
    accel::Device& device = device_wait::plan_device();
    t_offloading = &rec;
    t_pause_job = api.ASYNC_pause_job;
    t_serve_here = device.config().workers == 0 ? &device : nullptr;
    // On a device thread the work waits for the job's first pause (once a
    // request is accepted the helper always pauses, at once under a block);
    // done by the job itself (no wait ctx) it does not.
    const auto work = [r = &rec, job_thread = pthread_self()] {
      if (pthread_equal(pthread_self(), job_thread) == 0) r->offload_paused.wait(false, std::memory_order_acquire);
      return static_cast<int>(ops::Offload::kResult);
    };
    const accel::OffloadResult result = accel::offload(offload_api, device, work);
    t_offloading = nullptr;
    t_serve_here = nullptr;
    rec.offloading = false;
    o.rc = static_cast<long>(result.status);
    o.extra = result.value;
    o.extra2 = ops::Offload::visible(o.rc, o.extra);
  }

  // Waits for the device's wake-up (an observation of its own), then
  // resumes the job until its offload returns, waiting again after a resume
  // that finds it still waiting; a wait that fails then shows as an rc no
  // start gives (-101 not woken, -102 no fd listed).
  void await_device(int name, Wakeup how, Observation& o) {
    static constexpr long kNotWoken = -101, kNoFd = -102;
    JobRec& rec = job(name);
    const long offload = rec.offloads;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    ASYNC_WAIT_CTX* wctx = ctx(rec.start->ctx);
    const auto wait = [&] {
      switch (device_wait::wait_for_wake(api, wctx, rec.start->ctx, how, rec.wakes_seen, deadline)) {
        case device_wait::Waited::Woken: return 1L;
        case device_wait::Waited::TimedOut: return 0L;
        case device_wait::Waited::NoFd: return -1L;
      }
      return 0L;
    };
    Observation woken = o;
    woken.extra2 = wait();
    if (!record(woken) || woken.extra2 != 1) return;
    const long allocs_before = stack_allocs();
    o.rc = start(nullptr, &rec.handle, nullptr, &rec.ret, nullptr, 0);
    while (o.rc == ASYNC_PAUSE && rec.offloading && rec.offloads == offload) {
      const long again = wait();
      if (again != 1) {
        o.rc = again == 0 ? kNotWoken : kNoFd;
        return;
      }
      o.rc = start(nullptr, &rec.handle, nullptr, &rec.ret, nullptr, 0);
    }
    note_start(name, allocs_before, o);
  }

  // --- the job body ----------------------------------------------------------

  int body(JobRec& rec, void* args) {
    const std::vector<Op>& ops = rec.start->body;
    for (std::size_t pc = 0; pc < ops.size(); ++pc) {
      if (stop) return 0;
      if (plan.body_op_skipped(rec.name, pc)) continue;
      const Op& op = ops[pc];
      if (op.kind == OpKind::Return) return static_cast<int>(op.value);
      Observation o = observation(op.kind);
      ops::visit(op.kind, [&]<class H>(H) {
        if constexpr (op_schema(H::kind).body()) H::run_in_job(*this, rec, op, o, args);
      });
      // A pause returns in a later step.
      o.step = current_step;
      o.job = rec.name;
      o.body_index = static_cast<int>(pc);
      if (!record(o)) return 0;
    }
    return 0;
  }

  // --- driver ops ------------------------------------------------------------

  void exec(const Step& step) {
    const Op& op = *step.op;
    Observation o = observation(op.kind);
    ops::visit(op.kind, [&]<class H>(H) {
      if constexpr (op_schema(H::kind).driver()) H::run(*this, op, o);
    });
    record(o);
  }

  // --- threads ---------------------------------------------------------------

  Sem* attach_kept(int t);
  void detach_kept(int t);

  // Thread t's turn: its steps up to the next step of another thread.
  void steps_of(int t) {
    const auto& steps = plan.steps;
    while (!stop && next_step < available && steps[next_step].thread == t) {
      current_step = static_cast<int>(next_step);
      exec(steps[next_step]);
      ++next_step;
    }
  }
  // Gives the turn to the next step's thread, or back to the caller.
  void pass_on() {
    if (!stop && next_step < available) {
      gate[static_cast<std::size_t>(plan.steps[next_step].thread)]->s.release();
    } else {
      finished.s.release();
    }
  }

  void worker(int t) {
    for (;;) {
      go[static_cast<std::size_t>(t)].s.acquire();
      if (done) return;
      steps_of(t);
      pass_on();
    }
  }
};

}  // namespace

// A kept thread waits on its own gate between turns, whichever run it
// serves: a run hands it a turn as it does its own threads, and nothing
// is handed over when a run ends.
struct KeptThreads::Impl {
  struct Member {
    int t = 0;
    Run* run = nullptr;
    Sem gate;
    HarnessThread thread;
    void serve() {
      for (;;) {
        gate.s.acquire();
        if (run == nullptr) return;
        if (run->done) {
          // A stopped run's reset (Run::close).
          run->api.ASYNC_cleanup_thread();
          run->finished.s.release();
          continue;
        }
        run->steps_of(t);
        run->pass_on();
      }
    }
  };
  std::array<Member, kMaxThreads> members;

  ~Impl() {
    for (Member& m : members) {
      if (!m.thread.joinable()) continue;
      m.run = nullptr;
      m.gate.s.release();
      m.thread.join();
    }
  }
};

KeptThreads::KeptThreads() : impl_(std::make_unique<Impl>()) {}
KeptThreads::~KeptThreads() = default;

namespace {

Sem* Run::attach_kept(int t) {
  KeptThreads::Impl::Member& m = options.kept_threads->impl().members[static_cast<std::size_t>(t)];
  m.t = t;
  m.run = this;
  if (!m.thread.joinable()) m.thread = HarnessThread([](void* p) { static_cast<decltype(&m)>(p)->serve(); }, &m);
  return &m.gate;
}

void Run::detach_kept(int t) {
  KeptThreads::Impl::Member& m = options.kept_threads->impl().members[static_cast<std::size_t>(t)];
  if (stop) {
    m.gate.s.release();
    finished.s.acquire();
  }
  m.run = nullptr;
}

int job_main(void* args) {
  JobRec* rec = t_starting;
  t_starting = nullptr;
  if (rec == nullptr) return 0;  // a job the plan did not start (nested, or a resume that started one)
  return rec->run->body(*rec, args);
}

}  // namespace

bool install_counting_stacks(const AsyncApi& api) noexcept {
  if (g_counting.load()) return counting_stacks(api);
  if (api.ASYNC_set_mem_functions == nullptr) return false;
  if (api.ASYNC_set_mem_functions(count_alloc, count_free) != 1) return false;
  g_counting_owner.store(api.ASYNC_set_mem_functions);
  g_counting.store(true);
  return true;
}

bool counting_stacks() noexcept { return g_counting.load(); }

bool counting_stacks(const AsyncApi& api) noexcept {
  return g_counting.load() && g_counting_owner.load() == api.ASYNC_set_mem_functions;
}

void warm_up(const AsyncApi& api) {
  static const Sequence warm = parse_sequence_or_throw(
      "init_thread 0 1\n"  // fails: OpenSSL's first error loads its error strings
      "wctx_new w0\n"
      "start j0 w0 { pause; set_fd 0 3; pause; clear_fd 0 }\n"
      "resume j0\n"
      "resume j0\n"
      "t1: start j1 null { }\n"
      "t2: start j2 null { }\n"
      "t3: start j3 null { }\n");
  ModelConfig config = model_config(api, Level::Robustness);
  const Plan p = plan(warm, config);
  run_plan(api, p, InterpreterOptions{.check = false});
}

ModelConfig model_config(const AsyncApi& api, Level level) noexcept {
  ModelConfig c;
  c.level = level;
  c.callbacks = api.has_callbacks;
  c.mem_functions = api.has_mem_functions;
  c.counting_stacks = counting_stacks(api);
  c.counting_heap = probes::allocation_counting();
  c.fresh_process = !c.counting_stacks || g_stack_allocs.load() == 0;
  return c;
}

InterpreterOptions reusing_threads(const Sequence& s, KeptThreads& kept) {
  InterpreterOptions o;
  o.inline_thread = true;
  if (!on_one_thread(s)) o.kept_threads = &kept;
  return o;
}

std::string set_device_faults(std::string_view rules, std::uint64_t seed) {
  const accel::Parsed<accel::FaultPlan> plan = accel::parse_fault_plan(rules, seed);
  if (!plan.ok()) return plan.error();
  return device_wait::set_device_faults(plan.value());
}

RunResult run_plan(const AsyncApi& api, const Plan& plan, const InterpreterOptions& options) {
  return run_plan(api, plan, options, RunResult{});
}

RunResult run_plan(const AsyncApi& api, const Plan& plan, const InterpreterOptions& options, RunResult&& spent) {
  Run run(api, plan, options, std::move(spent.observed));
  if (!options.reuses_threads()) run.baseline();
  run.advance(plan.steps.size());
  run.close(/*check_end=*/true);
  return std::move(run.result);
}

struct Session::Impl {
  Model model;
  Run run;
  bool closed = false;
  int ops = 0;  // driver ops given so far: their line numbers
  Impl(const AsyncApi& api, const ModelConfig& config)
      : model(config), run(api, model.current(), InterpreterOptions{}) {
    run.baseline();
  }
};

namespace {
ModelConfig without_heap(ModelConfig config) {
  config.counting_heap = false;  // the caller allocates between ops
  return config;
}
}  // namespace

Session::Session(const AsyncApi& api, const ModelConfig& config)
    : impl_(std::make_unique<Impl>(api, without_heap(config))) {}

Session::~Session() {
  if (!impl_->closed) impl_->run.close(/*check_end=*/false);
}

std::string Session::skip_reason(const Op& op) const { return impl_->model.skip_reason(op); }

bool Session::run(const Op& op) {
  if (impl_->closed || impl_->run.stop) return false;
  impl_->model.apply(op, impl_->ops++);
  impl_->run.advance(impl_->model.current().steps.size());
  return !impl_->run.stop;
}

const RunResult& Session::finish() {
  if (!impl_->closed) {
    impl_->closed = true;
    if (!impl_->run.stop) {
      impl_->model.teardown();
      impl_->run.advance(impl_->model.current().steps.size());
    }
    impl_->run.close(/*check_end=*/true);
  }
  return impl_->run.result;
}

const RunResult& Session::result() const noexcept { return impl_->run.result; }
const Plan& Session::plan() const noexcept { return impl_->model.current(); }

}  // namespace asyncconf::harness
