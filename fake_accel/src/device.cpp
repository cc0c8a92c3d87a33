#include "asyncconf/accel/device.hpp"

#include <algorithm>
#include <atomic>
#include <bitset>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace asyncconf::accel {
namespace detail {

// Named, not anonymous: Device::Impl holds them. The counters are shared with the fd gauges
// of the notifiers the device creates, which may outlive it.
struct DeviceCounterBlock {
  std::atomic<std::uint64_t> submitted{0}, rejected{0}, completed{0}, failed{0}, lost{0};
  std::atomic<std::int64_t> in_flight{0};
  std::atomic<std::uint64_t> notifications{0};
  Notifier::FdGauge open_fds{0};
  std::atomic<std::uint64_t> paused{0}, spurious_resumes{0}, retries{0}, timeouts{0};
};

struct DeviceWatch {
  std::chrono::steady_clock::time_point at;
  std::weak_ptr<Notifier> notifier;
  std::weak_ptr<const Completion> completion;
};

}  // namespace detail

namespace {

using Clock = std::chrono::steady_clock;
using CounterBlock = detail::DeviceCounterBlock;
using Watch = detail::DeviceWatch;

// notify_early: how long the result stays unpublished after the wake.
constexpr auto kEarlyNotifyGap = std::chrono::milliseconds(1);

bool later(const Watch& a, const Watch& b) noexcept { return a.at > b.at; }

void bump(std::atomic<std::uint64_t>& counter) noexcept { counter.fetch_add(1, std::memory_order_relaxed); }

}  // namespace

struct Device::Request {
  std::uint64_t index = 0;
  std::function<int()> work;
  std::shared_ptr<Notifier> notifier;
  std::shared_ptr<Completion> completion;
  Nanos latency{0};
  std::bitset<kFaultCount> faults;  // decided at submission, from the index
  CompletionStatus status = CompletionStatus::Ok;
  int value = 0;
  bool skipped_by_poll = false;

  bool has(Fault f) const noexcept { return faults.test(static_cast<std::size_t>(f)); }
};

struct Device::Impl {
  explicit Impl(DeviceConfig c) : config(std::move(c)) { config.queue_depth = std::max<std::size_t>(config.queue_depth, 1); }

  std::optional<Request> next_request();
  bool wait_latency(Nanos latency);
  void serve(Request& r);
  void run_work(Request& r);
  void deliver(Request& r);
  void cancel(Request& r);
  void wake(const Request& r);
  void release_slot();
  std::size_t poll();
  void poll_loop();
  void watch_loop();
  void stop_and_join();

  DeviceConfig config;
  std::shared_ptr<CounterBlock> counters = std::make_shared<CounterBlock>();
  std::atomic<std::uint64_t> next_index{0};
  std::atomic<std::uint64_t> next_fd_index{0};

  std::mutex mutex;                 // guards the ring: everything down to `stopping`
  std::condition_variable work_cv;  // a request queued, or stopping
  std::condition_variable stop_cv;  // stopping (cuts latency waits and poll ticks short)
  std::condition_variable room_cv;  // a slot freed, or stopping
  std::deque<Request> queue;        // accepted, not yet taken by a worker
  std::vector<Request> ready;       // poll mode: served, waiting for poll()
  std::size_t occupied = 0;         // slots held: accepted, not yet delivered or lost
  bool stopping = false;

  std::mutex watch_mutex;           // guards `watches` and `watch_stopping`
  std::condition_variable watch_cv;
  std::vector<Watch> watches;       // a min-heap on `at`
  std::size_t prune_at = 1024;      // prune settled watches when the heap grows past this
  bool watch_stopping = false;

  std::vector<std::thread> threads;
};

std::optional<Device::Request> Device::Impl::next_request() {
  std::unique_lock lock(mutex);
  work_cv.wait(lock, [&] { return stopping || !queue.empty(); });
  if (stopping) return std::nullopt;
  Request r = std::move(queue.front());
  queue.pop_front();
  return r;
}

bool Device::Impl::wait_latency(Nanos latency) {
  std::unique_lock lock(mutex);
  if (latency <= Nanos{0}) return !stopping;  // no timed wait, no system call
  const Clock::time_point due = Clock::now() + latency;
  return !stop_cv.wait_until(lock, due, [&] { return stopping; });
}

void Device::Impl::serve(Request& r) {
  if (r.has(Fault::SpuriousWake)) wake(r);
  if (!wait_latency(r.latency)) return cancel(r);
  run_work(r);
  if (config.notify != NotifyMode::Poll) return deliver(r);
  const std::lock_guard lock(mutex);
  ready.push_back(std::move(r));
}

// An error fault fails the request after its work ran, as a device that
// reports an error in its response: served in the same time, the work's
// side effects done, its value dropped.
void Device::Impl::run_work(Request& r) {
  try {
    r.value = r.work();
    r.status = CompletionStatus::Ok;
  } catch (...) {
    r.status = CompletionStatus::DeviceError;
  }
  if (r.has(Fault::ErrorResult)) r.status = CompletionStatus::DeviceError;
  if (r.status != CompletionStatus::Ok) r.value = 0;
  r.work = nullptr;  // its captures go now, not whenever the request does
}

