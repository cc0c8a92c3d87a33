// What the interpreter needs for offload and await: the simulated device
// its plans offload to, and the ways a driver waits for the device's
// wake-up (harness/ops/device_ops.hpp).
#pragma once

#include <chrono>
#include <string>

#include "asyncconf/accel/device.hpp"
#include "asyncconf/harness/async_api.hpp"
#include "asyncconf/harness/sequence.hpp"

namespace asyncconf::harness::device_wait {

/// The process's device, made on first use and kept to the end: its
/// threads outlive every plan. It notifies through the wait ctx's callback
/// when one is set and through an fd otherwise, numbered from
/// kDeviceFdFloor up.
accel::Device& plan_device();
/// Without faults the device has no threads (config().workers is 0): a
/// job's request is served on the job's own thread just before it pauses
/// (serve_queued()), so an offload costs no thread hand-off. With faults it
/// has worker threads, so that a wake-up can come early, twice or late.

/// Sets the faults of the device plan_device() makes, before its first use
/// (a lost request then times out after 50 ms). It may have only those
/// that change neither whether an offload pauses nor what the ctx holds,
/// only when and how often the job is woken and whether its request
/// succeeds: spurious, duplicate, late, notify_early, error, lost. Empty
/// when set; else why not (and nothing is set).
std::string set_device_faults(const accel::FaultPlan& plan);

/// Wake-ups through the ctx callbacks the interpreter sets: counted per ctx
/// name (modulo a small table: a shared slot only wakes a waiter early,
/// which the offload helper tolerates).
void note_wake(int ctx) noexcept;
long wakes(int ctx) noexcept;

enum class Waited { Woken, NoFd, TimedOut };

/// Waits as `how` says for the wake-up of a job waiting on `ctx`, until
/// `deadline`. Select and Epoll wait on the fds the implementation lists
/// for the ctx (none: NoFd); Callback waits for wakes(ctx) to pass
/// `seen`, and moves `seen` up to it; Busy returns at once.
Waited wait_for_wake(const AsyncApi& api, ASYNC_WAIT_CTX* ctx, int ctx_name, Wakeup how, long& seen,
                     std::chrono::steady_clock::time_point deadline);

}  // namespace asyncconf::harness::device_wait
