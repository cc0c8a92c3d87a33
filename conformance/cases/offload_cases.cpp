// An engine's offload, end to end: job bodies hand work to fake_accel's
// simulated device with its job-side helper (as QAT's engine and provider
// do), and the caller waits as applications do. What the implementation
// must get right for that: the fd an engine sets inside the job is the one
// the caller lists and waits on, it is closed when the ctx is freed, and
// the callback and status an engine reads are the ones the caller set.
#include <poll.h>

#include <array>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "asyncconf/accel/device.hpp"
#include "asyncconf/accel/offload.hpp"
#include "asyncconf/harness/probes.hpp"
#include "case_support.hpp"

namespace asyncconf::conformance {

namespace {

using support::start;
using support::WaitCtx;

constexpr int kJobs = 8;
constexpr int kOffloadsPerJob = 3;

accel::DeviceConfig device_config(accel::NotifyMode notify) {
  accel::DeviceConfig config;
  config.workers = 4;
  config.latency = accel::LatencyModel::fixed(std::chrono::microseconds(200));
  config.notify = notify;
  config.give_up_after = std::chrono::seconds(5);
  return config;
}

// What one job saw: each offload's status and value.
struct JobArgs {
  accel::Device* device;
  int id;
  std::array<int, kOffloadsPerJob> value;
  std::array<accel::OffloadResult::Status, kOffloadsPerJob> status;
};

// Three offloads in a row, each paused on the device until it is done.
int offloading_body(void* args) {
  JobArgs& a = **static_cast<JobArgs**>(args);
  for (int i = 0; i < kOffloadsPerJob; ++i) {
    const int want = 1000 * a.id + i;
    const accel::OffloadResult r = accel::offload(api(), *a.device, [want] { return want; });
    a.status[static_cast<std::size_t>(i)] = r.status;
    a.value[static_cast<std::size_t>(i)] = r.value;
  }
  return a.id;
}

// The fds the implementation lists for `ctx`.
std::vector<OSSL_ASYNC_FD> listed_fds(ASYNC_WAIT_CTX* ctx) {
  std::size_t n = 0;
  if (api().ASYNC_WAIT_CTX_get_all_fds(ctx, nullptr, &n) != 1) return {};
  std::vector<OSSL_ASYNC_FD> fds(n);
  if (n > 0 && api().ASYNC_WAIT_CTX_get_all_fds(ctx, fds.data(), &n) != 1) return {};
  fds.resize(n);
  return fds;
}

// Checks each job's offloads came back with its own values.
void expect_own_results(CaseContext& c, const std::vector<JobArgs>& args) {
  for (const JobArgs& a : args) {
    for (int i = 0; i < kOffloadsPerJob; ++i) {
      const std::string what = "job " + std::to_string(a.id) + ", offload " + std::to_string(i);
      c.expect(a.status[static_cast<std::size_t>(i)] == accel::OffloadResult::Status::Ok,
               what + ": status " + std::string(accel::to_string(a.status[static_cast<std::size_t>(i)])) +
                   ", expected ok");
      c.expect_eq(a.value[static_cast<std::size_t>(i)], 1000 * a.id + i, what + ": the value it got back");
    }
  }
}

// Eight jobs paused on the device at once; the caller polls the fds each
// job's ctx lists (the one the engine set inside the job) and resumes a
// job when its fd is readable, until every job finished.
void fd_set_in_job_wakes_the_caller(CaseContext& c) {
  accel::Device device(device_config(accel::NotifyMode::Fd));
  const int fds_before = harness::probes::open_fds();
  {
    std::vector<WaitCtx> ctxs(kJobs);
    std::vector<JobArgs> args(kJobs);
    std::vector<ASYNC_JOB*> jobs(kJobs, nullptr);
    std::vector<bool> done(kJobs, false);
    int ret = 0;
    int running = 0;
    for (int j = 0; j < kJobs; ++j) {
      args[static_cast<std::size_t>(j)] = JobArgs{&device, j, {}, {}};
      JobArgs* p = &args[static_cast<std::size_t>(j)];
      const int rc = start(&jobs[static_cast<std::size_t>(j)], ctxs[static_cast<std::size_t>(j)].get(), &ret,
                           offloading_body, &p, sizeof p);
      if (!c.expect_start(rc, ASYNC_PAUSE, "starting job " + std::to_string(j) + ", which offloads")) return;
      const std::vector<OSSL_ASYNC_FD> fds = listed_fds(ctxs[static_cast<std::size_t>(j)].get());
      if (!c.expect_eq(fds.size(), 1u, "fds listed for job " + std::to_string(j) + "'s ctx (the device's)")) return;
      ++running;
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (running > 0) {
      if (!c.expect(std::chrono::steady_clock::now() < deadline, "every job woken within 10 s")) return;
      std::vector<pollfd> polled;
      std::vector<int> owner;
      for (int j = 0; j < kJobs; ++j) {
        if (done[static_cast<std::size_t>(j)]) continue;
        for (OSSL_ASYNC_FD fd : listed_fds(ctxs[static_cast<std::size_t>(j)].get())) {
          polled.push_back({fd, POLLIN, 0});
          owner.push_back(j);
        }
      }
      if (!c.expect(!polled.empty(), "a paused job's ctx lists an fd to wait on")) return;
      if (poll(polled.data(), polled.size(), 1000) <= 0) continue;
      for (std::size_t k = 0; k < polled.size(); ++k) {
        const int j = owner[k];
        if ((polled[k].revents & POLLIN) == 0 || done[static_cast<std::size_t>(j)]) continue;
        const int rc = start(&jobs[static_cast<std::size_t>(j)], nullptr, &ret, offloading_body, nullptr, 0);
        if (rc == ASYNC_FINISH) {
          c.expect_eq(ret, j, "*ret of job " + std::to_string(j));
          done[static_cast<std::size_t>(j)] = true;
          --running;
        } else if (!c.expect_start(rc, ASYNC_PAUSE, "resuming job " + std::to_string(j) + " when its fd was readable")) {
          return;
        }
      }
    }
    expect_own_results(c, args);
  }
  // The ctxs are freed: the engine's cleanup closed each device fd.
  c.expect_eq(device.counters().open_fds, 0u, "device fds still open after every ASYNC_WAIT_CTX_free");
  support::expect_no_gain(c, harness::probes::open_fds() - fds_before, "open fds after the ctxs were freed");
}

std::atomic<int> g_wakes{0};
int count_wake(void*) {
  g_wakes.fetch_add(1, std::memory_order_relaxed);
  return 1;
}

// With a callback set on the ctx, the engine reads it back, sets the status
// to ASYNC_STATUS_OK and the device calls it: the caller resumes the job on
// each call, and no fd is set.
void callback_set_by_caller_wakes_it(CaseContext& c) {
  accel::Device device(device_config(accel::NotifyMode::Callback));
  WaitCtx ctx;
  if (!c.expect_eq(api().ASYNC_WAIT_CTX_set_callback(ctx.get(), count_wake, nullptr), 1, "set_callback")) return;
  JobArgs args{&device, 5, {}, {}};
  JobArgs* p = &args;
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  g_wakes = 0;
  int rc = start(&job, ctx.get(), &ret, offloading_body, &p, sizeof p);
  if (!c.expect_start(rc, ASYNC_PAUSE, "starting a job that offloads, with a callback set")) return;
  c.expect_eq(api().ASYNC_WAIT_CTX_get_status(ctx.get()), ASYNC_STATUS_OK,
              "the status the engine set before pausing (ASYNC_STATUS_OK is 2)");
  c.expect_eq(listed_fds(ctx.get()).size(), 0u, "fds listed for the ctx (the callback wakes the job)");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  int seen = 0;
  while (rc == ASYNC_PAUSE) {
    while (g_wakes.load(std::memory_order_relaxed) == seen) {
      if (!c.expect(std::chrono::steady_clock::now() < deadline, "the callback called within 10 s")) return;
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
    seen = g_wakes.load(std::memory_order_relaxed);
    rc = start(&job, nullptr, &ret, offloading_body, nullptr, 0);
  }
  c.expect_start(rc, ASYNC_FINISH, "resuming the job after the callbacks");
  c.expect_eq(ret, 5, "*ret of the job");
  expect_own_results(c, {args});
}

}  // namespace

void add_offload_cases(std::vector<Case>& out) {
  out.push_back({"offload/engine-fd-wakes-the-caller",
                 "An fd an engine sets inside the job (the device's) is the one the caller lists and waits "
                 "on, for eight jobs paused at once; it is closed when the ctx is freed",
                 {"FD-GET-ALL-RETURNS-FDS", "PAUSE-RESUME-CONTINUES", "CLEANUP-CALLED-ON-FREE"},
                 {},
                 fd_set_in_job_wakes_the_caller});
  out.push_back({"offload/caller-callback-wakes-the-job",
                 "The callback the caller set is the one an engine reads inside the job and the device "
                 "calls; the status the engine sets is the one the caller reads",
                 {"CALLBACK-GET-RETURNS-SET", "STATUS-GET", "PAUSE-RESUME-CONTINUES"},
                 {Capability::Callbacks},
                 callback_set_by_caller_wakes_it});
}

}  // namespace asyncconf::conformance
