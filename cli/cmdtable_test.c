/* cli/cmdtable_test.c: invariants of the command table. */
#include "cli/xm.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

static void test_unique_and_complete(void **state)
{
	(void)state;
	for (unsigned i = 0; i < cmd_table_len; i++) {
		const struct cmd_spec *c = &cmd_table[i];

		assert_non_null(c->fn);
		assert_non_null(c->usage);
		assert_true(strlen(c->help) > 10);
		assert_true(c->help[strlen(c->help) - 1] == '.');
		assert_ptr_equal(cmd_find(c->name), c);
		/* A table entry's kind matches its function. */
		assert_int_equal(c->kind == CMD_TODO, c->fn == cmd_todo);
		if (c->fn == cmd_xend)
			assert_int_equal(c->kind, CMD_XEND);
		for (unsigned j = 0; j < i; j++)
			assert_string_not_equal(cmd_table[j].name, c->name);
	}
	assert_null(cmd_find("nosuch"));
}

static void test_dryrun(void **state)
{
	(void)state;
	/* Only commands that really have a dry run claim one. */
	for (unsigned i = 0; i < cmd_table_len; i++)
		if (cmd_table[i].can_dryrun)
			assert_true(!strcmp(cmd_table[i].name, "create") ||
				    !strcmp(cmd_table[i].name, "help"));
}

static void test_wants_help(void **state)
{
	char *a[] = { "web", "--help" }, *b[] = { "--", "-h" },
	     *c[] = { "-w", "web" };

	(void)state;
	assert_true(cmd_wants_help(2, a));
	assert_false(cmd_wants_help(2, b));
	assert_false(cmd_wants_help(2, c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unique_and_complete),
		cmocka_unit_test(test_dryrun),
		cmocka_unit_test(test_wants_help),
	};
	return cmocka_run_group_tests_name("cmdtable", tests, NULL, NULL);
}
