/* xenstore/ops_test.c: the wire protocol through the dispatcher: error
 * names, ids echoed, argument checks, events before replies, transaction
 * ids, DIRECTORY_PART, domain ops and domU quotas. */
#include "xenstore/test_util.h"
#include "xenstore/watch.h"

#include <stdio.h>

static int setup(void **state)
{
	struct xsd *x = calloc(1, sizeof(*x));

	assert_int_equal(xsd_init(x), 0);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	xsd_fini(*state);
	free(*state);
	return 0;
}

static void test_basic_and_errors(void **state)
{
	struct xsd *x = *state;
	struct conn *c = tu_conn(x, 0, true);
	char buf[5000];
	struct xsd_sockmsg h;

	assert_int_equal(tu_call(c, XS_WRITE, 0, "/a\0val", 6, buf, sizeof(buf)), XS_WRITE);
	assert_string_equal(buf, "OK");
	tu_send(c, XS_READ, 1234, 0, TU_STR("/a"));
	assert_int_equal(tu_recv(c, &h, buf, sizeof(buf), NULL), XS_READ);
	assert_int_equal(h.req_id, 1234);
	assert_string_equal(buf, "val");
	assert_int_equal(h.len, 3); /* no trailing NUL */
	assert_int_equal(tu_call(c, XS_READ, 0, TU_STR("/nope"), buf, sizeof(buf)), XS_ERROR);
	assert_string_equal(buf, "ENOENT");
	/* missing NUL, extra strings */
	assert_int_equal(tu_call(c, XS_READ, 0, "/a", 2, buf, sizeof(buf)), XS_ERROR);
	assert_string_equal(buf, "EINVAL");
	assert_int_equal(tu_call(c, XS_READ, 0, "/a\0/b", 6, buf, sizeof(buf)), XS_ERROR);
	assert_int_equal(tu_call(c, XS_WRITE, 0, "/a", 2, buf, sizeof(buf)), XS_ERROR);
	/* unknown, reply-only and removed types */
	assert_int_equal(tu_call(c, 99, 0, TU_STR(""), buf, sizeof(buf)), XS_ERROR);
	assert_string_equal(buf, "ENOSYS");
	assert_int_equal(tu_call(c, XS_WATCH_EVENT, 0, TU_STR(""), buf, sizeof(buf)), XS_ERROR);
	assert_int_equal(tu_call(c, 20, 0, TU_STR(""), buf, sizeof(buf)), XS_ERROR);
	assert_string_equal(buf, "ENOSYS");
	/* WATCH takes exactly two strings in 4.17 */
	assert_int_equal(tu_call(c, XS_WATCH, 0, "/a\0t\0" "1", 7, buf, sizeof(buf)), XS_ERROR);
	assert_string_equal(buf, "EINVAL");
	assert_int_equal(tu_call(c, XS_GET_DOMAIN_PATH, 0, TU_STR("7"), buf, sizeof(buf)),
			 XS_GET_DOMAIN_PATH);
	assert_string_equal(buf, "/local/domain/7");
}

static void test_watch_events_order(void **state)
{
	struct xsd *x = *state;
	struct conn *c = tu_conn(x, 0, true);
	char buf[5000];
	uint32_t len;

	tu_send(c, XS_WATCH, 1, 0, "/w\0tok", 7);
	assert_int_equal(tu_recv(c, NULL, buf, sizeof(buf), NULL), XS_WATCH);
	assert_int_equal(tu_recv(c, NULL, buf, sizeof(buf), &len), XS_WATCH_EVENT);
	assert_memory_equal(buf, "/w\0tok", 7);
	/* the writer's own event precedes its reply */
	tu_send(c, XS_WRITE, 2, 0, "/w/x\0" "1", 6);
	assert_int_equal(tu_recv(c, NULL, buf, sizeof(buf), &len), XS_WATCH_EVENT);
	assert_string_equal(buf, "/w/x");
	assert_int_equal(tu_recv(c, NULL, buf, sizeof(buf), NULL), XS_WRITE);
	/* mkdir of an existing node fires nothing */
	tu_send(c, XS_MKDIR, 3, 0, TU_STR("/w/x"));
	assert_int_equal(tu_recv(c, NULL, buf, sizeof(buf), NULL), XS_MKDIR);
	assert_int_equal(tu_recv(c, NULL, buf, sizeof(buf), NULL), -1);
	assert_int_equal(tu_call(c, XS_UNWATCH, 0, "/w\0bad", 7, buf, sizeof(buf)), XS_ERROR);
	assert_string_equal(buf, "ENOENT");
	assert_int_equal(tu_call(c, XS_UNWATCH, 0, "/w\0tok", 7, buf, sizeof(buf)), XS_UNWATCH);
}

