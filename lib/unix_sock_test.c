/* lib/unix_sock_test.c: unix_listen and unix_connect. */
#include "lib/unix_sock.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

static char dir[64];

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/kxen-unix-sock.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void test_listen_connect(void **state)
{
	char path[128], long_path[200];
	struct stat sb;
	int l, c, a;

	(void)state;
	snprintf(path, sizeof(path), "%s/sock", dir);
	assert_int_equal(unix_connect(path, 0), -ENOENT);
	l = unix_listen(path, 4, SOCK_NONBLOCK);
	assert_true(l >= 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_true(fcntl(l, F_GETFL) & O_NONBLOCK);
	assert_true(fcntl(l, F_GETFD) & FD_CLOEXEC);
	c = unix_connect(path, 2);
	assert_true(c >= 0);
	a = accept(l, NULL, NULL);
	assert_true(a >= 0);
	assert_int_equal(write(c, "x", 1), 1);
	assert_int_equal(read(a, long_path, 1), 1);
	close(a);
	close(c);
	close(l);
	/* The socket file left behind is replaced by the next run. */
	l = unix_listen(path, 4, 0);
	assert_true(l >= 0);
	close(l);
	memset(long_path, 'a', sizeof(long_path) - 1);
	long_path[sizeof(long_path) - 1] = 0;
	assert_int_equal(unix_connect(long_path, 0), -ENAMETOOLONG);
	assert_int_equal(unix_listen(long_path, 4, 0), -ENAMETOOLONG);
}

/* Another kind of file at the path is not the listener's to remove. */
static void test_listen_keeps_files(void **state)
{
	char path[128];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/file", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(unix_listen(path, 4, 0), -EADDRINUSE);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(unix_connect(path, 0), -ECONNREFUSED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_listen_connect),
		cmocka_unit_test(test_listen_keeps_files),
	};

	return cmocka_run_group_tests_name("unix_sock", tests, setup, teardown);
}
