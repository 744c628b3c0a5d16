/* xenstore/liveupdate.c: see liveupdate.h.
 *
 * State file (host byte order, written then read by the same binary
 * family; version-checked):
 *   "KXLU" u32 version, i32 listen_fd, i32 listen_ro_fd
 *   u32 ndomains, each: u16 domid, u16 target, u64 gfn, u32 port,
 *                       i32 page_fd, i32 kick_fd, i32 notify_fd
 *   u32 nconns, each: i32 fd (-1: the ring of domain domid), u16 domid,
 *                     u8 read_only, blob input, blob output,
 *                     u32 nwatches, each: str path, str token, str home
 * blob/str: u32 length then bytes. Fds are inherited across exec. */
#include "xenstore/liveupdate.h"
#include "xenstore/journal.h"
#include "xenstore/watch.h"
#include "xenstore/xenstored.h"
#include "lib/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#define LU_VERSION 1

static void keep_fd(int fd)
{
	int fl = fd >= 0 ? fcntl(fd, F_GETFD) : -1;

	if (fl >= 0)
		fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC);
}

static void put(FILE *f, const void *p, size_t n)
{
	fwrite(p, 1, n, f);
}

static void put_u32(FILE *f, uint32_t v)
{
	put(f, &v, 4);
}

static void put_str(FILE *f, const char *s, size_t n)
{
	put_u32(f, (uint32_t)n);
	put(f, s, n);
}

static int save_watch(void *ctx, const char *path, const char *token,
		      const char *home)
{
	FILE *f = ctx;

	put_str(f, path, strlen(path));
	put_str(f, token, strlen(token));
	put_str(f, home ? home : "", home ? strlen(home) : 0);
	return 0;
}

static void save_conn(FILE *f, struct xsd *x, struct conn *c)
{
	int32_t fd = c->dom ? -1 : c->fd;
	uint8_t ro = c->read_only;
	uint32_t out = 0;

	keep_fd(c->fd);
	put(f, &fd, 4);
	put(f, &c->who.domid, 2);
	put(f, &ro, 1);
	put_str(f, (const char *)c->in, c->in_len);
	for (struct outmsg *m = c->out_head; m; m = m->next)
		out += m->len - m->off;
	put_u32(f, out);
	for (struct outmsg *m = c->out_head; m; m = m->next)
		put(f, m->data + m->off, m->len - m->off);
	put_u32(f, watch_count(x->ws, c));
	watch_each(x->ws, c, save_watch, f);
}

static void save_domain(FILE *f, struct domain *d)
{
	store_domid_t domid, target;
	uint64_t gfn;
	uint32_t port;
	int fds[3];

	domain_describe(d, &domid, &gfn, &port, fds, &target);
	put(f, &domid, 2);
	put(f, &target, 2);
	put(f, &gfn, 8);
	put_u32(f, port);
	for (int i = 0; i < 3; i++) {
		keep_fd(fds[i]);
		put(f, &fds[i], 4);
	}
}

static int save_state(struct xsd *x, const char *file)
{
	FILE *f = fopen(file, "we");
	uint32_t n = 0;

	if (!f)
		return -errno;
	put(f, "KXLU", 4);
	put_u32(f, LU_VERSION);
	keep_fd(x->listen_fd);
	keep_fd(x->listen_ro_fd);
	put(f, &x->listen_fd, 4);
	put(f, &x->listen_ro_fd, 4);
	for (struct domain *d = domain_next(x, NULL); d; d = domain_next(x, d))
		n++;
	put_u32(f, n);
	for (struct domain *d = domain_next(x, NULL); d; d = domain_next(x, d))
		save_domain(f, d);
	n = 0;
	for (struct conn *c = x->conns; c; c = c->next)
		n += !c->dead;
	put_u32(f, n);
	for (struct conn *c = x->conns; c; c = c->next)
		if (!c->dead)
			save_conn(f, x, c);
	return fclose(f) ? -errno : 0;
}

void liveupdate_exec(struct xsd *x)
{
	char file[4096], **argv;
	int argc = 0, n = 0, rc;

	snprintf(file, sizeof(file), "%s/live-update.state", x->state_dir);
	if (!x->j || journal_compact(x->j)) {
		log_error(0, "live update: cannot write the snapshot");
		return;
	}
	rc = save_state(x, file);
	if (rc) {
		log_error(-rc, "live update: %s", file);
		return;
	}
	while (x->argv[argc])
		argc++;
	argv = calloc((size_t)argc + 3, sizeof(*argv));
	if (!argv)
		return;
	for (int i = 0; i < argc; i++) {
		if (strcmp(x->argv[i], "--live-restore") == 0) {
			i++;
			continue;
		}
		argv[n++] = x->argv[i];
	}
	argv[n++] = "--live-restore";
	argv[n++] = file;
	log_info("live update: restarting");
	execv(x->lu_binary[0] ? x->lu_binary : "/proc/self/exe", argv);
	log_error(errno, "live update: exec");
	free(argv);
}

