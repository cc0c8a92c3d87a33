#include "wait_ctx.hpp"

#include <algorithm>

namespace asyncconf::ref {

void WaitCtx::set_fd(const void* key, OSSL_ASYNC_FD fd, void* custom_data,
                     ASYNC_WAIT_CTX_cleanup_fn cleanup) {
  entries_.push_back(Entry{key, fd, custom_data, cleanup, /*added=*/true, /*deleted=*/false});
  changed_ = true;
}

WaitCtx::Entry* WaitCtx::newest_live(const void* key) noexcept {
  const auto it = std::find_if(entries_.rbegin(), entries_.rend(),
                               [key](const Entry& e) { return !e.deleted && e.key == key; });
  return it == entries_.rend() ? nullptr : &*it;
}

bool WaitCtx::get_fd(const void* key, OSSL_ASYNC_FD* fd, void** custom_data) const noexcept {
  const Entry* e = const_cast<WaitCtx*>(this)->newest_live(key);
  if (e == nullptr) return false;
  if (fd != nullptr) *fd = e->fd;
  if (custom_data != nullptr) *custom_data = e->custom_data;
  return true;
}

std::size_t WaitCtx::all_fds(OSSL_ASYNC_FD* out) const noexcept {
  std::size_t n = 0;
  for (auto e = entries_.rbegin(); e != entries_.rend(); ++e) {
    if (e->deleted) continue;
    if (out != nullptr) out[n] = e->fd;
    ++n;
  }
  if (fault_active(Fault::GetAllFdsMissesNewest) && n > 0) {  // drops out[0], the newest
    if (out != nullptr) std::copy(out + 1, out + n, out);
    --n;
  }
  return n;
}

void WaitCtx::changed_fds(OSSL_ASYNC_FD* added, std::size_t* num_added, OSSL_ASYNC_FD* deleted,
                          std::size_t* num_deleted) const noexcept {
  std::size_t na = 0;
  std::size_t nd = 0;
  for (auto e = entries_.rbegin(); e != entries_.rend(); ++e) {
    if (e->added) {
      if (added != nullptr) added[na] = e->fd;
      ++na;
    } else if (e->deleted) {
      if (deleted != nullptr) deleted[nd] = e->fd;
      ++nd;
    }
  }
  if (num_added != nullptr) *num_added = na;
  if (num_deleted != nullptr) *num_deleted = nd;
}

bool WaitCtx::clear_fd(const void* key) noexcept {
  Entry* e = newest_live(key);
  if (e == nullptr) return false;
  if (fault_active(Fault::ClearFdCallsCleanup) && e->cleanup != nullptr) {
    e->cleanup(static_cast<async_wait_ctx_st*>(this), e->key, e->fd, e->custom_data);
  }
  if (e->added || fault_active(Fault::ClearFdNotReportedDeleted)) {
    // Nobody has seen it yet: it was never there.
    entries_.erase(entries_.begin() + (e - entries_.data()));
  } else {
    e->deleted = true;
    changed_ = true;
  }
  return true;
}

void WaitCtx::forget_changes_slow() noexcept {
  changed_ = false;
  std::erase_if(entries_, [](const Entry& e) { return e.deleted; });
  for (Entry& e : entries_) e.added = false;
}

void WaitCtx::run_cleanups(ASYNC_WAIT_CTX* self) noexcept {
  // Detached first: a cleanup may call back into this ctx.
  const std::vector<Entry> entries = std::move(entries_);
  entries_.clear();
  for (auto e = entries.rbegin(); e != entries.rend(); ++e) {
    if (!e->deleted && e->cleanup != nullptr) e->cleanup(self, e->key, e->fd, e->custom_data);
  }
}

void WaitCtx::set_callback(ASYNC_callback_fn callback, void* arg) noexcept {
  callback_ = callback;
  callback_arg_ = arg;
}

bool WaitCtx::get_callback(ASYNC_callback_fn* callback, void** arg) const noexcept {
  if (callback_ == nullptr) return false;
  if (callback != nullptr) *callback = callback_;
  if (arg != nullptr) *arg = fault_active(Fault::CallbackArgLost) ? nullptr : callback_arg_;
  return true;
}

}  // namespace asyncconf::ref
