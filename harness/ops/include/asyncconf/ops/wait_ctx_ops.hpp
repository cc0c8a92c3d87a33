// ASYNC_WAIT_CTX: new and free, and the calls on one ctx (fds, changed
// fds, callback, status). The driver form names its ctx; inside a job body
// it is the job's own (ASYNC_get_wait_ctx of the current job), which is
// NULL for a job started without one. See op_home.hpp.
#pragma once

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "asyncconf/ops/op_home.hpp"

namespace asyncconf::harness::ops {

/// What every call on one ctx shares: the ctx it works on in each form, the
/// NULL ctx a job without one passes, and that no call but free runs a
/// cleanup callback. H (the op) gives skip_on_ctx, predict_on_ctx, call
/// and c_call_on, and for a body form kNullCtx (and kNullRc when not 0).
template <class H>
struct OnWaitCtx : OpHome {
  static constexpr Req kNotOnClear{"CLEANUP-NOT-CALLED-ON-CLEAR", Level::Must};
  static constexpr bool kStatusApi = false;  ///< needs the 3.0 callback/status functions
  static constexpr long kNullRc = 0;

  static std::string skip(const ModelState& m, const Op& op) {
    const CtxM* c = m.ctx(op.ctx);
    if (c == nullptr || c->st != CtxSt::Live) return "w" + std::to_string(op.ctx) + " is not live";
    return skip_on(m, c, op);
  }
  static std::string skip_in_job(const ModelState& m, const JobM& j, const ThreadM&, const Op& op) {
    return skip_on(m, m.ctx(j.ctx), op);
  }
  static void predict(ModelState& m, const Op& op) { predict_on(m, op.ctx, op, m.expect(H::kind)); }
  static void predict_in_job(ModelState& m, int job, const Op& op, Expected& e) {
    predict_on(m, m.jobs[static_cast<std::size_t>(job)].ctx, op, e);
  }
  static std::string skip_on_ctx(const ModelState&, const CtxM&, const Op&) { return {}; }

  static void run(auto& r, const Op& op, Observation& o) { run_on(r, r.ctx(op.ctx), op.ctx, op, o); }
  static void run_in_job(auto& r, auto& job, const Op& op, Observation& o, void*) {
    run_on(r, r.api.ASYNC_get_wait_ctx(r.api.ASYNC_get_current_job()), job.start->ctx, op, o);
  }
  static std::vector<std::string> c_call(auto& w, const Op& op, int job) {
    return {H::c_call_on(w, job >= 0 ? std::string("own_wait_ctx()") : "ctx_w" + std::to_string(op.ctx), op)};
  }
  static unsigned c_uses(const Op& op, bool in_job) { return H::c_uses_on(op) | (in_job ? kUseOwnCtx : 0u); }
  static unsigned c_uses_on(const Op&) { return 0; }

 private:
  static std::string skip_on(const ModelState& m, const CtxM* c, const Op& op) {
    if (H::kStatusApi && !m.cfg.callbacks) return "the implementation has no callback/status functions";
    if (c == nullptr) return m.misuse(Misuse::NullCtxArgument, "a NULL ASYNC_WAIT_CTX argument");
    return H::skip_on_ctx(m, *c, op);
  }
  static void predict_on(ModelState& m, int ctx, const Op& op, Expected& e) {
    m.check(e, Field::Cleanups, 0, kNotOnClear);
    if (ctx < 0) {
      if constexpr (op_schema(H::kind).body()) m.check(e, Field::Rc, H::kNullRc, H::kNullCtx);
      return;
    }
    H::predict_on_ctx(m, m.ctxs[static_cast<std::size_t>(ctx)], op, e);
  }
  static void run_on(auto& r, ASYNC_WAIT_CTX* ctx, int ctx_name, const Op& op, Observation& o) {
    const long before = r.cleanups();
    H::call(r, ctx, ctx_name, op, o);
    o.cleanups = r.cleanups() - before;
  }
};

struct WaitCtxNew : OpHome {
  static constexpr OpKind kind = OpKind::WaitCtxNew;
  static constexpr Req kNew{"WAITCTX-NEW-RETURN-VALUE", Level::Must};
  static constexpr OpLabels labels{.api = "ASYNC_WAIT_CTX_new",
                                   .rc = {"returns", "ASYNC_WAIT_CTX_new returned", Show::NonNull}};