/* ---- restore ---- */

struct reader {
	FILE *f;
	bool bad;
};

static void get(struct reader *r, void *p, size_t n)
{
	if (fread(p, 1, n, r->f) != n) {
		r->bad = true;
		memset(p, 0, n);
	}
}

static uint32_t get_u32(struct reader *r)
{
	uint32_t v;

	get(r, &v, 4);
	return v;
}

/* A malloc'd NUL-terminated string; NULL on error. */
static char *get_str(struct reader *r, uint32_t *len)
{
	uint32_t n = get_u32(r);
	char *s;

	if (r->bad || n > CONN_OUT_MAX * 2)
		return r->bad = true, NULL;
	s = malloc(n + 1);
	if (!s)
		return r->bad = true, NULL;
	get(r, s, n);
	s[n] = '\0';
	if (len)
		*len = n;
	return s;
}

static void restore_domain(struct xsd *x, struct reader *r)
{
	store_domid_t domid, target;
	uint64_t gfn;
	uint32_t port;
	int32_t fds[3];

	get(r, &domid, 2);
	get(r, &target, 2);
	get(r, &gfn, 8);
	port = get_u32(r);
	get(r, fds, sizeof(fds));
	if (r->bad || domain_restore(x, domid, gfn, port, target, fds[0],
				     fds[1], fds[2]))
		log_warn(0, "live update: d%u not restored", domid);
}

static struct conn *restore_socket(struct xsd *x, int fd, bool ro)
{
	const struct store_who who = { .domid = 0, .target = STORE_DOMID_NONE,
				       .priv = true };
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT };
	struct conn *c = conn_new(x, &conn_socket_transport, fd, &who);

	if (!c)
		return NULL;
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	c->read_only = ro;
	c->ev_mask = ev.events;
	ev.data.ptr = &c->poll;
	epoll_ctl(x->epfd, EPOLL_CTL_ADD, fd, &ev);
	return c;
}

static void restore_conn(struct xsd *x, struct reader *r)
{
	int32_t fd;
	store_domid_t domid;
	uint8_t ro;
	uint32_t in_len, out_len, nw;
	char *in = NULL, *out = NULL;
	struct conn *c;

	get(r, &fd, 4);
	get(r, &domid, 2);
	get(r, &ro, 1);
	in = get_str(r, &in_len);
	out = get_str(r, &out_len);
	c = r->bad ? NULL : fd >= 0 ? restore_socket(x, fd, ro) :
		     domain_conn(x, domid);
	if (c && in_len <= sizeof(c->in)) {
		memcpy(c->in, in, in_len);
		c->in_len = in_len;
	}
	if (c && out_len && conn_queue_raw(c, out, out_len))
		log_warn(0, "live update: d%u output lost", domid);
	nw = get_u32(r);
	for (uint32_t i = 0; i < nw && !r->bad; i++) {
		char *p = get_str(r, NULL), *t = get_str(r, NULL),
		     *h = get_str(r, NULL);

		if (c && p && t && h &&
		    watch_add(x->ws, c, p, t, h[0] ? h : NULL, 0))
			log_warn(0, "live update: watch %s lost", p);
		free(p);
		free(t);
		free(h);
	}
	free(in);
	free(out);
}

int liveupdate_restore(struct xsd *x, const char *file)
{
	struct reader r = { .f = fopen(file, "re") };
	char magic[4];
	uint32_t n;

	if (!r.f)
		return -errno;
	get(&r, magic, 4);
	if (r.bad || memcmp(magic, "KXLU", 4) || get_u32(&r) != LU_VERSION) {
		fclose(r.f);
		return -EINVAL;
	}
	get(&r, &x->listen_fd, 4);
	get(&r, &x->listen_ro_fd, 4);
	fcntl(x->listen_fd, F_SETFD, FD_CLOEXEC);
	if (x->listen_ro_fd >= 0)
		fcntl(x->listen_ro_fd, F_SETFD, FD_CLOEXEC);
	n = get_u32(&r);
	for (uint32_t i = 0; i < n && !r.bad; i++)
		restore_domain(x, &r);
	n = get_u32(&r);
	for (uint32_t i = 0; i < n && !r.bad; i++)
		restore_conn(x, &r);
	fclose(r.f);
	unlink(file);
	/* Requests that were waiting in a paused client's buffer: nothing
	 * else will make us look at them again. */
	for (struct conn *c = x->conns; c; c = c->next)
		if (!c->dom && c->in_len)
			conn_process_input(c);
	log_info("live update: restored %u nodes", store_node_count(x->st));
	return r.bad ? -EINVAL : 0;
}
