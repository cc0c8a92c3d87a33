// Every knob of the simulated device, and the one-line text form that an
// environment variable or a configuration file section will hold.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "asyncconf/accel/faults.hpp"
#include "asyncconf/accel/latency.hpp"
#include "asyncconf/accel/parse.hpp"

namespace asyncconf::accel {

/// How a finished request reaches the job waiting for it.
enum class NotifyMode {
  Fd,        ///< the device writes the job's wait fd (an eventfd)
  Callback,  ///< the device calls the WAIT_CTX's callback (OpenSSL 3.0+); fd if none is set
  Poll,      ///< finished requests wait until poll() delivers them, through the wait fd
};

/// What submit() does when the ring holds queue_depth requests.
enum class RingFullPolicy {
  Retry,  ///< answer RingFull; the job-side helper pauses and resubmits, retry_limit times
  Block,  ///< wait in submit() for room
  Fail,   ///< answer RingFull; the helper gives up at once
};

struct DeviceConfig {
  /// Requests the ring holds: accepted and not yet delivered (or lost).
  std::size_t queue_depth = 64;
  /// Threads serving requests, each one request at a time.
  std::size_t workers = 1;
  LatencyModel latency;  // fixed:100us
  NotifyMode notify = NotifyMode::Fd;
  /// Poll mode: how often the device's own poll thread delivers
  /// (0: no thread; the application calls Device::poll()).
  Nanos poll_interval{0};
  RingFullPolicy ring_full = RingFullPolicy::Retry;
  /// How many times the helper resubmits after RingFull (Retry policy).
  unsigned retry_limit = 8;
  /// The extra delay of a late completion.
  Nanos late_by = std::chrono::milliseconds(10);
  /// The helper's deadline from first submission: a completion that has not
  /// arrived by then ends the offload as a timeout, not a hang.
  Nanos give_up_after = std::chrono::seconds(5);
  /// Wait fds are numbered from here up (0: as eventfd() gives them), so
  /// that a test harness can tell the device's fds from numbers a test
  /// sets itself.
  int fd_floor = 0;
  /// faults.seed is the seed the fault rates draw from.
  FaultPlan faults;
  /// Seeds the latency samples (and, when read from text, the faults).
  std::uint64_t seed = 0;
};

/// "fd", "callback", "poll".
std::string_view to_string(NotifyMode mode) noexcept;
/// "retry", "block", "fail".
std::string_view to_string(RingFullPolicy policy) noexcept;

/// Reads `key=value` pairs separated by `;` (spaces around either ignored,
/// empty pairs skipped) on top of `base`:
///   queue_depth=N (1..65536)   workers=N (1..256)   latency=MODEL
///   notify=fd|callback|poll    poll_interval=D      ring_full=retry|block|fail
///   retry_limit=N (0..1000000) late_by=D            give_up_after=D (> 0)
///   fd_floor=N (0..65536)      faults=RULES         seed=N
/// (MODEL as parse_latency(), RULES as parse_fault_plan(), D as
/// parse_duration()). `seed` sets both the latency seed and faults.seed,
/// whichever order the keys come in. An unknown or repeated key, or a bad
/// value, is an error naming the key.
Parsed<DeviceConfig> parse_device_config(std::string_view text, const DeviceConfig& base = {});

/// Text that parse_device_config() reads back as the same configuration
/// (every key, in the order above).
std::string to_string(const DeviceConfig& config);

}  // namespace asyncconf::accel
