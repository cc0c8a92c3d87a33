#include "asyncconf/fuzz/fuzz_env.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>

#include "asyncconf/harness/explorer.hpp"
#include "asyncconf/harness/interpreter.hpp"

namespace asyncconf::fuzz {

namespace {

std::string env_or(const char* variable, const char* fallback) {
  const char* v = std::getenv(variable);
  return v != nullptr && *v != '\0' ? std::string(v) : std::string(fallback);
}

[[noreturn]] void env_error(const std::string& message) {
  std::fprintf(stderr, "asyncconf fuzz: %s\n", message.c_str());
  std::fflush(stderr);
  std::_Exit(kEnvError);
}

// "reference": $ASYNCCONF_REFERENCE_LIB; else libasyncref.so.1 beside the
// running target (a packaged target: OSS-Fuzz's and ClusterFuzzLite's $OUT
// hold both, and no build tree); else this build's.
std::string reference_path() {
  const std::string override_path = env_or("ASYNCCONF_REFERENCE_LIB", "");
  if (!override_path.empty()) return override_path;
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const std::filesystem::path beside = exe.parent_path() / ASYNCCONF_FUZZ_REFERENCE_NAME;
    if (std::filesystem::exists(beside, ec)) return beside.string();
  }
  return ASYNCCONF_FUZZ_REFERENCE;
}

// Made after the implementations are loaded, so joined before they are
// unloaded (statics end in reverse order).
harness::KeptThreads& kept_threads() {
  static harness::KeptThreads kept;
  return kept;
}

}  // namespace

harness::InterpreterOptions reused_threads(const harness::Sequence& s, bool own_threads) {
  if (own_threads) return {};
  return harness::reusing_threads(s, kept_threads());
}

Spent& spent() {
  static Spent s;
  return s;
}

harness::LoadResult load_named(const std::string& name) {
  if (name == "openssl") return harness::LoadedImpl::load_system("libcrypto.so.3");
  if (name == "reference") return harness::LoadedImpl::load(reference_path());
  return harness::LoadedImpl::load(name);
}

harness::Level level_from_env() {
  const std::string text = env_or("ASYNCCONF_LEVEL", "must");
  const auto level = harness::level_from_string(text);
  if (!level) env_error("ASYNCCONF_LEVEL: '" + text + "' is not a level (must, de-facto, robustness)");
  return *level;
}

const Implementation& implementation(const char* variable, const char* fallback, bool primary) {
  static std::map<std::string, std::unique_ptr<Implementation>> loaded;
  kept_threads();
  auto& slot = loaded[variable];
  if (slot) return *slot;
  const std::string name = env_or(variable, fallback);
  harness::LoadResult result = load_named(name);
  if (!result) env_error(std::string(variable) + "=" + name + ": " + result.error().message);
  const harness::Level level = level_from_env();
  slot = std::make_unique<Implementation>(Implementation{std::move(result).impl(), name, {}});
  const harness::AsyncApi& api = slot->impl.api();
  if (primary) harness::install_counting_stacks(api);
  harness::warm_up(api);
  harness::ModelConfig config = harness::model_config(api, level);
  config.fresh_process = false;
  // Where the man page allows two answers, the model is told which this
  // implementation gives (a child process finds out, as for explore).
  if (level >= harness::Level::Robustness) {
    harness::apply(harness::probe_behaviour(api, std::chrono::milliseconds(5000)), config);
  }
  slot->config = config;
  return *slot;
}

}  // namespace asyncconf::fuzz
