// The benchmark's application loop: one thread, N jobs in flight.
#include "asyncconf/accel/bench.hpp"

#include <sched.h>
#include <sys/resource.h>

#include <sys/epoll.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "asyncconf/accel/device.hpp"

namespace asyncconf::accel {
namespace {

using Clock = std::chrono::steady_clock;

class Loop;

// One in-flight position: its WAIT_CTX, and the job running on it, if any.
struct Slot {
  Loop* loop = nullptr;
  std::size_t index = 0;
  ASYNC_WAIT_CTX* ctx = nullptr;
  ASYNC_JOB* job = nullptr;  // started, not finished
  int ret = 0;
  OffloadResult::Status status = OffloadResult::Status::Ok;  // the last offload's
  Clock::time_point submitted{};     // set by the job body, just before offload()
  bool registered = false;           // fd and poll modes: its fds are in the epoll set
  std::atomic<bool> queued{false};   // callback mode: in the ready queue
};

// The calling thread's timer slack, set for the object's lifetime. Threads
// inherit their creator's slack, so the device's workers started meanwhile
// sleep their latency to within `ns`, not Linux's default 50 µs.
class TimerSlack {
public:
  explicit TimerSlack(long ns) : saved_(prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0)) {
    prctl(PR_SET_TIMERSLACK, static_cast<unsigned long>(ns), 0, 0, 0);
  }
  ~TimerSlack() {
    if (saved_ > 0) prctl(PR_SET_TIMERSLACK, static_cast<unsigned long>(saved_), 0, 0, 0);
  }
  TimerSlack(const TimerSlack&) = delete;
  TimerSlack& operator=(const TimerSlack&) = delete;

private:
  long saved_;
};

struct Phase {
  std::uint64_t count = 0;                   // requests to run, unless `until`
  std::optional<Clock::time_point> until;    // start new requests until then
  std::vector<double>* latencies = nullptr;  // µs, one per finished request
  std::uint64_t finished = 0;
  std::uint64_t failed = 0;
  std::string first_failure;                 // the offload's status, or the job's return
  Clock::time_point first_start{};
  Clock::time_point last_finish{};
};

class Loop {
public:
  Loop(const detail::BenchCalls& calls, Device& device, std::size_t in_flight)
      : calls_(calls), device_(device), mode_(device.config().notify),
        stall_limit_(device.config().give_up_after + std::chrono::seconds(5)) {
    slots_.reserve(in_flight);
    for (std::size_t i = 0; i < in_flight; ++i) {
      auto s = std::make_unique<Slot>();
      s->loop = this;
      s->index = i;
      slots_.push_back(std::move(s));
    }
  }

  ~Loop() { release(); }
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  std::string setup() {
    if (mode_ == NotifyMode::Callback && calls_.set_callback == nullptr) {
      return "callback mode needs OpenSSL 3.0's ASYNC_WAIT_CTX_set_callback; the implementation lacks it";
    }
    if (mode_ != NotifyMode::Callback) {
      epoll_ = epoll_create1(EPOLL_CLOEXEC);
      if (epoll_ < 0) return "epoll_create1 failed";
    }
    for (const std::unique_ptr<Slot>& s : slots_) {
      s->ctx = calls_.wait_ctx_new();
      if (s->ctx == nullptr) return "ASYNC_WAIT_CTX_new returned null";
      if (mode_ == NotifyMode::Callback && calls_.set_callback(s->ctx, &Loop::on_wake, s.get()) != 1) {
        return "ASYNC_WAIT_CTX_set_callback failed";
      }
    }
    return {};
  }

  // Runs one phase to its end: every request it started has finished.
  std::string run(Phase& phase) {
    phase_ = &phase;
    issued_ = 0;
    phase.first_start = Clock::now();
    for (const std::unique_ptr<Slot>& s : slots_) {
      if (!may_issue()) break;
      if (std::string e = issue(*s); !e.empty()) return e;
    }
    std::vector<Slot*> ready;
    auto last_progress = Clock::now();
    while (phase.finished < issued_) {
      ready.clear();
      wait_ready(ready);
      if (ready.empty()) {
        if (Clock::now() - last_progress > stall_limit_) {
          return std::to_string(issued_ - phase.finished) + " job(s) never woken (stalled)";
        }
        continue;
      }
      last_progress = Clock::now();
      for (Slot* s : ready) {
        if (s->job == nullptr) continue;  // a stale wake: its job already finished
        if (std::string e = step(*s); !e.empty()) return e;
      }
    }
    return {};
  }

  // Frees every WAIT_CTX (their cleanups close the device's fds).
  void release() {
    if (epoll_ >= 0) close(epoll_);
    epoll_ = -1;
    for (const std::unique_ptr<Slot>& s : slots_) {
      if (s->ctx != nullptr) calls_.wait_ctx_free(s->ctx);
      s->ctx = nullptr;
    }
  }

private:
  static int job_body(void* arg) {
    Slot* s = *static_cast<Slot**>(arg);
    s->submitted = Clock::now();
    static const std::function<int()> work = [] { return 1; };
    s->status = detail::offload(s->loop->calls_.offload, s->loop->device_, work).status;
    return s->status == OffloadResult::Status::Ok ? 1 : 0;
  }

