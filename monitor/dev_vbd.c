/* monitor/dev_vbd.c: virtual block devices, the XenBus side of blkback.
 *
 * The toolstack's backend keys (trusted): params (the image or device),
 * mode (r/w/w!), device-type (disk/cdrom). The frontend's (checked):
 * multi-queue-num-queues, ring-ref / queue-N/ring-ref, event-channel,
 * ring-page-order, protocol. One blkback ring thread per queue. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xen/io/protocols.h>

#include "backends/blkback.h"
#include "lib/log.h"
#include "monitor/devices.h"

#define VBD_MAX_QUEUES 4
#define VBD_MAX_INDIRECT 256 /* Linux blkback's MAX_INDIRECT_SEGMENTS */
/* Rings of up to 16 pages (512 requests), as Linux blkback offers; Linux
 * blkfront takes them with xen_blkfront.max_ring_page_order. */
#define VBD_MAX_RING_ORDER 4

struct vbd_queue {
	struct dev_ring ring;
	struct dev_evtchn evtchn;
	struct blkback *blk;
};

struct vbd {
	int fd;
	char script[512]; /* block script (qcow2 through qemu-nbd), or "" */
	uint64_t sectors;
	bool readonly, cdrom, discard;
	unsigned max_queues, nr_queues;
	struct vbd_queue q[VBD_MAX_QUEUES];
};

static int vbd_open(struct xenbus_be_dev *dev, struct vbd *v,
		    const char *params, bool exclusive)
{
	struct stat st;
	uint64_t size;

	v->fd = open(params, (v->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (v->fd < 0) {
		xenbus_be_error(dev, errno, "cannot open '%s'", params);
		return -errno;
	}
	/* One writer per disk: a second domain opening it read-write (or a
	 * writer while readers run) is refused, unless the toolstack said
	 * w! (shareable). The lock lives as long as the fd. */
	if (exclusive &&
	    flock(v->fd, (v->readonly ? LOCK_SH : LOCK_EX) | LOCK_NB) < 0) {
		xenbus_be_error(dev, EBUSY, "'%s' is in use by another domain",
				params);
		return -EBUSY;
	}
	if (fstat(v->fd, &st) < 0)
		return -errno;
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(v->fd, BLKGETSIZE64, &size) < 0) {
			xenbus_be_error(dev, errno, "cannot size '%s'", params);
			return -errno;
		}
	} else if (S_ISREG(st.st_mode)) {
		size = (uint64_t)st.st_size;
		v->discard = !v->readonly;
	} else {
		xenbus_be_error(dev, EINVAL, "'%s' is not a file or block "
				"device", params);
		return -EINVAL;
	}
	v->sectors = size / 512;
	return 0;
}

