/* backends/netback.c: a vif's lifetime and its thread, see netback.h.
 *
 * One thread serves both rings. It sleeps in ppoll on the stop eventfd,
 * the kick eventfd(s), the tap (only while the RX queue has room) and a
 * timeout for the credit window or the RX drain/stall timers. Each wake
 * does bounded work (NB_TX_BATCH packets, NB_RX_BATCH tap reads), so an
 * event storm costs one cheap ring check per kick, and an idle TX ring
 * sleeps only after a pass found nothing and RING_FINAL_CHECK_FOR_REQUESTS
 * confirmed it. Once fatal, the thread
 * polls the stop eventfd alone. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "backends/netback_internal.h"
#include "lib/clock.h"
#include "lib/log.h"

void nb_stat_add(struct netback *nb, uint64_t *counter, uint64_t n)
{
	pthread_mutex_lock(&nb->stats_lock);
	*counter += n;
	pthread_mutex_unlock(&nb->stats_lock);
}

void nb_fatal(struct netback *nb, const char *why)
{
	if (nb->fatal)
		return;
	nb->fatal = true;
	pthread_mutex_lock(&nb->stats_lock);
	nb->stats.fatal = true;
	pthread_mutex_unlock(&nb->stats_lock);
	log_error(0, "%s: %s: frontend disconnected", nb->name, why);
	/* As Linux's xenvif_carrier_off: the host stops routing to a vif
	 * that no longer serves its guest. */
	nb_carrier(nb, false);
	if (nb->p.on_fatal)
		nb->p.on_fatal(nb->p.ctx, why);
}

void netback_get_stats(struct netback *nb, struct netback_stats *out)
{
	pthread_mutex_lock(&nb->stats_lock);
	*out = nb->stats;
	pthread_mutex_unlock(&nb->stats_lock);
}

int netback_create(struct netback **out, const struct netback_params *p)
{
	struct netback *nb;
	int rc;

	if (!p->gnt || !p->tx_ring || !p->rx_ring || p->tap_fd < 0)
		return -EINVAL;
	nb = calloc(1, sizeof(*nb));
	if (!nb)
		return -ENOMEM;
	nb->p = *p;
	snprintf(nb->name, sizeof(nb->name), "%s", p->name ? p->name : "vif");
	nb->p.name = nb->name;
	nb->stop_fd = -1;
	nb->rxq_tail = &nb->rxq_head;
	nb->rx_direct_hint = 1;
	pthread_mutex_init(&nb->stats_lock, NULL);
	nb->rx_scratch = malloc(sizeof(*nb->rx_scratch) + NB_VNET_HLEN +
				NB_FRAME_MAX);
	if (!nb->rx_scratch) {
		rc = -ENOMEM;
		goto out;
	}
	BACK_RING_INIT(&nb->rx, (netif_rx_sring_t *)p->rx_ring, NB_PAGE);
	rc = nb_tx_init(nb);
	if (rc < 0)
		goto out;
	*out = nb;
	return 0;
out:
	netback_destroy(nb);
	return rc;
}

void netback_destroy(struct netback *nb)
{
	if (!nb)
		return;
	nb_rx_purge(nb);
	if (nb->stop_fd >= 0)
		close(nb->stop_fd);
	pthread_mutex_destroy(&nb->stats_lock);
	free(nb->rx_scratch);
	free(nb->tx_buf);
	free(nb);
}

static void drain_eventfd(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0) {
		/* EAGAIN: another reader got it first; nothing to do. */
	}
}

/* The ppoll timeout: 0 if work is pending, else the nearest timer, or
 * NULL (sleep until an fd fires). */
static struct timespec *wait_for(struct netback *nb, bool busy,
				 struct timespec *ts)
{
	uint64_t now, t = 0, c, r;

	if (busy) {
		ts->tv_sec = ts->tv_nsec = 0;
		return ts;
	}
	/* No timer is set: no need to read the clock. */
	if (nb->fatal || (!nb->rate_limited && !netback_rx_queued(nb)))
		return NULL;
	now = clock_mono_ns();
	c = nb_tx_credit_wait_ns(nb, now);
	r = nb_rx_timer_ns(nb, now);
	t = c && (!r || c < r) ? c : r;
	if (!t)
		return NULL;
	ts->tv_sec = (time_t)(t / 1000000000ull);
	ts->tv_nsec = (long)(t % 1000000000ull);
	return ts;
}

static void *nb_thread(void *arg)
{
	struct netback *nb = arg;
	bool busy = true; /* look at the rings once at start */

	for (;;) {
		struct pollfd pfd[4];
		struct timespec ts;
		int n = 0, t;

		pfd[n++] = (struct pollfd){ .fd = nb->stop_fd, .events = POLLIN };
		if (!nb->fatal) {
			pfd[n++] = (struct pollfd){ .fd = nb->p.tx_kick_fd,
						    .events = POLLIN };
			if (nb->p.rx_kick_fd != nb->p.tx_kick_fd)
				pfd[n++] = (struct pollfd){
					.fd = nb->p.rx_kick_fd, .events = POLLIN
				};
			if (nb_rx_want_tap(nb))
				pfd[n++] = (struct pollfd){ .fd = nb->p.tap_fd,
							    .events = POLLIN };
		}
		if (ppoll(pfd, (nfds_t)n, wait_for(nb, busy, &ts), NULL) < 0 &&
		    errno != EINTR)
			break;
		if (pfd[0].revents)
			break;
		for (int i = 1; i < n; i++)
			if ((pfd[i].revents & POLLIN) &&
			    pfd[i].fd != nb->p.tap_fd) {
				drain_eventfd(pfd[i].fd);
				nb_stat_add(nb, &nb->stats.kicks, 1);
			}
		if (nb->fatal) {
			busy = false;
			continue;
		}
		t = netback_tx_run(nb, NB_TX_BATCH);
		/* Ask for a TX kick only after a pass that found nothing:
		 * packets the guest queues meanwhile need no hypercall. */
		busy = t > 0 || (t == 0 && nb_tx_idle_check(nb));
		if (netback_rx_run(nb, 0) < 0)
			busy = false;
	}
	return NULL;
}

int netback_start(struct netback **out, const struct netback_params *p)
{
	struct netback *nb;
	int rc;

	if (p->tx_kick_fd < 0 || p->rx_kick_fd < 0)
		return -EINVAL;
	rc = netback_create(&nb, p);
	if (rc < 0)
		return rc;
	nb->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (nb->stop_fd < 0) {
		rc = -errno;
		goto out;
	}
	rc = -pthread_create(&nb->thread, NULL, nb_thread, nb);
	if (rc < 0)
		goto out;
	pthread_setname_np(nb->thread, "netback");
	nb->running = true;
	*out = nb;
	return 0;
out:
	netback_destroy(nb);
	return rc;
}

void netback_stop(struct netback *nb)
{
	uint64_t one = 1;

	if (!nb)
		return;
	if (nb->running) {
		if (write(nb->stop_fd, &one, sizeof(one)) < 0)
			abort(); /* an eventfd write of 1 cannot fail */
		pthread_join(nb->thread, NULL);
	}
	netback_destroy(nb);
}
