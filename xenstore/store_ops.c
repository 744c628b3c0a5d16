/* xenstore/store_ops.c: XenStore operations over a layer (see store.h).
 *
 * These carry Xen's semantics: per-node permission checks with existence
 * hidden by the nearest ancestor (errno_from_parents), implicit creation of
 * parents with the ancestor's ACL (entry 0 replaced by an unprivileged
 * creator), recursive RM with the root reported to ancestors' watches and
 * each descendant to exact watches, and the domU quotas. They run the same
 * on the main tree and inside a transaction. */
#include "xenstore/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void store_quota_default(struct store_quota *q)
{
	q->nodes = 1000;
	q->node_size = 2048;
	q->perms = 5;
	q->path_len = 2048;
	q->watches = 128;
	q->txns = 10;
	q->txn_nodes = 1024;
	q->outstanding = 20;
}

unsigned store_perm_for(const struct store_who *who,
			const struct store_perm *perms, uint32_t nperms)
{
	const unsigned all = STORE_PERM_READ | STORE_PERM_WRITE | STORE_PERM_OWNER;

	if (who->priv || !nperms)
		return all;
	if (perms[0].domid == who->domid ||
	    (who->target != STORE_DOMID_NONE && perms[0].domid == who->target))
		return all;
	for (uint32_t i = 1; i < nperms; i++)
		if (perms[i].domid == who->domid ||
		    (who->target != STORE_DOMID_NONE &&
		     perms[i].domid == who->target))
			return perms[i].access;
	return perms[0].access;
}

int store_perm_parse(const char *s, struct store_perm *out)
{
	static const char letters[] = "nrwb";
	const char *l = s[0] ? strchr(letters, s[0]) : NULL;
	char *end;
	unsigned long id;

	if (!l || s[1] < '0' || s[1] > '9')
		return -EINVAL;
	errno = 0;
	id = strtoul(s + 1, &end, 10);
	if (*end || errno || id > 0xffff)
		return -EINVAL;
	out->access = (uint8_t)(l - letters);
	out->domid = (store_domid_t)id;
	return 0;
}

int store_perm_format(const struct store_perm *p, char *buf)
{
	return sprintf(buf, "%c%u", "nrwb"[p->access & 3], p->domid);
}

bool store_is_special(const char *path)
{
	return path[0] == '@';
}

static bool valid_chars(const char *p)
{
	for (; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("_@/-", *p)))
			return false;
	return true;
}

bool store_path_ok(const char *path)
{
	size_t len = strlen(path);

	return path[0] == '/' && len <= 3072 && valid_chars(path) &&
	       !strstr(path, "//") && (len == 1 || path[len - 1] != '/');
}

/* Offset past "/local/domain/<id>/", which Xen's -M limit does not count. */
static size_t local_prefix(const char *path)
{
	const char *p = path;

	if (strncmp(p, "/local/domain/", 14) != 0)
		return 0;
	p += 14;
	if (*p < '0' || *p > '9')
		return 0;
	while (*p >= '0' && *p <= '9')
		p++;
	return *p == '/' ? (size_t)(p + 1 - path) : 0;
}

int store_canonical(struct xarena *a, const struct store_who *who,
		    const struct store_quota *q, const char *path,
		    bool allow_special, const char **out)
{
	const char *abs = path;
	size_t len;

	if (path[0] != '/' && path[0] != '@') {
		abs = xarena_printf(a, "/local/domain/%u/%s", who->domid, path);
		if (!abs)
			return -ENOMEM;
	}
	if (abs[0] == '@' && !allow_special)
		return -EINVAL;
	len = strlen(abs);
	if (len > 1 && abs[len - 1] == '/')
		return -EINVAL;
	if (strstr(abs, "//") || !valid_chars(abs) || len > 3072)
		return -EINVAL;
	if (!who->priv && len - local_prefix(abs) > q->path_len)
		return -EINVAL;
	*out = abs;
	return 0;
}

/* A missing node: ENOENT if the nearest existing ancestor grants need,
 * else EACCES, so a domU cannot probe what it may not see. */
static int errno_from_parents(struct store_req *r, const char *path,
			      unsigned need)
{
	size_t len = strlen(path);
	char buf[len + 1];
	struct store_nodeval nv;

	memcpy(buf, path, len + 1);
	while (strcmp(buf, "/") != 0) {
		buf[store_parent_len(buf)] = '\0';
		if (r->layer.ops->get(r->layer.ctx, buf, &nv) == 0)
			return (store_perm_for(&r->who, nv.perms, nv.nperms) &
				need) == need ? -ENOENT : -EACCES;
	}
	return -ENOENT;
}

