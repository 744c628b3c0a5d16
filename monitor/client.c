/* monitor/client.c: the client side of a monitor's state directory, for
 * scripts and debugging without xend: send one control request, or attach
 * stdio to the console socket (Ctrl-] detaches on a terminal). */
#include "monitor/client.h"
#include "lib/unix_sock.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

static int connect_to(const char *dir, const char *name)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	return unix_connect(path, 0);
}

int client_ctl_request(const char *dir, const char *request)
{
	char buf[4096];
	int fd = connect_to(dir, "ctl");
	ssize_t r;
	size_t n = 0;

	if (fd < 0) {
		fprintf(stderr, "kxen-monitor: cannot connect to %s/ctl: %s\n", dir,
			strerror(-fd));
		return 1;
	}
	if (dprintf(fd, "%s\n", request) < 0)
		goto fail;
	while (n < sizeof(buf) - 1 && (r = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0) {
		n += (size_t)r;
		if (memchr(buf, '\n', n))
			break;
	}
	close(fd);
	buf[n] = 0;
	fputs(buf, stdout);
	return strstr(buf, "\"ok\":true") ? 0 : 1;
fail:
	close(fd);
	return 1;
}

int client_console(const char *dir)
{
	struct termios saved, t;
	int fd = connect_to(dir, "console"), tty = isatty(STDIN_FILENO);
	struct pollfd p[2] = {
		{ .fd = STDIN_FILENO, .events = POLLIN },
		{ .fd = fd, .events = POLLIN },
	};
	char buf[4096];

	if (fd < 0) {
		fprintf(stderr, "kxen-monitor: cannot connect to %s/console: %s\n",
			dir, strerror(-fd));
		return 1;
	}
	if (tty && tcgetattr(STDIN_FILENO, &saved) == 0) {
		t = saved;
		cfmakeraw(&t);
		tcsetattr(STDIN_FILENO, TCSANOW, &t);
	} else {
		tty = 0;
	}
	for (;;) {
		ssize_t r;

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents & (POLLIN | POLLHUP)) {
			r = read(fd, buf, sizeof(buf));
			if (r <= 0 || write(STDOUT_FILENO, buf, (size_t)r) < 0)
				break;
		}
		if (p[0].revents & (POLLIN | POLLHUP)) {
			r = read(STDIN_FILENO, buf, sizeof(buf));
			if (r <= 0) {
				p[0].fd = -1; /* keep showing output */
				continue;
			}
			if (tty && memchr(buf, 0x1d, (size_t)r))
				break; /* Ctrl-] detaches */
			if (write(fd, buf, (size_t)r) < 0)
				break;
		}
	}
	if (tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	close(fd);
	return 0;
}
