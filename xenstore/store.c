/* xenstore/store.c: the main tree (see store.h).
 *
 * Invariants: every node but "/" has its parent in the tree and appears
 * once in the parent's children array; the hash table holds exactly the
 * nodes of the tree; a node's gen is the store generation of the last
 * change to its value, ACL or children list, so a transaction can detect
 * any change to a node it looked at by comparing one number. */
#include "xenstore/store.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct node {
	struct node *hnext;
	struct node *parent;
	struct node **children;
	char *value;
	struct store_perm *perms;
	uint64_t gen;
	uint32_t hash, vlen, nchildren, cap, nperms;
	char path[];
};

struct owner_count {
	store_domid_t domid;
	unsigned n;
};

struct store {
	struct node **table;
	size_t buckets, count;
	uint64_t gen;
	struct owner_count *owners;
	size_t nowners;
	struct store_hooks hooks;
	struct store_perm special_perms[2][STORE_SPECIAL_MAX_PERMS];
	uint32_t special_n[2];
};

static uint32_t path_hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static struct node *node_lookup(const struct store *st, const char *path)
{
	uint32_t h = path_hash(path);
	struct node *n = st->table[h & (st->buckets - 1)];

	for (; n; n = n->hnext)
		if (n->hash == h && strcmp(n->path, path) == 0)
			return n;
	return NULL;
}

static void table_grow(struct store *st)
{
	size_t nb = st->buckets * 2;
	struct node **t = calloc(nb, sizeof(*t));

	if (!t)
		return; /* keep the longer chains; still correct */
	for (size_t i = 0; i < st->buckets; i++) {
		struct node *n, *next;

		for (n = st->table[i]; n; n = next) {
			next = n->hnext;
			n->hnext = t[n->hash & (nb - 1)];
			t[n->hash & (nb - 1)] = n;
		}
	}
	free(st->table);
	st->table = t;
	st->buckets = nb;
}

static void table_remove(struct store *st, struct node *n)
{
	struct node **pp = &st->table[n->hash & (st->buckets - 1)];

	while (*pp != n)
		pp = &(*pp)->hnext;
	*pp = n->hnext;
	st->count--;
}

static struct owner_count *owner_slot(struct store *st, store_domid_t domid,
				      bool create)
{
	struct owner_count *o;

	for (size_t i = 0; i < st->nowners; i++)
		if (st->owners[i].domid == domid)
			return &st->owners[i];
	if (!create)
		return NULL;
	o = realloc(st->owners, (st->nowners + 1) * sizeof(*o));
	if (!o)
		return NULL;
	st->owners = o;
	o = &st->owners[st->nowners++];
	o->domid = domid;
	o->n = 0;
	return o;
}

static void owner_adjust(struct store *st, const struct store_perm *perms,
			 uint32_t n, int delta)
{
	struct owner_count *o;

	if (!n)
		return;
	o = owner_slot(st, perms[0].domid, delta > 0);
	if (o)
		o->n += delta;
}

unsigned store_owned(const struct store *st, store_domid_t domid)
{
	for (size_t i = 0; i < st->nowners; i++)
		if (st->owners[i].domid == domid)
			return st->owners[i].n;
	return 0;
}

static int node_set(struct node *n, const struct store_nodeval *nv)
{
	char *v = malloc(nv->vlen ? nv->vlen : 1);
	struct store_perm *p = malloc(nv->nperms * sizeof(*p));

	if (!v || !p) {
		free(v);
		free(p);
		return -ENOMEM;
	}
	memcpy(v, nv->value, nv->vlen);
	memcpy(p, nv->perms, nv->nperms * sizeof(*p));
	free(n->value);
	free(n->perms);
	n->value = v;
	n->vlen = nv->vlen;
	n->perms = p;
	n->nperms = nv->nperms;
	return 0;
}

static int child_link(struct node *parent, struct node *child)
{
	if (parent->nchildren == parent->cap) {
		uint32_t cap = parent->cap ? parent->cap * 2 : 2;
		struct node **c = realloc(parent->children, cap * sizeof(*c));

		if (!c)
			return -ENOMEM;
		parent->children = c;
		parent->cap = cap;
	}
	parent->children[parent->nchildren++] = child;
	return 0;
}

static void child_unlink(struct node *parent, struct node *child)
{
	for (uint32_t i = 0; i < parent->nchildren; i++) {
		if (parent->children[i] == child) {
			memmove(&parent->children[i], &parent->children[i + 1],
				(parent->nchildren - i - 1) * sizeof(child));
			parent->nchildren--;
			return;
		}
	}
}

/* Length of the parent part of path ("/a/b" -> 2 for "/a"; "/a" -> 1). */
size_t store_parent_len(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash == path ? 1 : (size_t)(slash - path);
}

