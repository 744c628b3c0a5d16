/* xenstore/ops.c: the request dispatcher and one handler per operation.
 *
 * wire_ops[] is indexed by the xs_wire.h enum, like Xen's wire_funcs[]:
 * {name, handler, flags}. ops_dispatch() copies the payload into the
 * request arena (NUL-terminated, so handlers never read past it), checks
 * privilege and the transaction id once, runs the handler, turns its
 * negative errno into XS_ERROR and frees the arena. Handlers reply with
 * reply() or return an error; events they cause are queued before it. */
#include "xenstore/xenstored.h"
#include "xenstore/journal.h"
#include "xenstore/txn.h"
#include "xenstore/watch.h"
#include "lib/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OP_PRIV 1u  /* EACCES for unprivileged callers */
#define OP_NOTID 2u /* tx_id is ignored */
#define OP_WRITE 4u /* refused on the read-only socket */

struct req {
	struct conn *c;
	struct xsd_sockmsg hdr;
	const char *data;
	uint32_t len;
	struct txn *t;
	struct store_req sr;
};

struct wire_op {
	const char *name;
	int (*fn)(struct req *rq);
	unsigned flags;
};

static int reply(struct req *rq, const void *data, uint32_t len)
{
	if (len > XENSTORE_PAYLOAD_MAX)
		return -E2BIG; /* as Xen's send_reply */
	return conn_queue(rq->c, &rq->hdr, rq->hdr.type, data, len, false);
}

static int reply_ok(struct req *rq)
{
	return reply(rq, "OK", 3);
}

static int one_path(struct req *rq, bool special, const char **path)
{
	const char *arg;
	int rc = wire_one_arg(rq->data, rq->len, &arg);

	if (rc)
		return rc;
	return store_canonical(rq->sr.a, &rq->c->who, &rq->c->x->q, arg,
			       special, path);
}

static int do_read(struct req *rq)
{
	const char *path, *val;
	uint32_t len;
	int rc = one_path(rq, false, &path);

	if (!rc)
		rc = store_read(&rq->sr, path, &val, &len);
	return rc ? rc : reply(rq, val, len);
}

static int do_write(struct req *rq)
{
	const char *nul = memchr(rq->data, '\0', rq->len);
	const char *path;
	int rc;

	if (!nul)
		return -EINVAL;
	rc = store_canonical(rq->sr.a, &rq->c->who, &rq->c->x->q, rq->data,
			     false, &path);
	if (!rc)
		rc = store_write(&rq->sr, path, nul + 1,
				 (uint32_t)(rq->data + rq->len - nul - 1));
	return rc ? rc : reply_ok(rq);
}

static int do_mkdir(struct req *rq)
{
	const char *path;
	int rc = one_path(rq, false, &path);

	if (!rc)
		rc = store_mkdir(&rq->sr, path);
	return rc ? rc : reply_ok(rq);
}

static int do_rm(struct req *rq)
{
	const char *path;
	int rc = one_path(rq, false, &path);

	if (!rc)
		rc = store_rm(&rq->sr, path);
	return rc ? rc : reply_ok(rq);
}

/* Child names joined with NULs, each terminated. */
static int join_names(struct req *rq, const char **names, unsigned n,
		      char **out, size_t *len)
{
	size_t total = 0;
	char *p;

	for (unsigned i = 0; i < n; i++)
		total += strlen(names[i]) + 1;
	p = xarena_alloc(rq->sr.a, total + 1);
	if (!p)
		return -ENOMEM;
	*out = p;
	*len = total;
	for (unsigned i = 0; i < n; i++)
		p = stpcpy(p, names[i]) + 1;
	return 0;
}

static int do_directory(struct req *rq)
{
	const char *path, **names;
	unsigned n;
	char *buf;
	size_t len;
	int rc = one_path(rq, false, &path);

	if (!rc)
		rc = store_directory(&rq->sr, path, &names, &n);
	if (!rc)
		rc = join_names(rq, names, n, &buf, &len);
	if (rc)
		return rc;
	if (len > XENSTORE_PAYLOAD_MAX)
		return -E2BIG;
	return reply(rq, buf, (uint32_t)len);
}

/* gen\0 then whole names from byte offset off while they fit; the last
 * chunk ends with an extra NUL (Xen's send_directory_part). */
