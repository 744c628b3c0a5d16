/* xenstore/store.h: the XenStore tree, permissions and the operations on it.
 *
 * One tree for all domains. Nodes are found by full path through a hash
 * table and keep their children in insertion order, which is the order
 * DIRECTORY reports (as Xen's children string does).
 *
 * Operations (store_read, store_write, ...) are written once against a
 * "layer": the main tree itself, or a transaction's overlay (txn.h) that
 * records what it read and holds what it wrote until commit. A layer's put
 * and del carry the watch event the change deserves; the main layer reports
 * each applied change to the store's hooks (watch firing, journal).
 *
 * Paths given to the operations are canonical and absolute: wire code runs
 * store_canonical() first. Errors are negative errno values as XenStore
 * sends them (EACCES, ENOENT, EINVAL, ENOSPC, E2BIG, ENOMEM). */
#ifndef KXEN_XENSTORE_STORE_H
#define KXEN_XENSTORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xenstore/arena.h"

typedef uint16_t store_domid_t;

#define STORE_PERM_READ 1u
#define STORE_PERM_WRITE 2u
#define STORE_PERM_OWNER 4u
#define STORE_DOMID_NONE 0xffffu

/* One ACL entry: 'n' = 0, 'r' = READ, 'w' = WRITE, 'b' = READ|WRITE. */
struct store_perm {
	store_domid_t domid;
	uint8_t access;
};

/* Who is asking. priv skips every check (socket clients, dom0). target is
 * the domain this one may act as owner for (SET_TARGET), or NONE. */
struct store_who {
	store_domid_t domid;
	store_domid_t target;
	bool priv;
};

/* Xen's per-domain limits (xenstored -E -S -A -M -W -t -Q). Enforced for
 * unprivileged callers only, as in Xen. */
struct store_quota {
	unsigned nodes;       /* -E: nodes owned per domain */
	unsigned node_size;   /* -S: 24 + 8*perms + value + child names */
	unsigned perms;       /* -A: ACL entries per node */
	unsigned path_len;    /* -M: path length after /local/domain/<id>/ */
	unsigned watches;     /* -W */
	unsigned txns;        /* -t */
	unsigned txn_nodes;   /* -Q transaction-nodes */
	unsigned outstanding; /* -Q outstanding: unread replies before a ring stalls */
};
void store_quota_default(struct store_quota *q);

/* A node as operations see it. The pointers belong to the layer that
 * returned them and stay valid until that layer changes. */
struct store_nodeval {
	const char *value;
	uint32_t vlen;
	const struct store_perm *perms;
	uint32_t nperms;
	uint64_t gen;
};

enum store_event {
	STORE_EV_NONE,     /* implicit parent: no watch fires */
	STORE_EV_CHANGED,  /* write, create, mkdir of a new node */
	STORE_EV_SETPERMS, /* ACL change: old ACL also grants visibility */
	STORE_EV_RM_CHILD, /* deleted below an RM root: exact watches only */
	STORE_EV_RM_ROOT,  /* the RM target: watches on it and its ancestors */
};

struct store_layer_ops {
	int (*get)(void *ctx, const char *path, struct store_nodeval *out);
	/* Child names in order, as an arena array. -ENOENT if no node. */
	int (*children)(void *ctx, const char *path, struct xarena *a,
			const char ***names_out, unsigned *n_out);
	/* Create or replace; the parent must exist in this layer. */
	int (*put)(void *ctx, const char *path, const struct store_nodeval *nv,
		   enum store_event ev);
	/* Delete the node and anything below it. */
	int (*del)(void *ctx, const char *path, enum store_event ev);
	/* Nodes owned by domid that this layer adds to (or, negative,
	 * removes from) the main tree's count; NULL: none. For quotas. */
	int (*owned_delta)(void *ctx, store_domid_t domid);
};

struct store_layer {
	const struct store_layer_ops *ops;
	void *ctx;
};

struct store;

/* Hooks the daemon installs: told of every change applied to the main tree,
 * in order. perms/old_perms describe the node (for watch visibility). */