static int vbd_probe(struct xenbus_be_dev *dev)
{
	struct devices *devs = dev->ctx;
	struct vbd *v = calloc(1, sizeof(*v));
	char params[1024], mode[8] = "w", type[16] = "disk";
	int rc;

	if (!v)
		return -ENOMEM;
	v->fd = -1;
	rc = xenbus_be_read(dev, false, "params", params, sizeof(params));
	if (rc) {
		xenbus_be_error(dev, -rc, "no params (the disk to serve)");
		goto fail;
	}
	if (xenbus_be_read(dev, false, "mode", mode, sizeof(mode)) == 0 &&
	    strcmp(mode, "r") && strcmp(mode, "w") && strcmp(mode, "w!")) {
		xenbus_be_error(dev, EINVAL, "bad mode '%s'", mode);
		rc = -EINVAL;
		goto fail;
	}
	(void)xenbus_be_read(dev, false, "device-type", type, sizeof(type));
	v->cdrom = !strcmp(type, "cdrom");
	v->readonly = !strcmp(mode, "r") || v->cdrom;
	/* A block script (Xen's block-* contract) turns params into a
	 * device, e.g. a qcow2 image into /dev/nbdN, and says which in
	 * physical-device-path. */
	if (xenbus_be_read(dev, false, "script", v->script,
			   sizeof(v->script)) == 0 && v->script[0]) {
		rc = dev_run_script(dev, v->script, "add", NULL, NULL);
		if (rc)
			goto fail;
		rc = xenbus_be_read(dev, false, "physical-device-path", params,
				    sizeof(params));
		if (rc) {
			xenbus_be_error(dev, -rc, "%s wrote no "
					"physical-device-path", v->script);
			goto fail;
		}
	} else {
		v->script[0] = 0;
	}
	rc = vbd_open(dev, v, params, strcmp(mode, "w!") != 0);
	if (rc)
		goto fail;
	v->max_queues = devs->d->nr_vcpus < VBD_MAX_QUEUES ?
				devs->d->nr_vcpus : VBD_MAX_QUEUES;
	if (!v->max_queues)
		v->max_queues = 1;
	/* No persistent grants: they spare Xen's backend the grant map
	 * hypercalls we never make (guest memory is mapped already), and
	 * cost the guest a copy of every block instead. Measured: seqread
	 * and seqwrite fell from 0.76 and 0.52 of QEMU to 0.38 each. */
	rc = xenbus_be_printf(dev, "sectors", "%llu",
			      (unsigned long long)v->sectors) ?:
	     xenbus_be_printf(dev, "info", "%u",
			      (v->cdrom ? VDISK_CDROM : 0) |
			      (v->readonly ? VDISK_READONLY : 0)) ?:
	     xenbus_be_printf(dev, "sector-size", "512") ?:
	     xenbus_be_printf(dev, "physical-sector-size", "512") ?:
	     xenbus_be_printf(dev, "feature-flush-cache", "1") ?:
	     xenbus_be_printf(dev, "feature-persistent", "0") ?:
	     xenbus_be_printf(dev, "feature-max-indirect-segments", "%u",
			      VBD_MAX_INDIRECT) ?:
	     xenbus_be_printf(dev, "multi-queue-max-queues", "%u",
			      v->max_queues) ?:
	     xenbus_be_printf(dev, "max-ring-page-order", "%u",
			      VBD_MAX_RING_ORDER) ?:
	     xenbus_be_printf(dev, "feature-discard", "%d", v->discard);
	if (!rc && v->discard)
		rc = xenbus_be_printf(dev, "discard-granularity", "4096") ?:
		     xenbus_be_printf(dev, "discard-alignment", "0") ?:
		     xenbus_be_printf(dev, "discard-secure", "0");
	if (rc) {
		xenbus_be_error(dev, -rc, "cannot write the disk's features");
		goto fail;
	}
	log_info("%s: '%s' %s, %llu sectors%s", dev->be_path, params,
		 v->readonly ? "read-only" : "read-write",
		 (unsigned long long)v->sectors, v->cdrom ? ", cdrom" : "");
	dev->priv = v;
	return 0;
fail:
	if (v->fd >= 0)
		close(v->fd);
	if (v->script[0] && dev_run_script(dev, v->script, "remove", NULL, NULL))
		log_warn(0, "%s: %s remove failed", dev->be_path, v->script);
	free(v);
	return rc ? rc : -EINVAL;
}

/* What a queue did, for the log: requests per kick and per notification
 * tell how well both ends batch. */
static void vbd_log_stats(struct xenbus_be_dev *dev, unsigned i,
			  const struct blkback *b)
{
	struct blkback_stats s;

	blkback_get_stats(b, &s);
	log_info("%s: queue %u: %llu requests (%llu failed), %llu MiB read, "
		 "%llu MiB written (%llu writes inline), %llu kicks, "
		 "%llu polls found requests, %llu notifications",
		 dev->be_path, i, (unsigned long long)s.requests,
		 (unsigned long long)s.errors,
		 (unsigned long long)(s.bytes_read >> 20),
		 (unsigned long long)(s.bytes_written >> 20),
		 (unsigned long long)s.inline_writes,
		 (unsigned long long)s.kicks, (unsigned long long)s.polled,
		 (unsigned long long)s.notifies);
}

static void vbd_disconnect(struct xenbus_be_dev *dev)
{
	struct devices *devs = dev->ctx;
	struct vbd *v = dev->priv;

	if (!v)
		return;
	for (unsigned i = 0; i < v->nr_queues; i++) {
		struct vbd_queue *q = &v->q[i];

		/* Answers what is in flight before the grants go. */
		if (q->blk) {
			vbd_log_stats(dev, i, q->blk);
			blkback_stop(q->blk);
		}
		q->blk = NULL;
		dev_evtchn_unbind(&q->evtchn);
		dev_ring_unmap(devs, &q->ring);
	}
	if (v->nr_queues && !v->readonly && fdatasync(v->fd) < 0)
		log_warn(errno, "%s: flush at disconnect", dev->be_path);
	v->nr_queues = 0;
}