void Device::Impl::deliver(Request& r) {
  if (r.has(Fault::LostCompletion)) {
    bump(counters->lost);
    counters->in_flight.fetch_sub(1, std::memory_order_relaxed);
    return release_slot();
  }
  const bool early = r.has(Fault::NotifyBeforePublish);
  if (early) {
    wake(r);
    std::this_thread::sleep_for(kEarlyNotifyGap);
  }
  // Counted before publishing, so that whoever sees the completion done sees it counted.
  bump(r.status == CompletionStatus::Ok ? counters->completed : counters->failed);
  counters->in_flight.fetch_sub(1, std::memory_order_relaxed);
  publish(*r.completion, r.status, r.value);
  release_slot();
  if (!early) wake(r);
  if (r.has(Fault::DuplicateWake)) wake(r);
}

// Faults aside: a request the device gives up on is always failed visibly.
void Device::Impl::cancel(Request& r) {
  r.work = nullptr;
  bump(counters->failed);
  counters->in_flight.fetch_sub(1, std::memory_order_relaxed);
  publish(*r.completion, CompletionStatus::Cancelled, 0);
  release_slot();
  wake(r);
}

void Device::Impl::wake(const Request& r) {
  if (!r.notifier) return;
  bump(counters->notifications);
  r.notifier->notify();
}

void Device::Impl::release_slot() {
  {
    const std::lock_guard lock(mutex);
    --occupied;
  }
  room_cv.notify_one();
}

std::size_t Device::Impl::poll() {
  if (config.notify != NotifyMode::Poll) return 0;
  std::vector<Request> due;
  {
    const std::lock_guard lock(mutex);
    auto keep = ready.begin();
    for (Request& r : ready) {
      if (r.has(Fault::SlowPoll) && !r.skipped_by_poll) {
        r.skipped_by_poll = true;
        *keep++ = std::move(r);
      } else {
        due.push_back(std::move(r));
      }
    }
    ready.erase(keep, ready.end());
  }
  for (Request& r : due) deliver(r);
  return due.size();
}

void Device::Impl::poll_loop() {
  std::unique_lock lock(mutex);
  while (!stop_cv.wait_for(lock, config.poll_interval, [&] { return stopping; })) {
    lock.unlock();
    poll();
    lock.lock();
  }
}

void Device::Impl::watch_loop() {
  std::unique_lock lock(watch_mutex);
  while (!watch_stopping) {
    if (watches.empty()) {
      watch_cv.wait(lock);
      continue;
    }
    // A copy: wait_until reads its deadline again after waking, when a
    // wake_at() may have moved the heap.
    const Clock::time_point next = watches.front().at;
    if (Clock::now() < next) {
      watch_cv.wait_until(lock, next);
      continue;
    }
    std::pop_heap(watches.begin(), watches.end(), later);
    Watch w = std::move(watches.back());
    watches.pop_back();
    lock.unlock();
    const std::shared_ptr<const Completion> completion = w.completion.lock();
    const std::shared_ptr<Notifier> notifier = w.notifier.lock();
    // A live completion means its helper still waits (it lets go when it returns): wake it even
    // if the result is in, since a notify_early wake may have come and gone before publishing.
    if (completion && notifier) notifier->notify();
    lock.lock();
  }
}

void Device::Impl::stop_and_join() {
  {
    const std::lock_guard lock(mutex);
    stopping = true;
  }
  work_cv.notify_all();
  stop_cv.notify_all();
  room_cv.notify_all();
  {
    const std::lock_guard lock(watch_mutex);
    watch_stopping = true;
  }
  watch_cv.notify_all();
  for (std::thread& t : threads) t.join();
  threads.clear();
}

