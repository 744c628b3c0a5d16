/* bench/xenstore_bench.c: xenstored throughput and latency as ratios
 * against a Unix-socket echo server measured in the same run.
 *
 * The echo server answers each message with a header and as many bytes as
 * xenstored's reply would carry (the request says how many in tx_id), so
 * both peers move the same bytes through the same kind of socket. Ratios
 * are xenstored / echo (1.0 = as fast as a server that does no work). */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <xen/io/xs_wire.h>

#define VALUE_LEN 32

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int dial(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror(path);
		exit(1);
	}
	return fd;
}

static int io_all(int fd, void *buf, size_t n, bool wr)
{
	while (n) {
		ssize_t r = wr ? write(fd, buf, n) : read(fd, buf, n);

		if (r <= 0) {
			if (r < 0 && errno == EINTR)
				continue;
			return -1;
		}
		buf = (char *)buf + r;
		n -= (size_t)r;
	}
	return 0;
}

/* One message out, one back (skipping watch events); returns its type. */
static int roundtrip(int fd, uint32_t type, uint32_t tx, const void *p,
		     uint32_t len, char *reply)
{
	struct xsd_sockmsg h = { .type = type, .tx_id = tx, .len = len };
	char buf[sizeof(h) + XENSTORE_PAYLOAD_MAX];

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), p, len);
	if (io_all(fd, buf, sizeof(h) + len, true))
		return -1;
	do {
		if (io_all(fd, &h, sizeof(h), false) ||
		    h.len > XENSTORE_PAYLOAD_MAX ||
		    io_all(fd, reply, h.len, false))
			return -1;
	} while (h.type == XS_WATCH_EVENT && type != XS_WATCH_EVENT);
	return (int)h.type;
}

/* ---- echo peer ---- */

static void *echo_conn(void *arg)
{
	int fd = (int)(intptr_t)arg;
	struct xsd_sockmsg h;
	char buf[XENSTORE_PAYLOAD_MAX];

	while (!io_all(fd, &h, sizeof(h), false) && h.len <= (uint32_t)sizeof(buf) &&
	       !io_all(fd, buf, h.len, false)) {
		h.len = h.tx_id <= (uint32_t)sizeof(buf) ? h.tx_id : 0;
		h.tx_id = 0;
		if (io_all(fd, &h, sizeof(h), true) || io_all(fd, buf, h.len, true))
			break;
	}
	close(fd);
	return NULL;
}

static void *echo_server(void *arg)
{
	int lfd = (int)(intptr_t)arg;

	for (;;) {
		pthread_t t;
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0)
			return NULL;
		pthread_create(&t, NULL, echo_conn, (void *)(intptr_t)fd);
		pthread_detach(t);
	}
}

static void start_echo(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	pthread_t t;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 64)) {
		perror("echo");
		exit(1);
	}
	pthread_create(&t, NULL, echo_server, (void *)(intptr_t)lfd);
	pthread_detach(t);
}

/* ---- load ---- */

struct worker {
	const char *path;
	bool echo, write;
	int id;
	double secs;
	unsigned long ops;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	char req[128], reply[XENSTORE_PAYLOAD_MAX];
	int fd = dial(w->path);
	int n = snprintf(req, sizeof(req), "/bench/c%d/key", w->id) + 1;
	uint32_t type = w->write ? XS_WRITE : XS_READ;
	uint32_t len = (uint32_t)n, reply_len = w->write ? 3 : VALUE_LEN;
	double end;

	memset(req + n, 'v', VALUE_LEN);
	if (w->write)
		len += VALUE_LEN;
	if (!w->echo)
		roundtrip(fd, XS_WRITE, 0, req, (uint32_t)n + VALUE_LEN, reply);
	end = now() + w->secs;
	while (now() < end) {
		for (int i = 0; i < 64; i++)
			if (roundtrip(fd, type, w->echo ? reply_len : 0, req,
				      len, reply) < 0)
				exit(1);
		w->ops += 64;
	}
	close(fd);
	return NULL;
}

static double rate(const char *path, bool echo, bool write, int clients,
		   double secs)
{
	pthread_t t[64];
	struct worker w[64];
	unsigned long ops = 0;

	for (int i = 0; i < clients; i++) {
		w[i] = (struct worker){ .path = path, .echo = echo,
					.write = write, .id = i, .secs = secs };
		pthread_create(&t[i], NULL, work, &w[i]);
	}
	for (int i = 0; i < clients; i++) {
		pthread_join(t[i], NULL);
		ops += w[i].ops;
	}
	return ops / secs;
}