static int vbd_connect_queue(struct xenbus_be_dev *dev, struct vbd *v,
			     unsigned i, bool multi, unsigned order)
{
	struct devices *devs = dev->ctx;
	struct vbd_queue *q = &v->q[i];
	unsigned nr_pages = 1u << order;
	uint32_t refs[DEV_RING_MAX_PAGES];
	char key[48], dir[24] = "";
	uint64_t ref, port;
	int rc;

	/* Order 0: "ring-ref"; above: "ring-ref0".."ring-ref<n-1>" (blkif.h),
	 * under "queue-<i>/" with several queues. */
	if (multi)
		snprintf(dir, sizeof(dir), "queue-%u/", i);
	for (unsigned j = 0; j < nr_pages; j++) {
		if (order)
			snprintf(key, sizeof(key), "%sring-ref%u", dir, j);
		else
			snprintf(key, sizeof(key), "%sring-ref", dir);
		rc = xenbus_be_read_uint(dev, true, key, UINT32_MAX, &ref);
		if (rc) {
			xenbus_be_error(dev, -rc, "frontend %s missing or bad",
					key);
			return rc;
		}
		refs[j] = (uint32_t)ref;
	}
	snprintf(key, sizeof(key),
		 multi ? "queue-%u/event-channel" : "event-channel", i);
	rc = xenbus_be_read_uint(dev, true, key, UINT32_MAX, &port);
	if (rc) {
		xenbus_be_error(dev, -rc, "frontend %s missing or bad", key);
		return rc;
	}
	rc = dev_ring_map_pages(devs, &q->ring, refs, nr_pages);
	if (rc) {
		xenbus_be_error(dev, -rc, "cannot map the %u ring page(s) of "
				"queue %u", nr_pages, i);
		return rc;
	}
	rc = dev_evtchn_bind(devs, &q->evtchn, (uint32_t)port);
	if (rc) {
		xenbus_be_error(dev, -rc, "cannot bind event channel %llu",
				(unsigned long long)port);
		return rc;
	}
	snprintf(key, sizeof(key), "vbd %u q%u", dev->devid, i);
	struct blkback_params p = {
		.gnt = &devs->gnt,
		.ring = q->ring.page,
		.nr_ring_pages = nr_pages,
		.kick_fd = q->evtchn.kick_fd,
		.notify_guest = dev_evtchn_notify,
		.ctx = &q->evtchn,
		.disk_fd = v->fd,
		.sectors = v->sectors,
		.readonly = v->readonly,
		.discard = v->discard,
		.max_indirect_segments = VBD_MAX_INDIRECT,
		.name = key,
	};
	rc = blkback_start(&q->blk, &p);
	if (rc)
		xenbus_be_error(dev, -rc, "cannot start queue %u", i);
	return rc;
}

static int vbd_connect(struct xenbus_be_dev *dev)
{
	struct vbd *v = dev->priv;
	char proto[32];
	uint64_t nq = 1, order = 0;
	int rc;

	rc = xenbus_be_read_uint(dev, true, "multi-queue-num-queues",
				 v->max_queues, &nq);
	if ((rc && rc != -ENOENT) || nq == 0) {
		xenbus_be_error(dev, EINVAL, "bad multi-queue-num-queues "
				"(at most %u)", v->max_queues);
		return -EINVAL;
	}
	rc = xenbus_be_read_uint(dev, true, "ring-page-order",
				 VBD_MAX_RING_ORDER, &order);
	if (rc && rc != -ENOENT) {
		xenbus_be_error(dev, EINVAL, "bad ring-page-order (at most %u)",
				VBD_MAX_RING_ORDER);
		return -EINVAL;
	}
	if (xenbus_be_read(dev, true, "protocol", proto, sizeof(proto)) == 0 &&
	    strcmp(proto, XEN_IO_PROTO_ABI_X86_64)) {
		xenbus_be_error(dev, EINVAL, "unsupported protocol '%s'", proto);
		return -EINVAL;
	}
	for (unsigned i = 0; i < nq; i++) {
		v->nr_queues = i + 1;
		rc = vbd_connect_queue(dev, v, i, nq > 1, (unsigned)order);
		if (rc)
			return rc; /* the caller disconnects what was set up */
	}
	log_info("%s: connected, %u queue(s) of %u ring page(s)", dev->be_path,
		 v->nr_queues, 1u << order);
	return 0;
}

static void vbd_remove(struct xenbus_be_dev *dev)
{
	struct vbd *v = dev->priv;

	vbd_disconnect(dev);
	close(v->fd);
	if (v->script[0] && dev_run_script(dev, v->script, "remove", NULL, NULL))
		log_warn(0, "%s: %s remove failed", dev->be_path, v->script);
	free(v);
	dev->priv = NULL;
}

const struct xenbus_be_ops dev_vbd_ops = {
	.type = "vbd",
	.probe = vbd_probe,
	.connect = vbd_connect,
	.disconnect = vbd_disconnect,
	.remove = vbd_remove,
};
