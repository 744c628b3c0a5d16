/* xenstore/store_test.c: tree, permissions, implicit creation, quotas. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xenstore/store.h"

struct fixture {
	struct store *st;
	struct store_quota q;
	struct xarena a;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->st = store_new();
	store_quota_default(&f->q);
	xarena_init(&f->a);
	*state = f;
	return f->st ? 0 : -1;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	store_free(f->st);
	xarena_destroy(&f->a);
	free(f);
	return 0;
}

static struct store_req req(struct fixture *f, store_domid_t domid)
{
	return (struct store_req){ .st = f->st,
				   .layer = store_main_layer(f->st),
				   .who = { .domid = domid,
					    .target = STORE_DOMID_NONE,
					    .priv = domid == 0 },
				   .q = &f->q, .a = &f->a };
}

static void wr(struct store_req *r, const char *path, const char *v)
{
	assert_int_equal(store_write(r, path, v, (uint32_t)strlen(v)), 0);
}

static void set_perms(struct store_req *r, const char *path, const char *s)
{
	struct store_perm p[8];
	char buf[64], *tok, *save;
	uint32_t n = 0;

	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		assert_int_equal(store_perm_parse(tok, &p[n++]), 0);
	assert_int_equal(store_set_perms(r, path, p, n), 0);
}

static void test_initial_tree(void **state)
{
	struct fixture *f = *state;
	struct store_req r = req(f, 0);
	const char **names;
	unsigned n;

	assert_int_equal(store_directory(&r, "/", &names, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], "tool");
	assert_int_equal(store_node_count(f->st), 3);
}

static void test_write_read_implicit(void **state)
{
	struct fixture *f = *state;
	struct store_req r = req(f, 0);
	const char *v;
	uint32_t len;
	const struct store_perm *p;
	uint32_t np;

	wr(&r, "/a/b/c", "x");
	assert_int_equal(store_read(&r, "/a/b", &v, &len), 0);
	assert_int_equal(len, 0);
	assert_int_equal(store_read(&r, "/a/b/c", &v, &len), 0);
	assert_memory_equal(v, "x", 1);
	assert_int_equal(store_get_perms(&r, "/a/b", &p, &np), 0);
	assert_int_equal(np, 1);
	assert_int_equal(p[0].domid, 0);
	assert_int_equal(store_read(&r, "/a/zz", &v, &len), -ENOENT);
	/* values may hold NULs */
	assert_int_equal(store_write(&r, "/a/nul", "a\0b", 3), 0);
	assert_int_equal(store_read(&r, "/a/nul", &v, &len), 0);
	assert_int_equal(len, 3);
}

static void test_perms_and_hiding(void **state)
{
	struct fixture *f = *state;
	struct store_req r0 = req(f, 0), r5 = req(f, 5), r6 = req(f, 6);
	const char *v;
	uint32_t len;

	wr(&r0, "/secret/x", "1");
	wr(&r0, "/pub/x", "1");
	set_perms(&r0, "/pub", "n0,r5");
	set_perms(&r0, "/pub/x", "r0");
	/* unreadable parent hides existence: EACCES, not ENOENT */
	assert_int_equal(store_read(&r5, "/secret/x", &v, &len), -EACCES);
	assert_int_equal(store_read(&r5, "/secret/none", &v, &len), -EACCES);
	assert_int_equal(store_read(&r5, "/pub/none", &v, &len), -ENOENT);
	assert_int_equal(store_read(&r6, "/pub/none", &v, &len), -EACCES);
	/* per-node check: r0 default lets anyone read /pub/x */
	assert_int_equal(store_read(&r6, "/pub/x", &v, &len), 0);
	assert_int_equal(store_write(&r5, "/pub/x", "2", 1), -EACCES);
	/* a readable node under an unreadable parent */
	wr(&r0, "/secret/open", "o");
	set_perms(&r0, "/secret/open", "n0,r5");
	assert_int_equal(store_read(&r5, "/secret/open", &v, &len), 0);
}