  static std::string skip(const ModelState& m, const Op& op) {
    if (op.ctx < 0) return "bad ctx name";
    const CtxM* c = m.ctx(op.ctx);
    if (c != nullptr && c->st != CtxSt::Unused) return "w" + std::to_string(op.ctx) + " was made before";
    return {};
  }
  static void predict(ModelState& m, const Op& op) {
    at(m.ctxs, op.ctx).st = CtxSt::Live;
    m.check(m.expect(kind), Field::Rc, 1, kNew);
  }

  static void run(auto& r, const Op& op, Observation& o) {
    ASYNC_WAIT_CTX* ctx = r.api.ASYNC_WAIT_CTX_new();
    r.set_ctx(op.ctx, ctx);
    o.rc = ctx != nullptr ? 1 : 0;
  }
  static std::vector<std::string> c_call(auto&, const Op& op, int) {
    const std::string w = "ctx_w" + std::to_string(op.ctx);
    return {w + " = ASYNC_WAIT_CTX_new();", "o.rc = " + w + " != NULL;"};
  }
};

struct WaitCtxFree : OpHome {
  static constexpr OpKind kind = OpKind::WaitCtxFree;
  static constexpr Req kCleanupOnFree{"CLEANUP-CALLED-ON-FREE", Level::Must};
  static constexpr OpLabels labels{
      .api = "ASYNC_WAIT_CTX_free",
      .list = {"fds cleaned up", "the fds cleaned up are", Show::Int, "&o.cleaned"},
      .cleanups = {"cleanup calls", "the cleanup callbacks it called:"}};

  static std::string skip(const ModelState& m, const Op& op) {
    const CtxM* c = m.ctx(op.ctx);
    if (c == nullptr || c->st != CtxSt::Live) return "w" + std::to_string(op.ctx) + " is not live";
    if (c->user >= 0) return "w" + std::to_string(op.ctx) + " serves j" + std::to_string(c->user);
    return {};
  }
  // Every fd still set has its cleanup called, once.
  static void predict(ModelState& m, const Op& op) {
    CtxM& c = m.ctxs[static_cast<std::size_t>(op.ctx)];
    FdList cleaned;
    for (const Entry& x : c.entries) {
      if (!x.deleted && x.key != kDeviceKey) cleaned.push(x.fd);  // the device's cleanup is its own
    }
    Expected& e = m.expect(kind);
    m.check(e, Field::Cleanups, cleaned.size, kCleanupOnFree);
    m.check_list(e, Field::List, cleaned, kCleanupOnFree, nullptr);
    c.st = CtxSt::Freed;
    c.entries.clear();
  }

  static void run(auto& r, const Op& op, Observation& o) {
    const long before = r.cleanups();
    r.api.ASYNC_WAIT_CTX_free(r.ctx(op.ctx));
    r.set_ctx(op.ctx, nullptr);
    const long after = r.cleanups();
    o.cleanups = after - before;
    for (long n = before; n < after; ++n) o.list.push(r.cleaned_fd(n));
  }
  static std::vector<std::string> c_call(auto&, const Op& op, int) {
    const std::string w = "ctx_w" + std::to_string(op.ctx);
    return {"ASYNC_WAIT_CTX_free(" + w + ");", w + " = NULL;"};
  }
};

struct SetFd : OnWaitCtx<SetFd> {
  static constexpr OpKind kind = OpKind::SetFd;
  static constexpr Req kSet{"FD-SET-WAIT-FD-RETURN-VALUE", Level::Must};
  static constexpr Req kSameKey{"FD-SAME-KEY-BOTH-LIVE", Level::DeFacto};
  static constexpr Req kNullCtx{"ROBUST-NULL-CTX-SET-WAIT-FD", Level::Robustness};
  static constexpr OpLabels labels{.api = "ASYNC_WAIT_CTX_set_wait_fd"};

