// Every live job in the process, so that a handle from any thread can be
// checked before it is read: async-aware code (QAT's polling thread, for
// one) asks for a paused job's wait ctx from a thread that does not own it.
#pragma once

#include "asyncconf/async_abi.h"

namespace asyncconf::ref {

class Job;

namespace registry {

/// Called by a job as it is created and destroyed. add() can fail (false)
/// only when memory runs out.
bool add(const Job* job) noexcept;
void remove(const Job* job) noexcept;

/// The wait ctx of the job behind `handle`, or null when no live job has
/// that address.
ASYNC_WAIT_CTX* wait_ctx_of(const ASYNC_JOB* handle) noexcept;

}  // namespace registry
}  // namespace asyncconf::ref
