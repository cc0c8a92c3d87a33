// abi_binds_to_itself <path of libasyncref.so>
//
// This program is linked against the system libcrypto, so libcrypto's ASYNC_*
// are in the process's global scope before libasyncref.so is dlopen()ed
// (RTLD_NOW | RTLD_LOCAL). The reference must still be self-contained:
//   - every function dlsym() returns lives in libasyncref.so (dladdr);
//   - a job started by the reference's ASYNC_start_job sees itself through the
//     reference's ASYNC_get_current_job and is invisible to libcrypto's (the
//     two implementations share no state); it pauses through the reference's
//     ASYNC_pause_job, resumes and finishes with its return value;
//   - the converse holds for a job of libcrypto's;
//   - the reference's ASYNC_get_mem_functions returns its own allocators.
// Any failure is reported; the exit status is the number of failures (capped).

#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "asyncconf/async_abi.h"

namespace {

int failures = 0;

void check(bool ok, const char* what) {
  if (!ok) {
    ++failures;
    std::fprintf(stderr, "FAILED: %s\n", what);
  }
}

std::string real_path(const char* path) {
  char buf[PATH_MAX];
  return realpath(path, buf) != nullptr ? std::string(buf) : std::string(path);
}

// The file of the loaded object that contains `address`, or "" if none.
std::string object_of(const void* address) {
  Dl_info info{};
  if (address == nullptr || dladdr(address, &info) == 0 || info.dli_fname == nullptr) return {};
  return real_path(info.dli_fname);
}

template <typename Fn>
const void* address_of(Fn fn) {
  return reinterpret_cast<const void*>(fn);
}

// The reference's functions, as dlsym() resolved them.
struct Reference {
#define ASYNCCONF_SYMBOL(name, major, minor) decltype(&::name) name = nullptr;
#include "asyncconf/async_symbols.def"
#undef ASYNCCONF_SYMBOL
};
Reference ref;

// ---- A job of the reference --------------------------------------------

struct Args {
  int magic;
  const void* original;  // where the caller's copy lives
};
constexpr int kMagic = 0x5eed;
constexpr int kRefResult = 42;

struct RefJobSeen {
  int runs = 0;
  bool args_copied = false;
  ASYNC_JOB* ref_job_before = nullptr;
  ASYNC_JOB* sys_job_before = reinterpret_cast<ASYNC_JOB*>(1);
  ASYNC_WAIT_CTX* ref_ctx = nullptr;
  int pause_result = -1;
  ASYNC_JOB* ref_job_after = nullptr;
  ASYNC_JOB* sys_job_after = reinterpret_cast<ASYNC_JOB*>(1);
} ref_seen;

int ref_job_body(void* arg) {
  ++ref_seen.runs;
  const auto* args = static_cast<const Args*>(arg);
  ref_seen.args_copied = args != args->original && args->magic == kMagic;
  ref_seen.ref_job_before = ref.ASYNC_get_current_job();
  ref_seen.sys_job_before = ::ASYNC_get_current_job();  // libcrypto's
  ref_seen.ref_ctx = ref.ASYNC_get_wait_ctx(ref_seen.ref_job_before);
  ref_seen.pause_result = ref.ASYNC_pause_job();
  ref_seen.ref_job_after = ref.ASYNC_get_current_job();
  ref_seen.sys_job_after = ::ASYNC_get_current_job();
  return kRefResult;
}

void reference_job_is_its_own() {
  ASYNC_WAIT_CTX* ctx = ref.ASYNC_WAIT_CTX_new();
  check(ctx != nullptr, "reference ASYNC_WAIT_CTX_new returned NULL");
  if (ctx == nullptr) return;

  Args args{kMagic, nullptr};
  args.original = &args;
  ASYNC_JOB* job = nullptr;
  int ret = -1;
  int status = ref.ASYNC_start_job(&job, ctx, &ret, ref_job_body, &args, sizeof args);
  check(status == ASYNC_PAUSE, "reference ASYNC_start_job did not return ASYNC_PAUSE");
  check(job != nullptr, "reference ASYNC_start_job left *job NULL for a paused job");
  check(ref_seen.runs == 1, "the job body did not run exactly once");
  check(ref_seen.args_copied, "the job's argument is not a copy of the caller's");
  check(ref_seen.ref_job_before != nullptr,
        "inside a reference job, the reference's ASYNC_get_current_job returned NULL");
  check(ref_seen.ref_job_before == job,
        "inside a reference job, the reference's ASYNC_get_current_job is not the job "
        "ASYNC_start_job handed out");
  check(ref_seen.sys_job_before == nullptr,
        "inside a reference job, libcrypto's ASYNC_get_current_job returned non-NULL "
        "(the implementations share state)");
  check(ref_seen.ref_ctx == ctx, "the reference's ASYNC_get_wait_ctx is not the job's ctx");
  check(ref.ASYNC_get_current_job() == nullptr,
        "outside the paused job, the reference's ASYNC_get_current_job is non-NULL");
  check(::ASYNC_get_current_job() == nullptr,
        "outside the paused job, libcrypto's ASYNC_get_current_job is non-NULL");

  if (status == ASYNC_PAUSE && job != nullptr) {
    status = ref.ASYNC_start_job(&job, ctx, &ret, ref_job_body, &args, sizeof args);
    check(status == ASYNC_FINISH, "the resumed reference job did not return ASYNC_FINISH");
    check(job == nullptr, "reference ASYNC_start_job left *job non-NULL after ASYNC_FINISH");
    check(ret == kRefResult, "the reference job's return value did not reach *ret");
    check(ref_seen.runs == 1, "resuming ran the job body again instead of continuing it");
    check(ref_seen.pause_result == 1, "the reference's ASYNC_pause_job did not return 1");
    check(ref_seen.ref_job_after == ref_seen.ref_job_before,
          "after resuming, the reference's ASYNC_get_current_job changed");
    check(ref_seen.sys_job_after == nullptr,
          "after resuming, libcrypto's ASYNC_get_current_job returned non-NULL");
  }
  check(ref.ASYNC_get_current_job() == nullptr,
        "after the job finished, the reference's ASYNC_get_current_job is non-NULL");
  ref.ASYNC_WAIT_CTX_free(ctx);
}

// ---- A job of libcrypto ------------------------------------------------

constexpr int kSysResult = 7;

struct SysJobSeen {
  ASYNC_JOB* sys_job = nullptr;
  ASYNC_JOB* ref_job = reinterpret_cast<ASYNC_JOB*>(1);
  int ref_pause_result = -1;
  bool continued = false;
} sys_seen;

int sys_job_body(void*) {
  sys_seen.sys_job = ::ASYNC_get_current_job();
  sys_seen.ref_job = ref.ASYNC_get_current_job();
  // Not within a job of the reference: "no action is taken", returns 1.
  sys_seen.ref_pause_result = ref.ASYNC_pause_job();
  sys_seen.continued = true;
  return kSysResult;
}

void libcrypto_job_is_its_own() {
  ASYNC_WAIT_CTX* ctx = ::ASYNC_WAIT_CTX_new();
  check(ctx != nullptr, "libcrypto ASYNC_WAIT_CTX_new returned NULL");
  if (ctx == nullptr) return;
  ASYNC_JOB* job = nullptr;
  int ret = -1;
  int status = ::ASYNC_start_job(&job, ctx, &ret, sys_job_body, nullptr, 0);
  check(status == ASYNC_FINISH,
        "a libcrypto job calling the reference's ASYNC_pause_job did not finish at once");
  // If it did pause (it should not have), finish it before going on.
  for (int i = 0; status == ASYNC_PAUSE && i < 10; ++i) {
    status = ::ASYNC_start_job(&job, ctx, &ret, sys_job_body, nullptr, 0);
  }
  check(ret == kSysResult, "the libcrypto job's return value did not reach *ret");
  check(sys_seen.sys_job != nullptr,
        "inside a libcrypto job, libcrypto's ASYNC_get_current_job returned NULL");
  check(sys_seen.ref_job == nullptr,
        "inside a libcrypto job, the reference's ASYNC_get_current_job returned non-NULL");
  check(sys_seen.ref_pause_result == 1,
        "the reference's ASYNC_pause_job outside its own jobs did not return 1");
  check(sys_seen.continued, "the libcrypto job did not run to its end");
  ::ASYNC_WAIT_CTX_free(ctx);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <path of libasyncref.so>\n", argc > 0 ? argv[0] : "abi_binds_to_itself");
    return 2;
  }
  const char* path = argv[1];
  const std::string ref_file = real_path(path);

