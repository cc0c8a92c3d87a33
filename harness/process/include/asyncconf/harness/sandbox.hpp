// Runs work in forked children, several at a time, each with a time limit,
// so that a crash or a hang in the implementation under test becomes an
// outcome instead of taking the run down.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

namespace asyncconf::harness {

/// How one child ended.
struct ChildOutcome {
  enum class Kind {
    Exited,        ///< exited by itself; `exit_code` is valid
    Signaled,      ///< killed by signal `signal` (a crash, or an abort)
    TimedOut,      ///< still running at the time limit; killed with SIGKILL
    HarnessError,  ///< fork, pipe or waitpid failed; `error` says why
  };
  Kind kind = Kind::HarnessError;
  int exit_code = 0;
  int signal = 0;
  std::string payload;      ///< everything the child returned from its work
  std::string stderr_tail;  ///< the last bytes the child wrote to stderr
  std::string error;
  double duration_ms = 0;
};

/// "SIGSEGV", "SIGABRT", ... ("signal N" for unnamed ones).
std::string signal_name(int signal);

struct SandboxOptions {
  std::size_t parallel = 1;                     ///< children running at once (≥ 1)
  std::chrono::milliseconds timeout{5000};      ///< per child
  std::size_t stderr_tail_bytes = 4096;         ///< how much of a child's stderr to keep
  const std::atomic<bool>* stop = nullptr;      ///< when set: start no more, kill the running
};

/// Runs `work(i)` for i in [0, count) each in its own forked child. The
/// child's stdout goes to /dev/null; the string `work` returns is the
/// payload. `done(i, outcome)` is called in the parent, in completion order,
/// as each child ends. Returns the number of children that ended (less than
/// `count` when stopped).
///
/// The parent must not have run any ASYNC job: a child starts with a copy
/// of the parent's thread, and so of its ASYNC thread state.
std::size_t run_in_children(std::size_t count, const std::function<std::string(std::size_t)>& work,
                            const std::function<void(std::size_t, ChildOutcome)>& done,
                            const SandboxOptions& options);

}  // namespace asyncconf::harness
