/* xenstore/txn_test.c: transaction isolation, conflicts, commit events. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xenstore/store.h"
#include "xenstore/txn.h"

struct fixture {
	struct store *st;
	struct store_quota q;
	struct xarena a;
	char events[16][64];
	int nev;
};

static void on_change(void *ctx, const char *path, enum store_event ev,
		      const struct store_perm *p, uint32_t np,
		      const struct store_perm *o, uint32_t no)
{
	struct fixture *f = ctx;

	(void)p, (void)np, (void)o, (void)no;
	if (f->nev < 16)
		snprintf(f->events[f->nev++], 64, "%d %s", (int)ev, path);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct store_hooks h = { .changed = on_change, .ctx = f };

	f->st = store_new();
	store_set_hooks(f->st, &h);
	store_quota_default(&f->q);
	xarena_init(&f->a);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	store_free(f->st);
	xarena_destroy(&f->a);
	free(f);
	return 0;
}

static struct store_req req(struct fixture *f, struct txn *t)
{
	return (struct store_req){ .st = f->st,
				   .layer = t ? txn_layer(t) : store_main_layer(f->st),
				   .who = { .domid = 0, .target = STORE_DOMID_NONE,
					    .priv = true },
				   .q = &f->q, .a = &f->a };
}

static void wr(struct store_req *r, const char *path, const char *v)
{
	assert_int_equal(store_write(r, path, v, (uint32_t)strlen(v)), 0);
}

static void expect(struct store_req *r, const char *path, const char *v)
{
	const char *got;
	uint32_t len;

	assert_int_equal(store_read(r, path, &got, &len), 0);
	assert_int_equal(len, strlen(v));
	assert_memory_equal(got, v, len);
}

static void test_isolation_and_commit(void **state)
{
	struct fixture *f = *state;
	struct txn *t = txn_new(f->st, 1, 0, 0);
	struct store_req m = req(f, NULL), tr = req(f, t);
	const char *v;
	uint32_t len;

	wr(&m, "/a", "old");
	f->nev = 0;
	wr(&tr, "/a", "new");
	wr(&tr, "/b/c", "x");
	expect(&tr, "/a", "new");
	expect(&m, "/a", "old");
	assert_int_equal(store_read(&m, "/b/c", &v, &len), -ENOENT);
	assert_int_equal(f->nev, 0);
	assert_int_equal(txn_commit(t), 0);
	txn_free(t);
	expect(&m, "/a", "new");
	expect(&m, "/b/c", "x");
	/* one event per changed node, implicit parent /b not reported */
	assert_int_equal(f->nev, 2);
}

static void test_conflict(void **state)
{
	struct fixture *f = *state;
	struct store_req m = req(f, NULL);
	struct txn *t1 = txn_new(f->st, 1, 0, 0), *t2 = txn_new(f->st, 2, 0, 0);
	struct store_req r1 = req(f, t1), r2 = req(f, t2);
	const char *v;
	uint32_t len;

	wr(&m, "/state", "1");
	expect(&r1, "/state", "1");
	expect(&r2, "/state", "1");
	wr(&r1, "/state", "2");
	wr(&r2, "/state", "3");
	assert_int_equal(txn_commit(t1), 0);
	assert_int_equal(txn_commit(t2), -EAGAIN);
	expect(&m, "/state", "2");
	txn_free(t1);
	txn_free(t2);
	/* a node read as absent conflicts if someone creates it */
	t1 = txn_new(f->st, 3, 0, 0);
	r1 = req(f, t1);
	assert_int_equal(store_read(&r1, "/new", &v, &len), -ENOENT);
	wr(&m, "/new", "x");
	assert_int_equal(txn_commit(t1), -EAGAIN);
	txn_free(t1);
	/* unrelated changes do not conflict */
	t1 = txn_new(f->st, 4, 0, 0);
	r1 = req(f, t1);
	expect(&r1, "/state", "2");
	wr(&m, "/other", "x");
	wr(&r1, "/state", "5");
	assert_int_equal(txn_commit(t1), 0);
	txn_free(t1);
}

