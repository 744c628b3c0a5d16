/* proto/xend_proto_test.c: request encoding and reply decoding. */
#include "proto/xend_proto.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

static void test_encode(void **state)
{
	char *args[] = { "-w", "we\"b\n" }, *bad[] = { "caf\xe9" };
	json_t *config = json_pack("{s:i}", "a", 1);
	char *out = NULL;

	(void)state;
	assert_int_equal(xend_request_encode("shutdown", 2, args, NULL, NULL,
					     &out), 0);
	assert_string_equal(out, "{\"version\":1,\"command\":\"shutdown\","
				 "\"args\":[\"-w\",\"we\\\"b\\n\"]}\n");
	free(out);
	assert_int_equal(xend_request_encode("create", 0, NULL, "/etc/x.cfg",
					     config, &out), 0);
	assert_string_equal(out, "{\"version\":1,\"command\":\"create\","
				 "\"args\":[],\"config_file\":\"/etc/x.cfg\","
				 "\"config\":{\"a\":1}}\n");
	free(out);
	json_decref(config);
	assert_int_equal(xend_request_encode("", 0, NULL, NULL, NULL, &out),
			 -EINVAL);
	assert_int_equal(xend_request_encode("destroy", 1, bad, NULL, NULL,
					     &out), -EILSEQ);
	assert_null(out);
}

static int decode(const char *s, struct xend_reply *r)
{
	return xend_reply_decode(s, strlen(s), r);
}

static void test_decode(void **state)
{
	struct xend_reply r;

	(void)state;
	assert_int_equal(decode("{\"version\":1,\"status\":0,\"output\":"
				"\"Name ID\\n\\u00e9\\ud83d\\ude00\\/\"}\n",
				&r), 0);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.output, "Name ID\n\xc3\xa9\xf0\x9f\x98\x80/");
	assert_null(r.error);
	xend_reply_clear(&r);
	assert_int_equal(decode(" { \"status\" : 1 , \"error\" : \"no such "
				"domain\", \"extra\": {\"a\":[1,2.5e3,true,"
				"null,{}]}, \"output\": null } ", &r), 0);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.error, "no such domain");
	assert_null(r.output);
	assert_null(r.fd);
	xend_reply_clear(&r);
	assert_int_equal(decode("{\"version\":1,\"status\":0,\"fd\":"
				"\"console\"}\n", &r), 0);
	assert_string_equal(r.fd, "console");
	xend_reply_clear(&r);
	assert_null(r.fd);
}

static void test_decode_bad(void **state)
{
	static const char *const bad[] = {
		"", "{", "[]", "{\"status\":0", "{\"output\":\"x\"}",
		"{\"status\":\"0\"}", "{\"status\":0}x", "{\"status\":0,}",
		"{\"status\":0,\"output\":\"\\q\"}",
		"{\"status\":0,\"output\":\"a\nb\"}",
		"{\"status\":99999999999}", "{\"status\":0,\"status\":1}",
		"{\"status\":0,\"error\":7}",
	};
	struct xend_reply r;
	char deep[2 * 5000 + 32];
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (decode(bad[i], &r) != -EPROTO)
			fail_msg("accepted: %s", bad[i]);
	/* Nesting deeper than jansson's parser goes (2048) is refused, not
	 * recursed into. */
	n = (size_t)sprintf(deep, "{\"status\":0,\"x\":");
	memset(deep + n, '[', 5000);
	memset(deep + n + 5000, ']', 5000);
	strcpy(deep + n + 10000, "}");
	assert_int_equal(decode(deep, &r), -EPROTO);
	assert_int_equal(decode("{\"version\":2,\"status\":0}", &r),
			 -EPROTONOSUPPORT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_decode_bad),
	};
	return cmocka_run_group_tests_name("xend_proto", tests, NULL, NULL);
}