static int get_checked(struct store_req *r, const char *path, unsigned need,
		       struct store_nodeval *nv)
{
	int rc = r->layer.ops->get(r->layer.ctx, path, nv);

	if (rc == -ENOENT)
		return errno_from_parents(r, path, need);
	if (rc)
		return rc;
	if ((store_perm_for(&r->who, nv->perms, nv->nperms) & need) != need)
		return -EACCES;
	return 0;
}

int store_read(struct store_req *r, const char *path, const char **val,
	       uint32_t *len)
{
	struct store_nodeval nv;
	int rc = get_checked(r, path, STORE_PERM_READ, &nv);

	if (rc)
		return rc;
	*val = nv.value;
	*len = nv.vlen;
	return 0;
}

int store_node_gen(struct store_req *r, const char *path, uint64_t *gen)
{
	struct store_nodeval nv;
	int rc = get_checked(r, path, STORE_PERM_READ, &nv);

	if (!rc)
		*gen = nv.gen;
	return rc;
}

/* Xen's record size: header, ACL, value and the children string. */
static int node_size(struct store_req *r, const char *path,
		     const struct store_nodeval *nv, size_t extra,
		     size_t *size)
{
	const char **names;
	unsigned n;
	int rc = r->layer.ops->children(r->layer.ctx, path, r->a, &names, &n);

	if (rc == -ENOENT)
		n = 0;
	else if (rc)
		return rc;
	*size = 24 + 8 * (size_t)nv->nperms + nv->vlen + extra;
	for (unsigned i = 0; i < n; i++)
		*size += strlen(names[i]) + 1;
	return 0;
}

static int check_size(struct store_req *r, const char *path,
		      const struct store_nodeval *nv, size_t extra)
{
	size_t size;
	int rc;

	if (r->who.priv)
		return 0;
	rc = node_size(r, path, nv, extra, &size);
	if (rc)
		return rc;
	return size >= r->q->node_size ? -ENOSPC : 0;
}

/* Nodes the caller owns as its view has them (a transaction's own
 * creations count: committing must not push a domain past -E). */
static long owned_now(struct store_req *r)
{
	long n = (long)store_owned(r->st, r->who.domid);

	if (r->layer.ops->owned_delta)
		n += r->layer.ops->owned_delta(r->layer.ctx, r->who.domid);
	return n;
}

/* Create path and its missing ancestors below the nearest existing one. */
static int create_path(struct store_req *r, const char *path, const char *val,
		       uint32_t vlen)
{
	size_t len = strlen(path), cut = len;
	char buf[len + 1];
	struct store_nodeval anc, nv;
	struct store_perm *perms;
	unsigned missing = 0;
	int rc;

	memcpy(buf, path, len + 1);
	do {
		cut = store_parent_len(buf);
		buf[cut] = '\0';
		missing++;
		rc = r->layer.ops->get(r->layer.ctx, buf, &anc);
	} while (rc == -ENOENT && cut > 1);
	if (rc)
		return rc;
	if (!(store_perm_for(&r->who, anc.perms, anc.nperms) & STORE_PERM_WRITE))
		return -EACCES;
	if (!r->who.priv &&
	    owned_now(r) + (long)missing > (long)r->q->nodes)
		return -ENOSPC;
	rc = check_size(r, buf, &anc,
			strcspn(path + cut + (cut > 1), "/") + 1);
	if (rc)
		return rc;
	perms = xarena_alloc(r->a, anc.nperms * sizeof(*perms));
	if (!perms)
		return -ENOMEM;
	memcpy(perms, anc.perms, anc.nperms * sizeof(*perms));
	if (!r->who.priv)
		perms[0].domid = r->who.domid;
	nv = (struct store_nodeval){ .value = "", .perms = perms,
				     .nperms = anc.nperms };
	memcpy(buf, path, len + 1);
	/* Walk down from the ancestor, creating one level at a time. */
	while (cut < len) {
		char *slash = strchr(buf + cut + 1, '/');

		if (slash)
			*slash = '\0';
		if (!slash) {
			nv.value = val;
			nv.vlen = vlen;
			rc = check_size(r, buf, &nv, 0);
			if (rc)
				return rc;
		}
		rc = r->layer.ops->put(r->layer.ctx, buf, &nv,
				       slash ? STORE_EV_NONE : STORE_EV_CHANGED);
		if (rc)
			return rc;
		if (!slash)
			break;
		cut = (size_t)(slash - buf);
		*slash = '/';
	}
	return 0;
}

