/* xenstore/watch.c: watch registry (see watch.h). One list for all owners:
 * there are a few watches per connection, and firing must visit every
 * watch whose path is a prefix of the change anyway. */
#include "xenstore/watch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct watch {
	struct watch *next;
	void *owner;
	char *path, *token, *home;
	size_t plen;
};

struct watch_set {
	struct watch *head;
};

struct watch_set *watch_set_new(void)
{
	return calloc(1, sizeof(struct watch_set));
}

static void watch_free(struct watch *w)
{
	free(w->path);
	free(w->token);
	free(w->home);
	free(w);
}

void watch_set_free(struct watch_set *ws)
{
	struct watch *w, *next;

	if (!ws)
		return;
	for (w = ws->head; w; w = next) {
		next = w->next;
		watch_free(w);
	}
	free(ws);
}

unsigned watch_count(const struct watch_set *ws, const void *owner)
{
	unsigned n = 0;

	for (const struct watch *w = ws->head; w; w = w->next)
		n += w->owner == owner;
	return n;
}

int watch_add(struct watch_set *ws, void *owner, const char *path,
	      const char *token, const char *home, unsigned limit)
{
	struct watch *w, **tail = &ws->head;
	unsigned n = 0;

	for (w = ws->head; w; tail = &w->next, w = w->next) {
		if (w->owner != owner)
			continue;
		if (strcmp(w->path, path) == 0 && strcmp(w->token, token) == 0)
			return -EEXIST;
		n++;
	}
	if (limit && n > limit)
		return -E2BIG;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->owner = owner;
	w->path = strdup(path);
	w->token = strdup(token);
	w->home = home ? strdup(home) : NULL;
	w->plen = strlen(path);
	if (!w->path || !w->token || (home && !w->home)) {
		watch_free(w);
		return -ENOMEM;
	}
	/* Appended, so events fire in registration order. */
	*tail = w;
	return 0;
}

int watch_remove(struct watch_set *ws, void *owner, const char *path,
		 const char *token)
{
	for (struct watch **pp = &ws->head; *pp; pp = &(*pp)->next) {
		struct watch *w = *pp;

		if (w->owner == owner && strcmp(w->path, path) == 0 &&
		    strcmp(w->token, token) == 0) {
			*pp = w->next;
			watch_free(w);
			return 0;
		}
	}
	return -ENOENT;
}

void watch_remove_owner(struct watch_set *ws, void *owner)
{
	struct watch **pp = &ws->head;

	while (*pp) {
		struct watch *w = *pp;

		if (w->owner == owner) {
			*pp = w->next;
			watch_free(w);
		} else {
			pp = &w->next;
		}
	}
}

const char *watch_event_path(const char *home, const char *path)
{
	size_t hl;

	if (!home)
		return path;
	hl = strlen(home);
	if (strncmp(path, home, hl) != 0 || (path[hl] && path[hl] != '/'))
		return path;
	return path[hl] ? path + hl + 1 : path + hl;
}

static bool matches(const struct watch *w, const char *path, size_t len,
		    enum store_event ev)
{
	if (path[0] == '@' || ev == STORE_EV_RM_CHILD)
		return strcmp(w->path, path) == 0;
	if (w->path[0] != '/')
		return false;
	if (w->plen == 1)
		return true;
	return len >= w->plen && strncmp(path, w->path, w->plen) == 0 &&
	       (path[w->plen] == '/' || path[w->plen] == '\0');
}

void watch_fire(struct watch_set *ws, const char *path, enum store_event ev,
		watch_deliver_fn deliver, void *ctx)
{
	size_t len = strlen(path);
	struct watch *w, *next;

	/* deliver may not remove watches, but keep next in hand anyway. */
	for (w = ws->head; w; w = next) {
		next = w->next;
		if (matches(w, path, len, ev))
			deliver(ctx, w->owner, watch_event_path(w->home, path),
				w->token);
	}
}

int watch_each(struct watch_set *ws, const void *owner,
	       int (*fn)(void *, const char *, const char *, const char *),
	       void *ctx)
{
	for (struct watch *w = ws->head; w; w = w->next) {
		int rc;

		if (w->owner != owner)
			continue;
		rc = fn(ctx, w->path, w->token, w->home);
		if (rc)
			return rc;
	}
	return 0;
}
