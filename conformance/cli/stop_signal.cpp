#include "stop_signal.hpp"

#include <signal.h>

namespace asyncconf::cli {

namespace {

std::atomic<bool> g_stop{false};
std::atomic<int> g_stop_signal{0};

extern "C" void asyncconf_cli_on_stop_signal(int signal) {
  g_stop_signal = signal;
  g_stop = true;
}

}  // namespace

void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = asyncconf_cli_on_stop_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

const std::atomic<bool>& stop_flag() noexcept { return g_stop; }

bool stop_requested() noexcept { return g_stop.load(); }

int stop_exit_code() noexcept { return 128 + g_stop_signal.load(); }

}  // namespace asyncconf::cli
