/* backends/xenbus_be.c: see xenbus_be.h.
 *
 * Two watches drive everything: one on each type's backend directory for
 * this domain (devices appearing, online changing, and our own writes,
 * which are harmless rescans), one per device on the frontend's state.
 * Every event is only a hint: the handler re-reads the node, so a guest
 * flipping its state a thousand times costs a thousand reads, not a queue
 * (XSA-349). */
#include "backends/xenbus_be.h"
#include "backends/xenbus_keys.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <xen/io/xenbus.h>

#include "lib/log.h"
#include "xenstore/xs.h"

struct xenbus_be {
	struct xs_handle *xs;
	int domid;
	const struct xenbus_be_ops *const *ops;
	unsigned nr_ops;
	void *ctx;
	int stop_fd;
	atomic_bool stopping; /* checked between events, too */
	pthread_t thread;
	struct xenbus_be_dev *devs;
};

int xenbus_be_domid(const struct xenbus_be_dev *dev)
{
	return dev->be->domid;
}

int xenbus_be_read(struct xenbus_be_dev *dev, bool fe, const char *key,
		   char *buf, size_t len)
{
	char path[2 * XENBUS_BE_PATH], *val = NULL;
	size_t n = 0;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", fe ? dev->fe_path : dev->be_path,
		 key);
	rc = xs_read(dev->be->xs, XS_NO_TXN, path, &val, &n);
	if (rc)
		return rc;
	if (n >= len || memchr(val, 0, n)) {
		free(val);
		return n >= len ? -E2BIG : -EINVAL;
	}
	memcpy(buf, val, n);
	buf[n] = 0;
	free(val);
	return 0;
}

int xenbus_be_read_uint(struct xenbus_be_dev *dev, bool fe, const char *key,
			uint64_t max, uint64_t *out)
{
	char buf[24];
	int rc = xenbus_be_read(dev, fe, key, buf, sizeof(buf));

	return rc ? rc : xenbus_key_uint(buf, max, out);
}

