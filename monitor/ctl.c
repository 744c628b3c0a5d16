/* monitor/ctl.c: see ctl.h. The main thread's loop: signals, the control
 * socket and its clients, and noticing that the domain has ended. */
#include "monitor/ctl.h"
#include "lib/unix_sock.h"

#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/log.h"

#define CTL_MAX_CLIENTS 8
#define CTL_LINE_MAX 4096
#define CTL_TICK_MS 50

static char *reply_error(const char *msg)
{
	json_t *r = json_pack("{s:b,s:s}", "ok", 0, "error", msg);
	char *s = json_dumps(r, JSON_COMPACT);
	char *line = NULL;

	json_decref(r);
	if (s && asprintf(&line, "%s\n", s) < 0)
		line = NULL;
	free(s);
	return line;
}

static json_t *info_json(struct domain *d, const struct ctl_info *info)
{
	return json_pack("{s:b,s:i,s:s,s:s,s:i,s:I,s:I,s:I,s:I,s:I,s:I,s:i}",
		"ok", 1, "domid", d->domid, "name", info->name ? info->name : "",
		"state", d->paused ? "paused" : "running",
		"vcpus", (int)info->vcpus, "memory_kib", (json_int_t)info->memory_kib,
		"cpu_time_ns", (json_int_t)domain_cpu_time_ns(d),
		"store_gfn", (json_int_t)d->hv.hvm_param[HVM_PARAM_STORE_PFN],
		"store_port", (json_int_t)d->hv.hvm_param[HVM_PARAM_STORE_EVTCHN],
		"console_gfn", (json_int_t)d->hv.hvm_param[HVM_PARAM_CONSOLE_PFN],
		"console_port", (json_int_t)d->hv.hvm_param[HVM_PARAM_CONSOLE_EVTCHN],
		"pid", (int)getpid());
}

char *ctl_handle(struct domain *d, const struct ctl_info *info,
		 const char *line, size_t len)
{
	json_error_t err;
	json_t *req = json_loadb(line, len, 0, &err), *rep;
	const char *op = NULL;
	char *s, *out = NULL;

	if (!req || json_unpack(req, "{s:s}", "op", &op)) {
		json_decref(req);
		return reply_error("bad request: expected {\"op\":...}");
	}
	if (strcmp(op, "info") == 0) {
		rep = info_json(d, info);
	} else if (strcmp(op, "pause") == 0) {
		domain_pause(d);
		rep = json_pack("{s:b}", "ok", 1);
	} else if (strcmp(op, "unpause") == 0) {
		domain_unpause(d);
		rep = json_pack("{s:b}", "ok", 1);
	} else if (strcmp(op, "destroy") == 0) {
		log_info("destroyed through the control socket");
		domain_shutdown(d, DOMAIN_DESTROYED);
		rep = json_pack("{s:b}", "ok", 1);
	} else {
		json_decref(req);
		return reply_error("unknown op");
	}
	json_decref(req);
	s = json_dumps(rep, JSON_COMPACT);
	json_decref(rep);
	if (s && asprintf(&out, "%s\n", s) < 0)
		out = NULL;
	free(s);
	return out;
}

int ctl_listen(const char *path)
{
	return unix_listen(path, 8, SOCK_NONBLOCK);
}

struct ctl_client {
	int fd;
	size_t len;
	char buf[CTL_LINE_MAX];
};

/* Read from a client and answer each complete line; returns -1 to drop it
 * (closed, error, or a line longer than CTL_LINE_MAX). */
static int client_input(struct domain *d, const struct ctl_info *info,
			struct ctl_client *c)
{
	ssize_t r = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
	char *nl;

	if (r <= 0)
		return -1;
	c->len += (size_t)r;
	while ((nl = memchr(c->buf, '\n', c->len))) {
		size_t n = (size_t)(nl - c->buf);
		char *reply = ctl_handle(d, info, c->buf, n);

		if (reply) {
			ssize_t w = write(c->fd, reply, strlen(reply));
			free(reply);
			if (w < 0)
				return -1;
		}
		memmove(c->buf, nl + 1, c->len - n - 1);
		c->len -= n + 1;
	}
	return c->len == sizeof(c->buf) ? -1 : 0;
}

void ctl_serve(struct domain *d, const struct ctl_info *info, int listen_fd,
	       const sigset_t *stop)
{
	struct ctl_client clients[CTL_MAX_CLIENTS];
	struct pollfd fds[2 + CTL_MAX_CLIENTS];
	int sfd = signalfd(-1, stop, SFD_CLOEXEC | SFD_NONBLOCK);

	for (int i = 0; i < CTL_MAX_CLIENTS; i++)
		clients[i].fd = -1;
	while (atomic_load(&d->shutdown_reason) == DOMAIN_RUNNING) {
		struct signalfd_siginfo si;

		fds[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		fds[1] = (struct pollfd){ .fd = listen_fd, .events = POLLIN };
		for (int i = 0; i < CTL_MAX_CLIENTS; i++)
			fds[2 + i] = (struct pollfd){ .fd = clients[i].fd, .events = POLLIN };
		if (poll(fds, 2 + CTL_MAX_CLIENTS, CTL_TICK_MS) < 0 && errno != EINTR)
			break;
		if ((fds[0].revents & POLLIN) &&
		    read(sfd, &si, sizeof(si)) == sizeof(si)) {
			log_info("signal %u: destroying the domain", si.ssi_signo);
			domain_shutdown(d, DOMAIN_DESTROYED);
		}
		if (fds[1].revents & POLLIN) {
			int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);

			for (int i = 0; fd >= 0 && i < CTL_MAX_CLIENTS; i++)
				if (clients[i].fd < 0) {
					clients[i].fd = fd;
					clients[i].len = 0;
					fd = -1;
				}
			if (fd >= 0)
				close(fd); /* too many clients */
		}
		for (int i = 0; i < CTL_MAX_CLIENTS; i++)
			if (clients[i].fd >= 0 &&
			    (fds[2 + i].revents & (POLLIN | POLLHUP | POLLERR)) &&
			    client_input(d, info, &clients[i])) {
				close(clients[i].fd);
				clients[i].fd = -1;
			}
	}
	for (int i = 0; i < CTL_MAX_CLIENTS; i++)
		if (clients[i].fd >= 0)
			close(clients[i].fd);
	if (sfd >= 0)
		close(sfd);
}
