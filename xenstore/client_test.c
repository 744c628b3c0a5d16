/* xenstore/client_test.c: the client library (xs.h) against a real
 * xenstored started from the same build directory on a temporary socket. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "xenstore/xs.h"

static char daemon_path[4096], tmpdir[64], sock[128];
static pid_t daemon_pid = -1;

static int start_daemon(void **state)
{
	char statedir[128];

	(void)state;
	strcpy(tmpdir, "/tmp/kxen-xsclient.XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(sock, sizeof(sock), "%s/socket", tmpdir);
	snprintf(statedir, sizeof(statedir), "%s/state", tmpdir);
	daemon_pid = fork();
	if (daemon_pid == 0) {
		execl(daemon_path, "xenstored", "--socket", sock, "--state-dir",
		      statedir, "--no-recovery", "--log-level", "error",
		      (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 200; i++) {
		struct stat sb;

		if (stat(sock, &sb) == 0)
			return 0;
		usleep(10000);
	}
	return -1;
}

static int stop_daemon(void **state)
{
	int status = 0;
	char cmd[128];

	(void)state;
	if (daemon_pid > 0) {
		kill(daemon_pid, SIGTERM);
		waitpid(daemon_pid, &status, 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		return -1;
	/* a clean exit, and no sanitizer report turned into a failure */
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static struct xs_handle *open_h(void)
{
	struct xs_handle *h = NULL;

	assert_int_equal(xs_open(sock, &h), 0);
	return h;
}