  static std::string skip_on_ctx(const ModelState& m, const CtxM& c, const Op& op) {
    if (op.key < 0 || op.key >= kMaxKeys) return "key out of range";
    if (m.cfg.device && op.fd >= kDeviceFdFloor) return "fds from " + std::to_string(kDeviceFdFloor) + " up are the device's";
    if (c.live_count() >= static_cast<std::size_t>(kMaxFdsPerCtx)) return "the ctx holds the most fds a sequence may set";
    if (c.newest_live(op.key) != nullptr) return m.needs(Level::DeFacto, "a key set twice");
    return {};
  }
  static void predict_on_ctx(ModelState& m, CtxM& c, const Op& op, Expected& e) {
    const bool twice = c.newest_live(op.key) != nullptr;
    c.entries.push_back({op.key, op.fd, true, false});
    m.check(e, Field::Rc, 1, twice ? kSameKey : kSet);
  }

  static void call(auto& r, ASYNC_WAIT_CTX* ctx, int, const Op& op, Observation& o) {
    o.rc = r.api.ASYNC_WAIT_CTX_set_wait_fd(ctx, r.key(op.key), op.fd, r.custom_data(op.fd), r.record_cleanup);
  }
  static std::string c_call_on(auto&, const std::string& ctx, const Op& op) {
    const std::string fd = std::to_string(op.fd);
    return "o.rc = ASYNC_WAIT_CTX_set_wait_fd(" + ctx + ", key(" + std::to_string(op.key) + "), " + fd + ", custom_data(" + fd +
           "), count_cleanup);";
  }
  static unsigned c_uses_on(const Op&) { return kUseKey | kUseCustomData | kUseCleanup; }
  // A key the sequence uses, and an fd no other set_fd used.
  static void choose(auto& g, Op& op) {
    op.key = g.key();
    op.fd = g.fresh_fd();
  }
};

/// clear_fd and get_fd need a live fd under the key (OpenSSL answers 0
/// without one, which the man page does not say).
template <class H>
struct OnLiveKey : OnWaitCtx<H> {
  static constexpr Req kUnknownKey{"FD-GET-FD-UNKNOWN-KEY-RETURNS-0", Level::DeFacto};
  static std::string skip_on_ctx(const ModelState& m, const CtxM& c, const Op& op) {
    if (c.newest_live(op.key) == nullptr) return m.needs(Level::DeFacto, "a key with no live fd");
    return {};
  }
  static void choose(auto& g, Op& op) { op.key = g.key(); }
};

struct ClearFd : OnLiveKey<ClearFd> {
  static constexpr OpKind kind = OpKind::ClearFd;
  static constexpr Req kClear{"FD-CLEAR-FD-RETURN-VALUE", Level::Must};
  static constexpr Req kNullCtx{"ROBUST-NULL-CTX-CLEAR-FD", Level::Robustness};
  static constexpr OpLabels labels{.api = "ASYNC_WAIT_CTX_clear_fd"};

  // An fd set since the last reset goes at once; an older one is reported
  // deleted until the next reset.
  static void predict_on_ctx(ModelState& m, CtxM& c, const Op& op, Expected& e) {
    Entry* entry = c.newest_live(op.key);
    if (entry == nullptr) {
      m.check(e, Field::Rc, 0, kUnknownKey);
      return;
    }
    m.check(e, Field::Rc, 1, kClear);
    if (entry->added) {
      c.entries.erase(c.entries.begin() + (entry - c.entries.data()));
      c.cleared_new = true;
    } else {
      entry->deleted = true;
      c.reset_or_deleted = true;
    }
  }