static void test_transactions(void **state)
{
	struct xsd *x = *state;
	struct conn *c = tu_conn(x, 0, true);
	char buf[5000];
	unsigned long id;

	assert_int_equal(tu_call(c, XS_TRANSACTION_START, 0, TU_STR(""), buf, sizeof(buf)),
			 XS_TRANSACTION_START);
	id = strtoul(buf, NULL, 10);
	assert_int_equal(id, 1);
	assert_int_equal(tu_call(c, XS_TRANSACTION_START, (uint32_t)id, TU_STR(""), buf, sizeof(buf)),
			 XS_ERROR);
	assert_string_equal(buf, "EBUSY");
	assert_int_equal(tu_call(c, XS_READ, 999, TU_STR("/"), buf, sizeof(buf)), XS_ERROR);
	assert_string_equal(buf, "ENOENT");
	assert_int_equal(tu_call(c, XS_WRITE, (uint32_t)id, "/t\0v", 4, buf, sizeof(buf)), XS_WRITE);
	assert_int_equal(tu_call(c, XS_READ, 0, TU_STR("/t"), buf, sizeof(buf)), XS_ERROR);
	assert_int_equal(tu_call(c, XS_TRANSACTION_END, (uint32_t)id, TU_STR("X"), buf, sizeof(buf)),
			 XS_ERROR);
	assert_string_equal(buf, "EINVAL");
	assert_int_equal(tu_call(c, XS_TRANSACTION_END, 0, TU_STR("T"), buf, sizeof(buf)), XS_ERROR);
	assert_string_equal(buf, "ENOENT");
	assert_int_equal(tu_call(c, XS_TRANSACTION_END, (uint32_t)id, TU_STR("T"), buf, sizeof(buf)),
			 XS_TRANSACTION_END);
	assert_int_equal(tu_call(c, XS_READ, 0, TU_STR("/t"), buf, sizeof(buf)), XS_READ);
	assert_int_equal(tu_call(c, XS_TRANSACTION_END, (uint32_t)id, TU_STR("T"), buf, sizeof(buf)),
			 XS_ERROR);
}

static void test_directory_part(void **state)
{
	struct xsd *x = *state;
	struct conn *c = tu_conn(x, 0, true);
	char buf[5000], req[64], path[300];
	uint32_t len = 0, total = 0;
	unsigned off = 0;
	struct xsd_sockmsg h;

	memset(path, 'n', sizeof(path));
	for (int i = 0; i < 40; i++) {
		int n = snprintf(path, sizeof(path), "/dp/%03d", i);

		memset(path + n, 'x', 200);
		path[n + 200] = '\0';
		tu_send(c, XS_MKDIR, 1, 0, path, (uint32_t)strlen(path) + 1);
		assert_int_equal(tu_recv(c, NULL, buf, sizeof(buf), NULL), XS_MKDIR);
	}
	for (int chunk = 0; chunk < 10; chunk++) {
		int n = snprintf(req, sizeof(req), "/dp%c%u", 0, off);
		size_t gl;
		const char *names;

		tu_send(c, XS_DIRECTORY_PART, 1, 0, req, (uint32_t)n + 1);
		assert_int_equal(tu_recv(c, &h, buf, sizeof(buf), &len), XS_DIRECTORY_PART);
		assert_true(len <= XENSTORE_PAYLOAD_MAX);
		gl = strlen(buf) + 1;
		names = buf + gl;
		len -= (uint32_t)gl;
		total += len;
		off += len;
		/* the last chunk carries an extra NUL */
		if (len == 1 || (names[len - 1] == '\0' && names[len - 2] == '\0'))
			break;
	}
	/* 40 names of 204 bytes each plus the final extra NUL */
	assert_int_equal(total, 40 * 204 + 1);
}

