/* config/cfg_parse_test.c: the lexer and parser (cfg_parse.c). */
#include "config/cfg_internal.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

static struct cfg_tree *parse_ok(const char *text)
{
	struct cfg_tree *t = NULL;
	struct cfg_msg err;
	int rc = cfg_tree_parse("t.cfg", text, strlen(text), &t, &err);

	if (rc)
		fail_msg("parse failed: %d:%d: %s", err.line, err.col,
			 err.phrase);
	return t;
}

/* Parse must fail; returns "line:col: phrase". */
static const char *parse_bad(const char *text)
{
	static char buf[CFG_PHRASE_MAX + 32];
	struct cfg_tree *t = NULL;
	struct cfg_msg err;
	int rc = cfg_tree_parse("t.cfg", text, strlen(text), &t, &err);

	assert_int_equal(rc, -EINVAL);
	assert_null(t);
	snprintf(buf, sizeof(buf), "%d:%d: %s", err.line, err.col, err.phrase);
	return buf;
}

static void test_scalars(void **state)
{
	struct cfg_tree *t = parse_ok("name = \"web\"\nmemory = 256\n"
				      "vcpus=0x10 ; maxvcpus = -3\n"
				      "kernel='/boot/k'");

	(void)state;
	assert_int_equal(t->n_settings, 5);
	assert_string_equal(t->settings[0].name, "name");
	assert_string_equal(t->settings[0].value->s, "web");
	assert_int_equal(t->settings[1].value->i, 256);
	assert_int_equal(t->settings[2].value->i, 16);
	assert_int_equal(t->settings[3].value->i, -3);
	assert_int_equal(t->settings[3].line, 3);
	assert_int_equal(t->settings[3].col, 14);
	assert_string_equal(t->settings[4].value->s, "/boot/k");
	cfg_tree_free(t);
}

static void test_strings(void **state)
{
	struct cfg_tree *t = parse_ok(
		"a = '''one\ntwo'''\n"
		"b = \"\"\"x \"y\" z\"\"\"\n"
		"c = 'it\\'s' \"\\t\\n\\\\\"\n"
		"d = \"con\" 'cat'\n"
		"e = ''\n"
		"f = \"\\x41\\q\"\n"
		"g = True; h = False\n"
		"i = 'caf\xc3\xa9 \xf0\x9f\x98\x80'\n");

	(void)state;
	assert_string_equal(t->settings[0].value->s, "one\ntwo");
	assert_string_equal(t->settings[1].value->s, "x \"y\" z");
	assert_string_equal(t->settings[2].value->s, "it's\t\n\\");
	assert_string_equal(t->settings[3].value->s, "concat");
	assert_string_equal(t->settings[4].value->s, "");
	assert_string_equal(t->settings[5].value->s, "A\\q");
	assert_int_equal(t->settings[5].line, 7);
	assert_int_equal(t->settings[6].value->i, 1);
	assert_int_equal(t->settings[7].value->i, 0);
	cfg_tree_free(t);
}

static void test_lists_comments_continuations(void **state)
{
	struct cfg_tree *t = parse_ok(
		"# comment line\n"
		"disk = [ 'a',   # first\n"
		"         'b',\n"
		"\n"
		"       ]  # end\n"
		"extra = 'x' \\\n"
		"        'y'\n"
		"nested = [ [1, 2], ('t',) ]\n"
		"empty = []\n");

	(void)state;
	assert_int_equal(t->n_settings, 4);
	assert_int_equal(t->settings[0].value->type, CFG_V_LIST);
	assert_int_equal(t->settings[0].value->n_items, 2);
	assert_string_equal(t->settings[0].value->items[1]->s, "b");
	assert_int_equal(t->settings[0].value->items[1]->line, 3);
	assert_string_equal(t->settings[1].value->s, "xy");
	assert_int_equal(t->settings[1].line, 6);
	assert_int_equal(t->settings[2].value->items[0]->n_items, 2);
	assert_int_equal(t->settings[2].value->items[1]->n_items, 1);
	assert_int_equal(t->settings[3].value->n_items, 0);
	cfg_tree_free(t);
}

static void test_append(void **state)
{
	struct cfg_tree *t = parse_ok("disk = ['a']\ndisk += ['b']\n");

	(void)state;
	assert_false(t->settings[0].append);
	assert_true(t->settings[1].append);
	assert_int_equal(t->settings[1].value->n_items, 1);
	cfg_tree_free(t);
}