static struct node *node_create(struct store *st, const char *path,
				const struct store_nodeval *nv)
{
	size_t len = strlen(path), plen;
	struct node *n, *parent = NULL;
	char pbuf[len + 1];

	if (strcmp(path, "/") != 0) {
		plen = store_parent_len(path);
		memcpy(pbuf, path, plen);
		pbuf[plen] = '\0';
		parent = node_lookup(st, pbuf);
		if (!parent)
			return NULL;
	}
	n = calloc(1, sizeof(*n) + len + 1);
	if (!n)
		return NULL;
	memcpy(n->path, path, len + 1);
	if (node_set(n, nv) < 0 || (parent && child_link(parent, n) < 0)) {
		free(n->value);
		free(n->perms);
		free(n);
		return NULL;
	}
	n->parent = parent;
	n->hash = path_hash(path);
	n->hnext = st->table[n->hash & (st->buckets - 1)];
	st->table[n->hash & (st->buckets - 1)] = n;
	if (++st->count > st->buckets)
		table_grow(st);
	if (parent)
		parent->gen = ++st->gen;
	owner_adjust(st, n->perms, n->nperms, +1);
	return n;
}

static void node_destroy(struct store *st, struct node *n)
{
	while (n->nchildren)
		node_destroy(st, n->children[n->nchildren - 1]);
	if (n->parent) {
		child_unlink(n->parent, n);
		n->parent->gen = ++st->gen;
	}
	owner_adjust(st, n->perms, n->nperms, -1);
	table_remove(st, n);
	free(n->children);
	free(n->value);
	free(n->perms);
	free(n);
}

static void nodeval_of(const struct node *n, struct store_nodeval *out)
{
	out->value = n->value;
	out->vlen = n->vlen;
	out->perms = n->perms;
	out->nperms = n->nperms;
	out->gen = n->gen;
}

static int main_get(void *ctx, const char *path, struct store_nodeval *out)
{
	const struct node *n = node_lookup(ctx, path);

	if (!n)
		return -ENOENT;
	nodeval_of(n, out);
	return 0;
}

static int main_children(void *ctx, const char *path, struct xarena *a,
			 const char ***names_out, unsigned *n_out)
{
	const struct node *n = node_lookup(ctx, path);
	const char **names;

	if (!n)
		return -ENOENT;
	names = xarena_alloc(a, (n->nchildren + 1) * sizeof(*names));
	if (!names)
		return -ENOMEM;
	for (uint32_t i = 0; i < n->nchildren; i++)
		names[i] = n->children[i]->path + strlen(n->path) +
			   (n->parent ? 1 : 0);
	*names_out = names;
	*n_out = n->nchildren;
	return 0;
}

static int main_put(void *ctx, const char *path, const struct store_nodeval *nv,
		    enum store_event ev)
{
	struct store *st = ctx;
	struct node *n = node_lookup(st, path);
	struct store_perm *old = NULL;
	uint32_t nold = 0;

	if (n) {
		old = n->perms;
		nold = n->nperms;
		n->perms = NULL; /* keep the old ACL alive for the hook */
		owner_adjust(st, old, nold, -1);
		if (node_set(n, nv) < 0) {
			n->perms = old;
			owner_adjust(st, old, nold, +1);
			return -ENOMEM;
		}
		owner_adjust(st, n->perms, n->nperms, +1);
	} else {
		n = node_create(st, path, nv);
		if (!n)
			return -ENOMEM;
	}
	n->gen = ++st->gen;
	/* nv may point into the node's old contents (SET_PERMS keeps the
	 * value), freed by now: report what the node holds. */
	if (st->hooks.put) {
		struct store_nodeval now;

		nodeval_of(n, &now);
		st->hooks.put(st->hooks.ctx, path, &now);
	}
	if (st->hooks.changed && ev != STORE_EV_NONE)
		st->hooks.changed(st->hooks.ctx, path, ev, n->perms, n->nperms,
				  old, nold);
	free(old);
	return 0;
}

static int main_del(void *ctx, const char *path, enum store_event ev)
{
	struct store *st = ctx;
	struct node *n = node_lookup(st, path);

	if (!n || !n->parent)
		return n ? -EINVAL : 0;
	if (st->hooks.changed && ev != STORE_EV_NONE)
		st->hooks.changed(st->hooks.ctx, path, ev, n->perms, n->nperms,
				  NULL, 0);
	node_destroy(st, n);
	if (st->hooks.del)
		st->hooks.del(st->hooks.ctx, path);
	return 0;
}

static const struct store_layer_ops main_ops = {
	.get = main_get,
	.children = main_children,
	.put = main_put,
	.del = main_del,
};

struct store_layer store_main_layer(struct store *st)
{
	return (struct store_layer){ .ops = &main_ops, .ctx = st };
}