struct store_hooks {
	void (*changed)(void *ctx, const char *path, enum store_event ev,
			const struct store_perm *perms, uint32_t nperms,
			const struct store_perm *old_perms, uint32_t old_nperms);
	void (*put)(void *ctx, const char *path, const struct store_nodeval *nv);
	void (*del)(void *ctx, const char *path);
	void *ctx;
};

/* A fresh tree: /, /tool, /tool/xenstored, all n0. NULL on ENOMEM. */
struct store *store_new(void);
void store_free(struct store *st);
void store_set_hooks(struct store *st, const struct store_hooks *h);
/* The main tree as a layer (always valid while st lives). */
struct store_layer store_main_layer(struct store *st);
/* Generation counter: bumped by every change to the main tree. */
uint64_t store_generation(const struct store *st);
unsigned store_node_count(const struct store *st);
/* Nodes whose ACL owner is domid. */
unsigned store_owned(const struct store *st, store_domid_t domid);

/* Permission bits (READ|WRITE|OWNER) that who has on a node with perms. */
unsigned store_perm_for(const struct store_who *who,
			const struct store_perm *perms, uint32_t nperms);
/* Parse "r5" into *out; -EINVAL if malformed. */
int store_perm_parse(const char *s, struct store_perm *out);
/* Format into buf (at least 8 bytes); returns the length without NUL. */
int store_perm_format(const struct store_perm *p, char *buf);

/* Make path absolute for who (relative paths live under
 * /local/domain/<domid>) and check it as Xen's is_valid_nodename does.
 * allow_special admits @introduceDomain-style names. *out is arena memory. */
int store_canonical(struct xarena *a, const struct store_who *who,
		    const struct store_quota *q, const char *path,
		    bool allow_special, const char **out);
bool store_is_special(const char *path);
/* An absolute canonical path (what the tree holds), for data read back
 * from disk. */
bool store_path_ok(const char *path);
/* Length of the parent part of a canonical path ("/a/b" -> 2, "/a" -> 1). */
size_t store_parent_len(const char *path);

/* @introduceDomain and @releaseDomain have an ACL (n0 by default) but no
 * node; SET_PERMS on them lets a domU see their events. */
#define STORE_SPECIAL_MAX_PERMS 16
int store_special_perms(struct store *st, const char *path,
			const struct store_perm **perms, uint32_t *n);
int store_special_set_perms(struct store *st, const char *path,
			    const struct store_perm *perms, uint32_t n);

/* One operation's context. */
struct store_req {
	struct store *st;
	struct store_layer layer;
	struct store_who who;
	const struct store_quota *q;
	struct xarena *a;
};

int store_read(struct store_req *r, const char *path, const char **val,
	       uint32_t *len) __attribute__((warn_unused_result));
int store_write(struct store_req *r, const char *path, const char *val,
		uint32_t len) __attribute__((warn_unused_result));
int store_mkdir(struct store_req *r, const char *path)
	__attribute__((warn_unused_result));
int store_rm(struct store_req *r, const char *path)
	__attribute__((warn_unused_result));
int store_directory(struct store_req *r, const char *path,
		    const char ***names, unsigned *n)
	__attribute__((warn_unused_result));
int store_get_perms(struct store_req *r, const char *path,
		    const struct store_perm **perms, uint32_t *n)
	__attribute__((warn_unused_result));
int store_set_perms(struct store_req *r, const char *path,
		    const struct store_perm *perms, uint32_t n)
	__attribute__((warn_unused_result));
/* Generation of a node (for DIRECTORY_PART), after the usual read check. */
int store_node_gen(struct store_req *r, const char *path, uint64_t *gen)
	__attribute__((warn_unused_result));

/* Delete every node owned by domid (with its subtree) and drop ACL entries
 * naming it, as when a domain goes away. Changes go through the hooks. */
void store_forget_domain(struct store *st, store_domid_t domid);

/* Walk the main tree parent-first, then the @special ACLs (empty value);
 * for snapshots. Stops at a non-zero
 * return of fn and passes it back. */
int store_walk(struct store *st,
	       int (*fn)(void *ctx, const char *path,
			 const struct store_nodeval *nv),
	       void *ctx);

#endif
