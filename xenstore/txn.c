/* xenstore/txn.c: transaction overlays (see txn.h).
 *
 * Rules, as Xen 4.17's xenstored_transaction.c:
 * - first touch of a path records (exists, gen) from the main tree;
 * - reads are answered from the overlay if the transaction wrote the node,
 *   else from the main tree;
 * - a directory listing is the main tree's children minus those deleted in
 *   the transaction plus those it created; listing touches the parent, and
 *   any child added or removed elsewhere bumps the parent's gen;
 * - at commit every touched node must still have its recorded state.
 * Example: T1 reads /a (gen 5), T2 writes /a (gen 9) and commits; T1's
 * commit sees 9 != 5 and fails with EAGAIN; the client retries. A node
 * written by T1 but never existing before (recorded absent) conflicts only
 * if someone else created it meanwhile. */
#include "xenstore/txn.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define TXN_BUCKETS 256

struct txn_node {
	struct txn_node *hnext, *next;
	char *value;
	struct store_perm *perms;
	uint64_t base_gen;
	uint32_t vlen, nperms;
	bool base_exists;
	bool written; /* value/perms/exists below are the overlay's */
	bool exists;
	bool recreated; /* deleted, then created again in this transaction */
	uint8_t evmask;
	uint64_t created; /* creation order within the transaction, 0: none */
	/* Nodes created below this one in the transaction, oldest first;
	 * kept so listing a directory does not scan every touched node. */
	struct txn_node *new_head, **new_tail, *new_next;
	bool on_new_list;
	char path[];
};

struct txn {
	struct store *st;
	struct store_layer main;
	struct txn_node *table[TXN_BUCKETS];
	struct txn_node *list, **tail;
	unsigned count, limit;
	uint64_t creations;
	int owned_delta; /* nodes of owned_domid created minus deleted */
	store_domid_t owned_domid;
	uint32_t id;
	bool failed;
};

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static struct txn_node *lookup(struct txn *t, const char *path)
{
	struct txn_node *n = t->table[hash(path) % TXN_BUCKETS];

	for (; n; n = n->hnext)
		if (strcmp(n->path, path) == 0)
			return n;
	return NULL;
}

static int touch(struct txn *t, const char *path, struct txn_node **out)
{
	struct txn_node *n = lookup(t, path);
	struct store_nodeval nv;
	size_t len;

	if (n) {
		*out = n;
		return 0;
	}
	if (t->limit && t->count >= t->limit)
		return -ENOSPC;
	len = strlen(path);
	n = calloc(1, sizeof(*n) + len + 1);
	if (!n) {
		t->failed = true;
		return -ENOMEM;
	}
	memcpy(n->path, path, len + 1);
	n->base_exists = t->main.ops->get(t->main.ctx, path, &nv) == 0;
	n->base_gen = n->base_exists ? nv.gen : 0;
	n->exists = n->base_exists;
	n->hnext = t->table[hash(path) % TXN_BUCKETS];
	t->table[hash(path) % TXN_BUCKETS] = n;
	*t->tail = n;
	t->tail = &n->next;
	t->count++;
	*out = n;
	return 0;
}

static int txl_get(void *ctx, const char *path, struct store_nodeval *out)
{
	struct txn *t = ctx;
	struct txn_node *n;
	int rc = touch(t, path, &n);

	if (rc)
		return rc;
	if (!n->exists)
		return -ENOENT;
	if (!n->written)
		return t->main.ops->get(t->main.ctx, path, out);
	*out = (struct store_nodeval){ .value = n->value, .vlen = n->vlen,
				       .perms = n->perms, .nperms = n->nperms };
	return 0;
}

static int by_creation(const void *a, const void *b)
{
	const struct txn_node *x = *(struct txn_node *const *)a;
	const struct txn_node *y = *(struct txn_node *const *)b;

	return x->created < y->created ? -1 : x->created > y->created;
}

