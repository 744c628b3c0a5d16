/* cli/console_test.c: the escape scan and the reply reader's fd rules
 * (at most one fd kept, every other closed, nothing left on errors). */
#include "cli/xm.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

static void test_escape(void **state)
{
	(void)state;
	assert_int_equal(console_until_escape("abc", 3), 3);
	assert_int_equal(console_until_escape("ab\x1d" "cd", 5), 2);
	assert_int_equal(console_until_escape("\x1d", 1), 0);
	assert_int_equal(console_until_escape("a\0\x1d", 3), 2);
	assert_int_equal(console_until_escape("", 0), 0);
}

/* Send buf with n copies of fd (SCM_RIGHTS). */
static void send_with_fds(int s, const char *buf, int fd, int n)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(8 * sizeof(int))];
	} cm;
	struct iovec iov = { .iov_base = (char *)buf, .iov_len = strlen(buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	memset(&cm, 0, sizeof(cm));
	if (n) {
		mh.msg_control = cm.buf;
		mh.msg_controllen = CMSG_SPACE((size_t)n * sizeof(int));
		CMSG_FIRSTHDR(&mh)->cmsg_level = SOL_SOCKET;
		CMSG_FIRSTHDR(&mh)->cmsg_type = SCM_RIGHTS;
		CMSG_FIRSTHDR(&mh)->cmsg_len =
			CMSG_LEN((size_t)n * sizeof(int));
		for (int i = 0; i < n; i++)
			memcpy(CMSG_DATA(CMSG_FIRSTHDR(&mh)) + i * sizeof(int),
			       &fd, sizeof(int));
	}
	assert_int_equal(sendmsg(s, &mh, 0), (ssize_t)strlen(buf));
}

/* The number of open fds of this process. */
static int open_fds(void)
{
	int n = 0;

	for (int fd = 0; fd < 1024; fd++)
		n += fcntl(fd, F_GETFD) >= 0;
	return n;
}

static void test_recv_fds(void **state)
{
	int sp[2], pass[2], before, got = -1;
	char *out = NULL;
	size_t len = 0;

	(void)state;
	before = open_fds();
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, pass), 0);
	/* 6 copies in the first chunk, 1 more in a second: one is kept */
	send_with_fds(sp[1], "{\"status\":0,", pass[1], 6);
	send_with_fds(sp[1], "\"fd\":\"console\"}\n", pass[1], 1);
	close(pass[1]);
	assert_int_equal(xend_recv_reply(sp[0], &out, &len, &got), 0);
	assert_int_equal(len, strlen("{\"status\":0,\"fd\":\"console\"}\n"));
	assert_true(got >= 0);
	assert_true(fcntl(got, F_GETFD) & FD_CLOEXEC);
	/* the kept copy is the only one: closing it makes the peer see EOF */
	assert_int_equal(open_fds(), before + 4);
	close(got);
	{
		char c;

		assert_int_equal(read(pass[0], &c, 1), 0);
	}
	close(pass[0]);
	free(out);

	/* EOF before the '\n': -ECONNRESET, and the fd is not kept */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, pass), 0);
	send_with_fds(sp[1], "{\"status\"", pass[1], 1);
	close(pass[1]);
	close(sp[1]);
	got = -1;
	assert_int_equal(xend_recv_reply(sp[0], &out, &len, &got),
			 -ECONNRESET);
	assert_int_equal(got, -1);
	close(sp[0]);
	close(pass[0]);
	assert_int_equal(open_fds(), before);
}

static void test_recv_plain(void **state)
{
	int sp[2], got = 7;
	char *out = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
	close(sp[1]);
	assert_int_equal(xend_recv_reply(sp[0], &out, &len, &got),
			 -ECONNRESET);
	close(sp[0]);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
	assert_int_equal(write(sp[1], "{\"status\":1}\n", 13), 13);
	assert_int_equal(xend_recv_reply(sp[0], &out, &len, &got), 0);
	assert_int_equal(got, -1);
	assert_int_equal(len, 13);
	assert_memory_equal(out, "{\"status\":1}\n", 13);
	free(out);
	close(sp[0]);
	close(sp[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_recv_fds),
		cmocka_unit_test(test_recv_plain),
	};
	return cmocka_run_group_tests_name("console", tests, NULL, NULL);
}
