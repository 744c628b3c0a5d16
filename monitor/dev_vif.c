/* monitor/dev_vif.c: virtual NICs, the XenBus side of netback.
 *
 * At probe the vif's tap (vif<domid>.<devid>, or vifname=) is created and
 * the toolstack's hotplug script runs on it (`script online`, with Xen's
 * environment: XENBUS_PATH, vif, XENSTORED_PATH), as udev runs
 * /etc/xen/scripts/vif-bridge for Linux's netback; the script puts the tap
 * on its bridge or route and writes hotplug-status. The frontend's keys
 * (checked): tx-ring-ref, rx-ring-ref, event-channel or
 * event-channel-tx/-rx, request-rx-copy, feature-* for what it can take. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backends/netback.h"
#include "backends/xenbus_keys.h"
#include "backends/tap.h"
#include "lib/log.h"
#include "monitor/devices.h"

#define VIF_MAX_QUEUES 4

/* One netif queue: its rings, channels, tap queue and netback thread. */
struct vif_queue {
	struct vif *v;
	int tap_fd; /* queue 0's is the one probe opened */
	struct dev_ring tx, rx;
	struct dev_evtchn tx_evtchn, rx_evtchn;
	bool split;
	struct netback *nb;
};

struct vif {
	char ifname[IFNAMSIZ];
	char script[512];
	unsigned max_queues, nr_queues;
	struct vif_queue q[VIF_MAX_QUEUES];
	uint64_t rate_bytes; /* per rate_interval_us; 0: unlimited */
	uint32_t rate_interval_us;
};

static int run_script(struct xenbus_be_dev *dev, struct vif *v,
		      const char *action)
{
	return dev_run_script(dev, v->script, action, "vif", v->ifname);
}

static int vif_probe(struct xenbus_be_dev *dev)
{
	static const uint8_t host_mac[6] = TAP_HOST_MAC;
	struct devices *devs = dev->ctx;
	struct vif *v = calloc(1, sizeof(*v));
	char name[IFNAMSIZ + 8], rate[64];
	int rc;

	if (!v)
		return -ENOMEM;
	for (unsigned i = 0; i < VIF_MAX_QUEUES; i++)
		v->q[i].tap_fd = -1;
	if (xenbus_be_read(dev, false, "vifname", name, IFNAMSIZ) != 0)
		snprintf(name, sizeof(name), "vif%d.%u", xenbus_be_domid(dev),
			 dev->devid);
	/* Unlike Linux (which warns and goes unlimited), a bad rate fails the
	 * device: a limit silently dropped is worse than a vif that says why
	 * it will not connect. */
	if (xenbus_be_read(dev, false, "rate", rate, sizeof(rate)) == 0 &&
	    xenbus_key_rate(rate, &v->rate_bytes, &v->rate_interval_us)) {
		xenbus_be_error(dev, EINVAL, "bad rate '%s'", rate);
		rc = -EINVAL;
		goto fail;
	}
	(void)xenbus_be_read(dev, false, "script", v->script,
			     sizeof(v->script));
	v->max_queues = devs->d->nr_vcpus < VIF_MAX_QUEUES ?
				devs->d->nr_vcpus : VIF_MAX_QUEUES;
	if (!v->max_queues)
		v->max_queues = 1;
	rc = tap_open(name, v->ifname, &v->q[0].tap_fd);
	if (rc) {
		xenbus_be_error(dev, -rc, "cannot create tap '%s'", name);
		goto fail;
	}
	/* Xen's host-side vif: fe:ff:ff:ff:ff:ff, never the bridge's MAC;
	 * the script brings it up once it is where it belongs. */
	rc = tap_link_setup(v->ifname, 1500, host_mac, false);
	if (rc) {
		xenbus_be_error(dev, -rc, "cannot configure tap '%s'",
				v->ifname);
		goto fail;
	}
	rc = xenbus_be_printf(dev, "feature-sg", "1") ?:
	     xenbus_be_printf(dev, "feature-gso-tcpv4", "1") ?:
	     xenbus_be_printf(dev, "feature-gso-tcpv6", "1") ?:
	     xenbus_be_printf(dev, "feature-ipv6-csum-offload", "1") ?:
	     xenbus_be_printf(dev, "feature-rx-copy", "1") ?:
	     xenbus_be_printf(dev, "feature-rx-flip", "0") ?:
	     xenbus_be_printf(dev, "feature-split-event-channels", "1") ?:
	     xenbus_be_printf(dev, "multi-queue-max-queues", "%u",
			      v->max_queues);
	if (rc) {
		xenbus_be_error(dev, -rc, "cannot write the vif's features");
		goto fail;
	}
	rc = run_script(dev, v, "online");
	if (rc)
		goto fail;
	log_info("%s: %s ready", dev->be_path, v->ifname);
	dev->priv = v;
	return 0;
fail:
	if (v->q[0].tap_fd >= 0)
		close(v->q[0].tap_fd);
	free(v);
	return rc;
}