  static void call(auto& r, ASYNC_WAIT_CTX* ctx, int, const Op& op, Observation& o) {
    o.rc = r.api.ASYNC_WAIT_CTX_clear_fd(ctx, r.key(op.key));
  }
  static std::string c_call_on(auto&, const std::string& ctx, const Op& op) {
    return "o.rc = ASYNC_WAIT_CTX_clear_fd(" + ctx + ", key(" + std::to_string(op.key) + "));";
  }
  static unsigned c_uses_on(const Op&) { return kUseKey; }
};

struct GetFd : OnLiveKey<GetFd> {
  static constexpr OpKind kind = OpKind::GetFd;
  static constexpr Req kGet{"FD-GET-FD-OBTAINS", Level::Must};
  static constexpr Req kSameKeyNewest{"FD-SAME-KEY-NEWEST-SEEN-FIRST", Level::DeFacto};
  static constexpr Req kCustomData{"FD-CUSTOM-DATA-ROUND-TRIP", Level::Must};
  static constexpr Req kNullCtx{"ROBUST-NULL-CTX-GET-FD", Level::Robustness};
  static constexpr OpLabels labels{
      .api = "ASYNC_WAIT_CTX_get_fd",
      .extra = {"fd", "the fd it gave is"},
      .extra2 = {"custom_data is the one set", "the custom_data it gave is the one set:", Show::YesNo}};

  static void predict_on_ctx(ModelState& m, CtxM& c, const Op& op, Expected& e) {
    const Entry* entry = c.newest_live(op.key);
    if (entry == nullptr) {
      m.check(e, Field::Rc, 0, kUnknownKey);
      return;
    }
    const bool dup = std::count_if(c.entries.begin(), c.entries.end(), [&](const Entry& x) {
                       return !x.deleted && x.key == op.key;
                     }) > 1;
    m.check(e, Field::Rc, 1, kGet);
    m.check(e, Field::Extra, entry->fd, dup ? kSameKeyNewest : kGet);
    m.check(e, Field::Extra2, 1, kCustomData);
  }

  static void call(auto& r, ASYNC_WAIT_CTX* ctx, int, const Op& op, Observation& o) {
    OSSL_ASYNC_FD fd = -1;
    void* data = nullptr;
    o.rc = r.api.ASYNC_WAIT_CTX_get_fd(ctx, r.key(op.key), &fd, &data);
    if (o.rc != 0) {
      o.extra = fd;
      o.extra2 = data == r.custom_data(fd) ? 1 : 0;
    }
  }
  static std::string c_call_on(auto&, const std::string& ctx, const Op& op) {
    return "do_get_fd(&o, " + ctx + ", " + std::to_string(op.key) + ");";
  }
  static unsigned c_uses_on(const Op&) { return kUseKey | kUseCustomData | kUseGetFd; }
};

struct GetAllFds : OnWaitCtx<GetAllFds> {
  static constexpr OpKind kind = OpKind::GetAllFds;
  static constexpr Req kAll{"FD-GET-ALL-RETURNS-FDS", Level::Must};
  static constexpr Req kCount{"FD-GET-ALL-NUMFDS", Level::Must};
  static constexpr Req kOrder{"FD-GET-ALL-NEWEST-FIRST", Level::DeFacto};
  static constexpr Req kNullCtx{"ROBUST-NULL-CTX-GET-ALL-FDS", Level::Robustness};
  static constexpr OpLabels labels{.api = "ASYNC_WAIT_CTX_get_all_fds", .extra = {"numfds", "numfds is"}};

  static void predict_on_ctx(ModelState& m, CtxM& c, const Op&, Expected& e) {
    const FdList live = c.live_fds_newest_first();
    m.check(e, Field::Rc, 1, kAll);
    m.check(e, Field::Extra, live.size, kCount);
    m.check_list(e, Field::List, live, kAll, &kOrder);
  }

