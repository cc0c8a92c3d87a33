// What every op's home holds, and the defaults it may leave out.
//
// An op's home is one struct in its family's header (pool_ops.hpp,
// job_ops.hpp, wait_ctx_ops.hpp), named as its OpKind. Next to its line in
// ops.def (name, where it may appear, operands) it holds everything else
// about the op, in the manner of RapidCheck's rc::state::Command:
//
//   labels                 what its observation's fields mean (trace, C, values)
//   skip(m, op)            driver form: why it would not run now, or ""
//   predict(m, op)         driver form: its effect on the model and the
//                          observations it predicts, each field tied to the
//                          requirement that fixes it
//   skip_in_job(m, j, t, op), predict_in_job(m, j, op, e)
//                          the same for the body form (ops that have one)
//   run(r, op, o), run_in_job(r, job, op, o, args)
//                          the call against the loaded implementation,
//                          filling the observation
//   c_call(w, op, job)     the same call as C lines of a reproducer
//   c_uses(op, in_job)     the runtime helpers those lines need
//   choose(g, op)          optional: operands the generator draws better
//                          than the schema's domain (a key in use, a fresh fd)
//
// The rules take the model's state (model_state.hpp). The runs and the C
// take the interpreter's run and the reproducer's writer as template
// parameters, so the oracle, which instantiates only the rules, stays pure:
// no loaded implementation, no threads. all_ops.hpp checks that every op of
// ops.def has a home with what its schema needs, and dispatches to it.
#pragma once

#include <string>
#include <vector>

#include "asyncconf/harness/model_state.hpp"
#include "asyncconf/harness/observation.hpp"
#include "asyncconf/harness/op_schema.hpp"

namespace asyncconf::harness::ops {

/// What one field of an op's observation means.
struct FieldLabel {
  const char* trace;              ///< in a trace line ("fd")
  const char* c;                  ///< in a reproducer's message ("the fd it gave is"); null: "<api> returned"
  Show show = Show::Int;          ///< how its value reads
  const char* c_got = nullptr;    ///< where the program keeps it; null: the field's own ("o.extra")
};

/// The labels of an op's observation, field by field.
struct OpLabels {
  const char* api = nullptr;  ///< the C function it calls; null: the op's name
  FieldLabel rc{"returns", nullptr};
  FieldLabel ref{"*job", "*job is", Show::Job};
  FieldLabel extra{"extra", "extra is"};
  FieldLabel extra2{"extra2", "extra2 is"};
  FieldLabel list{"fds", "the fds are"};
  FieldLabel cleanups{"cleanup calls", "cleanup callbacks called:"};
};

/// Helpers of the reproducer's runtime (reproducer/runtime.c) the C of an
/// op uses; the writer copies only those.
enum CUse : unsigned {
  kUseKey = 1u << 0,         ///< key(n)
  kUseCustomData = 1u << 1,  ///< custom_data(fd)
  kUseCleanup = 1u << 2,     ///< count_cleanup
  kUseGetFd = 1u << 3,       ///< do_get_fd
  kUseGetAll = 1u << 4,      ///< do_get_all_fds
  kUseGetChanged = 1u << 5,  ///< do_get_changed_fds
  kUseWake = 1u << 6,        ///< wake_callback, callback_arg
  kUseGetCallback = 1u << 7, ///< do_get_callback
  kUseJobRef = 1u << 8,      ///< job_ref
  kUseCurrentRef = 1u << 9,  ///< current_ref
  kUseCtxRef = 1u << 10,     ///< ctx_ref
  kUseOwnCtx = 1u << 11,     ///< own_wait_ctx
  kUseJobNone = 1u << 12,    ///< job_none
  kUseArgs = 1u << 13,       ///< the job function reads its args
  kUseDevice = 1u << 14,     ///< offload_in_job (the device)
  kUseAwait = 1u << 15,      ///< await_job (the device)
};

/// A line of an op's C that stands for "make the step's first observation
/// here" (an op that observes twice: await).
inline constexpr const char* kObserveHere = "@observe";

/// The defaults: an op whose observation holds only a return value, that
/// needs no runtime helper.
struct OpHome {
  static constexpr OpLabels labels{};
  static unsigned c_uses(const Op&, bool /*in_job*/) { return 0; }
};

}  // namespace asyncconf::harness::ops
