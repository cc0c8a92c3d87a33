// ASYNC_set_mem_functions / ASYNC_get_mem_functions (OpenSSL 3.2): the job
// stack allocator, the size it is asked for and the size it hands back,
// and when the pair may no longer be replaced.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include "asyncconf/conformance/catalogue.hpp"
#include "case_support.hpp"

namespace asyncconf::conformance {

namespace {

using support::start;
using support::WaitCtx;

// The test allocator hands out a pointer kPad bytes into a kBlock-byte
// malloc block, so a stack used beyond the size it reported (up to 64 KiB
// below or 128 KiB above the pointer) still lands in memory of ours.
constexpr std::size_t kPad = 64 * 1024;
constexpr std::size_t kBlock = 192 * 1024;
constexpr int kMaxStacks = 16;

struct Allocator {
  int allocs = 0;                           // calls of test_alloc, failed ones included
  int frees = 0;                            // calls of test_free
  std::size_t requested[kMaxStacks] = {};   // *num as the implementation asked
  void* given[kMaxStacks] = {};             // the pointers handed out
  std::size_t given_size[kMaxStacks] = {};  // *num as handed back
  void* freed[kMaxStacks] = {};             // the pointers free received
  std::size_t report_size = 0;              // write this into *num (0: leave it)
};
Allocator g_alloc;

void* test_alloc(std::size_t* num) {
  const int i = g_alloc.allocs++;
  if (i >= kMaxStacks) return nullptr;
  g_alloc.requested[i] = *num;
  auto* block = static_cast<unsigned char*>(std::malloc(kBlock));
  if (block == nullptr) return nullptr;
  if (g_alloc.report_size != 0) *num = g_alloc.report_size;
  g_alloc.given[i] = block + kPad;
  g_alloc.given_size[i] = *num;
  return block + kPad;
}

void test_free(void* addr) {
  if (addr == nullptr) return;  // harmless, and not a stack
  const int i = g_alloc.frees++;
  if (i < kMaxStacks) g_alloc.freed[i] = addr;
  for (int k = 0; k < g_alloc.allocs && k < kMaxStacks; ++k) {
    if (g_alloc.given[k] == addr) {
      std::free(static_cast<unsigned char*>(addr) - kPad);
      g_alloc.given[k] = nullptr;  // freed: a second free of it is not passed on
      return;
    }
  }
  // Not one of ours (or freed twice): leave it alone rather than crash here.
}

// Where the body's frames were, to tell which stack it ran on.
// Addresses kept as integers: the frames are gone when they are checked.
std::uintptr_t g_frame = 0;
std::uintptr_t g_lowest_byte = 0;

std::uintptr_t address_of(const volatile void* p) { return reinterpret_cast<std::uintptr_t>(p); }
std::string hex(std::uintptr_t address) { return describe(reinterpret_cast<const void*>(address)); }

int record_frame_then_pause(void*) {
  volatile char marker = 0;
  g_frame = address_of(&marker);
  api().ASYNC_pause_job();
  return 31;
}

// Uses 40 KiB of stack: more than the 32 KiB default, well within 64 KiB.
int use_40k_of_stack(void*) {
  char big[40 * 1024];
  std::memset(big, 0xA5, sizeof big);
  asm volatile("" : : "r"(big) : "memory");
  g_lowest_byte = address_of(big);
  g_frame = address_of(big + sizeof big - 1);
  return 32;
}

// The index of the stack [given, given + given_size) holding p, or -1.
int stack_holding(std::uintptr_t addr) {
  for (int i = 0; i < g_alloc.allocs && i < kMaxStacks; ++i) {
    const auto low = reinterpret_cast<std::uintptr_t>(g_alloc.given[i]);
    if (low != 0 && addr >= low && addr < low + g_alloc.given_size[i]) return i;
  }
  return -1;
}

bool install_test_allocator(CaseContext& c, std::size_t report_size = 0) {
  g_alloc = {};
  g_alloc.report_size = report_size;
  g_frame = g_lowest_byte = 0;
  return c.expect_eq(api().ASYNC_set_mem_functions(test_alloc, test_free), 1,
                     "ASYNC_set_mem_functions before any job");
}

// Starts n jobs that pause once and leaves them paused; false on a failure.
bool start_paused(CaseContext& c, ASYNC_WAIT_CTX* ctx, ASYNC_JOB** jobs, int n) {
  for (int i = 0; i < n; ++i) {
    int ret = 0;
    jobs[i] = nullptr;
    if (!c.expect_start(start(&jobs[i], ctx, &ret, support::pause_once), ASYNC_PAUSE,
                        "starting paused job " + std::to_string(i))) {
      return false;
    }
  }
  return true;
}

void finish_all(CaseContext& c, ASYNC_WAIT_CTX* ctx, ASYNC_JOB** jobs, int n) {
  for (int i = 0; i < n; ++i) {
    int ret = 0;
    c.expect_start(start(&jobs[i], ctx, &ret, support::pause_once), ASYNC_FINISH,
                   "resuming job " + std::to_string(i));
  }
}

void get_reports_defaults_then_set_pair(CaseContext& c) {
  ASYNC_stack_alloc_fn alloc_fn = nullptr;
  ASYNC_stack_free_fn free_fn = nullptr;
  api().ASYNC_get_mem_functions(&alloc_fn, &free_fn);
  c.expect(alloc_fn != nullptr, "default alloc function reported by ASYNC_get_mem_functions: NULL");
  c.expect(free_fn != nullptr, "default free function reported by ASYNC_get_mem_functions: NULL");
  ASYNC_stack_free_fn free_only = nullptr;
  api().ASYNC_get_mem_functions(nullptr, &free_only);
  c.expect(free_only == free_fn, "free function reported with a NULL alloc_fn pointer differs");
  ASYNC_stack_alloc_fn alloc_only = nullptr;
  api().ASYNC_get_mem_functions(&alloc_only, nullptr);
  c.expect(alloc_only == alloc_fn, "alloc function reported with a NULL free_fn pointer differs");
  if (!install_test_allocator(c)) return;
  api().ASYNC_get_mem_functions(&alloc_fn, &free_fn);
  c.expect(alloc_fn == test_alloc,
           "alloc function reported after a successful set: not the one set");
  c.expect(free_fn == test_free, "free function reported after a successful set: not the one set");
}

void set_before_any_stack_returns_1(CaseContext& c) {
  c.expect_eq(api().ASYNC_set_mem_functions(test_alloc, test_free), 1,
              "ASYNC_set_mem_functions in a process that never allocated a job stack");
}

void custom_alloc_gives_the_job_stack(CaseContext& c) {
  if (!install_test_allocator(c)) return;
  WaitCtx ctx;
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  if (!c.expect_start(start(&job, ctx.get(), &ret, record_frame_then_pause), ASYNC_PAUSE,
                      "starting a job after setting the allocator")) {
    return;
  }
  c.expect(g_alloc.allocs >= 1, "calls of the custom alloc function for the first job: 0");
  c.expect(stack_holding(g_frame) >= 0,
           "the body's frame (" + hex(g_frame) +
               ") lies in none of the stacks the custom alloc function handed out");
  c.expect_start(start(&job, ctx.get(), &ret, record_frame_then_pause), ASYNC_FINISH,
                 "resuming the job");
  c.expect_eq(ret, 31, "*ret of the job run on the custom stack");
}

void default_request_is_32k(CaseContext& c) {
  if (!install_test_allocator(c)) return;
  WaitCtx ctx;
  ASYNC_JOB* jobs[3];
  if (!start_paused(c, ctx.get(), jobs, 3)) return;
  c.expect_eq(g_alloc.allocs, 3, "stack allocations for three jobs paused at once");
  for (int i = 0; i < g_alloc.allocs && i < kMaxStacks; ++i) {
    c.expect_eq(g_alloc.requested[i], std::size_t{32768},
                "*num asked of the alloc function, allocation " + std::to_string(i));
  }
  finish_all(c, ctx.get(), jobs, 3);
}

void free_gets_the_allocated_pointers(CaseContext& c) {
  if (!install_test_allocator(c)) return;
  {
    WaitCtx ctx;
    ASYNC_JOB* jobs[3];
    if (!start_paused(c, ctx.get(), jobs, 3)) return;
    finish_all(c, ctx.get(), jobs, 3);
  }
  void* handed_out[kMaxStacks];
  const int allocated = g_alloc.allocs;
  std::memcpy(handed_out, g_alloc.given, sizeof handed_out);
  api().ASYNC_cleanup_thread();
  c.expect_eq(g_alloc.frees, allocated, "calls of the free function after ASYNC_cleanup_thread");
  for (int i = 0; i < g_alloc.frees && i < kMaxStacks; ++i) {
    bool ours = false;
    for (int k = 0; k < allocated && k < kMaxStacks; ++k)
      ours = ours || handed_out[k] == g_alloc.freed[i];
    c.expect(ours, "free call " + std::to_string(i) + " got " + describe(g_alloc.freed[i]) +
                       ", not a pointer the alloc function returned");
  }
  for (int k = 0; k < allocated && k < kMaxStacks; ++k) {
    c.expect(g_alloc.given[k] == nullptr,
             "stack " + describe(handed_out[k]) + " was never passed to the free function");
  }
}

void larger_num_gives_a_larger_stack(CaseContext& c) {
  if (!install_test_allocator(c, 64 * 1024)) return;
  WaitCtx ctx;
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  if (!c.expect_start(start(&job, ctx.get(), &ret, use_40k_of_stack), ASYNC_FINISH,
                      "a job using 40 KiB of a 64 KiB stack")) {
    return;
  }
  c.expect_eq(ret, 32, "*ret of the job");
  const int i = stack_holding(g_frame);
  if (!c.expect(i >= 0, "the body's frame (" + hex(g_frame) +
                            ") lies in no 64 KiB stack the alloc function handed out")) {
    return;
  }
  c.expect(g_lowest_byte >= address_of(g_alloc.given[i]),
           "the body's 40 KiB array starts at " + hex(g_lowest_byte) +
               ", below the stack's lowest byte " + describe(g_alloc.given[i]) +
               ": the stack in use is smaller than the 64 KiB written back in *num");
}

void smaller_num_gives_a_smaller_stack(CaseContext& c) {
  if (!install_test_allocator(c, 16 * 1024)) return;
  WaitCtx ctx;
  ASYNC_JOB* job = nullptr;
  int ret = 0;
  if (!c.expect_start(start(&job, ctx.get(), &ret, record_frame_then_pause), ASYNC_PAUSE,
                      "a job on a 16 KiB stack")) {
    return;
  }
  c.expect(g_alloc.allocs >= 1 && stack_holding(g_frame) >= 0,
           "the body's frame (" + hex(g_frame) + ") lies outside [" + describe(g_alloc.given[0]) +
               ", +16 KiB): the 16 KiB written back in *num was not "
               "the stack used");
  c.expect_start(start(&job, ctx.get(), &ret, record_frame_then_pause), ASYNC_FINISH,
                 "resuming the job");
}

void set_after_first_stack_returns_0(CaseContext& c) {
  ASYNC_stack_alloc_fn default_alloc = nullptr;
  ASYNC_stack_free_fn default_free = nullptr;
  api().ASYNC_get_mem_functions(&default_alloc, &default_free);
  g_alloc = {};
  WaitCtx ctx;
  ASYNC_JOB* first = nullptr;
  if (!start_paused(c, ctx.get(), &first, 1)) return;
  c.expect_eq(api().ASYNC_set_mem_functions(test_alloc, test_free), 0,
              "ASYNC_set_mem_functions after a job stack was allocated");
  ASYNC_stack_alloc_fn alloc_fn = nullptr;
  ASYNC_stack_free_fn free_fn = nullptr;
  api().ASYNC_get_mem_functions(&alloc_fn, &free_fn);
  c.expect(alloc_fn == default_alloc && free_fn == default_free,
           "ASYNC_get_mem_functions after the refused set: not the default pair any more");
  ASYNC_JOB* second = nullptr;
  if (start_paused(c, ctx.get(), &second, 1)) {
    c.expect_eq(g_alloc.allocs, 0, "calls of the refused alloc function for a second stack");
    finish_all(c, ctx.get(), &second, 1);
  }
  finish_all(c, ctx.get(), &first, 1);
  api().ASYNC_cleanup_thread();
  c.expect_eq(api().ASYNC_set_mem_functions(test_alloc, test_free), 0,
              "ASYNC_set_mem_functions after ASYNC_cleanup_thread freed every stack");
}

void set_returns_0_after_stack_on_other_thread(CaseContext& c) {
  int result = -1;
  std::thread other([&] {
    WaitCtx ctx;
    ASYNC_JOB* job = nullptr;
    int ret = 0;
    result = start(&job, ctx.get(), &ret, support::return_seven);
    api().ASYNC_cleanup_thread();
  });
  other.join();
  if (!c.expect_start(result, ASYNC_FINISH, "a job on another thread")) return;
  c.expect_eq(api().ASYNC_set_mem_functions(test_alloc, test_free), 0,
              "ASYNC_set_mem_functions after another thread allocated (and freed) a job stack");
}

void set_returns_0_after_init_thread_precreates(CaseContext& c) {
  if (!c.expect_eq(api().ASYNC_init_thread(2, 2), 1, "ASYNC_init_thread(2, 2)")) return;
  c.expect_eq(api().ASYNC_set_mem_functions(test_alloc, test_free), 0,
              "ASYNC_set_mem_functions after ASYNC_init_thread pre-created two jobs");
}

void set_null_keeps_current_functions(CaseContext& c) {
  ASYNC_stack_alloc_fn default_alloc = nullptr;
  ASYNC_stack_free_fn default_free = nullptr;
  api().ASYNC_get_mem_functions(&default_alloc, &default_free);
  ASYNC_stack_alloc_fn a = nullptr;
  ASYNC_stack_free_fn f = nullptr;
  c.expect_eq(api().ASYNC_set_mem_functions(nullptr, nullptr), 1,
              "ASYNC_set_mem_functions(NULL, NULL)");
  api().ASYNC_get_mem_functions(&a, &f);
  c.expect(a == default_alloc && f == default_free,
           "after set(NULL, NULL): the pair reported is not the default pair");
  c.expect_eq(api().ASYNC_set_mem_functions(test_alloc, nullptr), 1,
              "ASYNC_set_mem_functions(alloc, NULL)");
  api().ASYNC_get_mem_functions(&a, &f);
  c.expect(a == test_alloc,
           "after set(alloc, NULL): the alloc function reported is not the one set");
  c.expect(f == default_free,
           "after set(alloc, NULL): the free function reported is not the default");
  c.expect_eq(api().ASYNC_set_mem_functions(nullptr, test_free), 1,
              "ASYNC_set_mem_functions(NULL, free)");
  api().ASYNC_get_mem_functions(&a, &f);
  c.expect(a == test_alloc, "after set(NULL, free): the alloc function set before was replaced");
  c.expect(f == test_free, "after set(NULL, free): the free function reported is not the one set");
}

}  // namespace

void add_mem_cases(std::vector<Case>& out) {
  const std::vector<Capability> mem = {Capability::MemFunctions};
  out.push_back(
      {"mem/get-reports-defaults-then-set-pair",
       "ASYNC_get_mem_functions reports non-NULL defaults, skips NULL outputs, then the pair set",
       {"MEM-GET-DEFAULTS-NON-NULL"},
       mem,
       get_reports_defaults_then_set_pair});
  out.push_back(
      {"mem/set-before-any-stack-returns-1",
       "ASYNC_set_mem_functions returns 1 before any job stack exists (POSIX supports it)",
       {"MEM-SET-RETURN-VALUE", "MEM-SUPPORTED-POSIX"},
       mem,
       set_before_any_stack_returns_1});
  out.push_back(
      {"mem/custom-alloc-gives-the-job-stack",
       "After a successful set, the next job runs on a stack from the custom alloc function",
       {"MEM-CUSTOM-ALLOC-USED", "MEM-SUPPORTED-POSIX"},
       mem,
       custom_alloc_gives_the_job_stack});
  out.push_back({"mem/default-request-is-32k",
                 "Each job stack is asked of the alloc function with *num == 32768",
                 {"MEM-DEFAULT-STACK-32K", "MEM-DEFAULT-STACK-REQUEST"},
                 mem,
                 default_request_is_32k});
  out.push_back({"mem/free-gets-the-allocated-pointers",
                 "ASYNC_cleanup_thread passes each stack to the free function, as the alloc "
                 "function returned it",
                 {"MEM-DEFAULT-STACK-REQUEST"},
                 mem,
                 free_gets_the_allocated_pointers});
  out.push_back(
      {"mem/larger-num-gives-a-larger-stack",
       "64 KiB written back in *num: a body using 40 KiB of stack stays inside the stack",
       {"MEM-NUM-ALTERS-STACK-SIZE", "MEM-STACK-SIZE-MANIPULATION", "MEM-DEFAULT-STACK-REQUEST"},
       mem,
       larger_num_gives_a_larger_stack});
  out.push_back({"mem/smaller-num-gives-a-smaller-stack",
                 "16 KiB written back in *num: the job runs within those 16 KiB",
                 {"MEM-NUM-ALTERS-STACK-SIZE", "MEM-STACK-SIZE-MANIPULATION"},
                 mem,
                 smaller_num_gives_a_smaller_stack});
  out.push_back({"mem/set-after-first-stack-returns-0",
                 "Once a stack was allocated, set returns 0 and changes nothing, even after "
                 "ASYNC_cleanup_thread",
                 {"MEM-SET-RETURN-VALUE", "MEM-SET-ZERO-AFTER-ANY-ALLOC"},
                 mem,
                 set_after_first_stack_returns_0});
  out.push_back({"mem/set-returns-0-after-stack-on-other-thread",
                 "A stack allocated on another thread makes set return 0 on this one",
                 {"MEM-SET-ZERO-AFTER-ANY-ALLOC"},
                 mem,
                 set_returns_0_after_stack_on_other_thread});
  out.push_back({"mem/set-returns-0-after-init-thread-precreates",
                 "Jobs pre-created by ASYNC_init_thread count as allocations: set returns 0",
                 {"MEM-SET-ZERO-AFTER-ANY-ALLOC", "MEM-SET-RETURN-VALUE"},
                 mem,
                 set_returns_0_after_init_thread_precreates});
  out.push_back({"mem/set-null-keeps-current-functions",
                 "A NULL alloc_fn or free_fn leaves the current function of that kind in place",
                 {"MEM-SET-NULL-KEEPS-CURRENT", "MEM-SET-RETURN-VALUE"},
                 mem,
                 set_null_keeps_current_functions});
}

}  // namespace asyncconf::conformance
