// asyncconf: conformance testing of ASYNC job API implementations.
#include <cstdio>

#include "cli_options.hpp"
#include "commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"asyncconf " ASYNCCONF_VERSION
               " - conformance tests for implementations of OpenSSL's ASYNC job API"};
  app.set_version_flag("--version", ASYNCCONF_VERSION);
  app.require_subcommand(1);
  // Parse errors in the form of every other usage error: "asyncconf run: ...".
  app.failure_message(asyncconf::cli::parse_failure_message);
  int exit_code = asyncconf::cli::kExitOk;
  asyncconf::cli::setup_run(app, exit_code);
  asyncconf::cli::setup_list(app, exit_code);
  asyncconf::cli::setup_report(app, exit_code);
  asyncconf::cli::setup_explore(app, exit_code);
  asyncconf::cli::setup_replay(app, exit_code);
  asyncconf::cli::setup_diff(app, exit_code);
  asyncconf::cli::setup_decode(app, exit_code);
  asyncconf::cli::setup_accel(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints help, version or the error
    return code == 0 ? asyncconf::cli::kExitOk : asyncconf::cli::kExitUsage;
  }
  return exit_code;
}
