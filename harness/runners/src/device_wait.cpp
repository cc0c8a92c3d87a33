#include "device_wait.hpp"

#include <sys/epoll.h>
#include <sys/select.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <mutex>
#include <string>
#include <thread>

#include "asyncconf/harness/observation.hpp"

namespace asyncconf::harness::device_wait {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kWakeSlots = 64;
std::array<std::atomic<long>, kWakeSlots> g_wakes{};

std::atomic<long>& slot(int ctx) noexcept { return g_wakes[static_cast<std::size_t>(ctx) % kWakeSlots]; }

int millis_until(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, 60'000));
}

// The device's fds among those the implementation lists for the ctx. The
// others are numbers a sequence set, never opened: waiting on them would
// wait on whatever the process has open under that number.
int listed_fds(const AsyncApi& api, ASYNC_WAIT_CTX* ctx, std::array<OSSL_ASYNC_FD, kMaxFdsPerCtx + 1>& fds) {
  std::size_t n = 0;
  if (ctx == nullptr || api.ASYNC_WAIT_CTX_get_all_fds(ctx, nullptr, &n) != 1 || n == 0 || n > fds.size()) return 0;
  if (api.ASYNC_WAIT_CTX_get_all_fds(ctx, fds.data(), &n) != 1) return 0;
  const auto end = std::remove_if(fds.begin(), fds.begin() + static_cast<long>(std::min(n, fds.size())),
                                  [](OSSL_ASYNC_FD fd) { return fd < kDeviceFdFloor; });
  return static_cast<int>(end - fds.begin());
}

// Like openssl speed: select() on every fd the ctx lists.
Waited by_select(const AsyncApi& api, ASYNC_WAIT_CTX* ctx, Clock::time_point deadline) {
  std::array<OSSL_ASYNC_FD, kMaxFdsPerCtx + 1> fds{};
  const int n = listed_fds(api, ctx, fds);
  fd_set read_set;
  FD_ZERO(&read_set);
  int top = -1;
  for (int i = 0; i < n; ++i) {
    if (fds[static_cast<std::size_t>(i)] < 0 || fds[static_cast<std::size_t>(i)] >= FD_SETSIZE) continue;
    FD_SET(fds[static_cast<std::size_t>(i)], &read_set);
    top = std::max(top, fds[static_cast<std::size_t>(i)]);
  }
  if (top < 0) return Waited::NoFd;
  const int ms = millis_until(deadline);
  timeval tv{ms / 1000, (ms % 1000) * 1000};
  return select(top + 1, &read_set, nullptr, nullptr, &tv) > 0 ? Waited::Woken : Waited::TimedOut;
}

// Like nginx's async mode: an edge-triggered epoll set of the ctx's fds.
Waited by_epoll(const AsyncApi& api, ASYNC_WAIT_CTX* ctx, Clock::time_point deadline) {
  std::array<OSSL_ASYNC_FD, kMaxFdsPerCtx + 1> fds{};
  const int n = listed_fds(api, ctx, fds);
  const int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) return Waited::TimedOut;
  int added = 0;
  for (int i = 0; i < n; ++i) {
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLET;
    ev.data.fd = fds[static_cast<std::size_t>(i)];
    if (epoll_ctl(ep, EPOLL_CTL_ADD, ev.data.fd, &ev) == 0) ++added;
  }
  Waited result = Waited::NoFd;
  if (added > 0) {
    epoll_event ev{};
    result = epoll_wait(ep, &ev, 1, millis_until(deadline)) > 0 ? Waited::Woken : Waited::TimedOut;
  }
  close(ep);
  return result;
}

Waited by_callback(int ctx_name, long& seen, Clock::time_point deadline) {
  for (;;) {
    const long now = slot(ctx_name).load(std::memory_order_acquire);
    if (now != seen) {
      seen = now;
      return Waited::Woken;
    }
    if (Clock::now() >= deadline) return Waited::TimedOut;
    std::this_thread::sleep_for(std::chrono::microseconds(20));
  }
}

std::mutex g_device_mutex;
accel::Device* g_device = nullptr;  // made on first use, kept
accel::FaultPlan g_faults;

}  // namespace

std::string set_device_faults(const accel::FaultPlan& plan) {
  using accel::Fault;
  for (const Fault f : {Fault::RingFull, Fault::FdCreateFails, Fault::SlowPoll}) {
    if (!plan.rule(f).active()) continue;
    return "the harness's device cannot have " + std::string(accel::fault_name(f)) +
           (f == Fault::RingFull   ? ": a retry sets the ctx's status to ASYNC_STATUS_EAGAIN while the job waits"
            : f == Fault::SlowPoll ? ": the harness's device does not poll"
                                   : ": the job would not pause, and the ctx would not get the device's fd");
  }
  const std::lock_guard lock(g_device_mutex);
  if (g_device != nullptr) return "the device is in use already";
  g_faults = plan;
  return {};
}

accel::Device& plan_device() {
  const std::lock_guard lock(g_device_mutex);
  if (g_device == nullptr) {
    accel::DeviceConfig config;
    const bool faulty = std::any_of(g_faults.rules.begin(), g_faults.rules.end(),
                                    [](const accel::FaultRule& r) { return r.active(); });
    config.workers = faulty ? 2 : 0;
    config.queue_depth = 4096;
    // The work itself waits for the job's pause: no latency is needed to
    // keep the order, and none is added.
    config.latency = accel::LatencyModel::fixed(std::chrono::microseconds(0));
    config.notify = accel::NotifyMode::Callback;
    config.ring_full = accel::RingFullPolicy::Block;
    config.fd_floor = kDeviceFdFloor;
    config.faults = g_faults;
    config.give_up_after = faulty ? std::chrono::milliseconds(50) : std::chrono::seconds(5);
    g_device = new accel::Device(config);  // kept: jobs of any later plan may wait on it
  }
  return *g_device;
}

void note_wake(int ctx) noexcept { slot(ctx).fetch_add(1, std::memory_order_release); }
long wakes(int ctx) noexcept { return slot(ctx).load(std::memory_order_acquire); }

Waited wait_for_wake(const AsyncApi& api, ASYNC_WAIT_CTX* ctx, int ctx_name, Wakeup how, long& seen,
                     Clock::time_point deadline) {
  switch (how) {
    case Wakeup::Select: return by_select(api, ctx, deadline);
    case Wakeup::Epoll: return by_epoll(api, ctx, deadline);
    case Wakeup::Callback: return by_callback(ctx_name, seen, deadline);
    case Wakeup::Busy: return Waited::Woken;
  }
  return Waited::Woken;
}

}  // namespace asyncconf::harness::device_wait