static void test_domu_creation_owner(void **state)
{
	struct fixture *f = *state;
	struct store_req r0 = req(f, 0), r5 = req(f, 5);
	const struct store_perm *p;
	uint32_t np;
	struct store_perm bad = { .domid = 0, .access = 0 };

	wr(&r0, "/local/domain/5/x", "");
	set_perms(&r0, "/local/domain/5", "n0,b5");
	/* dom0 creating below a node copies the ACL exactly */
	assert_int_equal(store_get_perms(&r0, "/local/domain/5/x", &p, &np), 0);
	assert_int_equal(p[0].domid, 0);
	wr(&r5, "/local/domain/5/data/y", "v");
	assert_int_equal(store_get_perms(&r0, "/local/domain/5/data", &p, &np), 0);
	assert_int_equal(p[0].domid, 5);
	assert_int_equal(np, 2);
	assert_int_equal(store_owned(f->st, 5), 2);
	/* a domU cannot give its node away */
	assert_int_equal(store_set_perms(&r5, "/local/domain/5/data", &bad, 1),
			 -EPERM);
	/* but not owning /local/domain/5 it cannot change its ACL */
	assert_int_equal(store_set_perms(&r5, "/local/domain/5", &bad, 1),
			 -EACCES);
}

static void test_rm(void **state)
{
	struct fixture *f = *state;
	struct store_req r = req(f, 0);
	const char *v;
	uint32_t len;

	wr(&r, "/a/b/c", "x");
	assert_int_equal(store_rm(&r, "/a/none"), 0);
	assert_int_equal(store_rm(&r, "/none/none"), -ENOENT);
	assert_int_equal(store_rm(&r, "/"), -EINVAL);
	assert_int_equal(store_rm(&r, "/a"), 0);
	assert_int_equal(store_read(&r, "/a/b/c", &v, &len), -ENOENT);
	assert_int_equal(store_node_count(f->st), 3);
}

static void test_mkdir(void **state)
{
	struct fixture *f = *state;
	struct store_req r = req(f, 0);
	const char *v;
	uint32_t len;

	wr(&r, "/m", "keep");
	assert_int_equal(store_mkdir(&r, "/m"), 0);
	assert_int_equal(store_read(&r, "/m", &v, &len), 0);
	assert_int_equal(len, 4);
	assert_int_equal(store_mkdir(&r, "/m/n/o"), 0);
}

static void test_canonical(void **state)
{
	struct fixture *f = *state;
	const struct store_who d5 = { .domid = 5, .target = STORE_DOMID_NONE };
	const struct store_who d0 = { .domid = 0, .target = STORE_DOMID_NONE,
				      .priv = true };
	const char *out;
	char longp[2100];

	assert_int_equal(store_canonical(&f->a, &d5, &f->q, "device/vbd", false, &out), 0);
	assert_string_equal(out, "/local/domain/5/device/vbd");
	assert_int_equal(store_canonical(&f->a, &d0, &f->q, "x", false, &out), 0);
	assert_string_equal(out, "/local/domain/0/x");
	assert_int_equal(store_canonical(&f->a, &d5, &f->q, "../x", false, &out), -EINVAL);
	assert_int_equal(store_canonical(&f->a, &d5, &f->q, "/a//b", false, &out), -EINVAL);
	assert_int_equal(store_canonical(&f->a, &d5, &f->q, "/a/", false, &out), -EINVAL);
	assert_int_equal(store_canonical(&f->a, &d5, &f->q, "", false, &out), -EINVAL);
	assert_int_equal(store_canonical(&f->a, &d5, &f->q, "/", false, &out), 0);
	assert_int_equal(store_canonical(&f->a, &d5, &f->q, "a b", false, &out), -EINVAL);
	assert_int_equal(store_canonical(&f->a, &d5, &f->q, "@releaseDomain", false, &out), -EINVAL);
	assert_int_equal(store_canonical(&f->a, &d5, &f->q, "@releaseDomain", true, &out), 0);
	/* -M counts after /local/domain/<id>/ */
	memset(longp, 'a', 2048);
	longp[2048] = '\0';
	assert_int_equal(store_canonical(&f->a, &d5, &f->q, longp, false, &out), 0);
	longp[2048] = 'a';
	longp[2049] = '\0';
	assert_int_equal(store_canonical(&f->a, &d5, &f->q, longp, false, &out), -EINVAL);
	assert_int_equal(store_canonical(&f->a, &d0, &f->q, longp, false, &out), 0);
}

