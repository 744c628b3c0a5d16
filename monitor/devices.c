/* monitor/devices.c: see devices.h. */
#include "monitor/devices.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hv/evtchn.h"

static void *gfn_page(void *ctx, uint64_t gfn)
{
	struct domain *d = ctx;

	if (gfn >= (1ull << 40))
		return NULL;
	return guestmem_ram_ptr(&d->mem, gfn << 12, 4096);
}

int devices_start(struct devices *devs, struct domain *d,
		  const char *xs_socket, const char **why)
{
	static const struct xenbus_be_ops *const ops[] = { &dev_vbd_ops,
							   &dev_vif_ops };

	devs->d = d;
	devs->xs_socket = xs_socket;
	devs->gnt = (struct gnttab_view){
		.frames = d->hv.gnttab_frames,
		.nr_frames = HV_NR_GNTTAB_FRAMES,
		.self = 0,
		.gfn_page = gfn_page,
		.ctx = d,
	};
	return xenbus_be_start(&devs->xenbus, xs_socket, d->domid, ops,
			       sizeof(ops) / sizeof(ops[0]), devs, why);
}

void devices_stop(struct devices *devs)
{
	xenbus_be_stop(devs->xenbus);
	devs->xenbus = NULL;
}

int dev_ring_map(struct devices *devs, struct dev_ring *r, uint32_t ref)
{
	int rc = gnttab_map(&devs->gnt, ref, true, &r->page);

	if (rc) {
		r->page = NULL;
		return rc;
	}
	r->ref = ref;
	return 0;
}

void dev_ring_unmap(struct devices *devs, struct dev_ring *r)
{
	if (!r->page)
		return;
	gnttab_unmap(&devs->gnt, r->ref, true);
	r->page = NULL;
}

int dev_evtchn_bind(struct devices *devs, struct dev_evtchn *e,
		    uint32_t port)
{
	int rc;

	e->d = devs->d;
	e->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (e->kick_fd < 0)
		return -errno;
	rc = hv_evtchn_bind_backend(devs->d, port, 0, e->kick_fd);
	if (rc) {
		close(e->kick_fd);
		e->kick_fd = -1;
		return rc;
	}
	e->port = port;
	return 0;
}

void dev_evtchn_unbind(struct dev_evtchn *e)
{
	if (!e->port)
		return; /* never bound (kick_fd may be a zeroed field) */
	hv_evtchn_unbind_backend(e->d, e->port, e->kick_fd);
	close(e->kick_fd);
	e->port = 0;
	e->kick_fd = -1;
}

int dev_evtchn_notify(void *ctx)
{
	struct dev_evtchn *e = ctx;

	return hv_evtchn_notify_guest(e->d, e->port);
}

int dev_run_script(struct xenbus_be_dev *dev, const char *script,
		   const char *action, const char *var, const char *val)
{
	struct devices *devs = dev->ctx;
	pid_t pid;
	int status;

	if (!script || !script[0])
		return 0;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		setenv("XENBUS_PATH", dev->be_path, 1);
		if (var)
			setenv(var, val, 1);
		if (devs->xs_socket)
			setenv("XENSTORED_PATH", devs->xs_socket, 1);
		execl(script, script, action, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		xenbus_be_error(dev, EIO, "%s %s failed (status %d)", script,
				action,
				WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return -EIO;
	}
	return 0;
}
