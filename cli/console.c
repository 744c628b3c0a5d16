/* cli/console.c: xm's end of a guest console (xm console, create -c).
 *
 * xend passes a socket connected to the monitor's console (see
 * xend_client.c); this relays bytes both ways between it and stdio until
 * the socket closes (the guest is gone), or, when stdin is a terminal,
 * the user types Ctrl-] (detach). Both end with XM_OK.
 *
 * Invariants: while attached, a terminal stdin is in raw mode and the
 * signals in sess_signals are blocked except inside ppoll(), so their
 * handler only sets console_signal and the loop restores the terminal
 * before acting on them. Input waits in a small buffer until the socket
 * takes it (sent with MSG_DONTWAIT), so a guest that stops reading never
 * stops its output from being shown. EOF on stdin ends only the input. */
#include "cli/xm.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

/* The last signal caught while attached; 0 if none. */
static volatile sig_atomic_t console_signal;

static const int sess_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT,
				    SIGTSTP };
#define N_SIGNALS (sizeof(sess_signals) / sizeof(sess_signals[0]))

struct console {
	const struct xm *xm;
	int fd;               /* the console socket */
	bool tty;             /* stdin is a terminal, now raw */
	bool in_done;         /* stdin at EOF, or the guest takes no input */
	struct termios saved; /* the terminal as we found it */
	char in[4096];        /* input read, not yet sent */
	size_t in_off, in_len;
	struct sigaction old_act[N_SIGNALS], old_pipe;
	sigset_t old_mask;    /* mask before attaching; used inside ppoll */
	int end_signal;       /* the signal that ended the session, or 0 */
};

enum { GO_ON = -1 }; /* relay steps: else XM_OK or XM_ERR ends it */

size_t console_until_escape(const char *buf, size_t len)
{
	const char *e = memchr(buf, CONSOLE_ESCAPE, len);

	return e ? (size_t)(e - buf) : len;
}

static void on_signal(int sig)
{
	console_signal = sig;
}

static void term_raw(struct console *c)
{
	struct termios t = c->saved;

	if (!c->tty)
		return;
	cfmakeraw(&t);
	tcsetattr(STDIN_FILENO, TCSANOW, &t);
}

static void term_restore(struct console *c)
{
	if (c->tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &c->saved);
}

static void signals_catch(struct console *c)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct sigaction ign = { .sa_handler = SIG_IGN };
	sigset_t block;

	sigemptyset(&sa.sa_mask);
	sigemptyset(&block);
	console_signal = 0;
	for (unsigned i = 0; i < N_SIGNALS; i++) {
		sigaction(sess_signals[i], NULL, &c->old_act[i]);
		if (c->old_act[i].sa_handler == SIG_IGN)
			continue; /* nohup and the like: stays ignored */
		sigaddset(&block, sess_signals[i]);
		sigaction(sess_signals[i], &sa, NULL);
	}
	sigaction(SIGPIPE, &ign, &c->old_pipe); /* write errors say EPIPE */
	sigprocmask(SIG_BLOCK, &block, &c->old_mask);
}

static void signals_release(struct console *c)
{
	for (unsigned i = 0; i < N_SIGNALS; i++)
		sigaction(sess_signals[i], &c->old_act[i], NULL);
	sigaction(SIGPIPE, &c->old_pipe, NULL);
	sigprocmask(SIG_SETMASK, &c->old_mask, NULL);
}

/* Act on a caught signal. SIGTSTP stops xm with the terminal restored;
 * the others end the session (re-raised by console_attach). */
static int on_caught(struct console *c)
{
	int sig = console_signal;

	console_signal = 0;
	if (sig != SIGTSTP)
		return sig;
	term_restore(c);
	raise(SIGSTOP);
	term_raw(c); /* continued */
	return 0;
}

static int write_stdout(const char *buf, size_t len)
{
	while (len) {
		ssize_t r = write(STDOUT_FILENO, buf, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EIO;
		buf += r;
		len -= (size_t)r;
	}
	return 0;
}

/* Guest output to stdout. */
static int pump_out(struct console *c)
{
	char buf[4096];
	ssize_t r = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
	int rc;

	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return GO_ON;
	if (r == 0 || (r < 0 && errno == ECONNRESET))
		return XM_OK; /* the guest is gone */
	if (r < 0) {
		fprintf(stderr, "%s: console: %s\n", c->xm->prog,
			strerror(errno));
		return XM_ERR;
	}
	rc = write_stdout(buf, (size_t)r);
	if (rc) {
		fprintf(stderr, "%s: console: cannot write the output: %s\n",
			c->xm->prog, strerror(-rc));
		return XM_ERR;
	}
	return GO_ON;
}

/* Send what input waits, as far as the socket takes it now. */
static void flush_in(struct console *c)
{
	while (c->in_len) {
		ssize_t r = send(c->fd, c->in + c->in_off, c->in_len,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			return;
		if (r <= 0) { /* the guest side closed: keep showing output */
			c->in_len = 0;
			c->in_done = true;
			return;
		}
		c->in_off += (size_t)r;
		c->in_len -= (size_t)r;
	}
	c->in_off = 0;
}

/* stdin to the guest; Ctrl-] on a terminal detaches. */
static int pump_in(struct console *c)
{
	ssize_t r = read(STDIN_FILENO, c->in, sizeof(c->in));
	size_t n;

	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return GO_ON;
	if (r <= 0) { /* EOF, or a hung-up terminal: output goes on */
		c->in_done = true;
		return GO_ON;
	}
	n = c->tty ? console_until_escape(c->in, (size_t)r) : (size_t)r;
	c->in_off = 0;
	c->in_len = n;
	flush_in(c);
	return n < (size_t)r ? XM_OK : GO_ON;
}

static int relay(struct console *c)
{
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = c->fd, .events = POLLIN },
		};
		int rc;

		if (c->in_done || c->in_len)
			p[0].fd = -1;
		if (c->in_len)
			p[1].events |= POLLOUT;
		if (ppoll(p, 2, NULL, &c->old_mask) < 0) {
			if (errno != EINTR) {
				fprintf(stderr, "%s: console: %s\n",
					c->xm->prog, strerror(errno));
				return XM_ERR;
			}
			if (console_signal &&
			    (c->end_signal = on_caught(c)) != 0)
				return XM_ERR;
			continue;
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			rc = pump_out(c);
			if (rc != GO_ON)
				return rc;
		}
		if (p[1].revents & POLLOUT)
			flush_in(c);
		if (p[0].revents & POLLNVAL) {
			c->in_done = true; /* no stdin at all */
		} else if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			rc = pump_in(c);
			if (rc != GO_ON)
				return rc;
		}
	}
}

int console_attach(const struct xm *xm, int fd)
{
	struct console c = { .xm = xm, .fd = fd };
	int rc;

	fflush(stdout);
	c.tty = isatty(STDIN_FILENO) &&
		tcgetattr(STDIN_FILENO, &c.saved) == 0;
	signals_catch(&c);
	term_raw(&c);
	rc = relay(&c);
	term_restore(&c);
	close(fd);
	signals_release(&c);
	if (c.end_signal) { /* die of it, now that the terminal is back */
		signal(c.end_signal, SIG_DFL);
		raise(c.end_signal);
	}
	return rc;
}