struct store *store_new(void)
{
	static const struct store_perm n0 = { .domid = 0, .access = 0 };
	const struct store_nodeval nv = { .value = "", .perms = &n0, .nperms = 1 };
	struct store *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->buckets = 1024;
	st->table = calloc(st->buckets, sizeof(*st->table));
	if (!st->table || !node_create(st, "/", &nv) ||
	    !node_create(st, "/tool", &nv) ||
	    !node_create(st, "/tool/xenstored", &nv)) {
		store_free(st);
		return NULL;
	}
	for (int i = 0; i < 2; i++) {
		st->special_perms[i][0] = n0;
		st->special_n[i] = 1;
	}
	return st;
}

void store_free(struct store *st)
{
	struct node *root;

	if (!st)
		return;
	root = st->table ? node_lookup(st, "/") : NULL;
	if (root)
		node_destroy(st, root);
	free(st->table);
	free(st->owners);
	free(st);
}

void store_set_hooks(struct store *st, const struct store_hooks *h)
{
	st->hooks = *h;
}

uint64_t store_generation(const struct store *st)
{
	return st->gen;
}

unsigned store_node_count(const struct store *st)
{
	return (unsigned)st->count;
}

static int special_index(const char *path)
{
	if (strcmp(path, "@introduceDomain") == 0)
		return 0;
	if (strcmp(path, "@releaseDomain") == 0)
		return 1;
	return -1;
}

int store_special_perms(struct store *st, const char *path,
			const struct store_perm **perms, uint32_t *n)
{
	int i = special_index(path);

	if (i < 0)
		return -ENOENT;
	*perms = st->special_perms[i];
	*n = st->special_n[i];
	return 0;
}

int store_special_set_perms(struct store *st, const char *path,
			    const struct store_perm *perms, uint32_t n)
{
	int i = special_index(path);

	if (i < 0)
		return -ENOENT;
	if (n > STORE_SPECIAL_MAX_PERMS)
		return -ENOSPC;
	memcpy(st->special_perms[i], perms, n * sizeof(*perms));
	st->special_n[i] = n;
	/* Journaled like a node so the ACL survives restarts. */
	if (st->hooks.put) {
		const struct store_nodeval nv = { .value = "", .perms = perms,
						  .nperms = n };

		st->hooks.put(st->hooks.ctx, path, &nv);
	}
	return 0;
}

static int walk_node(struct node *n,
		     int (*fn)(void *, const char *, const struct store_nodeval *),
		     void *ctx)
{
	struct store_nodeval nv;
	int rc;

	nodeval_of(n, &nv);
	rc = fn(ctx, n->path, &nv);
	for (uint32_t i = 0; !rc && i < n->nchildren; i++)
		rc = walk_node(n->children[i], fn, ctx);
	return rc;
}

int store_walk(struct store *st,
	       int (*fn)(void *, const char *, const struct store_nodeval *),
	       void *ctx)
{
	static const char *const specials[] = { "@introduceDomain",
						"@releaseDomain" };
	int rc = walk_node(node_lookup(st, "/"), fn, ctx);

	for (int i = 0; !rc && i < 2; i++) {
		const struct store_nodeval nv = { .value = "",
						  .perms = st->special_perms[i],
						  .nperms = st->special_n[i] };

		rc = fn(ctx, specials[i], &nv);
	}
	return rc;
}

/* Collect the nodes owned by domid (topmost only: their subtree goes with
 * them) and strip domid from other ACLs in the same pass. */
static void forget_scan(struct store *st, struct node *n, store_domid_t domid,
			char ***list, size_t *len)
{
	if (n->parent && n->nperms && n->perms[0].domid == domid) {
		char **l = realloc(*list, (*len + 1) * sizeof(*l));

		if (l) {
			*list = l;
			l[(*len)++] = strdup(n->path);
		}
		return;
	}
	bool stripped = false;

	for (uint32_t i = 1; i < n->nperms;) {
		if (n->perms[i].domid == domid) {
			memmove(&n->perms[i], &n->perms[i + 1],
				(n->nperms - i - 1) * sizeof(n->perms[0]));
			n->nperms--;
			stripped = true;
			continue;
		}
		i++;
	}
	if (stripped) {
		struct store_nodeval nv;

		n->gen = ++st->gen;
		nodeval_of(n, &nv);
		if (st->hooks.put)
			st->hooks.put(st->hooks.ctx, n->path, &nv);
	}
	for (uint32_t i = 0; i < n->nchildren; i++)
		forget_scan(st, n->children[i], domid, list, len);
}

void store_forget_domain(struct store *st, store_domid_t domid)
{
	char **list = NULL;
	size_t len = 0;

	if (domid == 0)
		return;
	forget_scan(st, node_lookup(st, "/"), domid, &list, &len);
	for (size_t i = 0; i < len; i++) {
		if (list[i])
			(void)main_del(st, list[i], STORE_EV_RM_ROOT);
		free(list[i]);
	}
	free(list);
}