  // First the count, then the fds (when they fit the list).
  static void call(auto& r, ASYNC_WAIT_CTX* ctx, int, const Op&, Observation& o) {
    std::size_t n = 0;
    o.rc = r.api.ASYNC_WAIT_CTX_get_all_fds(ctx, nullptr, &n);
    o.extra = static_cast<long>(n);
    if (o.rc != 0 && n <= static_cast<std::size_t>(kMaxFdsPerCtx)) {
      std::array<OSSL_ASYNC_FD, kMaxFdsPerCtx> fds{};
      o.rc = r.api.ASYNC_WAIT_CTX_get_all_fds(ctx, fds.data(), &n);
      for (std::size_t i = 0; i < n && i < fds.size(); ++i) o.list.push(fds[i]);
    } else {
      o.list.size = static_cast<int>(n);
    }
  }
  static std::string c_call_on(auto&, const std::string& ctx, const Op&) { return "do_get_all_fds(&o, " + ctx + ");"; }
  static unsigned c_uses_on(const Op&) { return kUseGetAll; }
};

struct GetChangedFds : OnWaitCtx<GetChangedFds> {
  static constexpr OpKind kind = OpKind::GetChangedFds;
  static constexpr Req kLists{"CHANGED-LISTS", Level::Must};
  static constexpr Req kCounts{"CHANGED-COUNTS", Level::Must};
  static constexpr Req kReset{"CHANGED-RESET-ON-RESUME", Level::DeFacto};
  static constexpr Req kClearNew{"CHANGED-CLEAR-NEW-FD-NEITHER", Level::DeFacto};
  static constexpr Req kNullCtx{"ROBUST-NULL-CTX-GET-CHANGED-FDS", Level::Robustness};
  static constexpr OpLabels labels{.api = "ASYNC_WAIT_CTX_get_changed_fds",
                                   .extra = {"numaddfds", "numaddfds is"},
                                   .extra2 = {"numdelfds", "numdelfds is"},
                                   .list = {"added fds", "the added fds are"}};

  // The man page fixes the lists only until the first reset or deletion;
  // after that (and after an fd set and cleared between resets) OpenSSL's
  // answer is the de-facto rule.
  static void predict_on_ctx(ModelState& m, CtxM& c, const Op&, Expected& e) {
    FdList added;
    FdList deleted;
    for (const Entry& x : c.entries) {
      if (x.deleted) {
        deleted.push(x.fd);
      } else if (x.added) {
        added.push(x.fd);
      }
    }
    const Req& lists = c.reset_or_deleted ? kReset : c.cleared_new ? kClearNew : kLists;
    const Req& counts = c.reset_or_deleted ? kReset : c.cleared_new ? kClearNew : kCounts;
    m.check(e, Field::Rc, 1, kLists);
    m.check(e, Field::Extra, added.size, counts);
    m.check(e, Field::Extra2, deleted.size, counts);
    m.check_list(e, Field::List, added, lists, nullptr);
    m.check_list(e, Field::List2, deleted, lists, nullptr);
  }