static int do_directory_part(struct req *rq)
{
	const char *vec[2], *path, **names;
	unsigned count, n;
	unsigned long off;
	uint64_t gen;
	char *all, *out;
	size_t all_len, glen, len = 0;
	int rc = wire_split(rq->data, rq->len, vec, 2, &count);

	if (!rc && count != 2)
		rc = -EINVAL;
	if (!rc)
		rc = wire_parse_uint(vec[1], 1ul << 31, &off);
	if (!rc)
		rc = store_canonical(rq->sr.a, &rq->c->who, &rq->c->x->q,
				     vec[0], false, &path);
	if (!rc)
		rc = store_node_gen(&rq->sr, path, &gen);
	if (!rc)
		rc = store_directory(&rq->sr, path, &names, &n);
	if (!rc)
		rc = join_names(rq, names, n, &all, &all_len);
	if (rc)
		return rc;
	out = xarena_alloc(rq->sr.a, XENSTORE_PAYLOAD_MAX + 32);
	if (!out)
		return -ENOMEM;
	glen = (size_t)sprintf(out, "%llu", (unsigned long long)gen) + 1;
	if (off >= all_len) {
		out[glen] = '\0';
		return reply(rq, out, (uint32_t)glen + 1);
	}
	while (off + len < all_len) {
		size_t l = strlen(all + off + len) + 1;

		if (glen + len + l + 1 > XENSTORE_PAYLOAD_MAX)
			break;
		len += l;
	}
	memcpy(out + glen, all + off, len);
	if (off + len == all_len)
		out[glen + len++] = '\0';
	return reply(rq, out, (uint32_t)(glen + len));
}

static int do_get_perms(struct req *rq)
{
	const char *path;
	const struct store_perm *perms;
	uint32_t n;
	char *buf, *p;
	int rc = one_path(rq, true, &path);

	if (!rc)
		rc = store_get_perms(&rq->sr, path, &perms, &n);
	if (rc)
		return rc;
	buf = p = xarena_alloc(rq->sr.a, (size_t)n * 8 + 1);
	if (!buf)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++)
		p += store_perm_format(&perms[i], p) + 1;
	return reply(rq, buf, (uint32_t)(p - buf));
}

static int do_set_perms(struct req *rq)
{
	const char *vec[1], *path;
	struct store_perm *perms;
	unsigned count, n;
	const char *p, *end = rq->data + rq->len;
	int rc = wire_split(rq->data, rq->len, vec, 1, &count);

	if (rc || count < 2)
		return -EINVAL;
	rc = store_canonical(rq->sr.a, &rq->c->who, &rq->c->x->q, vec[0],
			     true, &path);
	if (rc)
		return rc;
	n = count - 1;
	perms = xarena_alloc(rq->sr.a, n * sizeof(*perms));
	if (!perms)
		return -ENOMEM;
	p = vec[0] + strlen(vec[0]) + 1;
	for (unsigned i = 0; i < n && p < end; i++, p += strlen(p) + 1) {
		rc = store_perm_parse(p, &perms[i]);
		if (rc)
			return rc;
	}
	rc = store_set_perms(&rq->sr, path, perms, n);
	return rc ? rc : reply_ok(rq);
}

static int do_watch(struct req *rq)
{
	const char *vec[2], *path;
	unsigned count;
	struct conn *c = rq->c;
	bool relative;
	int rc = wire_split(rq->data, rq->len, vec, 2, &count);

	if (rc || count != 2)
		return -EINVAL;
	relative = vec[0][0] != '/' && vec[0][0] != '@';
	rc = store_canonical(rq->sr.a, &c->who, &c->x->q, vec[0], true, &path);
	if (!rc)
		rc = watch_add(c->x->ws, c, path, vec[1],
			       relative ? c->home : NULL,
			       c->who.priv ? 0 : c->x->q.watches);
	if (!rc)
		rc = reply_ok(rq);
	/* The initial event, after the reply, with the path as given. */
	if (!rc)
		conn_queue_event(c, vec[0], vec[1]);
	return rc;
}

static int do_unwatch(struct req *rq)
{
	const char *vec[2], *path;
	unsigned count;
	int rc = wire_split(rq->data, rq->len, vec, 2, &count);

	if (rc || count != 2)
		return -EINVAL;
	rc = store_canonical(rq->sr.a, &rq->c->who, &rq->c->x->q, vec[0],
			     true, &path);
	if (!rc)
		rc = watch_remove(rq->c->x->ws, rq->c, path, vec[1]);
	return rc ? rc : reply_ok(rq);
}

static int do_reset_watches(struct req *rq)
{
	watch_remove_owner(rq->c->x->ws, rq->c);
	conn_drop_txns(rq->c);
	return reply_ok(rq);
}

