// Google Benchmark of the ASYNC job machinery: libasyncref.so against the
// system libcrypto, both loaded by path through the harness (override with
// ASYNCCONF_BENCH_REF / ASYNCCONF_BENCH_OPENSSL), and a raw Boost.Context
// fiber round trip as the floor. Exits non-zero if a job ever took another
// path than the benchmark expects.
#include <benchmark/benchmark.h>

#include <boost/context/fiber.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "asyncconf/harness/async_api.hpp"

namespace {

using asyncconf::harness::AsyncApi;
using asyncconf::harness::LoadedImpl;
using asyncconf::harness::LoadResult;

// The implementation whose jobs are running: a body must pause through the
// library that started it. Benchmarks run one at a time on the main thread
// and each sets this before its first job. A global rather than job args,
// because args are copied through malloc on every start in both libraries.
const AsyncApi* g_api = nullptr;
// Ends pause_until_stopped's loop.
bool g_stop = false;
// Set when a benchmark saw an unexpected job result; main's exit status.
bool g_failed = false;

int return_at_once(void*) { return 1; }

int pause_once(void*) { return g_api->ASYNC_pause_job() == 1 ? 1 : -1; }

int pause_until_stopped(void*) {
  while (!g_stop) {
    if (g_api->ASYNC_pause_job() != 1) return -1;
  }
  return 1;
}

void fail(benchmark::State& state, const char* why) {
  g_failed = true;
  state.SkipWithError(why);
}

// A wait ctx for one benchmark run's jobs (the reference refuses to pause a
// job without one), and the thread's job pool freed afterwards, so that no
// run inherits another's pool.
class Session {
public:
  explicit Session(const AsyncApi& api) : api_(api), ctx_(api.ASYNC_WAIT_CTX_new()) {
    g_api = &api;
    g_stop = false;
  }
  ~Session() {
    api_.ASYNC_WAIT_CTX_free(ctx_);
    api_.ASYNC_cleanup_thread();
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  bool ok() const { return ctx_ != nullptr; }
  /// Starts a new job (`*job` null) or resumes a paused one.
  int start(ASYNC_JOB** job, int (*body)(void*)) {
    int ret = 0;
    return api_.ASYNC_start_job(job, ctx_, &ret, body, nullptr, 0);
  }
  /// Runs one job to the end outside the timed loop, so that creating the
  /// pool and the first stack is not measured.
  bool warm_up() {
    ASYNC_JOB* job = nullptr;
    return start(&job, return_at_once) == ASYNC_FINISH;
  }

private:
  const AsyncApi& api_;
  ASYNC_WAIT_CTX* ctx_;
};

void start_finish(benchmark::State& state, const AsyncApi* api) {
  Session session(*api);
  if (!session.ok() || !session.warm_up()) return fail(state, "setup failed");
  for (auto _ : state) {
    ASYNC_JOB* job = nullptr;
    if (session.start(&job, return_at_once) != ASYNC_FINISH) return fail(state, "no FINISH");
  }
}

void start_pause_resume_finish(benchmark::State& state, const AsyncApi* api) {
  Session session(*api);
  if (!session.ok() || !session.warm_up()) return fail(state, "setup failed");
  for (auto _ : state) {
    ASYNC_JOB* job = nullptr;
    if (session.start(&job, pause_once) != ASYNC_PAUSE) return fail(state, "no PAUSE");
    if (session.start(&job, pause_once) != ASYNC_FINISH) return fail(state, "no FINISH");
  }
}

// One job for the whole run; an iteration is one resume from outside and
// the body's next pause.
void pause_resume_cycle(benchmark::State& state, const AsyncApi* api) {
  Session session(*api);
  ASYNC_JOB* job = nullptr;
  if (!session.ok() || session.start(&job, pause_until_stopped) != ASYNC_PAUSE) {
    return fail(state, "setup failed");
  }
  for (auto _ : state) {
    if (session.start(&job, pause_until_stopped) != ASYNC_PAUSE) {
      // The body returned: the job is finished and gone.
      job = nullptr;
      fail(state, "no PAUSE");
      break;
    }
  }
  if (job == nullptr) return;
  g_stop = true;
  if (session.start(&job, pause_until_stopped) != ASYNC_FINISH) fail(state, "no FINISH at the end");
}

namespace context = boost::context;

// Many jobs paused at once, resumed round robin: the resume must find each
// handle among many (the one-job cycle above always resumes the job that
// paused last).
void pause_resume_many_jobs(benchmark::State& state, const AsyncApi* api) {
  constexpr int kJobs = 64;
  Session session(*api);
  std::vector<ASYNC_JOB*> jobs(kJobs, nullptr);
  for (ASYNC_JOB*& job : jobs) {
    if (!session.ok() || session.start(&job, pause_until_stopped) != ASYNC_PAUSE) {
      return fail(state, "setup failed");
    }
  }
  std::size_t next = 0;
  for (auto _ : state) {
    if (session.start(&jobs[next], pause_until_stopped) != ASYNC_PAUSE) {
      jobs[next] = nullptr;
      fail(state, "no PAUSE");
      break;
    }
    next = (next + 1) % kJobs;
  }
  g_stop = true;
  for (ASYNC_JOB*& job : jobs) {
    if (job != nullptr && session.start(&job, pause_until_stopped) != ASYNC_FINISH) {
      fail(state, "no FINISH at the end");
    }
  }
}

// The floor: one resume into a fibre and its switch straight back.
void raw_fiber_round_trip(benchmark::State& state) {
  bool stop = false;
  context::fiber fiber{[&stop](context::fiber&& caller) {
    while (!stop) caller = std::move(caller).resume();
    return std::move(caller);
  }};
  fiber = std::move(fiber).resume();  // runs to its first switch back
  for (auto _ : state) fiber = std::move(fiber).resume();
  stop = true;
  fiber = std::move(fiber).resume();  // the fibre returns and its stack is freed
  if (fiber) fail(state, "fibre did not end");
}

// The same round trip with each switch inside a function that is not
// inlined, as every C API call must be. A switch leaves the return-stack
// predictor holding the other side's return addresses, so each of the two
// returns after a switch is mispredicted; this row is the floor for any
// ASYNC implementation built on fcontext.

[[gnu::noinline]] void resume_behind_call(context::fiber& f) {
  f = std::move(f).resume();
  benchmark::ClobberMemory();
}

[[gnu::noinline]] void suspend_behind_call(context::fiber& caller) {
  caller = std::move(caller).resume();
  benchmark::ClobberMemory();
}

void raw_fiber_round_trip_behind_calls(benchmark::State& state) {
  bool stop = false;
  context::fiber fiber{[&stop](context::fiber&& caller) {
    while (!stop) suspend_behind_call(caller);
    return std::move(caller);
  }};
  resume_behind_call(fiber);
  for (auto _ : state) resume_behind_call(fiber);
  stop = true;
  fiber = std::move(fiber).resume();
  if (fiber) fail(state, "fibre did not end");
}

struct Implementation {
  const char* label;
  LoadedImpl impl;
};

const char* path_from_env(const char* variable, const char* fallback) {
  const char* value = std::getenv(variable);
  return value != nullptr && *value != '\0' ? value : fallback;
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  const struct {
    const char* label;
    const char* path;
  } wanted[] = {
      {"reference", path_from_env("ASYNCCONF_BENCH_REF", ASYNCCONF_BENCH_REF_DEFAULT)},
      {"openssl", path_from_env("ASYNCCONF_BENCH_OPENSSL", ASYNCCONF_BENCH_OPENSSL_DEFAULT)},
  };
  std::vector<Implementation> impls;
  for (const auto& w : wanted) {
    LoadResult result = LoadedImpl::load(w.path);
    if (!result.ok()) {
      std::fprintf(stderr, "async_bench: %s: %s: %s\n", w.label,
                   asyncconf::harness::to_string(result.error().kind),
                   result.error().message.c_str());
      return 1;
    }
    benchmark::AddCustomContext(w.label, w.path);
    impls.push_back({w.label, std::move(result).impl()});
  }

  // Benchmark-major order, so the two implementations of a benchmark run
  // next to each other in time. The raw fibre rows use neither library.
  const std::pair<const char*, void (*)(benchmark::State&, const AsyncApi*)> benchmarks[] = {
      {"StartFinish", start_finish},
      {"StartPauseResumeFinish", start_pause_resume_finish},
      {"PauseResumeCycle", pause_resume_cycle},
      {"PauseResumeManyJobs", pause_resume_many_jobs},
  };
  for (const auto& [name, fn] : benchmarks) {
    for (const Implementation& impl : impls) {
      benchmark::RegisterBenchmark((std::string(name) + "/" + impl.label).c_str(), fn,
                                   &impl.impl.api());
    }
  }
  benchmark::RegisterBenchmark("RawFiberRoundTrip", raw_fiber_round_trip);
  benchmark::RegisterBenchmark("RawFiberRoundTripBehindCalls", raw_fiber_round_trip_behind_calls);

  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return g_failed ? 1 : 0;
}