static void test_crlf_and_empty(void **state)
{
	struct cfg_tree *t = parse_ok("a = 1\r\nb = 'x'\r\n");

	(void)state;
	assert_int_equal(t->n_settings, 2);
	cfg_tree_free(t);
	t = parse_ok("");
	assert_int_equal(t->n_settings, 0);
	cfg_tree_free(t);
	t = parse_ok("\n\n# only comments\n;;\n");
	assert_int_equal(t->n_settings, 0);
	cfg_tree_free(t);
}

static void test_syntax_errors(void **state)
{
	static const struct {
		const char *text;
		const char *msg;
	} cases[] = {
		{ "memory 256\n", "1:8: expected '=' after 'memory', found a "
				  "number" },
		{ "name = \"web\n", "1:8: unterminated string" },
		{ "a = '''x\n", "1:5: unterminated string" },
		{ "disk = [ 'a' 'b' ,\n 'c' 'd' 3 ]\n",
		  "2:10: expected ',' or ']' in list, found a number" },
		{ "disk = [ 'a'\n         'b' ]\n",
		  "2:10: expected ',' or ']' in list, found a string" },
		{ "disk = [ 'a',\n", "2:1: expected a value (a string, a "
				     "number or a list), found end of file" },
		{ "a = \n", "1:5: expected a value (a string, a number or a "
			    "list), found end of line" },
		{ "a = 1 2\n", "1:7: expected end of line after the value of "
			       "'a', found a number" },
		{ "a = 12abc\n", "1:5: malformed number" },
		{ "a = 99999999999999999999\n", "1:5: number too large" },
		{ "= 5\n", "1:1: expected an option name, found '='" },
		{ "a = 1 \\ b\n", "1:7: stray '\\' (a continuation must end "
				  "its line)" },
		{ "a = $\n", "1:5: unexpected character '$'" },
		{ "a = web\n", "1:5: expected a value, found the name 'web' "
			       "(put strings in quotes)" },
		{ "import os\n", "1:1: Python statement 'import' is not "
				 "supported: config files hold only "
				 "assignments (name = value)" },
		{ "a = '\\x4'\n", "1:6: invalid \\x escape in string" },
		{ "a = '\\0'\n", "1:6: NUL byte in string" },
		{ "a += \n", "1:6: expected a value (a string, a number or a "
			     "list), found end of line" },
		{ "a = 'caf\xe9'\n", "1:5: string is not valid UTF-8" },
		{ "a = '\xed\xa0\x80'\n", "1:5: string is not valid UTF-8" },
		{ "a = ]\n", "1:5: expected a value (a string, a number or a "
			     "list), found ']'" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(parse_bad(cases[i].text), cases[i].msg);
}

static void test_nesting_limit(void **state)
{
	char buf[128] = "a = ";

	(void)state;
	for (int i = 0; i < 40; i++)
		strcat(buf, "[");
	assert_string_equal(parse_bad(buf), "1:22: lists nested too deeply");
}

static void test_nul_byte(void **state)
{
	static const char text[] = "a = 1\n\0b = 2\n";
	struct cfg_tree *t = NULL;
	struct cfg_msg err;

	(void)state;
	assert_int_equal(cfg_tree_parse("t.cfg", text, sizeof(text) - 1, &t,
					&err), -EINVAL);
	assert_string_equal(err.phrase, "unexpected byte 0x00");
	assert_int_equal(err.line, 2);
}

static void test_too_large(void **state)
{
	struct cfg_tree *t = NULL;
	struct cfg_msg err;

	(void)state;
	assert_int_equal(cfg_tree_parse("t.cfg", "", CFG_MAX_INPUT + 1, &t,
					&err), -EINVAL);
	assert_int_equal(err.line, 0);
}

static void test_levenshtein(void **state)
{
	static const char *const names[] = { "memory", "maxmem", "name",
					     "vcpus", NULL };

	(void)state;
	assert_int_equal(cfg_levenshtein("memroy", "memory"), 2);
	assert_int_equal(cfg_levenshtein("", "abc"), 3);
	assert_string_equal(cfg_closest("memroy", names), "memory");
	assert_string_equal(cfg_closest("vcpu", names), "vcpus");
	assert_null(cfg_closest("bootloader", names));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_lists_comments_continuations),
		cmocka_unit_test(test_append),
		cmocka_unit_test(test_crlf_and_empty),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_nesting_limit),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_levenshtein),
	};
	return cmocka_run_group_tests_name("cfg_parse", tests, NULL, NULL);
}
