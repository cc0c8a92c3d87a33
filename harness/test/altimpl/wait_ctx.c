/* ASYNC_WAIT_CTX: wait fds, callback, status.
 *
 * Choices the man page leaves open, taken unlike the reference and OpenSSL:
 * a key can hold one fd (a second set_wait_fd with it fails); get_all_fds
 * lists oldest first; get_changed_fds is a log of the calls since the job
 * last resumed, so an fd set and cleared in between is both added and
 * deleted; get_callback with none set succeeds with NULLs; set_status takes
 * only the four ASYNC_STATUS_* values. */
#include <stdlib.h>

#include "alt.h"

struct wait_fd {
  const void *key;
  OSSL_ASYNC_FD fd;
  void *custom_data;
  void (*cleanup)(ASYNC_WAIT_CTX *, const void *, OSSL_ASYNC_FD, void *);
  int added;    /* set since the last reset */
  int deleted;  /* cleared since the last reset: no longer live */
  struct wait_fd *next; /* the next newer entry */
};

struct async_wait_ctx_st {
  struct wait_fd *oldest;
  ASYNC_callback_fn callback;
  void *callback_arg;
  int status;
};

ALT_API ASYNC_WAIT_CTX *ASYNC_WAIT_CTX_new(void) { return calloc(1, sizeof(ASYNC_WAIT_CTX)); }

static void free_entries_newest_first(ASYNC_WAIT_CTX *ctx, struct wait_fd *entry) {
  if (entry == NULL) return;
  free_entries_newest_first(ctx, entry->next);
  if (!entry->deleted && entry->cleanup != NULL) {
    entry->cleanup(ctx, entry->key, entry->fd, entry->custom_data);
  }
  free(entry);
}

ALT_API void ASYNC_WAIT_CTX_free(ASYNC_WAIT_CTX *ctx) {
  if (ctx == NULL) return;
  free_entries_newest_first(ctx, ctx->oldest);
  free(ctx);
}

static struct wait_fd *live_entry(ASYNC_WAIT_CTX *ctx, const void *key) {
  for (struct wait_fd *e = ctx->oldest; e != NULL; e = e->next) {
    if (!e->deleted && e->key == key) return e;
  }
  return NULL;
}

ALT_API int ASYNC_WAIT_CTX_set_wait_fd(ASYNC_WAIT_CTX *ctx, const void *key, OSSL_ASYNC_FD fd,
                                       void *custom_data,
                                       void (*cleanup)(ASYNC_WAIT_CTX *, const void *,
                                                       OSSL_ASYNC_FD, void *)) {
  if (ctx == NULL || live_entry(ctx, key) != NULL) return 0;
  struct wait_fd *entry = calloc(1, sizeof *entry);
  if (entry == NULL) return 0;
  entry->key = key;
  entry->fd = fd;
  entry->custom_data = custom_data;
  entry->cleanup = cleanup;
  entry->added = 1;
  struct wait_fd **link = &ctx->oldest;
  while (*link != NULL) link = &(*link)->next;
  *link = entry;
  return 1;
}

ALT_API int ASYNC_WAIT_CTX_get_fd(ASYNC_WAIT_CTX *ctx, const void *key, OSSL_ASYNC_FD *fd,
                                  void **custom_data) {
  struct wait_fd *entry = ctx != NULL ? live_entry(ctx, key) : NULL;
  if (entry == NULL) return 0;
  if (fd != NULL) *fd = entry->fd;
  if (custom_data != NULL) *custom_data = entry->custom_data;
  return 1;
}

ALT_API int ASYNC_WAIT_CTX_get_all_fds(ASYNC_WAIT_CTX *ctx, OSSL_ASYNC_FD *fd, size_t *numfds) {
  if (ctx == NULL || numfds == NULL) return 0;
  size_t n = 0;
  for (struct wait_fd *e = ctx->oldest; e != NULL; e = e->next) {
    if (e->deleted) continue;
    if (fd != NULL) fd[n] = e->fd;
    ++n;
  }
  *numfds = n;
  return 1;
}

ALT_API int ASYNC_WAIT_CTX_get_changed_fds(ASYNC_WAIT_CTX *ctx, OSSL_ASYNC_FD *addfd,
                                           size_t *numaddfds, OSSL_ASYNC_FD *delfd,
                                           size_t *numdelfds) {
  if (ctx == NULL || numaddfds == NULL || numdelfds == NULL) return 0;
  size_t added = 0;
  size_t deleted = 0;
  for (struct wait_fd *e = ctx->oldest; e != NULL; e = e->next) {
    if (e->added) {
      if (addfd != NULL) addfd[added] = e->fd;
      ++added;
    }
    if (e->deleted) {
      if (delfd != NULL) delfd[deleted] = e->fd;
      ++deleted;
    }
  }
  *numaddfds = added;
  *numdelfds = deleted;
  return 1;
}

ALT_API int ASYNC_WAIT_CTX_clear_fd(ASYNC_WAIT_CTX *ctx, const void *key) {
  struct wait_fd *entry = ctx != NULL ? live_entry(ctx, key) : NULL;
  if (entry == NULL) return 0;
  entry->deleted = 1;
  return 1;
}

void alt_wait_ctx_reset_changes(ASYNC_WAIT_CTX *ctx) {
  struct wait_fd **link = &ctx->oldest;
  while (*link != NULL) {
    struct wait_fd *e = *link;
    if (e->deleted) {
      *link = e->next;
      free(e);
      continue;
    }
    e->added = 0;
    link = &e->next;
  }
}

ALT_API int ASYNC_WAIT_CTX_set_callback(ASYNC_WAIT_CTX *ctx, ASYNC_callback_fn callback,
                                        void *callback_arg) {
  if (ctx == NULL) return 0;
  ctx->callback = callback;
  ctx->callback_arg = callback_arg;
  return 1;
}

ALT_API int ASYNC_WAIT_CTX_get_callback(ASYNC_WAIT_CTX *ctx, ASYNC_callback_fn *callback,
                                        void **callback_arg) {
  if (ctx == NULL) return 0;
  if (callback != NULL) *callback = ctx->callback;
  if (callback_arg != NULL) *callback_arg = ctx->callback_arg;
  return 1;
}

ALT_API int ASYNC_WAIT_CTX_set_status(ASYNC_WAIT_CTX *ctx, int status) {
  if (ctx == NULL || status < ASYNC_STATUS_UNSUPPORTED || status > ASYNC_STATUS_EAGAIN) return 0;
  ctx->status = status;
  return 1;
}

ALT_API int ASYNC_WAIT_CTX_get_status(ASYNC_WAIT_CTX *ctx) {
  return ctx != NULL ? ctx->status : ASYNC_STATUS_UNSUPPORTED;
}