int store_write(struct store_req *r, const char *path, const char *val,
		uint32_t len)
{
	struct store_nodeval nv;
	int rc = get_checked(r, path, STORE_PERM_WRITE, &nv);

	if (rc == -ENOENT)
		return create_path(r, path, val, len);
	if (rc)
		return rc;
	nv.value = val;
	nv.vlen = len;
	rc = check_size(r, path, &nv, 0);
	if (rc)
		return rc;
	return r->layer.ops->put(r->layer.ctx, path, &nv, STORE_EV_CHANGED);
}

int store_mkdir(struct store_req *r, const char *path)
{
	struct store_nodeval nv;
	int rc = get_checked(r, path, STORE_PERM_WRITE, &nv);

	if (rc == -ENOENT)
		return create_path(r, path, "", 0);
	return rc;
}

static int rm_subtree(struct store_req *r, const char *path,
		      enum store_event ev)
{
	const char **names;
	unsigned n;
	int rc = r->layer.ops->children(r->layer.ctx, path, r->a, &names, &n);

	for (unsigned i = 0; !rc && i < n; i++) {
		const char *child = xarena_printf(r->a, "%s/%s", path, names[i]);

		rc = child ? rm_subtree(r, child, STORE_EV_RM_CHILD) : -ENOMEM;
	}
	if (!rc)
		rc = r->layer.ops->del(r->layer.ctx, path, ev);
	return rc;
}

int store_rm(struct store_req *r, const char *path)
{
	struct store_nodeval nv;
	int rc = get_checked(r, path, STORE_PERM_WRITE, &nv);

	if (rc == -ENOENT) {
		size_t plen = store_parent_len(path);
		char parent[plen + 1];

		memcpy(parent, path, plen);
		parent[plen] = '\0';
		if (strcmp(path, "/") != 0 &&
		    r->layer.ops->get(r->layer.ctx, parent, &nv) == 0)
			return 0;
		return -ENOENT;
	}
	if (rc)
		return rc;
	if (strcmp(path, "/") == 0)
		return -EINVAL;
	return rm_subtree(r, path, STORE_EV_RM_ROOT);
}

int store_directory(struct store_req *r, const char *path,
		    const char ***names, unsigned *n)
{
	struct store_nodeval nv;
	int rc = get_checked(r, path, STORE_PERM_READ, &nv);

	if (rc)
		return rc;
	return r->layer.ops->children(r->layer.ctx, path, r->a, names, n);
}

int store_get_perms(struct store_req *r, const char *path,
		    const struct store_perm **perms, uint32_t *n)
{
	struct store_nodeval nv;
	int rc;

	if (store_is_special(path)) {
		rc = store_special_perms(r->st, path, perms, n);
		if (rc)
			return rc;
		return store_perm_for(&r->who, *perms, *n) & STORE_PERM_READ ?
			       0 : -EACCES;
	}
	rc = get_checked(r, path, STORE_PERM_READ, &nv);
	if (rc)
		return rc;
	*perms = nv.perms;
	*n = nv.nperms;
	return 0;
}

int store_set_perms(struct store_req *r, const char *path,
		    const struct store_perm *perms, uint32_t n)
{
	const unsigned need = STORE_PERM_WRITE | STORE_PERM_OWNER;
	const struct store_perm *old;
	struct store_nodeval nv;
	uint32_t nold;
	int rc;

	if (n == 0)
		return -EINVAL;
	if (!r->who.priv && n > r->q->perms)
		return -ENOSPC;
	if (store_is_special(path)) {
		rc = store_special_perms(r->st, path, &old, &nold);
		if (rc)
			return rc;
		if ((store_perm_for(&r->who, old, nold) & need) != need)
			return -EACCES;
		return store_special_set_perms(r->st, path, perms, n);
	}
	rc = get_checked(r, path, need, &nv);
	if (rc)
		return rc;
	if (!r->who.priv && perms[0].domid != nv.perms[0].domid)
		return -EPERM;
	nv.perms = perms;
	nv.nperms = n;
	rc = check_size(r, path, &nv, 0);
	if (rc)
		return rc;
	return r->layer.ops->put(r->layer.ctx, path, &nv, STORE_EV_SETPERMS);
}