static int txl_children(void *ctx, const char *path, struct xarena *a,
			const char ***names_out, unsigned *n_out)
{
	struct txn *t = ctx;
	struct txn_node *n, *c, **made;
	const char **base = NULL, **names;
	unsigned nbase = 0, k = 0, extra = 0, nm = 0;
	size_t plen = strlen(path) + (strcmp(path, "/") != 0);
	int rc = touch(t, path, &n);

	if (rc)
		return rc;
	if (!n->exists)
		return -ENOENT;
	rc = t->main.ops->children(t->main.ctx, path, a, &base, &nbase);
	if (rc && rc != -ENOENT)
		return rc;
	for (c = n->new_head; c; c = c->new_next)
		extra++;
	names = xarena_alloc(a, (nbase + extra + 1) * sizeof(*names));
	made = xarena_alloc(a, (extra + 1) * sizeof(*made));
	if (!names || !made)
		return -ENOMEM;
	for (unsigned i = 0; i < nbase; i++) {
		char *full = xarena_printf(a, "%s%s%s", path,
					   plen > 1 ? "/" : "", base[i]);

		if (!full)
			return -ENOMEM;
		c = lookup(t, full);
		if (!c || (c->exists && !c->recreated))
			names[k++] = base[i];
	}
	/* Then what this transaction created, in creation order. */
	for (c = n->new_head; c; c = c->new_next)
		if (c->exists && c->created)
			made[nm++] = c;
	qsort(made, nm, sizeof(*made), by_creation);
	for (unsigned i = 0; i < nm; i++)
		names[k++] = made[i]->path + plen;
	*names_out = names;
	*n_out = k;
	return 0;
}

/* Remember a node created in the transaction on its parent's list. */
static int note_created(struct txn *t, struct txn_node *n)
{
	size_t plen = store_parent_len(n->path);
	char parent[plen + 1];
	struct txn_node *p;
	int rc;

	if (n->on_new_list || strcmp(n->path, "/") == 0)
		return 0;
	memcpy(parent, n->path, plen);
	parent[plen] = '\0';
	rc = touch(t, parent, &p);
	if (rc)
		return rc;
	if (!p->new_tail)
		p->new_tail = &p->new_head;
	*p->new_tail = n;
	p->new_tail = &n->new_next;
	n->on_new_list = true;
	return 0;
}

static void node_clear(struct txn_node *n)
{
	free(n->value);
	free(n->perms);
	n->value = NULL;
	n->perms = NULL;
	n->vlen = n->nperms = 0;
}

static int txl_put(void *ctx, const char *path, const struct store_nodeval *nv,
		   enum store_event ev)
{
	struct txn *t = ctx;
	struct txn_node *n;
	char *v;
	struct store_perm *p;
	int rc = touch(t, path, &n);

	if (rc)
		return rc;
	v = malloc(nv->vlen ? nv->vlen : 1);
	p = malloc(nv->nperms * sizeof(*p));
	if (!v || !p) {
		free(v);
		free(p);
		t->failed = true;
		return -ENOMEM;
	}
	memcpy(v, nv->value, nv->vlen);
	memcpy(p, nv->perms, nv->nperms * sizeof(*p));
	if (!n->exists) {
		/* New children go last in DIRECTORY, as in Xen's children
		 * string; one deleted and made again moves there too. */
		rc = note_created(t, n);
		if (rc) {
			free(v);
			free(p);
			return rc;
		}
		n->created = ++t->creations;
		n->recreated = n->base_exists;
		if (nv->nperms && nv->perms[0].domid == t->owned_domid)
			t->owned_delta++;
	}
	node_clear(n);
	n->value = v;
	n->vlen = nv->vlen;
	n->perms = p;
	n->nperms = nv->nperms;
	n->written = n->exists = true;
	n->evmask |= 1u << ev;
	return 0;
}

static int txl_del(void *ctx, const char *path, enum store_event ev)
{
	struct txn *t = ctx;
	struct txn_node *n;
	struct store_nodeval nv;
	int rc = touch(t, path, &n);

	if (rc)
		return rc;
	if (n->exists) {
		store_domid_t owner = STORE_DOMID_NONE;

		if (n->written && n->nperms)
			owner = n->perms[0].domid;
		else if (!n->written &&
			 t->main.ops->get(t->main.ctx, path, &nv) == 0 &&
			 nv.nperms)
			owner = nv.perms[0].domid;
		if (owner == t->owned_domid)
			t->owned_delta--;
	}
	node_clear(n);
	n->written = true;
	n->exists = false;
	n->evmask |= 1u << ev;
	return 0;
}

