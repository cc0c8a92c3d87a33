// What a device has done, as plain numbers.
#pragma once

#include <cstdint>

namespace asyncconf::accel {

/// A snapshot of a device's counters. Each is read on its own, so only a
/// quiet device's snapshot is consistent; then
/// submitted == completed + failed + lost + in_flight.
struct DeviceCounters {
  std::uint64_t submitted = 0;         ///< requests accepted
  std::uint64_t rejected = 0;          ///< submit() calls answered RingFull
  std::uint64_t completed = 0;         ///< published with status Ok
  std::uint64_t failed = 0;            ///< published with DeviceError or Cancelled
  std::uint64_t lost = 0;              ///< dropped by the lost fault
  std::int64_t in_flight = 0;          ///< accepted, neither published nor lost
  std::uint64_t notifications = 0;     ///< wakes the device sent (spurious, duplicate included)
  std::int64_t open_fds = 0;           ///< wait fds the device created that are still open
  std::uint64_t paused = 0;            ///< ASYNC_pause_job calls by the job-side helper
  std::uint64_t spurious_resumes = 0;  ///< resumes the helper found its completion not done at
  std::uint64_t retries = 0;           ///< resubmissions after RingFull
  std::uint64_t timeouts = 0;          ///< offloads that gave up at give_up_after
};

}  // namespace asyncconf::accel