static void test_quotas(void **state)
{
	struct fixture *f = *state;
	struct store_req r0 = req(f, 0), r5 = req(f, 5);
	char path[64], big[2100];
	struct store_perm p[6];

	wr(&r0, "/local/domain/5", "");
	set_perms(&r0, "/local/domain/5", "n5");
	f->q.nodes = 10;
	for (int i = 0; i < 9; i++) {
		snprintf(path, sizeof(path), "/local/domain/5/n%d", i);
		wr(&r5, path, "");
	}
	assert_int_equal(store_owned(f->st, 5), 10);
	assert_int_equal(store_write(&r5, "/local/domain/5/over", "", 0), -ENOSPC);
	/* node size: 24 + 8*perms + value + children must stay below -S */
	memset(big, 'v', sizeof(big));
	assert_int_equal(store_write(&r5, "/local/domain/5/n0", big, 2048), -ENOSPC);
	assert_int_equal(store_write(&r5, "/local/domain/5/n0", big, 1000), 0);
	assert_int_equal(store_write(&r0, "/local/domain/5/n0", big, 2100), 0);
	for (int i = 0; i < 6; i++)
		p[i] = (struct store_perm){ .domid = (store_domid_t)(i ? i : 5),
					    .access = 1 };
	assert_int_equal(store_set_perms(&r5, "/local/domain/5/n1", p, 6), -ENOSPC);
	assert_int_equal(store_set_perms(&r5, "/local/domain/5/n1", p, 5), 0);
}

static void test_forget_domain(void **state)
{
	struct fixture *f = *state;
	struct store_req r0 = req(f, 0);
	const struct store_perm *p;
	uint32_t np;
	const char *v;
	uint32_t len;

	wr(&r0, "/local/domain/7/owned/x", "");
	set_perms(&r0, "/local/domain/7/owned", "n7");
	wr(&r0, "/shared", "");
	set_perms(&r0, "/shared", "n0,r7,w8");
	store_forget_domain(f->st, 7);
	assert_int_equal(store_read(&r0, "/local/domain/7/owned", &v, &len), -ENOENT);
	assert_int_equal(store_read(&r0, "/local/domain/7", &v, &len), 0);
	assert_int_equal(store_get_perms(&r0, "/shared", &p, &np), 0);
	assert_int_equal(np, 2);
	assert_int_equal(p[1].domid, 8);
}

static void test_perm_parse(void **state)
{
	struct store_perm p;
	char buf[16];

	(void)state;
	assert_int_equal(store_perm_parse("b12", &p), 0);
	assert_int_equal(p.access, 3);
	assert_int_equal(store_perm_format(&p, buf), 3);
	assert_string_equal(buf, "b12");
	assert_int_equal(store_perm_parse("x1", &p), -EINVAL);
	assert_int_equal(store_perm_parse("r", &p), -EINVAL);
	assert_int_equal(store_perm_parse("r70000", &p), -EINVAL);
	assert_int_equal(store_perm_parse("r1a", &p), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_initial_tree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_read_implicit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_perms_and_hiding, setup, teardown),
		cmocka_unit_test_setup_teardown(test_domu_creation_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mkdir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_canonical, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quotas, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forget_domain, setup, teardown),
		cmocka_unit_test(test_perm_parse),
	};

	return cmocka_run_group_tests_name("xenstore_store", tests, NULL, NULL);
}