static int txl_owned_delta(void *ctx, store_domid_t domid)
{
	struct txn *t = ctx;

	return domid == t->owned_domid ? t->owned_delta : 0;
}

static const struct store_layer_ops txn_ops = {
	.get = txl_get,
	.children = txl_children,
	.put = txl_put,
	.del = txl_del,
	.owned_delta = txl_owned_delta,
};

struct txn *txn_new(struct store *st, uint32_t id, unsigned node_limit,
		    store_domid_t domid)
{
	struct txn *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->st = st;
	t->main = store_main_layer(st);
	t->tail = &t->list;
	t->id = id;
	t->limit = node_limit;
	t->owned_domid = domid;
	return t;
}

void txn_free(struct txn *t)
{
	struct txn_node *n, *next;

	if (!t)
		return;
	for (n = t->list; n; n = next) {
		next = n->next;
		node_clear(n);
		free(n);
	}
	free(t);
}

uint32_t txn_id(const struct txn *t)
{
	return t->id;
}

struct store_layer txn_layer(struct txn *t)
{
	return (struct store_layer){ .ops = &txn_ops, .ctx = t };
}

static unsigned depth(const char *path)
{
	unsigned d = 0;

	for (; *path; path++)
		d += *path == '/';
	return d;
}

/* Deletions deepest first, then creations and updates parent first and
 * in creation order, so DIRECTORY lists children as the transaction did. */
static int commit_order(const void *a, const void *b)
{
	const struct txn_node *x = *(struct txn_node *const *)a;
	const struct txn_node *y = *(struct txn_node *const *)b;
	int dx = (int)depth(x->path), dy = (int)depth(y->path);

	if (x->exists != y->exists)
		return x->exists ? 1 : -1;
	if (!x->exists)
		return dy - dx;
	if (dx != dy)
		return dx - dy;
	return x->created < y->created ? -1 : x->created > y->created;
}

static enum store_event final_event(const struct txn_node *n)
{
	const unsigned m = n->evmask;

	if (!n->exists)
		return m & (1u << STORE_EV_RM_ROOT) ? STORE_EV_RM_ROOT :
						      STORE_EV_RM_CHILD;
	if (m & ((1u << STORE_EV_CHANGED) | (1u << STORE_EV_RM_ROOT) |
		 (1u << STORE_EV_RM_CHILD)))
		return STORE_EV_CHANGED;
	return m & (1u << STORE_EV_SETPERMS) ? STORE_EV_SETPERMS : STORE_EV_NONE;
}

static int apply(struct txn *t, struct txn_node *n)
{
	struct store_nodeval nv = { .value = n->value, .vlen = n->vlen,
				    .perms = n->perms, .nperms = n->nperms };

	if (!n->exists)
		return n->base_exists ?
			       t->main.ops->del(t->main.ctx, n->path,
						final_event(n)) : 0;
	/* Made again: drop the old node so the new one goes last. */
	if (n->recreated)
		(void)t->main.ops->del(t->main.ctx, n->path, STORE_EV_NONE);
	return t->main.ops->put(t->main.ctx, n->path, &nv, final_event(n));
}

int txn_commit(struct txn *t)
{
	struct txn_node *n, **dirty;
	struct store_nodeval nv;
	unsigned nd = 0;
	int rc = 0;

	if (t->failed)
		return -ENOMEM;
	for (n = t->list; n; n = n->next) {
		bool exists = t->main.ops->get(t->main.ctx, n->path, &nv) == 0;

		if (exists != n->base_exists || (exists && nv.gen != n->base_gen))
			return -EAGAIN;
		nd += n->written;
	}
	dirty = malloc((nd + 1) * sizeof(*dirty));
	if (!dirty)
		return -ENOMEM;
	nd = 0;
	for (n = t->list; n; n = n->next)
		if (n->written)
			dirty[nd++] = n;
	qsort(dirty, nd, sizeof(*dirty), commit_order);
	for (unsigned i = 0; i < nd; i++) {
		int r = apply(t, dirty[i]);

		if (r && !rc)
			rc = r;
	}
	free(dirty);
	return rc;
}