static void test_domu_limits(void **state)
{
	struct xsd *x = *state;
	struct conn *c0 = tu_conn(x, 0, true), *c5 = tu_conn(x, 5, false);
	char buf[5000], req[64];
	int n;

	assert_int_equal(tu_call(c0, XS_MKDIR, 0, TU_STR("/local/domain/5"), buf, sizeof(buf)), XS_MKDIR);
	assert_int_equal(tu_call(c0, XS_SET_PERMS, 0, "/local/domain/5\0n5", 19, buf, sizeof(buf)),
			 XS_SET_PERMS);
	/* privileged operations */
	assert_int_equal(tu_call(c5, XS_INTRODUCE, 0, "6\0" "1\0" "2", 6, buf, sizeof(buf)), XS_ERROR);
	assert_string_equal(buf, "EACCES");
	/* 129 watches fit, the 130th is E2BIG */
	for (int i = 0; i <= 129; i++) {
		n = snprintf(req, sizeof(req), "w%d%ct", i, 0);
		tu_send(c5, XS_WATCH, 1, 0, req, (uint32_t)n + 1);
		assert_int_equal(tu_recv(c5, NULL, buf, sizeof(buf), NULL),
				 i < 129 ? XS_WATCH : XS_ERROR);
		if (i < 129) {
			assert_int_equal(tu_recv(c5, NULL, buf, sizeof(buf), NULL), XS_WATCH_EVENT);
			assert_string_equal(buf, req); /* relative path as given */
		} else {
			assert_string_equal(buf, "E2BIG");
		}
	}
	/* 11 transactions fit, the 12th is ENOSPC */
	for (int i = 0; i <= 11; i++)
		assert_int_equal(tu_call(c5, XS_TRANSACTION_START, 0, TU_STR(""), buf, sizeof(buf)),
				 i < 11 ? XS_TRANSACTION_START : XS_ERROR);
	assert_string_equal(buf, "ENOSPC");
	tu_send(c5, XS_RESET_WATCHES, 1, 0, TU_STR(""));
	assert_int_equal(tu_recv(c5, NULL, buf, sizeof(buf), NULL), XS_RESET_WATCHES);
	assert_int_equal(watch_count(x->ws, c5), 0);
	assert_int_equal(c5->ntxns, 0);
	/* a domU event is hidden unless it may read the node or parent */
	tu_send(c5, XS_WATCH, 1, 0, "/secret\0t", 10);
	assert_int_equal(tu_recv(c5, NULL, buf, sizeof(buf), NULL), XS_WATCH);
	assert_int_equal(tu_recv(c5, NULL, buf, sizeof(buf), NULL), XS_WATCH_EVENT);
	assert_int_equal(tu_call(c0, XS_WRITE, 0, "/secret/x\0" "1", 12, buf, sizeof(buf)), XS_WRITE);
	assert_int_equal(tu_recv(c5, NULL, buf, sizeof(buf), NULL), -1);
}

static void test_domains(void **state)
{
	struct xsd *x = *state;
	struct conn *c = tu_conn(x, 0, true);
	char buf[5000];

	tu_send(c, XS_WATCH, 1, 0, "@introduceDomain\0i", 19);
	tu_send(c, XS_WATCH, 1, 0, "@releaseDomain\0r", 17);
	while (tu_recv(c, NULL, buf, sizeof(buf), NULL) >= 0)
		;
	assert_int_equal(tu_call(c, XS_IS_DOMAIN_INTRODUCED, 0, TU_STR("3"), buf, sizeof(buf)),
			 XS_IS_DOMAIN_INTRODUCED);
	assert_string_equal(buf, "F");
	tu_send(c, XS_INTRODUCE, 1, 0, "3\0" "4096\0" "5", 9);
	assert_int_equal(tu_recv(c, NULL, buf, sizeof(buf), NULL), XS_WATCH_EVENT);
	assert_string_equal(buf, "@introduceDomain");
	assert_int_equal(tu_recv(c, NULL, buf, sizeof(buf), NULL), XS_INTRODUCE);
	assert_int_equal(tu_call(c, XS_IS_DOMAIN_INTRODUCED, 0, TU_STR("3"), buf, sizeof(buf)),
			 XS_IS_DOMAIN_INTRODUCED);
	assert_string_equal(buf, "T");
	assert_int_equal(tu_call(c, XS_INTRODUCE, 0, "3\0" "1\0" "0", 6, buf, sizeof(buf)), XS_ERROR);
	assert_int_equal(tu_call(c, XS_SET_TARGET, 0, "3\0" "0", 4, buf, sizeof(buf)), XS_SET_TARGET);
	assert_int_equal(tu_call(c, XS_RESUME, 0, TU_STR("3"), buf, sizeof(buf)), XS_RESUME);
	assert_int_equal(tu_call(c, XS_WRITE, 0, "/local/domain/3/x\0" "1", 20, buf, sizeof(buf)), XS_WRITE);
	assert_int_equal(tu_call(c, XS_SET_PERMS, 0, "/local/domain/3/x\0n3", 21, buf, sizeof(buf)),
			 XS_SET_PERMS);
	tu_send(c, XS_RELEASE, 1, 0, TU_STR("3"));
	assert_int_equal(tu_recv(c, NULL, buf, sizeof(buf), NULL), XS_WATCH_EVENT);
	assert_string_equal(buf, "@releaseDomain");
	assert_int_equal(tu_recv(c, NULL, buf, sizeof(buf), NULL), XS_RELEASE);
	/* its nodes went with it */
	assert_int_equal(tu_call(c, XS_READ, 0, TU_STR("/local/domain/3/x"), buf, sizeof(buf)), XS_ERROR);
	assert_int_equal(tu_call(c, XS_RELEASE, 0, TU_STR("3"), buf, sizeof(buf)), XS_ERROR);
	assert_string_equal(buf, "ENOENT");
	assert_int_equal(tu_call(c, XS_CONTROL, 0, TU_STR("check"), buf, sizeof(buf)), XS_CONTROL);
	assert_int_equal(tu_call(c, XS_CONTROL, 0, TU_STR("nope"), buf, sizeof(buf)), XS_ERROR);
}