  static void call(auto& r, ASYNC_WAIT_CTX* ctx, int, const Op&, Observation& o) {
    std::size_t na = 0;
    std::size_t nd = 0;
    o.rc = r.api.ASYNC_WAIT_CTX_get_changed_fds(ctx, nullptr, &na, nullptr, &nd);
    o.extra = static_cast<long>(na);
    o.extra2 = static_cast<long>(nd);
    constexpr auto cap = static_cast<std::size_t>(kMaxFdsPerCtx);
    if (o.rc != 0 && na <= cap && nd <= cap) {
      std::array<OSSL_ASYNC_FD, kMaxFdsPerCtx> add{};
      std::array<OSSL_ASYNC_FD, kMaxFdsPerCtx> del{};
      o.rc = r.api.ASYNC_WAIT_CTX_get_changed_fds(ctx, add.data(), &na, del.data(), &nd);
      for (std::size_t i = 0; i < na && i < cap; ++i) o.list.push(add[i]);
      for (std::size_t i = 0; i < nd && i < cap; ++i) o.list2.push(del[i]);
    } else {
      o.list.size = static_cast<int>(na);
      o.list2.size = static_cast<int>(nd);
    }
  }
  static std::string c_call_on(auto&, const std::string& ctx, const Op&) { return "do_get_changed_fds(&o, " + ctx + ");"; }
  static unsigned c_uses_on(const Op&) { return kUseGetChanged; }
};

struct SetCallback : OnWaitCtx<SetCallback> {
  static constexpr OpKind kind = OpKind::SetCallback;
  static constexpr bool kStatusApi = true;
  static constexpr Req kSet{"CALLBACK-SET-RETURN-VALUE", Level::Must};
  static constexpr OpLabels labels{.api = "ASYNC_WAIT_CTX_set_callback"};

  static void predict_on_ctx(ModelState& m, CtxM& c, const Op& op, Expected& e) {
    c.callback = op.value != 0;
    m.check(e, Field::Rc, 1, kSet);
  }

  // on: a callback and an arg that name the ctx; off: NULL, NULL.
  static void call(auto& r, ASYNC_WAIT_CTX* ctx, int ctx_name, const Op& op, Observation& o) {
    o.rc = op.value != 0 ? r.api.ASYNC_WAIT_CTX_set_callback(ctx, r.wake_callback, r.callback_arg(ctx_name))
                         : r.api.ASYNC_WAIT_CTX_set_callback(ctx, nullptr, nullptr);
  }
  static std::string c_call_on(auto&, const std::string& ctx, const Op& op) {
    return op.value != 0 ? "o.rc = ASYNC_WAIT_CTX_set_callback(" + ctx + ", wake_callback, callback_arg(" + std::to_string(op.ctx) + "));"
                         : "o.rc = ASYNC_WAIT_CTX_set_callback(" + ctx + ", NULL, NULL);";
  }
  static unsigned c_uses_on(const Op& op) { return op.value != 0 ? kUseWake : 0u; }
  static void choose(auto& g, Op& op) { op.value = g.chance(75) ? 1 : 0; }
};

struct GetCallback : OnWaitCtx<GetCallback> {
  static constexpr OpKind kind = OpKind::GetCallback;
  static constexpr bool kStatusApi = true;
  static constexpr Req kGet{"CALLBACK-GET-RETURNS-SET", Level::Must};
  static constexpr Req kNone{"CALLBACK-GET-NONE-RETURNS-0", Level::DeFacto};
  static constexpr OpLabels labels{
      .api = "ASYNC_WAIT_CTX_get_callback",
      .extra = {"callback is the one set", "the callback it gave is the one set:", Show::YesNo},
      .extra2 = {"callback arg is the one set", "the callback arg it gave is the one set:", Show::YesNo}};

  static std::string skip_on_ctx(const ModelState& m, const CtxM& c, const Op&) {
    if (!c.callback) return m.needs(Level::DeFacto, "get_callback with none set");
    return {};
  }
  static void predict_on_ctx(ModelState& m, CtxM& c, const Op&, Expected& e) {
    if (c.callback) {
      m.check(e, Field::Rc, 1, kGet);
      m.check(e, Field::Extra, 1, kGet);
      m.check(e, Field::Extra2, 1, kGet);
    } else {
      m.check(e, Field::Rc, 0, kNone);
    }
  }

