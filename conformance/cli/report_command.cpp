// asyncconf report --compare: one matrix over several runs' report.json.
#include <cstdio>

#include "asyncconf/reports/json_report.hpp"
#include "asyncconf/reports/write_reports.hpp"
#include "cli_options.hpp"
#include "commands.hpp"

namespace asyncconf::cli {

namespace {

struct ReportOptions {
  std::vector<std::string> compare;
  std::string report_dir = ".";
};

int run_report(const CLI::App& cmd, const ReportOptions& o) {
  std::vector<reports::RunReport> runs;
  for (const std::string& path : o.compare) {
    try {
      runs.push_back(reports::read_json_report(path));  // errors name the file and field
    } catch (const std::exception& e) {
      return usage_error(cmd, e.what());
    }
  }
  try {
    for (const auto& written : reports::write_compare(runs, o.report_dir)) {
      std::printf("wrote %s\n", written.c_str());
    }
  } catch (const std::exception& e) {
    return usage_error(cmd, e.what());
  }
  return kExitOk;
}

}  // namespace

void setup_report(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ReportOptions>();
  CLI::App* report = app.add_subcommand(
      "report", "Compare runs: one matrix of requirements x implementations (Markdown and HTML)");
  report->add_option("--compare", options->compare, "report.json files of the runs to compare")
      ->required()
      ->expected(1, -1)
      ->check(CLI::ExistingFile);
  report->add_option("--report-dir", options->report_dir,
                     "Folder for compare.md and compare.html (default: the current one)");
  report->callback([report, options, &exit_code] { exit_code = run_report(*report, *options); });
}

}  // namespace asyncconf::cli