/* What a queue did, for the log: packets per kick and per notification
 * tell how well both ends batch. */
static void vif_log_stats(struct xenbus_be_dev *dev, unsigned i,
			  struct netback *nb)
{
	struct netback_stats s;

	netback_get_stats(nb, &s);
	log_info("%s: queue %u: tx %llu packets %llu MiB (%llu dropped, "
		 "%llu errors), rx %llu packets %llu MiB (%llu dropped, "
		 "%llu in place), "
		 "%llu kicks, %llu+%llu notifications",
		 dev->be_path, i, (unsigned long long)s.tx_packets,
		 (unsigned long long)(s.tx_bytes >> 20),
		 (unsigned long long)s.tx_dropped,
		 (unsigned long long)s.tx_errors,
		 (unsigned long long)s.rx_packets,
		 (unsigned long long)(s.rx_bytes >> 20),
		 (unsigned long long)s.rx_dropped,
		 (unsigned long long)s.rx_in_place, (unsigned long long)s.kicks,
		 (unsigned long long)s.tx_notifies,
		 (unsigned long long)s.rx_notifies);
}

static void vif_disconnect(struct xenbus_be_dev *dev)
{
	struct devices *devs = dev->ctx;
	struct vif *v = dev->priv;

	if (!v)
		return;
	for (unsigned i = 0; i < v->nr_queues; i++) {
		struct vif_queue *q = &v->q[i];

		if (q->nb)
			vif_log_stats(dev, i, q->nb);
		netback_stop(q->nb);
		q->nb = NULL;
		dev_evtchn_unbind(&q->tx_evtchn);
		dev_evtchn_unbind(&q->rx_evtchn);
		dev_ring_unmap(devs, &q->tx);
		dev_ring_unmap(devs, &q->rx);
		/* Queue 0's tap fd lives as long as the device. */
		if (i > 0 && q->tap_fd >= 0) {
			close(q->tap_fd);
			q->tap_fd = -1;
		}
	}
	v->nr_queues = 0;
}

static bool fe_flag(struct xenbus_be_dev *dev, const char *key)
{
	uint64_t v = 0;

	return xenbus_be_read_uint(dev, true, key, 1, &v) == 0 && v;
}

static void vif_fatal(void *ctx, const char *why)
{
	struct vif_queue *q = ctx;

	/* From the netback thread: the xenbus handle is not ours to use
	 * here, so the queue (its carrier off) stays silent until the vif
	 * is closed. */
	log_error(0, "%s: frontend broke the protocol (%s); queue stopped",
		  q->v->ifname, why);
}

static int notify_rx(void *ctx)
{
	struct vif_queue *q = ctx;

	return dev_evtchn_notify(q->split ? &q->rx_evtchn : &q->tx_evtchn);
}

static int notify_tx(void *ctx)
{
	struct vif_queue *q = ctx;

	return dev_evtchn_notify(&q->tx_evtchn);
}

/* Read "<prefix>key" from the frontend. */
static int fe_uint(struct xenbus_be_dev *dev, const char *prefix,
		   const char *key, uint64_t *out)
{
	char k[64];

	snprintf(k, sizeof(k), "%s%s", prefix, key);
	return xenbus_be_read_uint(dev, true, k, UINT32_MAX, out);
}

