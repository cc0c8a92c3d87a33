// The pool and the thread: ASYNC_init_thread, ASYNC_cleanup_thread,
// ASYNC_set_mem_functions. See op_home.hpp for what a home holds.
#pragma once

#include <climits>
#include <string>
#include <type_traits>
#include <vector>

#include "asyncconf/ops/op_home.hpp"

namespace asyncconf::harness::ops {

struct InitThread : OpHome {
  static constexpr OpKind kind = OpKind::InitThread;
  static constexpr Req kReturn{"POOL-INIT-RETURN-VALUE", Level::Must};
  static constexpr Req kAboveMax{"POOL-INIT-SIZE-ABOVE-MAX-FAILS", Level::DeFacto};
  static constexpr Req kPrecreated{"POOL-INIT-SIZE-PRECREATED", Level::Must};
  static constexpr Req kTwice{"ROBUST-INIT-THREAD-TWICE", Level::Robustness};
  static constexpr Req kStack32k{"MEM-DEFAULT-STACK-32K", Level::Must};
  static constexpr OpLabels labels{
      .api = "ASYNC_init_thread",
      .extra = {"stack size asked", "the stack allocator was asked for", Show::Bytes, "o.asked"}};

  static std::string skip(const ModelState& m, const Op& op) {
    if (op.value < 0 || op.value2 < 0) return "negative sizes";
    if (m.threads[static_cast<std::size_t>(op.thread)].pool) {
      return m.misuse(Misuse::InitTwice, "ASYNC_init_thread on a thread that has a pool");
    }
    if (op.value2 > op.value) return m.needs(Level::DeFacto, "init_size > max_size");
    if (op.value > INT_MAX) return m.needs(Level::DeFacto, "max_size > INT_MAX");
    if (op.value2 > 64) return "more than 64 pre-created jobs";
    return {};
  }
  static void predict(ModelState& m, const Op& op) {
    ThreadM& t = m.threads[static_cast<std::size_t>(op.thread)];
    m.async_used = true;
    Expected& e = m.expect(kind);
    const bool twice = t.pool;
    if (op.value2 > op.value || op.value > INT_MAX) {
      m.check(e, Field::Rc, 0, twice ? kTwice : kAboveMax);
      return;
    }
    if (twice) m.free_idle(t);
    t.pool = true;
    t.max = op.value;
    long asked = 0;
    for (long i = 0; i < op.value2; ++i) {
      t.idle.push_back(m.new_slot(op.thread));
      asked = kDefaultStack;
    }
    m.check(e, Field::Rc, 1, twice ? kTwice : kReturn);
    m.check_stacks(e, twice ? kTwice : kPrecreated);
    if (m.cfg.counting_stacks) m.check(e, Field::Extra, asked, kStack32k);
  }

  static void run(auto& r, const Op& op, Observation& o) {
    const long allocs_before = r.stack_allocs();
    o.rc = r.api.ASYNC_init_thread(static_cast<std::size_t>(op.value), static_cast<std::size_t>(op.value2));
    r.note_stacks(o);
    if (r.stack_allocs() != allocs_before) o.extra = r.last_stack_asked();
  }
  static std::vector<std::string> c_call(auto&, const Op& op, int) {
    auto size = [](long v) { return v > INT_MAX ? std::to_string(v) + "UL" : std::to_string(v); };
    return {"o.rc = ASYNC_init_thread(" + size(op.value) + ", " + size(op.value2) + ");"};
  }
};

struct CleanupThread : OpHome {
  static constexpr OpKind kind = OpKind::CleanupThread;
  static constexpr Req kFrees{"LEAK-EXPLICIT-CLEANUP-THREAD", Level::Must};
  static constexpr Req kPaused{"ROBUST-RESUME-AFTER-CLEANUP-THREAD", Level::Robustness};
  static constexpr Req kInJob{"ROBUST-CLEANUP-THREAD-INSIDE-JOB", Level::Robustness};
  static constexpr OpLabels labels{.api = "ASYNC_cleanup_thread"};

  static std::string skip(const ModelState& m, const Op& op) {
    if (const std::string why = abandons_an_offload(m, op.thread); !why.empty()) return why;
    for (const JobM& j : m.jobs) {
      if (j.st == JobSt::Paused && j.thread == op.thread) {
        return m.misuse(Misuse::CleanupWithPausedJobs, "ASYNC_cleanup_thread with a job paused");
      }
    }
    return {};
  }
  // A job abandoned in an offload would leave the harness's helper's state
  // (on its stack) behind: a leak of the harness, not the implementation's.
  static std::string abandons_an_offload(const ModelState& m, int thread) {
    for (const JobM& j : m.jobs) {
      if (j.st == JobSt::Paused && j.thread == thread && j.offloading) {
        return "it would abandon a job waiting on the device";
      }
    }
    return {};
  }
  static void predict(ModelState& m, const Op& op) {
    ThreadM& t = m.threads[static_cast<std::size_t>(op.thread)];
    bool paused = false;
    for (JobM& j : m.jobs) {
      if (j.st == JobSt::Paused && j.thread == op.thread) {
        j.st = JobSt::Abandoned;
        m.slots[static_cast<std::size_t>(j.slot)].occupant = -1;
        if (j.ctx >= 0) m.ctxs[static_cast<std::size_t>(j.ctx)].user = -1;
        paused = true;
      }
    }
    for (int id : t.slots) m.free_slot(id);
    t = ThreadM{};
    m.check_stacks(m.expect(kind), paused ? kPaused : kFrees);
  }
  static std::string skip_in_job(const ModelState& m, const JobM& j, const ThreadM&, const Op&) {
    if (const std::string why = abandons_an_offload(m, j.thread); !why.empty()) return why;
    return m.misuse(Misuse::CleanupInJob, "ASYNC_cleanup_thread inside a job");
  }
  static void predict_in_job(ModelState& m, int, const Op&, Expected& e) { m.check_stacks(e, kInJob); }