static void test_oversized(void **state)
{
	struct xsd *x = *state;
	struct conn *c = tu_conn(x, 0, true);
	struct xsd_sockmsg hdr = { .type = XS_READ, .len = 4097 };

	memcpy(c->in, &hdr, sizeof(hdr));
	c->in_len = sizeof(hdr);
	conn_process_input(c);
	assert_true(c->dead);
}

static void test_big_event_dropped(void **state)
{
	struct xsd *x = *state;
	struct conn *c = tu_conn(x, 0, true);
	char req[4096], buf[5000];
	size_t n;

	/* a 3001-byte path + 1090-byte token fit a WATCH; an event for a
	 * child 4 bytes longer would exceed 4096 and is dropped */
	memset(req, 'p', 3001);
	req[0] = '/';
	req[3001] = '\0';
	memset(req + 3002, 't', 1090);
	req[4092] = '\0';
	n = 4093;
	tu_send(c, XS_WATCH, 1, 0, req, (uint32_t)n);
	assert_int_equal(tu_recv(c, NULL, buf, sizeof(buf), NULL), XS_WATCH);
	assert_int_equal(tu_recv(c, NULL, buf, sizeof(buf), NULL), XS_WATCH_EVENT);
	memcpy(req + 3001, "/abcde", 7);
	memcpy(req + 3008, "v", 1);
	tu_send(c, XS_WRITE, 1, 0, req, 3009);
	assert_int_equal(tu_recv(c, NULL, buf, sizeof(buf), NULL), XS_WRITE);
	assert_false(c->dead);
}

static void test_event_dedup_and_e2big(void **state)
{
	struct xsd *x = *state;
	struct conn *c = tu_conn(x, 0, true), *w = tu_conn(x, 0, true);
	char buf[5000], path[300];
	uint32_t len;

	tu_send(w, XS_WATCH, 1, 0, "/dd\0t", 6);
	while (tu_recv(w, NULL, buf, sizeof(buf), NULL) >= 0)
		;
	/* the same change twice before the watcher reads: one event */
	assert_int_equal(tu_call(c, XS_WRITE, 0, "/dd/a\0" "1", 7, buf, sizeof(buf)), XS_WRITE);
	assert_int_equal(tu_call(c, XS_WRITE, 0, "/dd/a\0" "2", 7, buf, sizeof(buf)), XS_WRITE);
	assert_int_equal(tu_call(c, XS_WRITE, 0, "/dd/b\0" "2", 7, buf, sizeof(buf)), XS_WRITE);
	assert_int_equal(tu_recv(w, NULL, buf, sizeof(buf), &len), XS_WATCH_EVENT);
	assert_string_equal(buf, "/dd/a");
	assert_int_equal(tu_recv(w, NULL, buf, sizeof(buf), &len), XS_WATCH_EVENT);
	assert_string_equal(buf, "/dd/b");
	assert_int_equal(tu_recv(w, NULL, buf, sizeof(buf), &len), -1);
	/* a listing over 4096 bytes is E2BIG for DIRECTORY */
	for (int i = 0; i < 30; i++) {
		int n = snprintf(path, sizeof(path), "/big/%03d", i);

		memset(path + n, 'x', 200);
		path[n + 200] = '\0';
		tu_send(c, XS_MKDIR, 1, 0, path, (uint32_t)strlen(path) + 1);
		assert_int_equal(tu_recv(c, NULL, buf, sizeof(buf), NULL), XS_MKDIR);
	}
	assert_int_equal(tu_call(c, XS_DIRECTORY, 0, TU_STR("/big"), buf, sizeof(buf)), XS_ERROR);
	assert_string_equal(buf, "E2BIG");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_basic_and_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_events_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_directory_part, setup, teardown),
		cmocka_unit_test_setup_teardown(test_domu_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_domains, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oversized, setup, teardown),
		cmocka_unit_test_setup_teardown(test_big_event_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_dedup_and_e2big, setup, teardown),
	};

	return cmocka_run_group_tests_name("xenstore_ops", tests, NULL, NULL);
}
