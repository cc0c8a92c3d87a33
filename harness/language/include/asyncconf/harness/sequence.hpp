// The op-sequence language: what an application (driver ops) and the job
// functions it starts (body ops) do, as plain data. One vocabulary for the
// model, the interpreter, the generator, the shrinker, the fuzzers and the
// C reproducers. The list of ops is ops.def; op_schema.hpp turns it into
// data (each op's operands, their fields and domains).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace asyncconf::harness {

enum class OpKind : std::uint8_t {
#define ASYNCCONF_OP(kind, name, where, operands) kind,
#include "asyncconf/harness/ops.def"
#undef ASYNCCONF_OP
};

inline constexpr std::size_t kOpKindCount = 0
#define ASYNCCONF_OP(kind, name, where, operands) +1
#include "asyncconf/harness/ops.def"
#undef ASYNCCONF_OP
    ;

/// The op's name in the text form ("init_thread", "start", ...).
const char* op_name(OpKind kind) noexcept;
/// Whether the op may appear among the driver ops / inside a job body.
bool is_driver_op(OpKind kind) noexcept;
bool is_body_op(OpKind kind) noexcept;
/// An op on an existing ASYNC_WAIT_CTX (set_fd ... get_status): in a body it
/// works on the job's own wait ctx.
bool is_wait_ctx_op(OpKind kind) noexcept;

/// How a Start hands its argument to the job function.
enum class ArgsMode : std::uint8_t {
  Copy,      ///< args points at an 8-byte buffer holding `value`, size 8
  Null,      ///< args NULL, size 8          (text: args=null)
  SizeZero,  ///< args points at the buffer, size 0  (text: args=size0)
};

/// How the driver waits for a job paused on the device (`await`): the
/// ways applications wait (openssl speed, nginx, libssl's callback, a loop).
enum class Wakeup : std::uint8_t {
  Select,    ///< select() on the wait ctx's fds, as openssl speed does
  Epoll,     ///< an edge-triggered epoll set, one fd per job, as nginx does
  Callback,  ///< the wait ctx's callback (OpenSSL 3.0), as libssl's async callback
  Busy,      ///< resume at once, again and again, until the job goes on
};
inline constexpr int kWakeupCount = 4;

/// Limits that keep every op's observation small and fixed-size.
inline constexpr int kMaxThreads = 4;   ///< threads t0..t3
inline constexpr int kMaxKeys = 8;      ///< wait-fd keys 0..7
inline constexpr int kMaxFdsPerCtx = 16;

/// One operation. Which fields matter depends on `kind` (ops.def, op_schema()); the rest
/// stay at their defaults, so that two equal ops compare equal.
struct Op {
  OpKind kind = OpKind::Pause;
  int thread = 0;  ///< driver ops: the thread that runs it (0 = main)
  int job = -1;    ///< Start, Resume: job name j<job>
  int ctx = -1;    ///< driver ctx ops: w<ctx>; Start: w<ctx>, or -1 for a NULL wait ctx
  int key = 0;     ///< fd ops: the key, 0..kMaxKeys-1
  int fd = 0;      ///< SetFd: the fd value recorded (never opened)
  long value = 0;  ///< InitThread max_size, Start arg, Return value, SetStatus status,
                   ///< SetCallback 1 = on / 0 = off, SetMemFunctions stack size,
                   ///< Await a Wakeup
  long value2 = 0; ///< InitThread init_size
  ArgsMode args = ArgsMode::Copy;  ///< Start
  std::vector<Op> body{};          ///< Start: what the job function does

  friend bool operator==(const Op&, const Op&) = default;
};

/// A whole sequence: the driver ops in order.
struct Sequence {
  std::vector<Op> ops;
  friend bool operator==(const Sequence&, const Sequence&) = default;
};

/// Driver ops plus body ops, counted recursively (the size the shrinker
/// minimises and the benchmark counts).
std::size_t op_count(const Sequence& sequence) noexcept;

/// Every driver op runs on thread 0.
bool on_one_thread(const Sequence& sequence) noexcept;

}  // namespace asyncconf::harness
