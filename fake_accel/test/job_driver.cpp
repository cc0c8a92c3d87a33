#include "job_driver.hpp"

#include <thread>

#include <dirent.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>

namespace asyncconf::accel::testing {

const harness::AsyncApi& reference_api() {
  static harness::LoadResult loaded = harness::LoadedImpl::load(ASYNCCONF_TEST_REFERENCE);
  if (!loaded.ok()) {
    ADD_FAILURE() << loaded.error().message;
    std::abort();
  }
  return loaded.impl().api();
}

int open_fd_count() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  int count = 0;
  while (const dirent* entry = readdir(dir)) count += entry->d_name[0] != '.';
  closedir(dir);
  return count - 1;  // the directory's own fd
}

JobDriver::JobDriver(const harness::AsyncApi& api, Device& device, WakeBy wake)
    : api_(api), device_(device), wake_(wake), doorbell_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}

JobDriver::~JobDriver() {
  free_contexts();
  api_.ASYNC_cleanup_thread();
  close(doorbell_);
}

int JobDriver::add_context() {
  auto c = std::make_unique<Context>();
  c->driver = this;
  c->ctx = api_.ASYNC_WAIT_CTX_new();
  if (wake_ == WakeBy::Callback) api_.ASYNC_WAIT_CTX_set_callback(c->ctx, &JobDriver::on_callback, c.get());
  contexts_.push_back(std::move(c));
  return static_cast<int>(contexts_.size()) - 1;
}

std::size_t JobDriver::fds_of(int number) const {
  std::size_t n = 0;
  api_.ASYNC_WAIT_CTX_get_all_fds(context(number), nullptr, &n);
  return n;
}

void JobDriver::free_contexts() {
  for (std::unique_ptr<Context>& c : contexts_) {
    if (c->ctx == nullptr) continue;
    api_.ASYNC_WAIT_CTX_free(c->ctx);
    c->ctx = nullptr;
  }
}

int JobDriver::on_callback(void* arg) {
  auto* c = static_cast<Context*>(arg);
  c->woken.store(true);
  c->driver->callbacks_.fetch_add(1);
  const std::uint64_t one = 1;
  (void)!write(c->driver->doorbell_, &one, sizeof one);
  return 1;
}

int JobDriver::job_body(void* arg) {
  Job* job = *static_cast<Job**>(arg);
  job->result = job->body();
  return job->result.ok() ? 1 : 0;
}

int JobDriver::start(int context, std::function<int()> work) {
  return start_body(context, [this, work = std::move(work)] { return offload(api_, device_, work); });
}

int JobDriver::start_body(int context, std::function<OffloadResult()> body) {
  auto job = std::make_unique<Job>();
  job->body = std::move(body);
  job->context = context;
  jobs_.push_back(std::move(job));
  step(*jobs_.back());
  return static_cast<int>(jobs_.size()) - 1;
}

// Starts or resumes one job.
void JobDriver::step(Job& job) {
  Job* self = &job;
  ASYNC_WAIT_CTX* ctx = context(job.context);
  const int status = api_.ASYNC_start_job(&job.handle, ctx, &job.ret, &JobDriver::job_body, &self, sizeof self);
  if (status == ASYNC_FINISH) {
    job.finished = true;
    return;
  }
  if (status != ASYNC_PAUSE) {
    ADD_FAILURE() << "ASYNC_start_job returned " << status;
    job.finished = true;
    return;
  }
  if (wake_ == WakeBy::Callback) job.status_at_pause.push_back(api_.ASYNC_WAIT_CTX_get_status(ctx));
}

std::vector<JobDriver::Job*> JobDriver::woken_jobs(int timeout_ms) {
  std::vector<Job*> woken;
  std::vector<pollfd> fds{{doorbell_, POLLIN, 0}};
  std::vector<Job*> owner{nullptr};
  for (const std::unique_ptr<Job>& job : jobs_) {
    if (job->finished) continue;
    Context& c = *contexts_[job->context];
    // A status of EAGAIN asks for a resume at once, without a callback.
    if (c.woken.exchange(false) ||
        (wake_ == WakeBy::Callback && api_.ASYNC_WAIT_CTX_get_status(c.ctx) == ASYNC_STATUS_EAGAIN)) {
      woken.push_back(job.get());
      continue;
    }
    std::size_t n = 0;
    api_.ASYNC_WAIT_CTX_get_all_fds(c.ctx, nullptr, &n);
    std::vector<OSSL_ASYNC_FD> job_fds(n);
    api_.ASYNC_WAIT_CTX_get_all_fds(c.ctx, job_fds.data(), &n);
    for (OSSL_ASYNC_FD fd : job_fds) {
      fds.push_back({fd, POLLIN, 0});
      owner.push_back(job.get());
    }
  }
  if (!woken.empty()) return woken;
  if (poll(fds.data(), fds.size(), timeout_ms) <= 0) return woken;
  std::uint64_t rung = 0;
  if (fds[0].revents & POLLIN) (void)!read(doorbell_, &rung, sizeof rung);
  for (std::size_t i = 1; i < fds.size(); ++i) {
    const bool dup = !woken.empty() && woken.back() == owner[i];
    if ((fds[i].revents & POLLIN) != 0 && !dup) woken.push_back(owner[i]);
  }
  return woken;
}

::testing::AssertionResult JobDriver::run() {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (true) {
    std::size_t paused = 0;
    for (const std::unique_ptr<Job>& job : jobs_) paused += !job->finished;
    if (paused == 0) return ::testing::AssertionSuccess();
    if (std::chrono::steady_clock::now() > deadline) {
      return ::testing::AssertionFailure() << paused << " job(s) still paused after 30 s";
    }
    if (poll_device_) device_.poll();
    // The timeout only bounds the loop's turns: every wake rings an fd.
    for (Job* job : woken_jobs(poll_device_ ? 1 : 100)) {
      ++job->resumes;
      step(*job);
    }
  }
}

std::function<int()> after_pauses(const Device& device, std::uint64_t pauses, int value) {
  return [&device, pauses, value] {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (device.counters().paused < pauses && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
    return value;
  };
}

}  // namespace asyncconf::accel::testing
