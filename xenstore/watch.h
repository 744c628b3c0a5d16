/* xenstore/watch.h: the set of registered watches and event matching.
 *
 * A watch belongs to an owner (a connection, opaque here) and has an
 * absolute path (or an @special name), a token, and for relative watches
 * the owner's home prefix, stripped from reported paths. Matching follows
 * Xen 4.17's xenstored_watch.c: a change fires watches on the path and its
 * ancestors, except deleted descendants of an RM (exact watches only) and
 * @special events (exact only). Delivery and visibility are the caller's:
 * watch_fire calls back for each match. */
#ifndef KXEN_XENSTORE_WATCH_H
#define KXEN_XENSTORE_WATCH_H

#include <stdbool.h>

#include "xenstore/store.h"

struct watch_set;

struct watch_set *watch_set_new(void);
void watch_set_free(struct watch_set *ws);

/* Register; home is "/local/domain/<id>" for a relative watch, else NULL.
 * -EEXIST if owner has the same path+token, -E2BIG over limit (checked
 * as Xen does: count > limit; 0 means none), -ENOMEM. */
int watch_add(struct watch_set *ws, void *owner, const char *path,
	      const char *token, const char *home, unsigned limit)
	__attribute__((warn_unused_result));
/* -ENOENT unless path and token match a watch of owner exactly. */
int watch_remove(struct watch_set *ws, void *owner, const char *path,
		 const char *token) __attribute__((warn_unused_result));
void watch_remove_owner(struct watch_set *ws, void *owner);
unsigned watch_count(const struct watch_set *ws, const void *owner);

/* The path a watcher is told for an absolute path (relative to its home
 * when the watch was relative; the home itself is ""). */
const char *watch_event_path(const char *home, const char *path);

typedef void (*watch_deliver_fn)(void *ctx, void *owner, const char *epath,
				 const char *token);
/* Call deliver for every watch that path's change ev matches. */
void watch_fire(struct watch_set *ws, const char *path, enum store_event ev,
		watch_deliver_fn deliver, void *ctx);

/* Iterate one owner's watches (for live update); fn returning non-zero
 * stops and is passed back. */
int watch_each(struct watch_set *ws, const void *owner,
	       int (*fn)(void *ctx, const char *path, const char *token,
			 const char *home),
	       void *ctx);

#endif
