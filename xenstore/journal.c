/* xenstore/journal.c: snapshot + write-ahead journal (see journal.h).
 *
 * File layout (little-endian, host order as written):
 *   header: magic "KXSS" (snapshot) or "KXSJ" (journal), u32 version,
 *           u64 seq, char boot_id[40]
 *   records: u32 crc32(body), u32 body length, body
 *   body: 'P' u32 plen u32 vlen u32 nperms path value perms[nperms]{u16,u8,u8}
 *         'D' u32 plen path
 *         'I' u16 domid u64 gfn u32 port      (domain introduced)
 *         'R' u16 domid                       (domain released) */
#include "xenstore/journal.h"
#include "lib/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define JOURNAL_VERSION 1
#define JOURNAL_MAX_DOMS 4096
#define JOURNAL_COMPACT_MIN (4u << 20)
#define JOURNAL_PREALLOC (2 * JOURNAL_COMPACT_MIN)

struct file_hdr {
	char magic[4];
	uint32_t version;
	uint64_t seq;
	char boot_id[40];
};

struct journal {
	struct store *st;
	char *dir;
	int fd;
	bool sync;
	uint64_t seq;
	char boot_id[40];
	char *buf;
	size_t len, cap;
	size_t written, snap_size;
	off_t off; /* where the next journal record goes */
	struct journal_domain *doms;
	size_t ndoms;
};

static uint32_t crc32(const void *data, size_t n)
{
	static uint32_t table[256];
	const unsigned char *p = data;
	uint32_t c = 0xffffffffu;

	if (!table[1])
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t v = i;

			for (int k = 0; k < 8; k++)
				v = v & 1 ? 0xedb88320u ^ (v >> 1) : v >> 1;
			table[i] = v;
		}
	while (n--)
		c = table[(c ^ *p++) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffu;
}

static void read_boot_id(char out[40])
{
	int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
	ssize_t r = fd >= 0 ? read(fd, out, 39) : -1;

	memset(out + (r > 0 ? r : 0), 0, 40 - (size_t)(r > 0 ? r : 0));
	if (fd >= 0)
		close(fd);
}

static int buf_reserve(struct journal *j, size_t n)
{
	if (j->len + n > j->cap) {
		size_t cap = (j->cap ? j->cap * 2 : 65536);
		char *b;

		while (cap < j->len + n)
			cap *= 2;
		b = realloc(j->buf, cap);
		if (!b)
			return -ENOMEM;
		j->buf = b;
		j->cap = cap;
	}
	return 0;
}

/* Start a record; body bytes follow with put_bytes; end_record seals it. */
static size_t begin_record(struct journal *j)
{
	size_t at = j->len;

	if (buf_reserve(j, 8) == 0)
		j->len += 8;
	return at;
}

static void put_bytes(struct journal *j, const void *p, size_t n)
{
	if (buf_reserve(j, n) == 0) {
		memcpy(j->buf + j->len, p, n);
		j->len += n;
	}
}

static void end_record(struct journal *j, size_t at)
{
	uint32_t len = (uint32_t)(j->len - at - 8);
	uint32_t crc = crc32(j->buf + at + 8, len);

	memcpy(j->buf + at, &crc, 4);
	memcpy(j->buf + at + 4, &len, 4);
}

static void rec_put(struct journal *j, const char *path,
		    const struct store_nodeval *nv)
{
	size_t at = begin_record(j);
	uint32_t plen = (uint32_t)strlen(path);

	put_bytes(j, "P", 1);
	put_bytes(j, &plen, 4);
	put_bytes(j, &nv->vlen, 4);
	put_bytes(j, &nv->nperms, 4);
	put_bytes(j, path, plen);
	put_bytes(j, nv->value, nv->vlen);
	for (uint32_t i = 0; i < nv->nperms; i++) {
		uint8_t p[4] = { (uint8_t)nv->perms[i].domid,
				 (uint8_t)(nv->perms[i].domid >> 8),
				 nv->perms[i].access, 0 };

		put_bytes(j, p, 4);
	}
	end_record(j, at);
}