static int do_txn_start(struct req *rq)
{
	struct conn *c = rq->c;
	struct txn **v, *t;
	char buf[16];
	uint32_t id;

	if (rq->t)
		return -EBUSY;
	if (!c->who.priv && c->ntxns > c->x->q.txns)
		return -ENOSPC;
	do {
		id = c->next_txid++;
	} while (id == 0 || conn_find_txn(c, id));
	v = realloc(c->txns, (c->ntxns + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	c->txns = v;
	t = txn_new(c->x->st, id, c->who.priv ? 0 : c->x->q.txn_nodes,
		    c->who.domid);
	if (!t)
		return -ENOMEM;
	c->txns[c->ntxns++] = t;
	return reply(rq, buf, (uint32_t)sprintf(buf, "%u", id) + 1);
}

static int do_txn_end(struct req *rq)
{
	struct conn *c = rq->c;
	const char *arg;
	int rc = wire_one_arg(rq->data, rq->len, &arg);

	if (rc || (strcmp(arg, "T") && strcmp(arg, "F")))
		return -EINVAL;
	if (!rq->t)
		return -ENOENT;
	for (unsigned i = 0; i < c->ntxns; i++) {
		if (c->txns[i] == rq->t) {
			c->txns[i] = c->txns[--c->ntxns];
			break;
		}
	}
	if (arg[0] == 'T') {
		rc = txn_commit(rq->t);
	}
	txn_free(rq->t);
	rq->t = NULL;
	return rc ? rc : reply_ok(rq);
}

static int domid_arg(const char *s, store_domid_t *out)
{
	unsigned long v;
	int rc = wire_parse_uint(s, 0xffff, &v);

	if (!rc)
		*out = (store_domid_t)v;
	return rc;
}

static int do_get_domain_path(struct req *rq)
{
	const char *arg;
	char buf[40];
	int rc = wire_one_arg(rq->data, rq->len, &arg);

	if (rc)
		return rc;
	/* Xen uses atoi here: garbage reads as 0. */
	return reply(rq, buf, (uint32_t)snprintf(buf, sizeof(buf),
						 "/local/domain/%d",
						 atoi(arg) & 0xffff) + 1);
}

static int do_introduce(struct req *rq)
{
	const char *vec[3];
	unsigned count;
	unsigned long gfn, port;
	store_domid_t domid;
	int fds[3] = { -1, -1, -1 };
	int rc = wire_split(rq->data, rq->len, vec, 3, &count);

	if (rc || count < 3)
		return -EINVAL;
	if (domid_arg(vec[0], &domid) || domid == 0 || domid >= 0x7ff0 ||
	    wire_parse_uint(vec[1], ~0ul >> 12, &gfn) ||
	    wire_parse_uint(vec[2], 0xffffffffu, &port) || port == 0)
		return -EINVAL;
	if (rq->c->nfds >= 3)
		for (int i = 0; i < 3; i++)
			fds[i] = conn_take_fd(rq->c);
	rc = domain_introduce(rq->c->x, domid, gfn, (uint32_t)port, fds[0],
			      fds[1], fds[2]);
	return rc ? rc : reply_ok(rq);
}

static int one_domid(struct req *rq, store_domid_t *domid)
{
	const char *arg;
	int rc = wire_one_arg(rq->data, rq->len, &arg);

	return rc ? rc : domid_arg(arg, domid);
}

static int do_release(struct req *rq)
{
	store_domid_t domid;
	int rc = one_domid(rq, &domid);

	if (!rc)
		rc = domain_release(rq->c->x, domid);
	return rc ? rc : reply_ok(rq);
}

static int do_resume(struct req *rq)
{
	store_domid_t domid;
	int rc = one_domid(rq, &domid);

	if (!rc)
		rc = domain_resume(rq->c->x, domid);
	return rc ? rc : reply_ok(rq);
}

static int do_is_introduced(struct req *rq)
{
	store_domid_t domid;
	int rc = one_domid(rq, &domid);

	if (rc)
		return rc;
	return reply(rq, domain_is_introduced(rq->c->x, domid) ? "T" : "F", 2);
}

static int do_set_target(struct req *rq)
{
	const char *vec[2];
	unsigned count;
	store_domid_t domid, target;
	int rc = wire_split(rq->data, rq->len, vec, 2, &count);

	if (rc || count != 2 || domid_arg(vec[0], &domid) ||
	    domid_arg(vec[1], &target))
		return -EINVAL;
	rc = domain_set_target(rq->c->x, domid, target);
	return rc ? rc : reply_ok(rq);
}

static int do_control(struct req *rq)
{
	const char *vec[8], *out;
	unsigned count;
	uint32_t len;
	int rc = wire_split(rq->data, rq->len, vec, 8, &count);

	if (rc || count < 1)
		return -EINVAL;
	rc = control_run(rq->c, vec, count < 8 ? count : 8, rq->sr.a, &out,
			 &len);
	return rc ? rc : reply(rq, out, len);
}

static const struct wire_op wire_ops[XS_TYPE_COUNT] = {
	[XS_CONTROL] = { "CONTROL", do_control, OP_PRIV },
	[XS_DIRECTORY] = { "DIRECTORY", do_directory, 0 },
	[XS_READ] = { "READ", do_read, 0 },
	[XS_GET_PERMS] = { "GET_PERMS", do_get_perms, 0 },
	[XS_WATCH] = { "WATCH", do_watch, OP_NOTID },
	[XS_UNWATCH] = { "UNWATCH", do_unwatch, OP_NOTID },
	[XS_TRANSACTION_START] = { "TRANSACTION_START", do_txn_start, OP_WRITE },
	[XS_TRANSACTION_END] = { "TRANSACTION_END", do_txn_end, OP_WRITE },
	[XS_INTRODUCE] = { "INTRODUCE", do_introduce, OP_PRIV | OP_WRITE },
	[XS_RELEASE] = { "RELEASE", do_release, OP_PRIV | OP_WRITE },
	[XS_GET_DOMAIN_PATH] = { "GET_DOMAIN_PATH", do_get_domain_path, 0 },
	[XS_WRITE] = { "WRITE", do_write, OP_WRITE },
	[XS_MKDIR] = { "MKDIR", do_mkdir, OP_WRITE },
	[XS_RM] = { "RM", do_rm, OP_WRITE },
	[XS_SET_PERMS] = { "SET_PERMS", do_set_perms, OP_WRITE },
	[XS_WATCH_EVENT] = { "WATCH_EVENT", NULL, 0 },
	[XS_ERROR] = { "ERROR", NULL, 0 },
	[XS_IS_DOMAIN_INTRODUCED] = { "IS_DOMAIN_INTRODUCED", do_is_introduced,
				      OP_PRIV },
	[XS_RESUME] = { "RESUME", do_resume, OP_PRIV | OP_WRITE },
	[XS_SET_TARGET] = { "SET_TARGET", do_set_target, OP_PRIV | OP_WRITE },
	[XS_RESET_WATCHES] = { "RESET_WATCHES", do_reset_watches, OP_NOTID },
	[XS_DIRECTORY_PART] = { "DIRECTORY_PART", do_directory_part, 0 },
};

static int run_op(struct req *rq)
{
	const struct wire_op *op;
	struct conn *c = rq->c;

	if (rq->hdr.type >= XS_TYPE_COUNT || !wire_ops[rq->hdr.type].fn)
		return -ENOSYS;
	op = &wire_ops[rq->hdr.type];
	if (!(op->flags & OP_NOTID) && rq->hdr.tx_id) {
		rq->t = conn_find_txn(c, rq->hdr.tx_id);
		if (!rq->t)
			return -ENOENT;
		rq->sr.layer = txn_layer(rq->t);
	}
	if (op->flags & OP_PRIV && !c->who.priv)
		return -EACCES;
	if (op->flags & OP_WRITE && c->read_only)
		return -EROFS;
	return op->fn(rq);
}

void ops_dispatch(struct conn *c, const struct xsd_sockmsg *hdr,
		  const char *payload)
{
	struct xsd *x = c->x;
	struct req rq = { .c = c, .hdr = *hdr, .len = hdr->len };
	char *data = xarena_alloc(&x->arena, hdr->len + 1);
	int rc;

	rq.sr = (struct store_req){ .st = x->st, .layer = store_main_layer(x->st),
				    .who = c->who, .q = &x->q, .a = &x->arena };
	if (data) {
		/* Copied once: the source may be a ring the guest can change. */
		memcpy(data, payload, hdr->len);
		data[hdr->len] = '\0';
		rq.data = data;
		rc = run_op(&rq);
	} else {
		rc = -ENOMEM;
	}
	if (rc) {
		const char *name = wire_error_name(rc);

		log_debug("d%u %s: %s", c->who.domid, wire_op_name(hdr->type),
			  name);
		(void)conn_queue(c, hdr, XS_ERROR, name,
				 (uint32_t)strlen(name) + 1, false);
	}
	/* Changes reach the journal before the reply can leave. */
	if (x->j)
		journal_commit(x->j);
	xarena_reset(&x->arena);
}