static void test_rw(void **state)
{
	struct xs_handle *h = open_h();
	char *v, **names;
	size_t len;
	unsigned n;

	(void)state;
	assert_int_equal(xs_write(h, XS_NO_TXN, "/c/a", "one", 3), 0);
	assert_int_equal(xs_read(h, XS_NO_TXN, "/c/a", &v, &len), 0);
	assert_int_equal(len, 3);
	assert_string_equal(v, "one");
	free(v);
	assert_int_equal(xs_mkdir(h, XS_NO_TXN, "/c/b"), 0);
	assert_int_equal(xs_directory(h, XS_NO_TXN, "/c", &names, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(names[0], "a");
	assert_string_equal(names[1], "b");
	assert_null(names[2]);
	free(names);
	assert_int_equal(xs_read(h, XS_NO_TXN, "/c/none", &v, &len), -ENOENT);
	assert_int_equal(xs_write(h, XS_NO_TXN, "/c//x", "", 0), -EINVAL);
	assert_int_equal(xs_rm(h, XS_NO_TXN, "/c"), 0);
	assert_int_equal(xs_read(h, XS_NO_TXN, "/c/a", &v, &len), -ENOENT);
	xs_close(h);
}

static void test_perms(void **state)
{
	struct xs_handle *h = open_h();
	const struct xs_perm set[] = { { 0, 'n' }, { 5, 'r' }, { 7, 'b' } };
	struct xs_perm *got;
	unsigned n;

	(void)state;
	assert_int_equal(xs_write(h, XS_NO_TXN, "/p", "", 0), 0);
	assert_int_equal(xs_set_perms(h, XS_NO_TXN, "/p", set, 3), 0);
	assert_int_equal(xs_get_perms(h, XS_NO_TXN, "/p", &got, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(got[1].domid, 5);
	assert_int_equal(got[1].perm, 'r');
	assert_int_equal(got[2].perm, 'b');
	free(got);
	xs_close(h);
}

static void test_watch(void **state)
{
	struct xs_handle *w = open_h(), *h = open_h();
	struct pollfd pfd = { .fd = xs_fileno(w), .events = POLLIN };
	char *path, *token;

	(void)state;
	assert_int_equal(xs_watch(w, "/wt", "tok"), 0);
	/* the initial event may have come in with the reply */
	assert_true(xs_watch_pending(w) || poll(&pfd, 1, 2000) == 1);
	assert_int_equal(xs_read_watch(w, &path, &token), 0);
	assert_string_equal(path, "/wt");
	assert_string_equal(token, "tok");
	free(path);
	assert_int_equal(xs_read_watch(w, &path, &token), -EAGAIN);
	assert_int_equal(xs_write(h, XS_NO_TXN, "/wt/x", "1", 1), 0);
	assert_int_equal(poll(&pfd, 1, 2000), 1);
	assert_int_equal(xs_read_watch(w, &path, &token), 0);
	assert_string_equal(path, "/wt/x");
	free(path);
	/* an event that arrives while the watcher waits for a reply is kept */
	assert_int_equal(xs_write(h, XS_NO_TXN, "/wt/y", "1", 1), 0);
	assert_int_equal(xs_write(w, XS_NO_TXN, "/other", "1", 1), 0);
	assert_true(xs_watch_pending(w));
	assert_int_equal(xs_read_watch(w, &path, &token), 0);
	assert_string_equal(path, "/wt/y");
	free(path);
	assert_int_equal(xs_unwatch(w, "/wt", "tok"), 0);
	assert_int_equal(xs_unwatch(w, "/wt", "tok"), -ENOENT);
	xs_close(w);
	xs_close(h);
}

static void test_transactions(void **state)
{
	struct xs_handle *a = open_h(), *b = open_h();
	uint32_t t1, t2;
	char *v;
	size_t len;

	(void)state;
	assert_int_equal(xs_write(a, XS_NO_TXN, "/tx", "0", 1), 0);
	assert_int_equal(xs_transaction_start(a, &t1), 0);
	assert_int_equal(xs_transaction_start(b, &t2), 0);
	assert_int_equal(xs_read(a, t1, "/tx", &v, &len), 0);
	free(v);
	assert_int_equal(xs_read(b, t2, "/tx", &v, &len), 0);
	free(v);
	assert_int_equal(xs_write(a, t1, "/tx", "1", 1), 0);
	assert_int_equal(xs_write(b, t2, "/tx", "2", 1), 0);
	assert_int_equal(xs_transaction_end(a, t1, false), 0);
	assert_int_equal(xs_transaction_end(b, t2, false), -EAGAIN);
	assert_int_equal(xs_read(b, XS_NO_TXN, "/tx", &v, &len), 0);
	assert_string_equal(v, "1");
	free(v);
	assert_int_equal(xs_transaction_start(b, &t2), 0);
	assert_int_equal(xs_write(b, t2, "/tx", "3", 1), 0);
	assert_int_equal(xs_transaction_end(b, t2, true), 0);
	assert_int_equal(xs_transaction_end(b, 999, false), -ENOENT);
	xs_close(a);
	xs_close(b);
}

static void test_domains(void **state)
{
	struct xs_handle *h = open_h();
	int mfd = memfd_create("guest", 0);
	int kick = eventfd(0, EFD_NONBLOCK), notify = eventfd(0, EFD_NONBLOCK);
	struct pollfd pfd = { .fd = notify, .events = POLLIN };
	uint32_t *connection;
	void *page;
	bool in;
	char *path;

	(void)state;
	assert_true(mfd >= 0 && ftruncate(mfd, 3 * 4096) == 0);
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 2 * 4096);
	assert_true(page != MAP_FAILED);
	connection = (uint32_t *)((char *)page + 2068);
	*connection = 1;
	assert_int_equal(xs_introduce(h, 3, 2, 9, mfd, kick, notify), 0);
	/* the daemon took its own copies of the fds */
	close(mfd);
	close(kick);
	assert_int_equal(poll(&pfd, 1, 2000), 1);
	assert_int_equal(*connection, 0);
	assert_int_equal(xs_is_domain_introduced(h, 3, &in), 0);
	assert_true(in);
	assert_int_equal(xs_get_domain_path(h, 3, &path), 0);
	assert_string_equal(path, "/local/domain/3");
	free(path);
	assert_int_equal(xs_introduce(h, 4, 1, 1, -1, -1, -1), 0);
	assert_int_equal(xs_release(h, 3), 0);
	assert_int_equal(xs_release(h, 4), 0);
	assert_int_equal(xs_release(h, 4), -ENOENT);
	assert_int_equal(xs_is_domain_introduced(h, 3, &in), 0);
	assert_false(in);
	munmap(page, 4096);
	close(notify);
	xs_close(h);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rw),
		cmocka_unit_test(test_perms),
		cmocka_unit_test(test_watch),
		cmocka_unit_test(test_transactions),
		cmocka_unit_test(test_domains),
	};
	char self[4096];

	(void)argc;
	/* <build>/test/xenstore_client_test -> <build>/bin/xenstored */
	snprintf(self, sizeof(self), "%s", argv[0]);
	snprintf(daemon_path, sizeof(daemon_path), "%s/../bin/xenstored",
		 dirname(self));
	return cmocka_run_group_tests_name("xenstore_client", tests,
					   start_daemon, stop_daemon);
}