static void test_directory_and_rm(void **state)
{
	struct fixture *f = *state;
	struct store_req m = req(f, NULL);
	struct txn *t = txn_new(f->st, 1, 0, 0);
	struct store_req tr = req(f, t);
	const char **names;
	unsigned n;

	wr(&m, "/d/a", "");
	wr(&m, "/d/b/deep", "");
	wr(&tr, "/d/c", "");
	assert_int_equal(store_rm(&tr, "/d/b"), 0);
	assert_int_equal(store_directory(&tr, "/d", &names, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(names[0], "a");
	assert_string_equal(names[1], "c");
	assert_int_equal(store_directory(&m, "/d", &names, &n), 0);
	assert_int_equal(n, 2);
	f->nev = 0;
	assert_int_equal(txn_commit(t), 0);
	txn_free(t);
	assert_int_equal(store_directory(&m, "/d", &names, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(names[1], "c");
	/* /d/b/deep (exact only), /d/b (root), /d/c (changed) */
	assert_int_equal(f->nev, 3);
	assert_string_equal(f->events[0], "3 /d/b/deep");
	assert_string_equal(f->events[1], "4 /d/b");
}

static void test_child_added_elsewhere_conflicts(void **state)
{
	struct fixture *f = *state;
	struct store_req m = req(f, NULL);
	struct txn *t = txn_new(f->st, 1, 0, 0);
	struct store_req tr = req(f, t);
	const char **names;
	unsigned n;

	wr(&m, "/dir/a", "");
	assert_int_equal(store_directory(&tr, "/dir", &names, &n), 0);
	wr(&m, "/dir/b", "");
	wr(&tr, "/unrelated", "");
	assert_int_equal(txn_commit(t), -EAGAIN);
	txn_free(t);
}

static void test_node_limit(void **state)
{
	struct fixture *f = *state;
	struct txn *t = txn_new(f->st, 1, 4, 0);
	struct store_req tr = req(f, t);

	wr(&tr, "/l1", "");
	wr(&tr, "/l2", "");
	assert_int_equal(store_write(&tr, "/l3/x/y", "", 0), -ENOSPC);
	txn_free(t);
}

static void test_delete_recreate(void **state)
{
	struct fixture *f = *state;
	struct store_req m = req(f, NULL);
	struct txn *t = txn_new(f->st, 1, 0, 0);
	struct store_req tr = req(f, t);
	const char **names;
	unsigned n;

	wr(&m, "/r/old", "1");
	assert_int_equal(store_rm(&tr, "/r"), 0);
	wr(&tr, "/r/new", "2");
	assert_int_equal(txn_commit(t), 0);
	txn_free(t);
	assert_int_equal(store_directory(&m, "/r", &names, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], "new");
}

static void test_quota_counts_txn_nodes(void **state)
{
	struct fixture *f = *state;
	struct store_req m = req(f, NULL);
	const struct store_perm own5 = { .domid = 5, .access = 0 };
	struct txn *t;
	struct store_req tr;
	char path[32];
	int i, rc = 0;

	wr(&m, "/local/domain/5", "");
	assert_int_equal(store_set_perms(&m, "/local/domain/5", &own5, 1), 0);
	f->q.nodes = 10;
	t = txn_new(f->st, 1, 0, 5);
	tr = req(f, t);
	tr.who = (struct store_who){ .domid = 5, .target = STORE_DOMID_NONE };
	/* /local/domain/5 itself is one of the ten */
	for (i = 0; i < 20 && !rc; i++) {
		snprintf(path, sizeof(path), "/local/domain/5/n%d", i);
		rc = store_write(&tr, path, "", 0);
	}
	assert_int_equal(rc, -ENOSPC);
	assert_int_equal(i, 10);
	/* deleting in the transaction makes room again */
	assert_int_equal(store_rm(&tr, "/local/domain/5/n0"), 0);
	assert_int_equal(store_write(&tr, "/local/domain/5/again", "", 0), 0);
	assert_int_equal(txn_commit(t), 0);
	txn_free(t);
	assert_int_equal(store_owned(f->st, 5), 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_isolation_and_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conflict, setup, teardown),
		cmocka_unit_test_setup_teardown(test_directory_and_rm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_child_added_elsewhere_conflicts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_node_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_recreate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quota_counts_txn_nodes, setup, teardown),
	};

	return cmocka_run_group_tests_name("xenstore_txn", tests, NULL, NULL);
}