int xenbus_be_printf(struct xenbus_be_dev *dev, const char *key,
		     const char *fmt, ...)
{
	char path[2 * XENBUS_BE_PATH], val[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	if (n < 0 || n >= (int)sizeof(val))
		return -E2BIG;
	snprintf(path, sizeof(path), "%s/%s", dev->be_path, key);
	return xs_write(dev->be->xs, XS_NO_TXN, path, val, (size_t)n);
}

void xenbus_be_error(struct xenbus_be_dev *dev, int err, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_error(err, "%s: %s", dev->be_path, msg);
	if (xenbus_be_printf(dev, "error", "%d %s", err, msg))
		log_debug("%s: cannot write the error node", dev->be_path);
}

/* As Linux's xenbus_switch_state: in a transaction, and only if the
 * backend's state node is still there, so that a directory the toolstack
 * removed is not brought back by a device closing down. */
static void switch_state(struct xenbus_be_dev *dev, int state)
{
	char path[2 * XENBUS_BE_PATH], val[16];
	int rc = -EAGAIN, n;

	if (dev->state == state)
		return;
	dev->state = state;
	snprintf(path, sizeof(path), "%s/state", dev->be_path);
	n = snprintf(val, sizeof(val), "%d", state);
	for (int tries = 0; rc == -EAGAIN && tries < 10; tries++) {
		uint32_t tx;
		char *cur = NULL;
		size_t len;

		rc = xs_transaction_start(dev->be->xs, &tx);
		if (rc)
			break;
		rc = xs_read(dev->be->xs, tx, path, &cur, &len);
		free(cur);
		if (rc == 0)
			rc = xs_write(dev->be->xs, tx, path, val, (size_t)n);
		if (rc) {
			if (xs_transaction_end(dev->be->xs, tx, true))
				log_debug("%s: abort failed", path);
			if (rc == -ENOENT)
				return; /* removed: nothing to tell */
			break;
		}
		rc = xs_transaction_end(dev->be->xs, tx, false);
	}
	if (rc)
		log_warn(0, "%s: cannot write state %d", dev->be_path, state);
}

static int frontend_state(struct xenbus_be_dev *dev)
{
	uint64_t v;

	/* Missing or garbage reads as Unknown, as in Linux's
	 * xenbus_read_driver_state. */
	if (xenbus_be_read_uint(dev, true, "state", XenbusStateReconfigured,
				&v))
		return XenbusStateUnknown;
	return (int)v;
}

static void dev_disconnect(struct xenbus_be_dev *dev)
{
	dev->ops->disconnect(dev);
}

static void dev_release(struct xenbus_be_dev *dev)
{
	if (dev->priv)
		dev->ops->remove(dev);
	dev->priv = NULL;
}

static void dev_free(struct xenbus_be *be, struct xenbus_be_dev *dev)
{
	char path[2 * XENBUS_BE_PATH];

	dev_disconnect(dev);
	dev_release(dev);
	snprintf(path, sizeof(path), "%s/state", dev->fe_path);
	if (xs_unwatch(be->xs, path, "fe"))
		log_debug("%s: unwatch failed", path);
	for (struct xenbus_be_dev **p = &be->devs; *p; p = &(*p)->next)
		if (*p == dev) {
			*p = dev->next;
			break;
		}
	log_info("%s: removed", dev->be_path);
	free(dev);
}

/* The frontend moved (or the toolstack changed online): follow it. */
static void dev_update(struct xenbus_be *be, struct xenbus_be_dev *dev)
{
	int fe = frontend_state(dev);

	switch (fe) {
	case XenbusStateInitialising:
		/* A frontend starting over (kexec, module reload). */
		if (dev->state == XenbusStateClosed && dev->online)
			switch_state(dev, XenbusStateInitWait);
		break;
	case XenbusStateInitialised:
	case XenbusStateConnected:
		if (dev->state != XenbusStateInitWait || !dev->online)
			break;
		if (dev->ops->connect(dev) == 0) {
			switch_state(dev, XenbusStateConnected);
		} else {
			dev_disconnect(dev);
			switch_state(dev, XenbusStateClosing);
		}
		break;
	case XenbusStateClosing:
		switch_state(dev, XenbusStateClosing);
		break;
	case XenbusStateClosed:
	case XenbusStateUnknown:
		dev_disconnect(dev);
		/* Unknown (no state, or garbage) closes too, but the device
		 * stays while the toolstack has it online, as in Linux:
		 * freed, the next rescan would probe it again and the first
		 * event of the new frontend watch free it again, in a loop
		 * a guest could start by writing state=junk. */
		if (!dev->online) {
			/* Everything released (tap gone, image closed) before
			 * Closed tells the toolstack the device is free. */
			dev_release(dev);
			switch_state(dev, XenbusStateClosed);
			dev_free(be, dev);
			return;
		}
		switch_state(dev, XenbusStateClosed);
		return;
	default:
		break;
	}
	/* The toolstack asks for the device back (block-detach): close our
	 * side; the frontend follows to Closed, then the device goes. */
	if (!dev->online && dev->state != XenbusStateClosing &&
	    dev->state != XenbusStateClosed) {
		if (dev->state != XenbusStateConnected) {
			dev_disconnect(dev);
			dev_release(dev);
			switch_state(dev, XenbusStateClosed);
			dev_free(be, dev);
			return;
		}
		switch_state(dev, XenbusStateClosing);
	}
}

static struct xenbus_be_dev *dev_find(struct xenbus_be *be,
				      const struct xenbus_be_ops *ops,
				      unsigned devid)
{
	for (struct xenbus_be_dev *d = be->devs; d; d = d->next)
		if (d->ops == ops && d->devid == devid)
			return d;
	return NULL;
}

static void dev_new(struct xenbus_be *be, const struct xenbus_be_ops *ops,
		    unsigned devid)
{
	struct xenbus_be_dev *dev = calloc(1, sizeof(*dev));
	char path[2 * XENBUS_BE_PATH], prefix[64];
	uint64_t fe_id;

	if (!dev)
		return;
	dev->ops = ops;
	dev->be = be;
	dev->ctx = be->ctx;
	dev->devid = devid;
	dev->state = XenbusStateInitialising;
	dev->online = true;
	dev->seen = true;
	snprintf(dev->be_path, sizeof(dev->be_path),
		 "/local/domain/0/backend/%.8s/%d/%u", ops->type, be->domid,
		 devid);
	/* The toolstack wrote these; still, the frontend path must be the
	 * guest's own device directory. */
	snprintf(prefix, sizeof(prefix), "/local/domain/%d/device/%s/",
		 be->domid, ops->type);
	if (xenbus_be_read(dev, false, "frontend", dev->fe_path,
			   sizeof(dev->fe_path)) ||
	    strncmp(dev->fe_path, prefix, strlen(prefix)) ||
	    xenbus_be_read_uint(dev, false, "frontend-id", 0x7fef, &fe_id) ||
	    fe_id != (uint64_t)be->domid) {
		log_error(0, "%s: bad frontend/frontend-id; device ignored",
			  dev->be_path);
		free(dev);
		return;
	}
	dev->next = be->devs;
	be->devs = dev;
	if (ops->probe(dev)) {
		switch_state(dev, XenbusStateClosed);
		dev->online = false;
		return; /* kept, so the rescan does not retry it forever */
	}
	switch_state(dev, XenbusStateInitWait);
	snprintf(path, sizeof(path), "%s/state", dev->fe_path);
	if (xs_watch(be->xs, path, "fe"))
		log_error(0, "%s: cannot watch the frontend", dev->be_path);
	log_info("%s: probed, frontend %s", dev->be_path, dev->fe_path);
}

/* A device the toolstack is taking away (online=0) is not probed again
 * between our Closed and its removal of the directory. */
static bool offline(struct xenbus_be *be, const char *root, const char *id)
{
	char path[2 * XENBUS_BE_PATH], *v = NULL;
	size_t n;
	bool off;

	snprintf(path, sizeof(path), "%s/%s/online", root, id);
	if (xs_read(be->xs, XS_NO_TXN, path, &v, &n))
		return false;
	off = n == 1 && v[0] == '0';
	free(v);
	return off;
}

/* New devices, removed ones, online flags. */
static void rescan(struct xenbus_be *be)
{
	for (unsigned t = 0; t < be->nr_ops; t++) {
		const struct xenbus_be_ops *ops = be->ops[t];
		char root[XENBUS_BE_PATH], **names = NULL;
		unsigned n = 0;

		snprintf(root, sizeof(root), "/local/domain/0/backend/%s/%d",
			 ops->type, be->domid);
		for (struct xenbus_be_dev *d = be->devs; d; d = d->next)
			if (d->ops == ops)
				d->seen = false;
		if (xs_directory(be->xs, XS_NO_TXN, root, &names, &n))
			n = 0;
		for (unsigned i = 0; i < n; i++) {
			char *end;
			unsigned long id = strtoul(names[i], &end, 10);
			struct xenbus_be_dev *d;

			if (*end || id > 0xfffffff)
				continue;
			d = dev_find(be, ops, (unsigned)id);
			if (d)
				d->seen = true;
			else if (!offline(be, root, names[i]))
				dev_new(be, ops, (unsigned)id);
		}
		free(names);
	}
	for (struct xenbus_be_dev *d = be->devs, *next; d; d = next) {
		uint64_t online = 1;

		next = d->next;
		if (d->seen && xenbus_be_read_uint(d, false, "online", 1,
						   &online) == -ENOENT)
			online = 1;
		/* A directory the toolstack removed goes offline too. */
		d->online = d->seen && online;
		if (!d->online && d->priv)
			dev_update(be, d);
		else if (!d->seen)
			dev_free(be, d); /* never probed: nothing to close */
	}
}

static void handle_event(struct xenbus_be *be, const char *path,
			 const char *token)
{
	if (!strcmp(token, "be")) {
		rescan(be);
		return;
	}
	for (struct xenbus_be_dev *d = be->devs; d; d = d->next) {
		size_t n = strlen(d->fe_path);

		if (!strncmp(path, d->fe_path, n) && path[n] == '/') {
			dev_update(be, d);
			return;
		}
	}
}

static void *xenbus_be_thread(void *arg)
{
	struct xenbus_be *be = arg;

	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = xs_fileno(be->xs), .events = POLLIN },
			{ .fd = be->stop_fd, .events = POLLIN },
		};
		char *path, *token;
		int rc = -EAGAIN;

		/* A frontend writing its state nonstop keeps this loop fed:
		 * look at the stop flag between events, or xenbus_be_stop
		 * would wait for the guest to pause. */
		while (!atomic_load(&be->stopping) &&
		       (rc = xs_read_watch(be->xs, &path, &token)) == 0) {
			handle_event(be, path, token);
			free(path);
		}
		if (atomic_load(&be->stopping))
			break;
		if (rc != -EAGAIN) {
			log_error(-rc, "xenbus: lost xenstored; devices stop");
			break;
		}
		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			break;
		if (pfd[1].revents)
			break;
		if (pfd[0].revents & (POLLHUP | POLLERR)) {
			log_error(0, "xenbus: xenstored closed the connection");
			break;
		}
	}
	while (be->devs)
		dev_free(be, be->devs);
	return NULL;
}

