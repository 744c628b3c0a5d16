/* bootloader/privsep.c: the unprivileged child (privsep.h). */
#include "bootloader/privsep.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHILD_CPU_S 60

int privsep_user(const char *name, uid_t *uid, gid_t *gid)
{
	struct passwd *pw;
	char *end;
	unsigned long v;

	if (!*name) {
		*uid = (uid_t)-1;
		*gid = (gid_t)-1;
		return 0;
	}
	pw = getpwnam(name);
	if (pw) {
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
		return 0;
	}
	v = strtoul(name, &end, 10);
	if (*end || end == name || v >= 0xffffffffUL)
		return -ENOENT;
	*uid = (uid_t)v;
	*gid = (gid_t)v;
	return 0;
}

static int drop(uid_t uid, gid_t gid)
{
	struct rlimit cpu = { CHILD_CPU_S, CHILD_CPU_S + 1 }, core = { 0, 0 };

	if (setrlimit(RLIMIT_CPU, &cpu) || setrlimit(RLIMIT_CORE, &core))
		return -errno;
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (uid == (uid_t)-1)
		return 0;
	if (setgroups(0, NULL) || setresgid(gid, gid, gid) ||
	    setresuid(uid, uid, uid))
		return -errno;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0))
		return -EPERM; /* could get root back: refuse to go on */
	return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t r = write(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int privsep_run(uid_t uid, gid_t gid, size_t (*fn)(void *arg, char *buf),
		void *arg, char *buf, size_t *len, char *err, size_t errlen)
{
	int p[2], status = 0;
	size_t n = 0;
	pid_t pid;

	if (pipe(p) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -ECHILD;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return -ECHILD;
	}
	if (pid == 0) {
		int rc = drop(uid, gid);
		size_t m;

		close(p[0]);
		if (rc) {
			dprintf(2, "cannot drop privileges to uid %u: %s\n",
				(unsigned)uid, strerror(-rc));
			_exit(126);
		}
		m = fn(arg, buf);
		fflush(NULL);
		_exit(write_all(p[1], buf, m) ? 125 : 0);
	}
	close(p[1]);
	for (;;) {
		ssize_t r = read(p[0], buf + n, PRIVSEP_REPLY_MAX - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
		if (n == PRIVSEP_REPLY_MAX)
			break;
	}
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) || !n) {
		if (WIFSIGNALED(status))
			snprintf(err, errlen, "the disk reader died of signal "
				 "%d (%s)", WTERMSIG(status),
				 strsignal(WTERMSIG(status)));
		else
			snprintf(err, errlen, "the disk reader failed (exit "
				 "status %d)", WIFEXITED(status) ?
				 WEXITSTATUS(status) : -1);
		return -ECHILD;
	}
	*len = n;
	return 0;
}