  // libcrypto is in the global scope: this program calls it directly.
  const std::string libcrypto_file = object_of(address_of(&::ASYNC_start_job));
  check(!libcrypto_file.empty() && libcrypto_file != ref_file,
        "ASYNC_start_job of the global scope is not libcrypto's");
  {
    void* global = dlsym(RTLD_DEFAULT, "ASYNC_get_current_job");
    check(global != nullptr && object_of(global) == libcrypto_file,
          "dlsym(RTLD_DEFAULT, ASYNC_get_current_job) is not libcrypto's");
  }

  void* handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    std::fprintf(stderr, "FAILED: cannot dlopen %s: %s\n", path, dlerror());
    return 2;
  }

  // Every function of the reference resolves, and into the reference.
  int resolved = 0;
#define ASYNCCONF_SYMBOL(name, major, minor)                                          \
  {                                                                                   \
    void* sym = dlsym(handle, #name);                                                 \
    if (sym == nullptr) {                                                             \
      check(false, "libasyncref.so does not export " #name);                          \
    } else {                                                                          \
      ++resolved;                                                                     \
      std::memcpy(&ref.name, &sym, sizeof sym);                                       \
      const std::string in = object_of(sym);                                          \
      if (in != ref_file) {                                                           \
        ++failures;                                                                   \
        std::fprintf(stderr, "FAILED: dlsym(%s) resolves into '%s', not %s\n", #name, \
                     in.c_str(), ref_file.c_str());                                   \
      }                                                                               \
      if (sym == dlsym(RTLD_DEFAULT, #name)) {                                        \
        check(false, "dlsym(" #name ") of libasyncref.so is the global scope's");     \
      }                                                                               \
    }                                                                                 \
  }
#include "asyncconf/async_symbols.def"
#undef ASYNCCONF_SYMBOL
  if (resolved != 22) {
    std::fprintf(stderr, "FAILED: only %d of 22 functions resolved\n", resolved);
    return 1;
  }
  std::printf("22 functions of %s resolve into it (libcrypto: %s)\n", ref_file.c_str(),
              libcrypto_file.c_str());

  reference_job_is_its_own();
  libcrypto_job_is_its_own();

  // The reference's stack allocators are its own functions.
  ASYNC_stack_alloc_fn alloc_fn = nullptr;
  ASYNC_stack_free_fn free_fn = nullptr;
  ref.ASYNC_get_mem_functions(&alloc_fn, &free_fn);
  check(alloc_fn != nullptr && free_fn != nullptr,
        "the reference's ASYNC_get_mem_functions returned NULL");
  if (object_of(address_of(alloc_fn)) != ref_file) {
    ++failures;
    std::fprintf(stderr, "FAILED: the reference's stack allocator lives in '%s', not %s\n",
                 object_of(address_of(alloc_fn)).c_str(), ref_file.c_str());
  }
  if (object_of(address_of(free_fn)) != ref_file) {
    ++failures;
    std::fprintf(stderr, "FAILED: the reference's stack free function lives in '%s', not %s\n",
                 object_of(address_of(free_fn)).c_str(), ref_file.c_str());
  }
  // libcrypto has the pair only from 3.2 on (the system's may be 3.0).
  if (void* sys_get = dlsym(RTLD_DEFAULT, "ASYNC_get_mem_functions")) {
    check(object_of(sys_get) == libcrypto_file,
          "the global ASYNC_get_mem_functions is not libcrypto's");
    decltype(&::ASYNC_get_mem_functions) sys_get_mem = nullptr;
    std::memcpy(&sys_get_mem, &sys_get, sizeof sys_get);
    ASYNC_stack_alloc_fn sys_alloc = nullptr;
    ASYNC_stack_free_fn sys_free = nullptr;
    sys_get_mem(&sys_alloc, &sys_free);
    check(sys_alloc != alloc_fn && sys_free != free_fn,
          "libcrypto and the reference report the same stack allocators");
  } else {
    std::printf("libcrypto has no ASYNC_get_mem_functions (OpenSSL < 3.2): not compared\n");
  }

  ref.ASYNC_cleanup_thread();
  ::ASYNC_cleanup_thread();
  // The handle stays open: the reference's thread-exit cleanup runs at exit.

  if (failures != 0) {
    std::fprintf(stderr, "abi_binds_to_itself: %d check(s) FAILED\n", failures);
    return failures > 100 ? 100 : failures;
  }
  std::printf("abi_binds_to_itself: all checks passed\n");
  return 0;
}
