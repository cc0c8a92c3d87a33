/* libasyncalt: a second, deliberately different implementation of the
 * ASYNC ABI, used only as a test target for asyncconf (see README.md). */
#ifndef ASYNCALT_H
#define ASYNCALT_H

#include "asyncconf/async_abi.h"

#define ALT_API __attribute__((visibility("default")))

/* Called by the wait ctx of a job when that job is resumed: the changed-fd
 * lists start again. */
void alt_wait_ctx_reset_changes(ASYNC_WAIT_CTX *ctx);

#endif