int xenbus_be_start(struct xenbus_be **out, const char *xs_socket, int domid,
		    const struct xenbus_be_ops *const *ops, unsigned nr_ops,
		    void *ctx, const char **why)
{
	struct xenbus_be *be = calloc(1, sizeof(*be));
	int rc;

	if (!be)
		return -ENOMEM;
	be->domid = domid;
	be->ops = ops;
	be->nr_ops = nr_ops;
	be->ctx = ctx;
	be->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (be->stop_fd < 0) {
		rc = -errno;
		*why = "cannot create an eventfd";
		goto fail;
	}
	rc = xs_open(xs_socket, &be->xs);
	if (rc) {
		*why = "cannot connect to xenstored";
		goto fail;
	}
	for (unsigned t = 0; t < nr_ops; t++) {
		char root[XENBUS_BE_PATH];

		snprintf(root, sizeof(root), "/local/domain/0/backend/%s/%d",
			 ops[t]->type, domid);
		rc = xs_watch(be->xs, root, "be");
		if (rc) {
			*why = "cannot watch the backend directories";
			goto fail;
		}
	}
	rc = -pthread_create(&be->thread, NULL, xenbus_be_thread, be);
	if (rc) {
		*why = "cannot start the xenbus thread";
		goto fail;
	}
	*out = be;
	return 0;
fail:
	if (be->xs)
		xs_close(be->xs);
	if (be->stop_fd >= 0)
		close(be->stop_fd);
	free(be);
	return rc;
}

void xenbus_be_stop(struct xenbus_be *be)
{
	uint64_t one = 1;

	if (!be)
		return;
	atomic_store(&be->stopping, true);
	if (write(be->stop_fd, &one, sizeof(one)) != sizeof(one))
		log_warn(errno, "xenbus: cannot stop the thread");
	pthread_join(be->thread, NULL);
	xs_close(be->xs);
	close(be->stop_fd);
	free(be);
}