static void rec_dom(struct journal *j, const struct journal_domain *d,
		    bool introduced)
{
	size_t at = begin_record(j);

	put_bytes(j, introduced ? "I" : "R", 1);
	put_bytes(j, &d->domid, 2);
	if (introduced) {
		put_bytes(j, &d->gfn, 8);
		put_bytes(j, &d->port, 4);
	}
	end_record(j, at);
}

void journal_put(struct journal *j, const char *path,
		 const struct store_nodeval *nv)
{
	rec_put(j, path, nv);
}

void journal_del(struct journal *j, const char *path)
{
	size_t at = begin_record(j);
	uint32_t plen = (uint32_t)strlen(path);

	put_bytes(j, "D", 1);
	put_bytes(j, &plen, 4);
	put_bytes(j, path, plen);
	end_record(j, at);
}

static void doms_update(struct journal *j, const struct journal_domain *d,
			bool introduced)
{
	for (size_t i = 0; i < j->ndoms; i++) {
		if (j->doms[i].domid == d->domid) {
			if (introduced)
				j->doms[i] = *d;
			else
				j->doms[i] = j->doms[--j->ndoms];
			return;
		}
	}
	if (introduced && j->ndoms < JOURNAL_MAX_DOMS)
		j->doms[j->ndoms++] = *d;
}

void journal_domain(struct journal *j, const struct journal_domain *d,
		    bool introduced)
{
	doms_update(j, d, introduced);
	rec_dom(j, d, introduced);
}

static int write_all(int fd, const void *p, size_t n)
{
	while (n) {
		ssize_t r = write(fd, p, n);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p = (const char *)p + r;
		n -= (size_t)r;
	}
	return 0;
}

static int pwrite_all(int fd, const void *p, size_t n, off_t off)
{
	while (n) {
		ssize_t r = pwrite(fd, p, n, off);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p = (const char *)p + r;
		n -= (size_t)r;
		off += r;
	}
	return 0;
}

static char *state_path(const struct journal *j, const char *name)
{
	char *p = NULL;

	if (asprintf(&p, "%s/%s", j->dir, name) < 0)
		return NULL;
	return p;
}