Device::Device(DeviceConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {
  Impl& d = *impl_;
  try {
    for (std::size_t i = 0; i < d.config.workers; ++i) {
      d.threads.emplace_back([&d] {
        while (std::optional<Request> r = d.next_request()) d.serve(*r);
      });
    }
    if (d.config.notify == NotifyMode::Poll && d.config.poll_interval > Nanos{0}) {
      d.threads.emplace_back([&d] { d.poll_loop(); });
    }
    d.threads.emplace_back([&d] { d.watch_loop(); });
  } catch (...) {
    d.stop_and_join();
    throw;
  }
}

Device::~Device() {
  Impl& d = *impl_;
  d.stop_and_join();
  // The threads are gone: what is left is settled here, on this thread.
  for (Request& r : d.queue) d.cancel(r);
  d.queue.clear();
  for (Request& r : d.ready) d.deliver(r);
  d.ready.clear();
}

const DeviceConfig& Device::config() const noexcept { return impl_->config; }

std::size_t Device::serve_queued() {
  Impl& d = *impl_;
  std::size_t served = 0;
  for (;;) {
    std::optional<Request> r;
    {
      const std::lock_guard lock(d.mutex);
      if (d.queue.empty() || d.stopping) return served;
      r.emplace(std::move(d.queue.front()));
      d.queue.pop_front();
    }
    d.serve(*r);
    ++served;
  }
}

Device::Submission Device::submit(std::function<int()> work, std::shared_ptr<Notifier> notifier) {
  Impl& d = *impl_;
  const std::uint64_t index = d.next_index.fetch_add(1, std::memory_order_relaxed);
  if (d.config.faults.fires(Fault::RingFull, index)) {
    bump(d.counters->rejected);
    return {SubmitStatus::RingFull, nullptr, index};
  }
  Request r;
  r.index = index;
  r.work = std::move(work);
  r.notifier = std::move(notifier);
  r.completion = std::make_shared<Completion>(index);
  for (Fault f : kAllFaults) r.faults.set(static_cast<std::size_t>(f), d.config.faults.fires(f, index));
  r.latency = d.config.latency.sample(d.config.seed, index);
  if (r.has(Fault::LateCompletion)) r.latency += d.config.late_by;
  std::shared_ptr<const Completion> handle = r.completion;
  {
    std::unique_lock lock(d.mutex);
    if (d.config.ring_full == RingFullPolicy::Block) {
      d.room_cv.wait(lock, [&] { return d.stopping || d.occupied < d.config.queue_depth; });
    }
    if (d.stopping || d.occupied >= d.config.queue_depth) {
      bump(d.counters->rejected);
      return {SubmitStatus::RingFull, nullptr, index};
    }
    ++d.occupied;
    bump(d.counters->submitted);
    d.counters->in_flight.fetch_add(1, std::memory_order_relaxed);
    d.queue.push_back(std::move(r));
  }
  d.work_cv.notify_one();
  return {SubmitStatus::Accepted, std::move(handle), index};
}

std::size_t Device::poll() { return impl_->poll(); }

std::shared_ptr<Notifier> Device::open_fd_notifier() {
  Impl& d = *impl_;
  if (d.config.faults.fires(Fault::FdCreateFails, d.next_fd_index.fetch_add(1, std::memory_order_relaxed))) {
    errno = EMFILE;
    return nullptr;
  }
  // The gauge shares the counter block's ownership: an fd may outlive the device.
  return Notifier::open_fd(std::shared_ptr<Notifier::FdGauge>(d.counters, &d.counters->open_fds), d.config.fd_floor);
}

void Device::wake_at(std::chrono::steady_clock::time_point deadline, std::weak_ptr<Notifier> notifier,
                     std::weak_ptr<const Completion> completion) {
  Impl& d = *impl_;
  bool earliest = false;
  {
    const std::lock_guard lock(d.watch_mutex);
    // Settled watches wait for their deadline in the heap; drop them before it grows without bound.
    if (d.watches.size() >= d.prune_at) {
      std::erase_if(d.watches, [](const Watch& w) { return w.completion.expired() || w.notifier.expired(); });
      std::make_heap(d.watches.begin(), d.watches.end(), later);
      d.prune_at = std::max<std::size_t>(1024, 2 * d.watches.size());
    }
    d.watches.push_back({deadline, std::move(notifier), std::move(completion)});
    std::push_heap(d.watches.begin(), d.watches.end(), later);
    // The watch thread sleeps until the earliest deadline: only a new
    // earliest one needs to wake it (a wake per offload cost a context
    // switch per request).
    earliest = d.watches.front().at == deadline;
  }
  if (earliest) d.watch_cv.notify_one();
}

void Device::forget_wake(const std::weak_ptr<const Completion>& completion) {
  Impl& d = *impl_;
  Watch dropped;  // released after the lock: its last references may go with it
  {
    const std::lock_guard lock(d.watch_mutex);
    // Owner equality: no reference count is touched while searching.
    const auto it = std::find_if(d.watches.begin(), d.watches.end(), [&](const Watch& w) {
      return !w.completion.owner_before(completion) && !completion.owner_before(w.completion);
    });
    if (it == d.watches.end()) return;
    dropped = std::move(*it);
    *it = std::move(d.watches.back());
    d.watches.pop_back();
    std::make_heap(d.watches.begin(), d.watches.end(), later);
  }
}

std::size_t Device::watches() const {
  const std::lock_guard lock(impl_->watch_mutex);
  return impl_->watches.size();
}

DeviceCounters Device::counters() const noexcept {
  const CounterBlock& c = *impl_->counters;
  constexpr auto r = std::memory_order_relaxed;
  return {c.submitted.load(r),     c.rejected.load(r),  c.completed.load(r),
          c.failed.load(r),        c.lost.load(r),      c.in_flight.load(r),
          c.notifications.load(r), c.open_fds.load(r),  c.paused.load(r),
          c.spurious_resumes.load(r), c.retries.load(r), c.timeouts.load(r)};
}

void Device::count_pause() noexcept { bump(impl_->counters->paused); }
void Device::count_spurious_resume() noexcept { bump(impl_->counters->spurious_resumes); }
void Device::count_retry() noexcept { bump(impl_->counters->retries); }
void Device::count_timeout() noexcept { bump(impl_->counters->timeouts); }

}  // namespace asyncconf::accel
