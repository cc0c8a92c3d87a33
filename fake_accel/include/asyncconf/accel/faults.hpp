// The device's misbehaviours, and the schedule that says which requests
// suffer them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "asyncconf/accel/parse.hpp"

namespace asyncconf::accel {

/// One way the device can misbehave for one request. The names in
/// comments are the stable text names (fault_name()).
enum class Fault : std::uint8_t {
  RingFull,             ///< ring_full: submit() answers RingFull though there is room
  LostCompletion,       ///< lost: never published, never notified
  LateCompletion,       ///< late: served late_by later than its latency says
  ErrorResult,          ///< error: completes with DeviceError; the work runs, its value is dropped
  SpuriousWake,         ///< spurious: one extra wake-up when service starts
  DuplicateWake,        ///< duplicate: notified twice after publishing
  NotifyBeforePublish,  ///< notify_early: notified, then published a moment later
  FdCreateFails,        ///< fd_fail: the device refuses to create a wait fd
  SlowPoll,             ///< slow_poll: poll mode: the first poll() that finds it skips it
};

inline constexpr std::size_t kFaultCount = 9;

inline constexpr std::array<Fault, kFaultCount> kAllFaults = {
    Fault::RingFull,     Fault::LostCompletion, Fault::LateCompletion,
    Fault::ErrorResult,  Fault::SpuriousWake,   Fault::DuplicateWake,
    Fault::NotifyBeforePublish, Fault::FdCreateFails, Fault::SlowPoll};

/// The stable text name: "ring_full", "lost", "late", "error", "spurious",
/// "duplicate", "notify_early", "fd_fail", "slow_poll".
std::string_view fault_name(Fault fault) noexcept;
/// The fault with that name, if any.
std::optional<Fault> fault_named(std::string_view name) noexcept;

/// When one fault fires. Any of the three firing fires the rule; an index
/// is the 0-based count of the device's requests (for fd_fail: of its fd
/// creations).
struct FaultRule {
  /// Fires on each index with this probability, drawn from (seed, fault,
  /// index).
  double rate = 0.0;
  /// Fires on every n-th index, counting from 1: indexes n-1, 2n-1, ...
  /// (0: never).
  std::uint64_t every_nth = 0;
  /// Fires on indexes 0 .. first_k-1.
  std::uint64_t first_k = 0;

  /// True when some part of the rule can fire.
  bool active() const noexcept { return rate > 0.0 || every_nth > 0 || first_k > 0; }
};

/// Every fault's rule and the seed their rates draw from.
struct FaultPlan {
  std::array<FaultRule, kFaultCount> rules{};
  std::uint64_t seed = 0;

  FaultRule& rule(Fault fault) noexcept { return rules[static_cast<std::size_t>(fault)]; }
  const FaultRule& rule(Fault fault) const noexcept { return rules[static_cast<std::size_t>(fault)]; }

  /// Whether `fault` hits index `index`: a pure function of (seed, fault,
  /// index), whatever was asked before.
  bool fires(Fault fault, std::uint64_t index) const noexcept;
};

/// Reads rules separated by commas, each `NAME=RATE`, `NAME=every:N` or
/// `NAME=first:K` (N, K >= 1): `lost=0.01,duplicate=every:10,ring_full=first:3`.
/// A fault may appear more than once with different kinds of rule; "" and
/// "none" mean no faults. The plan's seed is `seed`.
Parsed<FaultPlan> parse_fault_plan(std::string_view text, std::uint64_t seed = 0);

/// Text that parse_fault_plan() reads back as the same rules ("none" when
/// there are none). The seed is not part of it.
std::string to_string(const FaultPlan& plan);

}  // namespace asyncconf::accel