  static void run(auto& r, const Op&, Observation& o) {
    r.api.ASYNC_cleanup_thread();
    r.note_stacks(o);
  }
  static void run_in_job(auto& r, auto&, const Op& op, Observation& o, void*) { run(r, op, o); }
  static std::vector<std::string> c_call(auto&, const Op&, int) { return {"ASYNC_cleanup_thread();"}; }
};

struct SetMemFunctions : OpHome {
  static constexpr OpKind kind = OpKind::SetMemFunctions;
  static constexpr Req kReturn{"MEM-SET-RETURN-VALUE", Level::Must};
  static constexpr Req kAfterFree{"MEM-SET-ZERO-AFTER-ANY-ALLOC", Level::DeFacto};
  static constexpr OpLabels labels{.api = "ASYNC_set_mem_functions"};

  static std::string skip(const ModelState& m, const Op& op) {
    if (!m.cfg.mem_functions) return "the implementation has no ASYNC_set_mem_functions";
    if (!m.cfg.counting_stacks) return "the counting stack allocator is not installed";
    if (op.value != 0 && (op.value < kDefaultStack || op.value > (1L << 20))) {
      return "stack sizes other than 0 or 32 KiB..1 MiB";
    }
    return {};
  }
  static void predict(ModelState& m, const Op&) {
    m.check(m.expect(kind), Field::Rc, m.stack_ever ? 0 : 1, m.stack_ever && m.stacks == 0 ? kAfterFree : kReturn);
  }

  // The counting allocator then hands out `value` bytes (0: the size asked).
  static void run(auto& r, const Op& op, Observation& o) {
    o.rc = r.api.ASYNC_set_mem_functions(r.counting_alloc, r.counting_free);
    if (o.rc == 1) r.hand_out(static_cast<std::size_t>(op.value));
  }
  static std::vector<std::string> c_call(auto&, const Op& op, int) {
    const std::string v = std::to_string(op.value);
    return {"o.rc = ASYNC_set_mem_functions(counting_alloc, counting_free);", "if (o.rc == 1)",
            op.value != 0 ? "    hand_out = " + v + "; /* from now on the allocator hands out " + v + " bytes, whatever is asked */"
                          : "    hand_out = 0; /* from now on the allocator hands out the size asked */"};
  }
};

struct IsCapable : OpHome {
  static constexpr OpKind kind = OpKind::IsCapable;
  // A process that runs jobs is on an async-capable platform.
  static constexpr Req kReturn{"CAPABLE-RETURN-VALUE", Level::Must};
  static constexpr OpLabels labels{.api = "ASYNC_is_capable"};

  static std::string skip(const ModelState&, const Op&) { return {}; }
  static void predict(ModelState& m, const Op&) { m.check(m.expect(kind), Field::Rc, 1, kReturn); }

  static void run(auto& r, const Op&, Observation& o) { o.rc = r.api.ASYNC_is_capable(); }
  static std::vector<std::string> c_call(auto&, const Op&, int) { return {"o.rc = ASYNC_is_capable();"}; }
};

struct GetMemFunctions : OpHome {
  static constexpr OpKind kind = OpKind::GetMemFunctions;
  // The pair the harness installed (before the sequence, or again with
  // set_mem_functions); each call leaves one output NULL, which must be skipped.
  static constexpr Req kPair{"MEM-GET-DEFAULTS-NON-NULL", Level::DeFacto};
  static constexpr OpLabels labels{.api = "ASYNC_get_mem_functions",
                                   .rc = {"counting pair", "ASYNC_get_mem_functions reported the counting pair (1 yes, 0 no):"}};

  static std::string skip(const ModelState& m, const Op&) {
    if (!m.cfg.mem_functions) return "the implementation has no ASYNC_get_mem_functions";
    if (!m.cfg.counting_stacks) return "the counting stack allocator is not installed";
    return {};
  }
  static void predict(ModelState& m, const Op&) { m.check(m.expect(kind), Field::Rc, 1, kPair); }

  static void run(auto& r, const Op&, Observation& o) {
    std::remove_const_t<decltype(r.counting_alloc)> alloc_fn = nullptr;
    std::remove_const_t<decltype(r.counting_free)> free_fn = nullptr;
    r.api.ASYNC_get_mem_functions(&alloc_fn, nullptr);
    r.api.ASYNC_get_mem_functions(nullptr, &free_fn);
    o.rc = alloc_fn == r.counting_alloc && free_fn == r.counting_free ? 1 : 0;
  }
  static std::vector<std::string> c_call(auto&, const Op&, int) {
    return {"{",
            "    ASYNC_stack_alloc_fn alloc_fn = NULL;",
            "    ASYNC_stack_free_fn free_fn = NULL;",
            "    ASYNC_get_mem_functions(&alloc_fn, NULL);",
            "    ASYNC_get_mem_functions(NULL, &free_fn);",
            "    o.rc = alloc_fn == counting_alloc && free_fn == counting_free;",
            "}"};
  }
};

}  // namespace asyncconf::harness::ops
