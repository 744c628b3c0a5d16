/* toolstack/domid_test.c: ids, names, uuids and the action/exit tables. */
#include "toolstack/xend.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <errno.h>

static struct domain *add(struct xend *x, unsigned id, const char *name)
{
	struct domain *d = calloc(1, sizeof(*d));

	assert_non_null(d);
	d->domid = id;
	d->name = strdup(name);
	d->pidfd = -1;
	d->next = x->domains;
	x->domains = d;
	return d;
}

static void free_all(struct xend *x)
{
	while (x->domains) {
		struct domain *d = x->domains;

		x->domains = d->next;
		free(d->name);
		free(d);
	}
}

static void test_alloc_order(void **state)
{
	struct xend x = { .next_domid = 1 };

	(void)state;
	assert_int_equal(dom_alloc_id(&x), 1);
	assert_int_equal(dom_alloc_id(&x), 2);
	add(&x, 3, "c");
	assert_int_equal(dom_alloc_id(&x), 4); /* 3 is taken */
	x.next_domid = XEND_DOMID_MAX;
	assert_int_equal(dom_alloc_id(&x), XEND_DOMID_MAX);
	assert_int_equal(dom_alloc_id(&x), 1); /* wraps, skipping 0 */
	free_all(&x);
}

static void test_lookup(void **state)
{
	struct xend x = { .next_domid = 1 };
	struct domain *a, *b;

	(void)state;
	a = add(&x, 1, "web");
	b = add(&x, 2, "7");
	assert_ptr_equal(dom_lookup(&x, "web"), a);
	assert_ptr_equal(dom_lookup(&x, "1"), a);
	assert_ptr_equal(dom_lookup(&x, "7"), b); /* a name first */
	assert_ptr_equal(dom_lookup(&x, "2"), b);
	assert_null(dom_lookup(&x, "3"));
	assert_null(dom_lookup(&x, ""));
	assert_null(dom_lookup(&x, "-1"));
	assert_null(dom_lookup(&x, "1x"));
	assert_null(dom_lookup(&x, "99999999999999999999"));
	free_all(&x);
}

static void test_names(void **state)
{
	char err[128], big[XEND_NAME_MAX + 2];

	(void)state;
	assert_int_equal(dom_check_name("web-1.example_x", err, sizeof(err)), 0);
	assert_int_equal(dom_check_name("", err, sizeof(err)), -EINVAL);
	assert_int_equal(dom_check_name("Domain-0", err, sizeof(err)), -EINVAL);
	assert_int_equal(dom_check_name("42", err, sizeof(err)), -EINVAL);
	assert_int_equal(dom_check_name("4x", err, sizeof(err)), 0);
	assert_int_equal(dom_check_name("a b", err, sizeof(err)), -EINVAL);
	assert_int_equal(dom_check_name("a/b", err, sizeof(err)), -EINVAL);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	assert_int_equal(dom_check_name(big, err, sizeof(err)), -EINVAL);
	big[XEND_NAME_MAX] = 0;
	assert_int_equal(dom_check_name(big, err, sizeof(err)), 0);
}

static void test_uuid(void **state)
{
	char a[37], b[37];

	(void)state;
	dom_gen_uuid(a);
	dom_gen_uuid(b);
	assert_int_equal(strlen(a), 36);
	assert_string_not_equal(a, b);
	assert_int_equal(a[8], '-');
	assert_int_equal(a[14], '4');
	assert_non_null(strchr("89ab", a[19]));
}

static void test_tables(void **state)
{
	enum dom_action act;
	enum dom_exit ex;

	(void)state;
	for (int i = DOM_ACT_DESTROY; i <= DOM_ACT_COREDUMP_RESTART; i++) {
		assert_int_equal(dom_action_parse(dom_action_name(i), &act), 0);
		assert_int_equal(act, i);
	}
	assert_int_equal(dom_action_parse("reboot", &act), -EINVAL);
	for (int i = DOM_EXIT_POWEROFF; i <= DOM_EXIT_DESTROYED; i++) {
		assert_int_equal(dom_exit_parse(dom_exit_name(i), &ex), 0);
		assert_int_equal(ex, i);
	}
	assert_int_equal(dom_exit_parse("soft_reset", &ex), 0);
	assert_int_equal(ex, DOM_EXIT_SOFT_RESET);
	assert_int_equal(dom_exit_parse("explode", &ex), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_order),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_uuid),
		cmocka_unit_test(test_tables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
