// asyncconf run: the conformance suite against one implementation.
#include <cstdio>
#include <optional>
#include <thread>

#include "asyncconf/conformance/runner.hpp"
#include "asyncconf/harness/identity.hpp"
#include "asyncconf/reports/write_reports.hpp"
#include "cli_options.hpp"
#include "commands.hpp"
#include "impl_loader.hpp"
#include "progress.hpp"
#include "stop_signal.hpp"

namespace asyncconf::cli {

namespace {

struct RunCommandOptions {
  std::string impl;
  std::string filter;
  std::string level = "robustness";
  std::string expect = "auto";
  int timeout_ms = 5000;
  int jobs = 0;
  std::string report_dir;
  std::string formats = "json,junit,md,html";
  bool quiet = false;
};

void print_summary(const reports::RunReport& report) {
  const reports::Summary s = report.summary();
  const reports::Implementation& impl = report.implementation;
  std::printf("asyncconf %s: %s (%s%s%s, ABI %s)%s\n", report.tool_version.c_str(),
              impl.name.c_str(), impl.path.c_str(), impl.version.empty() ? "" : ", ",
              impl.version.c_str(), impl.abi_level.c_str(),
              report.complete ? "" : " -- INCOMPLETE: interrupted");
  std::printf("  %lld cases: %lld pass, %lld fail, %lld crash, %lld timeout, %lld not applicable, "
              "%lld expected fail, %lld error\n",
              static_cast<long long>(s.total), static_cast<long long>(s.pass),
              static_cast<long long>(s.fail), static_cast<long long>(s.crash),
              static_cast<long long>(s.timeout), static_cast<long long>(s.not_applicable),
              static_cast<long long>(s.expected_fail), static_cast<long long>(s.error));
  std::printf("  expectations: %s\n",
              report.expectations_file.empty() ? "none" : report.expectations_file.c_str());
  for (const reports::CaseResult& r : report.cases) {
    const bool unexpected_pass = r.verdict == reports::Verdict::Pass && r.expected_failure;
    if (r.verdict == reports::Verdict::Pass && !unexpected_pass) continue;
    if (r.verdict == reports::Verdict::NotApplicable) continue;
    const std::string first_line = r.evidence.substr(0, r.evidence.find('\n'));
    std::printf("  %-14s %s: %s\n", unexpected_pass ? "UNEXPECTED-PASS" : reports::to_string(r.verdict),
                r.id.c_str(),
                unexpected_pass ? ("listed as expected to fail: " + *r.expected_failure).c_str()
                                : first_line.c_str());
  }
}

int run_run(const CLI::App& cmd, const RunCommandOptions& o) {
  // --level and --format are checked by their validators.
  const conformance::Level level = *conformance::level_from_string(o.level);
  const reports::Formats formats = reports::parse_formats(o.formats);

  harness::LoadResult loaded = load_impl(o.impl);
  if (!loaded) return usage_error(cmd, "cannot load implementation '" + o.impl + "': " + loaded.error().message);
  const harness::LoadedImpl& impl = loaded.impl();

  std::optional<conformance::Expectations> expectations;
  try {
    std::string path = o.expect;
    if (path == "auto") path = conformance::shipped_expectations_for(harness::identify(impl));
    if (!path.empty() && path != "none") expectations = conformance::load_expectations(path);
  } catch (const std::exception& e) {
    return usage_error(cmd, e.what());
  }

  const std::vector<const conformance::Case*> cases = conformance::select_cases(o.filter, level);
  if (cases.empty()) return usage_error(cmd, "no case matches --filter '" + o.filter + "' at --level " + o.level);

  Progress progress(o.quiet);
  conformance::RunOptions options;
  options.impl_name = o.impl;
  options.filter = o.filter;
  options.level = o.level;
  options.timeout = std::chrono::milliseconds(o.timeout_ms);
  options.jobs = o.jobs > 0 ? static_cast<std::size_t>(o.jobs)
                            : std::max(1u, std::thread::hardware_concurrency());
  options.expectations = expectations ? &*expectations : nullptr;
  options.stop = &stop_flag();
  options.on_result = [&](const reports::CaseResult& r, std::size_t done, std::size_t total) {
    progress.on_result(r, done, total);
  };
  install_stop_handlers();
  const reports::RunReport report = conformance::run_cases(impl, cases, options);
  progress.finish();

  print_summary(report);
  if (!o.report_dir.empty()) {
    try {
      for (const auto& path : reports::write_reports(report, o.report_dir, formats)) {
        std::printf("  wrote %s\n", path.c_str());
      }
    } catch (const std::exception& e) {
      return usage_error(cmd, e.what());
    }
  }
  if (!report.complete) return stop_exit_code();
  return report.exit_code();
}

}  // namespace

void setup_run(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<RunCommandOptions>();
  CLI::App* run = app.add_subcommand(
      "run", "Run the conformance suite against one implementation and report a verdict per case");
  add_impl_option(*run, options->impl);
  run->add_option("--filter", options->filter, "Only cases whose id matches this glob, e.g. 'pool/*'");
  add_level_option(*run, options->level,
                   "The loosest requirement level to include: must (man page only), de-facto "
                   "(+ OpenSSL's behaviour where the man page is silent), robustness (+ misuse "
                   "that must not crash; the default)");
  run->add_option("--expect", options->expect,
                  "Expected-failures file; 'auto' (default) picks the shipped one for the "
                  "detected implementation, 'none' turns them off");
  add_timeout_option(*run, options->timeout_ms, "Time limit per case (default 5000)");
  run->add_option("--jobs", options->jobs, "Cases run at once (default 0: one per core)")->check(at_least(0));
  run->add_option("--report-dir", options->report_dir,
                  "Write the reports into this folder (created if needed); none without it");
  add_format_option(*run, options->formats);
  add_quiet_flag(*run, options->quiet);
  run->callback([run, options, &exit_code] { exit_code = run_run(*run, *options); });
}

}  // namespace asyncconf::cli
