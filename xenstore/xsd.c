/* xenstore/xsd.c: daemon state setup and watch-event delivery.
 *
 * The store reports each applied change here (store hooks); we find the
 * matching watches and queue events to connections that may see the node:
 * privileged ones always, others if they can read the node (or, for an ACL
 * change, could read it before: XSA-115) or its parent. */
#include "xenstore/xenstored.h"
#include "xenstore/fdkeep.h"
#include "xenstore/journal.h"
#include "xenstore/watch.h"
#include "lib/log.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct fire_ctx {
	struct xsd *x;
	const char *path;
	const struct store_perm *perms, *old;
	uint32_t nperms, nold;
	bool special;
};

static bool visible(const struct fire_ctx *f, const struct conn *c)
{
	struct store_layer main = store_main_layer(f->x->st);
	struct store_nodeval nv;
	size_t plen;

	if (f->nperms &&
	    store_perm_for(&c->who, f->perms, f->nperms) & STORE_PERM_READ)
		return true;
	if (f->nold && store_perm_for(&c->who, f->old, f->nold) & STORE_PERM_READ)
		return true;
	if (f->special || strcmp(f->path, "/") == 0)
		return false;
	plen = store_parent_len(f->path);
	{
		char parent[plen + 1];

		memcpy(parent, f->path, plen);
		parent[plen] = '\0';
		return main.ops->get(main.ctx, parent, &nv) == 0 &&
		       store_perm_for(&c->who, nv.perms, nv.nperms) &
			       STORE_PERM_READ;
	}
}

static void deliver(void *ctx, void *owner, const char *epath,
		    const char *token)
{
	const struct fire_ctx *f = ctx;
	struct conn *c = owner;

	if (c->who.priv || visible(f, c))
		conn_queue_event(c, epath, token);
}

void xsd_fire(struct xsd *x, const char *path, enum store_event ev,
	      const struct store_perm *perms, uint32_t nperms,
	      const struct store_perm *old, uint32_t nold)
{
	struct fire_ctx f = { .x = x, .path = path, .perms = perms,
			      .nperms = nperms, .old = old, .nold = nold };

	watch_fire(x->ws, path, ev, deliver, &f);
}

void xsd_fire_special(struct xsd *x, const char *name)
{
	struct fire_ctx f = { .x = x, .path = name, .special = true };

	if (store_special_perms(x->st, name, &f.perms, &f.nperms))
		return;
	watch_fire(x->ws, name, STORE_EV_CHANGED, deliver, &f);
}

static void hook_changed(void *ctx, const char *path, enum store_event ev,
			 const struct store_perm *perms, uint32_t nperms,
			 const struct store_perm *old, uint32_t nold)
{
	xsd_fire(ctx, path, ev, perms, nperms, old, nold);
}

static void hook_put(void *ctx, const char *path,
		     const struct store_nodeval *nv)
{
	struct xsd *x = ctx;

	if (x->j)
		journal_put(x->j, path, nv);
}

static void hook_del(void *ctx, const char *path)
{
	struct xsd *x = ctx;

	if (x->j)
		journal_del(x->j, path);
}

int xsd_init(struct xsd *x)
{
	const struct store_hooks hooks = { .changed = hook_changed,
					   .put = hook_put,
					   .del = hook_del,
					   .ctx = x };

	memset(x, 0, sizeof(*x));
	x->epfd = x->listen_fd = x->listen_ro_fd = x->signal_fd = -1;
	x->priv_domid = 0;
	store_quota_default(&x->q);
	xarena_init(&x->arena);
	x->st = store_new();
	x->ws = watch_set_new();
	if (!x->st || !x->ws) {
		xsd_fini(x);
		return -1;
	}
	store_set_hooks(x->st, &hooks);
	return 0;
}

void xsd_fini(struct xsd *x)
{
	while (x->conns)
		conn_destroy(x->conns);
	domain_free_all(x);
	/* A clean exit: nothing left to recover, the keeper may go. */
	fdkeep_close(x->keep, true);
	x->keep = NULL;
	watch_set_free(x->ws);
	x->ws = NULL;
	if (x->j)
		journal_close(x->j);
	x->j = NULL;
	if (x->st) {
		/* Tearing down is not a change worth journaling. */
		store_set_hooks(x->st, &(struct store_hooks){ 0 });
		store_free(x->st);
	}
	x->st = NULL;
	xarena_destroy(&x->arena);
	if (x->epfd >= 0)
		close(x->epfd);
	x->epfd = -1;
}

int xsd_load(struct xsd *x, const char *dir, bool fresh, bool sync,
	     void (*dom_fn)(void *ctx, const struct journal_domain *d))
{
	const struct store_hooks hooks = { .changed = hook_changed,
					   .put = hook_put,
					   .del = hook_del,
					   .ctx = x };
	int rc;

	/* Replayed changes are neither events nor new journal records. */
	store_set_hooks(x->st, &(struct store_hooks){ 0 });
	rc = journal_open(dir, fresh, sync, x->st, dom_fn, x, &x->j);
	store_set_hooks(x->st, &hooks);
	return rc;
}
