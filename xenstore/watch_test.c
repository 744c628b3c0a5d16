/* xenstore/watch_test.c: watch matching and registry limits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "xenstore/watch.h"

struct got {
	int n;
	char last[128];
};

static void deliver(void *ctx, void *owner, const char *epath,
		    const char *token)
{
	struct got *g = ctx;

	(void)owner;
	g->n++;
	snprintf(g->last, sizeof(g->last), "%s|%s", epath, token);
}

static int fire(struct watch_set *ws, const char *path, enum store_event ev,
		struct got *g)
{
	g->n = 0;
	g->last[0] = '\0';
	watch_fire(ws, path, ev, deliver, g);
	return g->n;
}

static void test_matching(void **state)
{
	struct watch_set *ws = watch_set_new();
	int owner;
	struct got g;

	(void)state;
	assert_int_equal(watch_add(ws, &owner, "/a/b", "t", NULL, 0), 0);
	assert_int_equal(fire(ws, "/a/b", STORE_EV_CHANGED, &g), 1);
	assert_int_equal(fire(ws, "/a/b/c/d", STORE_EV_CHANGED, &g), 1);
	assert_string_equal(g.last, "/a/b/c/d|t");
	assert_int_equal(fire(ws, "/a/bc", STORE_EV_CHANGED, &g), 0);
	assert_int_equal(fire(ws, "/a", STORE_EV_CHANGED, &g), 0);
	/* RM: the root reaches ancestors' watches, descendants exact only */
	assert_int_equal(fire(ws, "/a/b/c", STORE_EV_RM_CHILD, &g), 0);
	assert_int_equal(fire(ws, "/a/b", STORE_EV_RM_CHILD, &g), 1);
	assert_int_equal(fire(ws, "/a/b/c", STORE_EV_RM_ROOT, &g), 1);
	assert_int_equal(watch_add(ws, &owner, "/", "root", NULL, 0), 0);
	assert_int_equal(fire(ws, "/x", STORE_EV_CHANGED, &g), 1);
	/* special events match exactly, never through "/" */
	assert_int_equal(watch_add(ws, &owner, "@releaseDomain", "r", NULL, 0), 0);
	assert_int_equal(fire(ws, "@releaseDomain", STORE_EV_CHANGED, &g), 1);
	assert_int_equal(fire(ws, "@introduceDomain", STORE_EV_CHANGED, &g), 0);
	watch_set_free(ws);
}

static void test_relative(void **state)
{
	struct watch_set *ws = watch_set_new();
	int owner;
	struct got g;

	(void)state;
	assert_int_equal(watch_add(ws, &owner, "/local/domain/5/device", "t",
				   "/local/domain/5", 0), 0);
	assert_int_equal(fire(ws, "/local/domain/5/device/vbd", STORE_EV_CHANGED, &g), 1);
	assert_string_equal(g.last, "device/vbd|t");
	assert_int_equal(watch_add(ws, &owner, "/local/domain/5", "h",
				   "/local/domain/5", 0), 0);
	assert_int_equal(fire(ws, "/local/domain/5", STORE_EV_CHANGED, &g), 1);
	assert_string_equal(g.last, "|h");
	assert_string_equal(watch_event_path("/local/domain/5", "/local/domain/50/x"),
			    "/local/domain/50/x");
	watch_set_free(ws);
}

static void test_registry(void **state)
{
	struct watch_set *ws = watch_set_new();
	int a, b;
	char path[32];

	(void)state;
	assert_int_equal(watch_add(ws, &a, "/x", "t", NULL, 0), 0);
	assert_int_equal(watch_add(ws, &a, "/x", "t", NULL, 0), -EEXIST);
	assert_int_equal(watch_add(ws, &b, "/x", "t", NULL, 0), 0);
	assert_int_equal(watch_remove(ws, &a, "/x", "u"), -ENOENT);
	assert_int_equal(watch_remove(ws, &a, "/x", "t"), 0);
	assert_int_equal(watch_count(ws, &a), 0);
	/* Xen's check is count > limit: limit + 1 watches fit */
	for (int i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "/w%d", i);
		assert_int_equal(watch_add(ws, &a, path, "t", NULL, 3), 0);
	}
	assert_int_equal(watch_add(ws, &a, "/w9", "t", NULL, 3), -E2BIG);
	watch_remove_owner(ws, &a);
	assert_int_equal(watch_count(ws, &a), 0);
	assert_int_equal(watch_count(ws, &b), 1);
	watch_set_free(ws);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matching),
		cmocka_unit_test(test_relative),
		cmocka_unit_test(test_registry),
	};

	return cmocka_run_group_tests_name("xenstore_watch", tests, NULL, NULL);
}