static int vif_connect_queue(struct xenbus_be_dev *dev, struct vif *v,
			     unsigned i, bool multi)
{
	struct devices *devs = dev->ctx;
	struct vif_queue *q = &v->q[i];
	uint64_t tx_ref, rx_ref, tx_port, rx_port;
	char prefix[24] = "", name[IFNAMSIZ];
	int rc;

	q->v = v;
	if (multi)
		snprintf(prefix, sizeof(prefix), "queue-%u/", i);
	if (fe_uint(dev, prefix, "tx-ring-ref", &tx_ref) ||
	    fe_uint(dev, prefix, "rx-ring-ref", &rx_ref)) {
		xenbus_be_error(dev, EINVAL, "%stx-ring-ref/rx-ring-ref "
				"missing or bad", prefix);
		return -EINVAL;
	}
	if (fe_uint(dev, prefix, "event-channel", &tx_port) == 0) {
		rx_port = tx_port;
		q->split = false;
	} else if (fe_uint(dev, prefix, "event-channel-tx", &tx_port) == 0 &&
		   fe_uint(dev, prefix, "event-channel-rx", &rx_port) == 0) {
		q->split = true;
	} else {
		xenbus_be_error(dev, EINVAL, "%sno event channel", prefix);
		return -EINVAL;
	}
	rc = dev_ring_map(devs, &q->tx, (uint32_t)tx_ref) ?:
	     dev_ring_map(devs, &q->rx, (uint32_t)rx_ref);
	if (rc) {
		xenbus_be_error(dev, -rc, "%scannot map the rings", prefix);
		return rc;
	}
	rc = dev_evtchn_bind(devs, &q->tx_evtchn, (uint32_t)tx_port);
	if (!rc && q->split)
		rc = dev_evtchn_bind(devs, &q->rx_evtchn, (uint32_t)rx_port);
	if (rc) {
		xenbus_be_error(dev, -rc, "%scannot bind the event channels",
				prefix);
		return rc;
	}
	if (i > 0) {
		rc = tap_open(v->ifname, name, &q->tap_fd);
		if (rc) {
			xenbus_be_error(dev, -rc, "cannot open queue %u of %s",
					i, v->ifname);
			return rc;
		}
	}
	struct netback_params p = {
		.gnt = &devs->gnt,
		.tx_ring = q->tx.page,
		.rx_ring = q->rx.page,
		.tx_kick_fd = q->tx_evtchn.kick_fd,
		.rx_kick_fd = q->split ? q->rx_evtchn.kick_fd
				       : q->tx_evtchn.kick_fd,
		.notify_tx = notify_tx,
		.notify_rx = notify_rx,
		.on_fatal = vif_fatal,
		.ctx = q,
		.tap_fd = q->tap_fd,
		.sg = fe_flag(dev, "feature-sg"),
		.gso_tcpv4 = fe_flag(dev, "feature-gso-tcpv4"),
		.gso_tcpv6 = fe_flag(dev, "feature-gso-tcpv6"),
		.ipv6_csum = fe_flag(dev, "feature-ipv6-csum-offload"),
		/* rate= is the vif's: shared out among its queues. */
		.rate_bytes = v->rate_bytes ? (v->rate_bytes + v->nr_queues - 1) /
						  v->nr_queues : 0,
		.rate_interval_us = v->rate_interval_us,
		.name = v->ifname,
	};
	/* The kernel may hand us only what the guest can take. */
	rc = tap_set_offload(q->tap_fd, true, p.sg && p.gso_tcpv4,
			     p.sg && p.gso_tcpv6);
	if (rc)
		log_warn(-rc, "%s: tap offloads", v->ifname);
	rc = netback_start(&q->nb, &p);
	if (rc)
		xenbus_be_error(dev, -rc, "cannot start netback queue %u", i);
	return rc;
}

static int vif_connect(struct xenbus_be_dev *dev)
{
	struct vif *v = dev->priv;
	uint64_t nq = 1, copy = 0;
	int rc;

	rc = xenbus_be_read_uint(dev, true, "multi-queue-num-queues",
				 v->max_queues, &nq);
	if ((rc && rc != -ENOENT) || nq == 0) {
		xenbus_be_error(dev, EINVAL, "bad multi-queue-num-queues (at "
				"most %u)", v->max_queues);
		return -EINVAL;
	}
	if (xenbus_be_read_uint(dev, true, "request-rx-copy", 1, &copy) ||
	    copy != 1) {
		xenbus_be_error(dev, EOPNOTSUPP, "request-rx-copy must be 1");
		return -EOPNOTSUPP;
	}
	/* All queues count for the rate before any starts. */
	v->nr_queues = (unsigned)nq;
	for (unsigned i = 0; i < nq; i++) {
		/* Linux's netfront: flat keys for one queue, queue-N/ for
		 * more. */
		rc = vif_connect_queue(dev, v, i, nq > 1);
		if (rc)
			return rc; /* the caller disconnects what was set up */
	}
	log_info("%s: connected (%s, %u queue(s))", dev->be_path, v->ifname,
		 v->nr_queues);
	return 0;
}

static void vif_remove(struct xenbus_be_dev *dev)
{
	struct vif *v = dev->priv;

	vif_disconnect(dev);
	if (run_script(dev, v, "offline"))
		log_warn(0, "%s: offline script failed", v->ifname);
	close(v->q[0].tap_fd);
	free(v);
	dev->priv = NULL;
}

const struct xenbus_be_ops dev_vif_ops = {
	.type = "vif",
	.probe = vif_probe,
	.connect = vif_connect,
	.disconnect = vif_disconnect,
	.remove = vif_remove,
};