  static void call(auto& r, ASYNC_WAIT_CTX* ctx, int ctx_name, const Op&, Observation& o) {
    ASYNC_callback_fn fn = nullptr;
    void* arg = nullptr;
    o.rc = r.api.ASYNC_WAIT_CTX_get_callback(ctx, &fn, &arg);
    o.extra = fn == r.wake_callback ? 1 : 0;
    o.extra2 = arg == r.callback_arg(ctx_name) ? 1 : 0;
  }
  static std::string c_call_on(auto&, const std::string& ctx, const Op& op) {
    return "do_get_callback(&o, " + ctx + ", " + std::to_string(op.ctx) + ");";
  }
  static unsigned c_uses_on(const Op&) { return kUseWake | kUseGetCallback; }
};

/// A status outside ASYNC_STATUS_* is stored as it is (OpenSSL does not check).
constexpr bool is_named_status(long v) { return v >= ASYNC_STATUS_UNSUPPORTED && v <= ASYNC_STATUS_EAGAIN; }
inline constexpr Req kStatusAnyValue{"STATUS-ANY-VALUE-STORED", Level::DeFacto};

struct SetStatus : OnWaitCtx<SetStatus> {
  static constexpr OpKind kind = OpKind::SetStatus;
  static constexpr bool kStatusApi = true;
  static constexpr Req kSet{"STATUS-SET-RETURN-VALUE", Level::Must};
  static constexpr Req kNullCtx{"ROBUST-NULL-CTX-SET-STATUS", Level::Robustness};
  static constexpr OpLabels labels{.api = "ASYNC_WAIT_CTX_set_status"};

  static std::string skip_on_ctx(const ModelState& m, const CtxM&, const Op& op) {
    if (!is_named_status(op.value)) return m.needs(Level::DeFacto, "a status outside ASYNC_STATUS_*");
    return {};
  }
  static void predict_on_ctx(ModelState& m, CtxM& c, const Op& op, Expected& e) {
    c.status = op.value;
    m.check(e, Field::Rc, 1, is_named_status(op.value) ? kSet : kStatusAnyValue);
  }

  static void call(auto& r, ASYNC_WAIT_CTX* ctx, int, const Op& op, Observation& o) {
    o.rc = r.api.ASYNC_WAIT_CTX_set_status(ctx, static_cast<int>(op.value));
  }
  static std::string c_call_on(auto& w, const std::string& ctx, const Op& op) {
    return "o.rc = ASYNC_WAIT_CTX_set_status(" + ctx + ", " + w.c_value(Show::Status, static_cast<int>(op.value)) + ");";
  }
  // Mostly ASYNC_STATUS_*; at de-facto sometimes any value.
  static void choose(auto& g, Op& op) { op.value = g.de_facto() && g.chance(15) ? g.below(200) - 100 : g.below(4); }
};

struct GetStatus : OnWaitCtx<GetStatus> {
  static constexpr OpKind kind = OpKind::GetStatus;
  static constexpr bool kStatusApi = true;
  static constexpr Req kGet{"STATUS-GET", Level::Must};
  static constexpr Req kDefault{"STATUS-DEFAULT-UNSUPPORTED", Level::Must};
  static constexpr Req kNullCtx{"ROBUST-NULL-CTX-GET-STATUS", Level::Robustness};
  static constexpr long kNullRc = ASYNC_STATUS_ERR;
  static constexpr OpLabels labels{.api = "ASYNC_WAIT_CTX_get_status", .rc = {"returns", nullptr, Show::Status}};

  static void predict_on_ctx(ModelState& m, CtxM& c, const Op&, Expected& e) {
    const bool never_set = c.status == ASYNC_STATUS_UNSUPPORTED;
    m.check(e, Field::Rc, c.status, !is_named_status(c.status) ? kStatusAnyValue : (never_set ? kDefault : kGet));
  }

  static void call(auto& r, ASYNC_WAIT_CTX* ctx, int, const Op&, Observation& o) { o.rc = r.api.ASYNC_WAIT_CTX_get_status(ctx); }
  static std::string c_call_on(auto&, const std::string& ctx, const Op&) { return "o.rc = ASYNC_WAIT_CTX_get_status(" + ctx + ");"; }
};

}  // namespace asyncconf::harness::ops