  static int on_wake(void* arg) {
    auto* s = static_cast<Slot*>(arg);
    if (!s->queued.exchange(true, std::memory_order_acq_rel)) s->loop->push_ready(s);
    return 1;
  }

  void push_ready(Slot* s) {
    {
      const std::lock_guard lock(ready_mutex_);
      ready_.push_back(s);
    }
    ready_cv_.notify_one();
  }

  bool may_issue() const {
    return phase_->until ? Clock::now() < *phase_->until : issued_ < phase_->count;
  }

  std::string issue(Slot& s) {
    ++issued_;
    s.job = nullptr;
    return step(s);
  }

  // Starts or resumes the slot's job.
  std::string step(Slot& s) {
    Slot* self = &s;
    const int status = calls_.start_job(&s.job, s.ctx, &s.ret, &Loop::job_body, &self, sizeof self);
    switch (status) {
      case ASYNC_FINISH: {
        const Clock::time_point now = Clock::now();
        s.job = nullptr;
        ++phase_->finished;
        if (s.ret != 1 && phase_->failed++ == 0) {
          phase_->first_failure = s.status != OffloadResult::Status::Ok
                                      ? std::string(to_string(s.status))
                                      : "the job returned " + std::to_string(s.ret);
        }
        phase_->last_finish = now;
        if (phase_->latencies != nullptr) {
          phase_->latencies->push_back(std::chrono::duration<double, std::micro>(now - s.submitted).count());
        }
        return may_issue() ? issue(s) : std::string();
      }
      case ASYNC_PAUSE: return after_pause(s);
      case ASYNC_NO_JOBS: return "ASYNC_start_job returned ASYNC_NO_JOBS (pool exhausted)";
      default: return "ASYNC_start_job returned " + std::to_string(status);
    }
  }

  std::string after_pause(Slot& s) {
    if (mode_ == NotifyMode::Callback) {
      // EAGAIN (a full ring): the helper asks to be resumed at once, without a callback.
      if (calls_.get_status(s.ctx) == ASYNC_STATUS_EAGAIN) on_wake(&s);
      return {};
    }
    std::size_t added = 0;
    std::size_t deleted = 0;
    if (s.registered) {
      calls_.get_changed_fds(s.ctx, nullptr, &added, nullptr, &deleted);
      if (added == 0 && deleted == 0) return {};
      std::vector<OSSL_ASYNC_FD> add(added), del(deleted);
      calls_.get_changed_fds(s.ctx, add.data(), &added, del.data(), &deleted);
      for (OSSL_ASYNC_FD fd : del) epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr);
      return watch(s, add);
    }
    std::size_t n = 0;
    calls_.get_all_fds(s.ctx, nullptr, &n);
    std::vector<OSSL_ASYNC_FD> fds(n);
    calls_.get_all_fds(s.ctx, fds.data(), &n);
    // The changes are in the set now; read them, so that the next call reports only new ones.
    calls_.get_changed_fds(s.ctx, nullptr, &added, nullptr, &deleted);
    if (n == 0) return "a job paused with no wait fd in its WAIT_CTX";
    s.registered = true;
    return watch(s, fds);
  }

  // Level-triggered: the helper reads its fd empty only once the result is
  // in, so a job woken too early stays readable and is resumed again.
  std::string watch(Slot& s, const std::vector<OSSL_ASYNC_FD>& fds) {
    for (OSSL_ASYNC_FD fd : fds) {
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u64 = s.index;
      if (epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev) != 0 && errno != EEXIST) return "epoll_ctl failed";
    }
    return {};
  }

  void wait_ready(std::vector<Slot*>& ready) {
    switch (mode_) {
      case NotifyMode::Fd: return wait_fds(ready, 1000);
      case NotifyMode::Callback: return wait_callbacks(ready);
      case NotifyMode::Poll: return poll_device(ready);
    }
  }

  void wait_fds(std::vector<Slot*>& ready, int timeout_ms) {
    const int n = epoll_wait(epoll_, events_.data(), static_cast<int>(events_.size()), timeout_ms);
    for (int i = 0; i < n; ++i) ready.push_back(slots_[events_[i].data.u64].get());
  }

  void wait_callbacks(std::vector<Slot*>& ready) {
    std::unique_lock lock(ready_mutex_);
    ready_cv_.wait_for(lock, std::chrono::seconds(1), [&] { return !ready_.empty(); });
    ready.swap(ready_);
    lock.unlock();
    // Cleared before the resume: a wake from now on queues the slot again.
    for (Slot* s : ready) s->queued.store(false, std::memory_order_release);
  }

  // Nothing delivers in poll mode until someone polls (poll_interval=0):
  // deliver, then take the fds that became readable.
  void poll_device(std::vector<Slot*>& ready) {
    wait_fds(ready, 0);
    if (!ready.empty()) return;
    if (device_.poll() > 0) return wait_fds(ready, 0);
    std::this_thread::yield();
  }

  const detail::BenchCalls& calls_;
  Device& device_;
  const NotifyMode mode_;
  const Nanos stall_limit_;
  std::vector<std::unique_ptr<Slot>> slots_;
  int epoll_ = -1;
  std::array<epoll_event, 256> events_{};
  Phase* phase_ = nullptr;
  std::uint64_t issued_ = 0;
  std::mutex ready_mutex_;
  std::condition_variable ready_cv_;
  std::vector<Slot*> ready_;
};