/* Watch latency: write on one connection, time until the event arrives
 * on another. The echo figure is one round trip of the same sizes. */
static double watch_latency(const char *xs, const char *echo, double *echo_us)
{
	char reply[XENSTORE_PAYLOAD_MAX], req[64];
	int a = dial(xs), b = dial(xs), e = dial(echo), n = 2000;
	int len = snprintf(req, sizeof(req), "/bench/w/x") + 1;
	double t0, total = 0;

	roundtrip(a, XS_WATCH, 0, "/bench/w\0tok", 13, reply);
	roundtrip(a, XS_WATCH_EVENT, 0, "", 0, reply); /* initial event */
	memcpy(req + len, "1", 1);
	for (int i = 0; i < n; i++) {
		struct xsd_sockmsg h = { .type = XS_WRITE, .len = (uint32_t)len + 1 };
		char buf[sizeof(h) + 64];

		memcpy(buf, &h, sizeof(h));
		memcpy(buf + sizeof(h), req, (size_t)len + 1);
		t0 = now();
		io_all(b, buf, sizeof(h) + (size_t)len + 1, true);
		if (io_all(a, &h, sizeof(h), false) || io_all(a, reply, h.len, false))
			exit(1);
		total += now() - t0;
		io_all(b, &h, sizeof(h), false);
		io_all(b, reply, h.len, false);
	}
	t0 = now();
	for (int i = 0; i < n; i++)
		roundtrip(e, XS_WRITE, 16, req, (uint32_t)len + 1, reply);
	*echo_us = (now() - t0) / n * 1e6;
	close(a);
	close(b);
	close(e);
	return total / n * 1e6;
}

static long rss_kib(int pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6))
			kib = atol(line + 6);
	if (f)
		fclose(f);
	return kib;
}

static void memory(const char *xs, int pid, int nodes)
{
	char req[128], reply[XENSTORE_PAYLOAD_MAX];
	int fd = dial(xs);
	long before = rss_kib(pid), after;
	double data = 0;

	for (int i = 0; i < nodes; i++) {
		int n = snprintf(req, sizeof(req), "/mem/d%d/n%d", i / 1000,
				 i % 1000) + 1;

		memcpy(req + n, "value-12", 8);
		data += strlen(strrchr(req, '/') + 1) + 8;
		roundtrip(fd, XS_WRITE, 0, req, (uint32_t)n + 8, reply);
	}
	after = rss_kib(pid);
	printf("memory: %d nodes: RSS %ld -> %ld KiB: %.0f bytes/node "
	       "(%.0f of them name+value), %.0f beyond the data (goal < 200)\n",
	       nodes, before, after, (after - before) * 1024.0 / nodes,
	       data / nodes, (after - before) * 1024.0 / nodes - data / nodes);
	close(fd);
}

int main(int argc, char **argv)
{
	const char *xs = argc > 1 ? argv[1] : NULL;
	int pid = argc > 2 ? atoi(argv[2]) : 0;
	double secs = argc > 3 ? atof(argv[3]) : 1.0;
	char echo[108];
	double lat, elat;

	if (!xs) {
		fprintf(stderr, "usage: xenstore-bench SOCKET PID [SECONDS]\n");
		return 2;
	}
	snprintf(echo, sizeof(echo), "%s.echo", xs);
	start_echo(echo);
	printf("%-22s %12s %12s %7s\n", "", "xenstored/s", "echo/s", "ratio");
	for (int write = 0; write < 2; write++) {
		for (int c = 1; c <= 16; c += 15) {
			double x = rate(xs, false, write, c, secs);
			double e = rate(echo, true, write, c, secs);

			printf("%-6s %2d client%-6s %12.0f %12.0f %7.2f\n",
			       write ? "write" : "read", c, c > 1 ? "s" : "",
			       x, e, x / e);
		}
	}
	lat = watch_latency(xs, echo, &elat);
	printf("watch latency: %.1f us (echo round trip %.1f us): ratio %.2f\n",
	       lat, elat, elat / lat);
	if (pid > 0)
		memory(xs, pid, 100000);
	unlink(echo);
	return 0;
}
