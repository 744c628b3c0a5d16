/* monitor/devices.c: see devices.h. */
#include "monitor/devices.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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
	return dev_ring_map_pages(devs, r, &ref, 1);
}

/* Map each granted page again at its place in one reserved range: the
 * granted pages are the guest's, anywhere in its RAM, and the ring macros
 * want them in a row. The grants stay claimed, so the guest cannot point
 * them elsewhere while we use the alias. */
static int ring_alias(struct devices *devs, struct dev_ring *r, void **pages)
{
	struct guestmem *gm = &devs->d->mem;
	size_t len = (size_t)r->nr_pages * 4096;
	uint8_t *a = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);

	if (a == MAP_FAILED)
		return -errno;
	for (unsigned i = 0; i < r->nr_pages; i++) {
		off_t off = (off_t)((uint8_t *)pages[i] - gm->base);

		if (mmap(a + (size_t)i * 4096, 4096, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED, gm->fd, off) == MAP_FAILED) {
			int rc = -errno;

			munmap(a, len);
			return rc;
		}
	}
	r->alias = a;
	r->page = a;
	return 0;
}

int dev_ring_map_pages(struct devices *devs, struct dev_ring *r,
		       const uint32_t *refs, unsigned n)
{
	void *pages[DEV_RING_MAX_PAGES];
	int rc = 0;

	memset(r, 0, sizeof(*r));
	if (n == 0 || n > DEV_RING_MAX_PAGES)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		rc = gnttab_map(&devs->gnt, refs[i], true, &pages[i]);
		if (rc)
			break;
		r->ref[i] = refs[i];
		r->nr_pages = i + 1;
	}
	if (!rc && n == 1)
		r->page = pages[0];
	else if (!rc)
		rc = ring_alias(devs, r, pages);
	if (rc)
		dev_ring_unmap(devs, r);
	return rc;
}

void dev_ring_unmap(struct devices *devs, struct dev_ring *r)
{
	if (r->alias)
		munmap(r->alias, (size_t)r->nr_pages * 4096);
	for (unsigned i = 0; i < r->nr_pages; i++)
		gnttab_unmap(&devs->gnt, r->ref[i], true);
	memset(r, 0, sizeof(*r));
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
