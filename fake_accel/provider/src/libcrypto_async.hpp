// libcrypto's own ASYNC functions, named as offload() expects its table:
// what the digests and the signature hand to the device helper.
#pragma once

#include <openssl/async.h>

namespace asyncconf::accel::provider {

struct LibcryptoAsync {
  decltype(&::ASYNC_get_current_job) ASYNC_get_current_job = &::ASYNC_get_current_job;
  decltype(&::ASYNC_get_wait_ctx) ASYNC_get_wait_ctx = &::ASYNC_get_wait_ctx;
  decltype(&::ASYNC_pause_job) ASYNC_pause_job = &::ASYNC_pause_job;
  decltype(&::ASYNC_WAIT_CTX_set_wait_fd) ASYNC_WAIT_CTX_set_wait_fd = &::ASYNC_WAIT_CTX_set_wait_fd;
  decltype(&::ASYNC_WAIT_CTX_get_fd) ASYNC_WAIT_CTX_get_fd = &::ASYNC_WAIT_CTX_get_fd;
  decltype(&::ASYNC_WAIT_CTX_get_callback) ASYNC_WAIT_CTX_get_callback = &::ASYNC_WAIT_CTX_get_callback;
  decltype(&::ASYNC_WAIT_CTX_set_status) ASYNC_WAIT_CTX_set_status = &::ASYNC_WAIT_CTX_set_status;
};

}  // namespace asyncconf::accel::provider
