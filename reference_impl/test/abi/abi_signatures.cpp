// abi_signatures: the type of every ASYNC function as <openssl/async.h> and
// asyncconf/async_abi.h declare it (and as libasyncref.so defines it: its
// definitions include that header, and an extern "C" definition with another
// type is a compile error), against the SYNOPSIS of the man pages
// (ASYNC_start_job(3), ASYNC_WAIT_CTX_new(3)), spelled out here by hand.
// Any drift of the header breaks the build.
//
// The names come from async_symbols.def, so a function added there without a
// signature here is a compile error as well.

#include <cstddef>
#include <cstdio>
#include <type_traits>

#include "asyncconf/async_abi.h"

namespace man_page {

// ASYNC_start_job(3)
using ASYNC_init_thread = int (*)(size_t max_size, size_t init_size);
using ASYNC_cleanup_thread = void (*)(void);
using ASYNC_start_job = int (*)(ASYNC_JOB** job, ASYNC_WAIT_CTX* ctx, int* ret,
                                int (*func)(void*), void* args, size_t size);
using ASYNC_pause_job = int (*)(void);
using ASYNC_get_current_job = ASYNC_JOB* (*)(void);
using ASYNC_get_wait_ctx = ASYNC_WAIT_CTX* (*)(ASYNC_JOB* job);
using ASYNC_block_pause = void (*)(void);
using ASYNC_unblock_pause = void (*)(void);
using ASYNC_is_capable = int (*)(void);
using ASYNC_set_mem_functions = int (*)(void* (*alloc_fn)(size_t* num),
                                        void (*free_fn)(void* addr));
using ASYNC_get_mem_functions = void (*)(void* (**alloc_fn)(size_t* num),
                                         void (**free_fn)(void* addr));

// ASYNC_WAIT_CTX_new(3)
using ASYNC_WAIT_CTX_new = ASYNC_WAIT_CTX* (*)(void);
using ASYNC_WAIT_CTX_free = void (*)(ASYNC_WAIT_CTX* ctx);
using ASYNC_WAIT_CTX_set_wait_fd = int (*)(ASYNC_WAIT_CTX* ctx, const void* key, int fd,
                                           void* custom_data,
                                           void (*cleanup)(ASYNC_WAIT_CTX*, const void*, int,
                                                           void*));
using ASYNC_WAIT_CTX_get_fd = int (*)(ASYNC_WAIT_CTX* ctx, const void* key, int* fd,
                                      void** custom_data);
using ASYNC_WAIT_CTX_get_all_fds = int (*)(ASYNC_WAIT_CTX* ctx, int* fd, size_t* numfds);
using ASYNC_WAIT_CTX_get_changed_fds = int (*)(ASYNC_WAIT_CTX* ctx, int* addfd,
                                               size_t* numaddfds, int* delfd,
                                               size_t* numdelfds);
using ASYNC_WAIT_CTX_clear_fd = int (*)(ASYNC_WAIT_CTX* ctx, const void* key);
using ASYNC_WAIT_CTX_set_callback = int (*)(ASYNC_WAIT_CTX* ctx, int (*callback)(void* arg),
                                            void* callback_arg);
using ASYNC_WAIT_CTX_get_callback = int (*)(ASYNC_WAIT_CTX* ctx, int (**callback)(void* arg),
                                            void** callback_arg);
using ASYNC_WAIT_CTX_set_status = int (*)(ASYNC_WAIT_CTX* ctx, int status);
using ASYNC_WAIT_CTX_get_status = int (*)(ASYNC_WAIT_CTX* ctx);

}  // namespace man_page

// The functions, one static_assert each, e.g.
//   static_assert(std::is_same_v<decltype(&::ASYNC_start_job), man_page::ASYNC_start_job>);
#define ASYNCCONF_SYMBOL(name, major, minor)                                    \
  static_assert(std::is_same_v<decltype(&::name), man_page::name>,             \
                #name ": the header's declaration differs from the man page");
#include "asyncconf/async_symbols.def"
#undef ASYNCCONF_SYMBOL

// Their number: 22, and every name of async_symbols.def has an alias above.
#define ASYNCCONF_SYMBOL(name, major, minor) +1
constexpr int kSymbols = 0
#include "asyncconf/async_symbols.def"
    ;
#undef ASYNCCONF_SYMBOL
static_assert(kSymbols == 22, "async_symbols.def must list the 22 ASYNC functions");

// The types and constants the signatures are made of (man pages, SYNOPSIS).
static_assert(std::is_same_v<OSSL_ASYNC_FD, int>, "OSSL_ASYNC_FD is int on POSIX");
static_assert(std::is_same_v<ASYNC_callback_fn, int (*)(void*)>);
static_assert(std::is_same_v<ASYNC_stack_alloc_fn, void* (*)(size_t*)>);
static_assert(std::is_same_v<ASYNC_stack_free_fn, void (*)(void*)>);
static_assert(std::is_same_v<ASYNC_WAIT_CTX_cleanup_fn,
                             void (*)(ASYNC_WAIT_CTX*, const void*, OSSL_ASYNC_FD, void*)>);
static_assert(ASYNC_ERR == 0 && ASYNC_NO_JOBS == 1 && ASYNC_PAUSE == 2 && ASYNC_FINISH == 3);
static_assert(ASYNC_STATUS_UNSUPPORTED == 0 && ASYNC_STATUS_ERR == 1 && ASYNC_STATUS_OK == 2 &&
              ASYNC_STATUS_EAGAIN == 3);

int main() {
  // Taking each address links this test against libasyncref.so, so every
  // function of async_symbols.def must also be exported under its name.
  const void* const addresses[] = {
#define ASYNCCONF_SYMBOL(name, major, minor) reinterpret_cast<const void*>(&::name),
#include "asyncconf/async_symbols.def"
#undef ASYNCCONF_SYMBOL
  };
  int resolved = 0;
  for (const void* address : addresses) resolved += address != nullptr ? 1 : 0;
  if (resolved != kSymbols) {
    std::fprintf(stderr, "abi_signatures: only %d of %d functions resolved\n", resolved,
                 kSymbols);
    return 1;
  }
  std::printf("%d signatures match\n", kSymbols);
  return 0;
}