/* Write header + body to name.tmp, fsync, rename over name. */
static int write_file(struct journal *j, const char *name, const char *magic,
		      const void *body, size_t len, int *fd_out)
{
	struct file_hdr h = { .version = JOURNAL_VERSION, .seq = j->seq };
	char *path = state_path(j, name), *tmp = NULL;
	int fd = -1, rc;

	memcpy(h.magic, magic, 4);
	memcpy(h.boot_id, j->boot_id, sizeof(h.boot_id));
	if (!path || asprintf(&tmp, "%s.tmp", path) < 0) {
		rc = -ENOMEM;
		goto out;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	rc = write_all(fd, &h, sizeof(h));
	if (!rc)
		rc = write_all(fd, body, len);
	if (!rc && fsync(fd) < 0)
		rc = -errno;
	if (!rc && rename(tmp, path) < 0)
		rc = -errno;
	if (!rc && fd_out) {
		*fd_out = fd;
		fd = -1;
	}
out:
	if (fd >= 0)
		close(fd);
	free(tmp);
	free(path);
	return rc;
}

static int snap_node(void *ctx, const char *path, const struct store_nodeval *nv)
{
	rec_put(ctx, path, nv);
	return 0;
}

int journal_compact(struct journal *j)
{
	char *saved = j->buf;
	size_t saved_len = j->len, saved_cap = j->cap;
	int rc, fd, dfd;

	/* Build the snapshot in a fresh buffer; pending records are part of
	 * the tree already, so they are dropped with the old journal. */
	j->buf = NULL;
	j->len = j->cap = 0;
	j->seq++;
	store_walk(j->st, snap_node, j);
	for (size_t i = 0; i < j->ndoms; i++)
		rec_dom(j, &j->doms[i], true);
	rc = write_file(j, "snapshot", "KXSS", j->buf, j->len, NULL);
	j->snap_size = j->len;
	free(j->buf);
	j->buf = saved;
	j->cap = saved_cap;
	j->len = 0;
	(void)saved_len;
	if (rc)
		return rc;
	rc = write_file(j, "journal", "KXSJ", NULL, 0, &fd);
	if (rc)
		return rc;
	if (j->fd >= 0)
		close(j->fd);
	j->fd = fd;
	j->written = 0;
	j->off = sizeof(struct file_hdr);
	/* Preallocated and zeroed: appends then overwrite blocks inside the
	 * file instead of growing it, which costs a metadata update per
	 * write on ext4. A zero record header ends the replay. */
	if (fallocate(fd, 0, 0, JOURNAL_PREALLOC) < 0)
		log_debug("journal: fallocate: %s", strerror(errno));
	dfd = open(j->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

void journal_commit(struct journal *j)
{
	int rc;

	if (!j->len)
		return;
	if (j->fd < 0) {
		j->len = 0;
		return;
	}
	rc = pwrite_all(j->fd, j->buf, j->len, j->off);
	j->off += j->len;
	if (!rc && j->sync && fdatasync(j->fd) < 0)
		rc = -errno;
	if (rc)
		log_error(-rc, "journal write");
	j->written += j->len;
	j->len = 0;
	if (j->cap > (1u << 20)) {
		free(j->buf);
		j->buf = NULL;
		j->cap = 0;
	}
	if (j->written > JOURNAL_COMPACT_MIN && j->written > 2 * j->snap_size) {
		rc = journal_compact(j);
		if (rc)
			log_error(-rc, "journal compaction");
	}
}

static uint32_t get_u32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* 'P' u32 plen u32 vlen u32 nperms path value perms */
static bool apply_put(struct journal *j, const unsigned char *b, size_t n)
{
	struct store_layer main = store_main_layer(j->st);
	uint32_t plen, vlen, np;
	struct store_perm *perms;
	char *path;
	bool ok;

	if (n < 13)
		return false;
	plen = get_u32(b + 1);
	vlen = get_u32(b + 5);
	np = get_u32(b + 9);
	if (plen == 0 || plen > 4096 || vlen > 4096 || np > 4096 ||
	    n != 13 + (size_t)plen + vlen + 4 * (size_t)np)
		return false;
	path = strndup((const char *)b + 13, plen);
	perms = calloc(np ? np : 1, sizeof(*perms));
	ok = path && perms;
	for (uint32_t i = 0; ok && i < np; i++) {
		const unsigned char *p = b + 13 + plen + vlen + 4 * i;

		perms[i].domid = (store_domid_t)(p[0] | p[1] << 8);
		perms[i].access = p[2] & 3;
	}
	if (ok && strlen(path) != plen)
		ok = false; /* a NUL inside the path */
	if (ok && path[0] == '@' && np) {
		(void)store_special_set_perms(j->st, path, perms, np);
	} else if (ok && store_path_ok(path)) {
		struct store_nodeval nv = { .value = (const char *)b + 13 + plen,
					    .vlen = vlen, .perms = perms,
					    .nperms = np };

		(void)main.ops->put(main.ctx, path, &nv, STORE_EV_NONE);
	}
	free(path);
	free(perms);
	return ok;
}

/* Apply one record body; false if malformed. */
static bool apply_record(struct journal *j, const unsigned char *b, size_t n)
{
	struct store_layer main = store_main_layer(j->st);
	struct journal_domain d = { 0 };

	if (n < 1)
		return false;
	switch (b[0]) {
	case 'P':
		return apply_put(j, b, n);
	case 'D': {
		char *path;

		if (n < 5 || n != 5 + (size_t)get_u32(b + 1))
			return false;
		path = strndup((const char *)b + 5, n - 5);
		if (path && strlen(path) == n - 5 && store_path_ok(path))
			(void)main.ops->del(main.ctx, path, STORE_EV_NONE);
		free(path);
		return path != NULL;
	}
	case 'I':
		if (n != 15)
			return false;
		memcpy(&d.domid, b + 1, 2);
		memcpy(&d.gfn, b + 3, 8);
		memcpy(&d.port, b + 11, 4);
		doms_update(j, &d, true);
		return true;
	case 'R':
		if (n != 3)
			return false;
		memcpy(&d.domid, b + 1, 2);
		doms_update(j, &d, false);
		return true;
	}
	return false;
}

/* Load one file; -ENOENT if absent or not from this boot/sequence. */
/* Apply records from off on; returns where replay stopped (a torn or bad
 * record ends it, as does the zeroed preallocated tail). */
static size_t replay(struct journal *j, const unsigned char *data,
		     size_t size, size_t off)
{
	while (off + 8 <= size) {
		uint32_t crc = get_u32(data + off), len = get_u32(data + off + 4);

		if (!crc && !len)
			return size; /* the preallocated, unwritten part */
		if (len > size - off - 8 || crc32(data + off + 8, len) != crc ||
		    !apply_record(j, data + off + 8, len))
			return off;
		off += 8 + len;
	}
	return off < size ? off : size;
}

static int load_file(struct journal *j, const char *name, const char *magic,
		     bool set_seq)
{
	char *path = state_path(j, name);
	unsigned char *data = NULL;
	struct file_hdr h;
	struct stat sb;
	size_t end;
	int fd = -1, rc = -ENOENT;

	if (!path)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) < 0 || (size_t)sb.st_size < sizeof(h))
		goto out;
	data = malloc((size_t)sb.st_size);
	if (!data || read(fd, data, (size_t)sb.st_size) != sb.st_size)
		goto out;
	memcpy(&h, data, sizeof(h));
	if (memcmp(h.magic, magic, 4) || h.version != JOURNAL_VERSION ||
	    memcmp(h.boot_id, j->boot_id, sizeof(h.boot_id)) ||
	    (!set_seq && h.seq != j->seq))
		goto out;
	if (set_seq)
		j->seq = h.seq;
	end = replay(j, data, (size_t)sb.st_size, sizeof(h));
	if (end < (size_t)sb.st_size)
		log_warn(0, "%s: torn or bad record at %zu, rest ignored", path,
			 end);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(data);
	free(path);
	return rc;
}

size_t journal_replay_buffer(struct store *st, const void *data, size_t len)
{
	struct journal j = { .st = st, .fd = -1 };
	size_t end;

	j.doms = calloc(JOURNAL_MAX_DOMS, sizeof(*j.doms));
	if (!j.doms)
		return 0;
	end = replay(&j, data, len, 0);
	free(j.doms);
	return end;
}

static int mkdir_p(const char *dir)
{
	char *p = strdup(dir);
	int rc = 0;

	if (!p)
		return -ENOMEM;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			rc = -errno;
		*s = '/';
	}
	if (!rc && mkdir(p, 0700) < 0 && errno != EEXIST)
		rc = -errno;
	free(p);
	return rc;
}