// User and system time so far of every thread of this process (RUSAGE_SELF)
// or of this thread (RUSAGE_THREAD).
double cpu_seconds(int who) {
  rusage u{};
  getrusage(who, &u);
  const auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

std::size_t usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) return static_cast<std::size_t>(CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

// The mean service time the device drew for requests 0 .. n-1 (samples are
// a pure function of (seed, index)).
double mean_latency_s(const DeviceConfig& config, std::uint64_t n) {
  if (n == 0) return 0;
  double sum = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    sum += std::chrono::duration<double>(config.latency.sample(config.seed, i)).count();
  }
  return sum / static_cast<double>(n);
}

BenchRun measure(const detail::BenchCalls& calls, const BenchOptions& o) {
  BenchRun run;
  std::string failure;
  const int pool = static_cast<int>(o.in_flight);
  if (calls.init_thread(pool, pool) != 1) {
    run.error = "ASYNC_init_thread(" + std::to_string(pool) + ", " + std::to_string(pool) + ") failed";
    return run;
  }
  std::optional<Device> device;
  {
    std::optional<TimerSlack> slack;
    if (o.timer_slack) slack.emplace(static_cast<long>(std::max<std::int64_t>(1, o.timer_slack->count())));
    device.emplace(o.device);
  }
  {
    Loop loop(calls, *device, o.in_flight);
    run.error = loop.setup();
    // Warm-up: every slot gets its job and its wait fd; not measured.
    Phase warmup;
    warmup.count = o.in_flight;
    if (run.error.empty()) run.error = loop.run(warmup);
    std::vector<double> latencies;
    Phase phase;
    phase.latencies = &latencies;
    if (o.seconds > 0) {
      const std::chrono::duration<double> limit(o.seconds);
      phase.until = Clock::now() + std::chrono::duration_cast<Clock::duration>(limit);
      latencies.reserve(1u << 20);
    } else {
      phase.count = o.requests;
      latencies.reserve(o.requests);
    }
    const double cpu_before = cpu_seconds(RUSAGE_SELF);
    const double loop_cpu_before = cpu_seconds(RUSAGE_THREAD);
    if (run.error.empty()) run.error = loop.run(phase);
    run.loop_cpu_seconds = cpu_seconds(RUSAGE_THREAD) - loop_cpu_before;
    run.cpu_seconds = cpu_seconds(RUSAGE_SELF) - cpu_before;
    run.requests = phase.finished;
    run.failed = phase.failed + warmup.failed;
    failure = warmup.failed != 0 ? warmup.first_failure : phase.first_failure;
    run.seconds = std::chrono::duration<double>(phase.last_finish - phase.first_start).count();
    if (run.seconds > 0) run.throughput = static_cast<double>(run.requests) / run.seconds;
    run.latency = summarize(std::move(latencies));
    loop.release();
  }
  calls.cleanup_thread();
  run.counters = device->counters();
  device.reset();
  if (!run.error.empty()) return run;
  if (run.counters.open_fds != 0) {
    run.error = std::to_string(run.counters.open_fds) + " device fd(s) still open after every WAIT_CTX was freed";
  } else if (run.failed != 0) {
    run.error = std::to_string(run.failed) + " request(s) did not end ok (first: " + failure + ")";
  }
  return run;
}

}  // namespace

BenchResult detail::run_bench(const BenchCalls& calls, const BenchOptions& o) {
  BenchResult r;
  r.in_flight = o.in_flight;
  r.mode = o.device.notify;
  r.latency_model = o.device.latency.to_string();
  r.workers = o.device.workers;
  r.queue_depth = o.device.queue_depth;
  if (o.in_flight == 0) {
    r.run.error = "in_flight must be at least 1";
    return r;
  }
  r.run = measure(calls, o);
  // Every submit() drew a request index, rejected ones included.
  r.latency_mean_us = mean_latency_s(o.device, r.run.counters.submitted + r.run.counters.rejected) * 1e6;
  r.cpus = usable_cpus();
  if (r.run.error.empty() && r.run.requests > 0 && r.run.cpu_seconds > 0 && r.run.loop_cpu_seconds > 0) {
    const auto n = static_cast<double>(r.run.requests);
    r.cpu_bound = std::min(static_cast<double>(r.cpus) * n / r.run.cpu_seconds, n / r.run.loop_cpu_seconds);
  }
  if (r.latency_mean_us > 0) r.device_bound = static_cast<double>(o.in_flight) / (r.latency_mean_us / 1e6);
  r.ideal = ideal_throughput(o.in_flight, r.latency_mean_us / 1e6, r.cpu_bound);
  if (r.ideal > 0) r.pct_of_ideal = 100.0 * r.run.throughput / r.ideal;
  return r;
}

}  // namespace asyncconf::accel
