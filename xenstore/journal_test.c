/* xenstore/journal_test.c: the tree survives close/reopen through the
 * snapshot and journal, torn tails are ignored, compaction is invisible. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xenstore/journal.h"
#include "xenstore/store.h"

struct fixture {
	char dir[64];
	struct store *st;
	struct journal *j;
	struct store_quota q;
	struct xarena a;
	int ndoms;
};

static void hook_put(void *ctx, const char *path, const struct store_nodeval *nv)
{
	journal_put(((struct fixture *)ctx)->j, path, nv);
}

static void hook_del(void *ctx, const char *path)
{
	journal_del(((struct fixture *)ctx)->j, path);
}

static void count_dom(void *ctx, const struct journal_domain *d)
{
	struct fixture *f = ctx;

	(void)d;
	f->ndoms++;
}

static void open_store(struct fixture *f, bool fresh)
{
	const struct store_hooks h = { .put = hook_put, .del = hook_del, .ctx = f };

	f->st = store_new();
	f->ndoms = 0;
	assert_int_equal(journal_open(f->dir, fresh, false, f->st, count_dom, f,
				      &f->j), 0);
	store_set_hooks(f->st, &h);
}

static void close_store(struct fixture *f)
{
	journal_close(f->j);
	store_set_hooks(f->st, &(struct store_hooks){ 0 });
	store_free(f->st);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	strcpy(f->dir, "/tmp/kxen-journal.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	store_quota_default(&f->q);
	xarena_init(&f->a);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	xarena_destroy(&f->a);
	free(f);
	return system(cmd) == 0 ? 0 : -1;
}

static struct store_req req(struct fixture *f)
{
	return (struct store_req){ .st = f->st, .layer = store_main_layer(f->st),
				   .who = { .domid = 0, .target = STORE_DOMID_NONE,
					    .priv = true },
				   .q = &f->q, .a = &f->a };
}

static void expect(struct fixture *f, const char *path, const char *v)
{
	struct store_req r = req(f);
	const char *got;
	uint32_t len;

	assert_int_equal(store_read(&r, path, &got, &len), 0);
	assert_int_equal(len, strlen(v));
	assert_memory_equal(got, v, len);
}

static void test_roundtrip(void **state)
{
	struct fixture *f = *state;
	struct store_req r;
	const struct store_perm perms[] = { { 0, 0 }, { 5, 1 } }, *p;
	uint32_t np, len;
	const char *v;

	open_store(f, true);
	r = req(f);
	assert_int_equal(store_write(&r, "/a/b", "one", 3), 0);
	assert_int_equal(store_write(&r, "/a/c", "x\0y", 3), 0);
	assert_int_equal(store_set_perms(&r, "/a/b", perms, 2), 0);
	assert_int_equal(store_write(&r, "/gone/x", "", 0), 0);
	assert_int_equal(store_rm(&r, "/gone"), 0);
	journal_domain(f->j, &(struct journal_domain){ .domid = 3, .gfn = 7 }, true);
	journal_domain(f->j, &(struct journal_domain){ .domid = 4 }, true);
	journal_domain(f->j, &(struct journal_domain){ .domid = 4 }, false);
	journal_commit(f->j);
	/* Closing only syncs: the files are what a killed daemon leaves. */
	close_store(f);

	open_store(f, false);
	expect(f, "/a/b", "one");
	r = req(f);
	assert_int_equal(store_read(&r, "/a/c", &v, &len), 0);
	assert_int_equal(len, 3);
	assert_int_equal(store_get_perms(&r, "/a/b", &p, &np), 0);
	assert_int_equal(np, 2);
	assert_int_equal(p[1].domid, 5);
	assert_int_equal(p[1].access, 1);
	assert_int_equal(store_read(&r, "/gone", &v, &len), -ENOENT);
	assert_int_equal(f->ndoms, 1);
	/* reopened state was compacted into a snapshot: reopen once more */
	assert_int_equal(store_write(&r, "/a/d", "after", 5), 0);
	close_store(f);
	open_store(f, false);
	expect(f, "/a/b", "one");
	expect(f, "/a/d", "after");
	assert_int_equal(f->ndoms, 1);
	close_store(f);
	/* fresh = true discards it all */
	open_store(f, true);
	r = req(f);
	assert_int_equal(store_read(&r, "/a/b", &v, &len), -ENOENT);
	assert_int_equal(f->ndoms, 0);
	close_store(f);
}

static void test_torn_tail(void **state)
{
	struct fixture *f = *state;
	struct store_req r;
	char path[128];
	off_t end;
	int fd;

	open_store(f, true);
	r = req(f);
	assert_int_equal(store_write(&r, "/t/1", "a", 1), 0);
	journal_commit(f->j);
	assert_int_equal(store_write(&r, "/t/2", "b", 1), 0);
	journal_commit(f->j);
	close_store(f);
	/* cut the last record in half: /t/2 is lost, /t/1 is kept */
	snprintf(path, sizeof(path), "%s/journal", f->dir);
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	{
		unsigned char buf[1 << 16];
		ssize_t n = pread(fd, buf, sizeof(buf), 0);
		size_t off = 56, last = 0;

		assert_true(n > 56);
		while (off + 8 <= (size_t)n) {
			uint32_t crc, len;

			memcpy(&crc, buf + off, 4);
			memcpy(&len, buf + off + 4, 4);
			if (!crc && !len)
				break;
			last = off;
			off += 8 + len;
		}
		end = (off_t)last + 12;
		memset(buf, 0xab, 4);
		assert_int_equal(pwrite(fd, buf, 4, end), 4);
	}
	close(fd);
	open_store(f, false);
	r = req(f);
	expect(f, "/t/1", "a");
	{
		const char *v;
		uint32_t len;

		assert_int_equal(store_read(&r, "/t/2", &v, &len), -ENOENT);
	}
	close_store(f);
}

static void test_compaction(void **state)
{
	struct fixture *f = *state;
	struct store_req r;
	char path[64], val[1000];

	memset(val, 'v', sizeof(val));
	open_store(f, true);
	r = req(f);
	/* ~10 MB of journal: compaction runs on the way */
	for (int i = 0; i < 10000; i++) {
		snprintf(path, sizeof(path), "/c/n%d", i % 100);
		assert_int_equal(store_write(&r, path, val, sizeof(val)), 0);
		journal_commit(f->j);
	}
	close_store(f);
	open_store(f, false);
	r = req(f);
	{
		const char **names;
		unsigned n;

		assert_int_equal(store_directory(&r, "/c", &names, &n), 0);
		assert_int_equal(n, 100);
	}
	close_store(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_torn_tail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compaction, setup, teardown),
	};

	return cmocka_run_group_tests_name("xenstore_journal", tests, NULL, NULL);
}