int journal_open(const char *dir, bool fresh, bool sync, struct store *st,
		 void (*dom_fn)(void *ctx, const struct journal_domain *d),
		 void *ctx, struct journal **out)
{
	struct journal *j = calloc(1, sizeof(*j));
	int rc;

	if (!j)
		return -ENOMEM;
	j->st = st;
	j->fd = -1;
	j->sync = sync;
	j->dir = strdup(dir);
	j->doms = calloc(JOURNAL_MAX_DOMS, sizeof(*j->doms));
	if (!j->dir || !j->doms) {
		rc = -ENOMEM;
		goto fail;
	}
	read_boot_id(j->boot_id);
	rc = mkdir_p(dir);
	if (rc)
		goto fail;
	if (!fresh && load_file(j, "snapshot", "KXSS", true) == 0) {
		if (load_file(j, "journal", "KXSJ", false) == 0)
			log_info("restored %u nodes from %s",
				 store_node_count(st), dir);
	}
	rc = journal_compact(j);
	if (rc)
		goto fail;
	for (size_t i = 0; dom_fn && i < j->ndoms; i++)
		dom_fn(ctx, &j->doms[i]);
	*out = j;
	return 0;
fail:
	journal_close(j);
	return rc;
}

void journal_close(struct journal *j)
{
	if (!j)
		return;
	journal_commit(j);
	if (j->fd >= 0) {
		fdatasync(j->fd);
		close(j->fd);
	}
	free(j->buf);
	free(j->doms);
	free(j->dir);
	free(j);
}
