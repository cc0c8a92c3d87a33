// asyncconf accel bench: throughput and latency of N ASYNC jobs in flight
// on the simulated device (fake_accel), against the ideal.
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "asyncconf/accel/bench.hpp"
#include "asyncconf/accel/bench_report.hpp"
#include "asyncconf/accel/config.hpp"
#include "asyncconf/accel/parse.hpp"
#include "asyncconf/harness/shell_words.hpp"
#include "cli_options.hpp"
#include "commands.hpp"
#include "impl_loader.hpp"

namespace asyncconf::cli {

namespace {

struct AccelBenchOptions {
  std::string impl = "reference";
  long long in_flight = 64;
  std::string latency;  // empty: the --device string's, else fixed:100us
  std::string mode;     // empty: the --device string's, else fd
  std::string device;
  long long requests = 20000;
  double time = 0;
  std::string seed;     // empty: the --device string's, else 0
  std::string sweep;
  std::string timer_slack = "1ns";
  std::string json;
  std::string html;
  bool quiet = false;
  bool in_flight_given = false;
  bool requests_given = false;
};

int bench_error(const std::string& message) {
  std::fprintf(stderr, "asyncconf accel bench: %s\n", message.c_str());
  return kExitUsage;
}

// Whether the configuration text sets `key` (so that a default of ours does not override it).
bool sets_key(std::string_view text, std::string_view key) {
  while (!text.empty()) {
    const std::size_t end = text.find(';');
    const std::string_view pair = text.substr(0, end);
    if (accel::trim(pair.substr(0, pair.find('='))) == key) return true;
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return false;
}

// "in-flight=1,4,16": the jobs in flight of each point.
std::optional<std::vector<std::size_t>> parse_sweep(std::string_view text, std::string& error) {
  constexpr std::string_view kKey = "in-flight=";
  if (text.substr(0, kKey.size()) != kKey) {
    error = "--sweep: expected in-flight=N,N,... (the only quantity swept), got '" + std::string(text) + "'";
    return std::nullopt;
  }
  text.remove_prefix(kKey.size());
  std::vector<std::size_t> values;
  while (true) {
    const std::size_t comma = text.find(',');
    const accel::Parsed<std::uint64_t> n = accel::parse_unsigned(accel::trim(text.substr(0, comma)));
    if (!n || n.value() < 1 || n.value() > 4096) {
      error = "--sweep: each in-flight value must be a whole number from 1 to 4096, got '" +
              std::string(accel::trim(text.substr(0, comma))) + "'";
      return std::nullopt;
    }
    values.push_back(static_cast<std::size_t>(n.value()));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return values;
}

std::vector<std::string> repeat_words(const AccelBenchOptions& o, std::uint64_t seed) {
  std::vector<std::string> w = {"asyncconf", "accel", "bench", "--impl", o.impl};
  if (!o.sweep.empty()) {
    w.insert(w.end(), {"--sweep", o.sweep});
  } else {
    w.insert(w.end(), {"--in-flight", std::to_string(o.in_flight)});
  }
  if (!o.device.empty()) w.insert(w.end(), {"--device", o.device});
  if (!o.latency.empty()) w.insert(w.end(), {"--latency", o.latency});
  if (!o.mode.empty()) w.insert(w.end(), {"--mode", o.mode});
  if (o.time > 0) {
    w.insert(w.end(), {"--time", harness::shell_word(std::to_string(o.time))});
  } else {
    w.insert(w.end(), {"--requests", std::to_string(o.requests)});
  }
  if (o.timer_slack != "1ns") w.insert(w.end(), {"--timer-slack", o.timer_slack});
  w.insert(w.end(), {"--seed", std::to_string(seed)});
  return w;
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  return static_cast<bool>(out);
}

void print_point(const accel::BenchResult& p) {
  std::printf("%9zu  %-8s  %-14s  %8" PRIu64 "  %7.3f  %10.0f  %10.0f  %10.0f  %6.1f%%  %8.1f  %8.1f  %8.1f  %9.1f\n",
              p.in_flight, std::string(accel::to_string(p.mode)).c_str(), p.latency_model.c_str(), p.run.requests,
              p.run.seconds, p.run.throughput, p.ideal, p.cpu_bound, p.pct_of_ideal, p.run.latency.p50_us,
              p.run.latency.p90_us, p.run.latency.p99_us, p.run.latency.max_us);
}

int run_accel_bench(const AccelBenchOptions& o) {
  // The device: --device first, then the flags on top.
  const accel::Parsed<accel::DeviceConfig> base = accel::parse_device_config(o.device);
  if (!base) return bench_error("--device: " + base.error());
  accel::DeviceConfig device = base.value();
  if (!o.latency.empty()) {
    const accel::Parsed<accel::LatencyModel> latency = accel::parse_latency(o.latency);
    if (!latency) return bench_error("--latency: " + latency.error());
    device.latency = latency.value();
  }
  if (!o.mode.empty()) {
    device.notify = o.mode == "callback" ? accel::NotifyMode::Callback
                    : o.mode == "poll"   ? accel::NotifyMode::Poll
                                         : accel::NotifyMode::Fd;  // --mode's validator allows only these
  }
  if (!o.seed.empty()) {
    const accel::Parsed<std::uint64_t> seed = accel::parse_unsigned(o.seed);
    if (!seed) return bench_error("--seed: expected a whole number (decimal or 0x hex), got '" + o.seed + "'");
    device.seed = seed.value();
    device.faults.seed = seed.value();
  }
  std::optional<accel::Nanos> timer_slack;
  if (o.timer_slack != "inherit") {
    const accel::Parsed<accel::Nanos> slack = accel::parse_duration(o.timer_slack);
    if (!slack) return bench_error("--timer-slack: " + slack.error() + " (or inherit)");
    timer_slack = slack.value();
  }
  std::vector<std::size_t> points = {static_cast<std::size_t>(o.in_flight)};
  if (!o.sweep.empty()) {
    std::string error;
    const std::optional<std::vector<std::size_t>> sweep = parse_sweep(o.sweep, error);
    if (!sweep) return bench_error(error);
    points = *sweep;
  }
  const bool workers_given = sets_key(o.device, "workers");
  const bool depth_given = sets_key(o.device, "queue_depth");

  harness::LoadResult loaded = load_impl(o.impl);
  if (!loaded) return bench_error("cannot load implementation '" + o.impl + "': " + loaded.error().message);
  const harness::AsyncApi& api = loaded.impl().api();
  if (device.notify == accel::NotifyMode::Callback && !api.has_callbacks) {
    return bench_error("--mode callback needs OpenSSL 3.0's ASYNC_WAIT_CTX_set_callback, which " +
                       loaded.impl().path() + " lacks");
  }

  const accel::BenchMeta meta{loaded.impl().path(), device.seed,
                              harness::command_line(repeat_words(o, device.seed))};
  std::printf("asyncconf accel bench %s: %s, seed %" PRIu64 "\n", ASYNCCONF_VERSION, meta.impl.c_str(), device.seed);
  std::printf("  repeat with: %s\n", meta.command.c_str());
  std::printf("  device: %s%s%s\n", accel::to_string(device).c_str(),
              workers_given ? "" : " (workers: min(in-flight, 64) per point)",
              depth_given ? "" : " (queue_depth: max(in-flight, 64) per point)");
  std::printf("  timer slack of the device's threads: %s\n",
              timer_slack ? accel::format_duration(*timer_slack).c_str() : "inherited");
  std::printf("  one thread keeps N jobs in flight (ASYNC_init_thread(N, N), one WAIT_CTX per job); it waits %s\n",
              device.notify == accel::NotifyMode::Fd         ? "in epoll_wait, level-triggered, on the WAIT_CTX fds"
              : device.notify == accel::NotifyMode::Callback ? "on a ready queue that the WAIT_CTX callbacks fill"
                                                             : "by calling Device::poll() when no fd is ready");
  std::printf("  latency: from the job's offload() to the loop seeing ASYNC_FINISH; ideal = min(N / mean latency, "
              "cpu_bound);\n  cpu_bound: the throughput at which each request's CPU time in the run would use up "
              "every CPU (loop and device threads) or the loop's one thread, whichever first\n\n");
  std::printf("in_flight  mode      latency         requests  seconds  throughput       ideal   cpu_bound  "
              "%%ideal   p50(us)   p90(us)   p99(us)    max(us)\n");
  std::fflush(stdout);

  std::vector<accel::BenchResult> results;
  bool failed = false;
  for (std::size_t i = 0; i < points.size(); ++i) {
    accel::BenchOptions bo;
    bo.device = device;
    bo.in_flight = points[i];
    if (!workers_given) bo.device.workers = std::min<std::size_t>(points[i], 64);
    if (!depth_given) bo.device.queue_depth = std::max<std::size_t>(points[i], 64);
    bo.requests = static_cast<std::uint64_t>(o.requests);
    bo.seconds = o.time;
    bo.timer_slack = timer_slack;
    accel::BenchResult r = accel::run_bench(api, bo);
    if (!o.quiet) {
      std::fprintf(stderr, "[%zu/%zu] in-flight %zu: %.0f requests/s, %.1f%% of ideal%s%s\n", i + 1, points.size(),
                   points[i], r.run.throughput, r.pct_of_ideal, r.ok() ? "" : ", error: ", r.error().c_str());
    }
    print_point(r);
    std::fflush(stdout);
    if (!r.ok()) {
      std::fprintf(stderr, "asyncconf accel bench: in-flight %zu: %s\n", points[i], r.error().c_str());
      failed = true;
    }
    results.push_back(std::move(r));
  }

  if (!o.json.empty() && !write_file(o.json, accel::bench_json(results, meta).dump(2) + "\n")) {
    return bench_error("cannot write --json file '" + o.json + "'");
  }
  if (!o.html.empty() && !write_file(o.html, accel::bench_html(results, meta))) {
    return bench_error("cannot write --html file '" + o.html + "'");
  }
  for (const std::string* f : {&o.json, &o.html}) {
    if (!f->empty()) std::printf("wrote %s\n", f->c_str());
  }
  return failed ? kExitFailures : kExitOk;
}

}  // namespace

void setup_accel(CLI::App& app, int& exit_code) {
  CLI::App* accel = app.add_subcommand("accel", "The simulated offload device (fake_accel)");
  accel->require_subcommand(1);
  auto o = std::make_shared<AccelBenchOptions>();
  CLI::App* cmd = accel->add_subcommand(
      "bench", "Throughput and latency percentiles of N ASYNC jobs in flight on the simulated device, "
               "against the ideal min(N / latency, cpu_bound)");
  cmd->add_option("--impl", o->impl,
                  "reference (the default: libasyncref.so.1 beside asyncconf), openssl (the system "
                  "libcrypto.so.3), or a path to a shared object exporting the ASYNC ABI");
  CLI::Option* in_flight =
      cmd->add_option("--in-flight", o->in_flight, "Jobs in flight at once (default 64)")
          ->check(CLI::Range(1LL, 4096LL));
  cmd->add_option("--latency", o->latency,
                  "The device's latency model: fixed:100us (the default), uniform:50us..150us, "
                  "lognormal:100us,0.5, bimodal:100us,5ms,0.01");
  cmd->add_option("--mode", o->mode,
                  "How a finished request wakes its job, and how the loop waits: fd (epoll on the wait fds; "
                  "the default), callback (WAIT_CTX callbacks, OpenSSL 3.0+), poll (the loop calls Device::poll())")
      ->check(CLI::IsMember({"fd", "callback", "poll"}));
  cmd->add_option("--device", o->device,
                  "The whole device configuration, \"key=value;...\" (fake_accel/README.md), applied first; "
                  "--latency, --mode and --seed go on top. Unless it sets them: workers = min(N, 64), "
                  "queue_depth = max(N, 64)");
  CLI::Option* requests =
      cmd->add_option("--requests", o->requests, "Requests measured per point (default 20000)")->check(at_least(1));
  CLI::Option* time = cmd->add_option("--time", o->time, "Measure each point for this many seconds instead")
                          ->check(positive("seconds"));
  requests->excludes(time);
  cmd->add_option("--seed", o->seed,
                  "Seed of the device's latency samples and faults, decimal or 0x hex (default: the "
                  "--device string's, else 0; always printed)");
  cmd->add_option("--timer-slack", o->timer_slack,
                  "Timer slack the device's threads start with (default 1ns, so that a 100us latency "
                  "sleeps 100us; Linux's default is 50us), or inherit (this process's)");
  CLI::Option* sweep = cmd->add_option("--sweep", o->sweep, "Several points: in-flight=1,4,16,64,256");
  sweep->excludes(in_flight);
  cmd->add_option("--json", o->json, "Write the table to this file as JSON (one object per point)");
  cmd->add_option("--html", o->html, "Write a self-contained HTML page (an SVG plot and the table) to this file");
  add_quiet_flag(*cmd, o->quiet);
  cmd->footer(
      "cpu_bound is the throughput at which each request's CPU time in the run (getrusage) would use up the "
      "CPUs: every CPU this process may use (the loop's and the simulated device's threads), or the loop's "
      "one thread, whichever comes first. The first N requests of each run are a warm-up and not measured.\n"
      "Exit codes: 0 done, 1 a run failed (a request not ok, a stall, a device fd left open), 2 usage or "
      "load error.");
  cmd->callback([o, &exit_code] { exit_code = run_accel_bench(*o); });
}

}  // namespace asyncconf::cli
