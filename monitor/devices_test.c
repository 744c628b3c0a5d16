/* The XenBus backend handshake (backends/xenbus_be.c, monitor/devices.c,
 * dev_vbd.c, dev_vif.c) against a fake frontend, on the host: no KVM and no
 * guest. Each test starts its own build/bin/xenstored on a temporary
 * socket, builds a struct domain with guest memory and grant table frames
 * as the monitor does (the hv/ KVM calls are hv/xen_kvm_fake.c), starts
 * the domain's backends with devices_start(), writes the nodes the
 * toolstack writes (toolstack/devices.c) and then plays Linux's
 * xen-blkfront (or xen-netfront): event channels through the guest's
 * EVTCHNOP_alloc_unbound/send hypercalls, the ring page granted in the
 * guest grant table, states written to XenStore
 * (shared/reference/xenstore-and-devices.md §2-§5).
 *
 * The test is skipped if xenstored has not been built. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <ftw.h>
#include <dirent.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <xen/xen.h>
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/io/blkif.h>
#include <xen/io/netif.h>
#include <xen/io/xenbus.h>

#include "hv/evtchn.h"
#include "hv/hypercall.h"
#include "hv/xen_kvm_fake.h"
#include "lib/log.h"
#include "monitor/devices.h"
#include "xenstore/xs.h"

#ifndef xen_mb
#define xen_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define xen_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#endif

#define DOMID 5
#define VDEV 51712 /* xvda */
#define RAM (4u << 20)
#define ARG_GPA 0x5000ull /* hypercall arguments */
#define SHINFO_GFN 0x10
#define RING_GFN 0x100
#define WDATA_GFN 0x101
#define RDATA_GFN 0x102
#define TXRING_GFN 0x110
#define RXRING_GFN 0x111
#define RING_REF 8 /* Linux keeps 0-7 for the toolstack */
#define WDATA_REF 9
#define RDATA_REF 10
#define TXRING_REF 11
#define RXRING_REF 12
#define SPARE_REF 13 /* never granted */
#define DISK_BYTES (1u << 20)
#define WAIT_MS 10000

#define FE "/local/domain/5/device/vbd/51712"
#define BE "/local/domain/0/backend/vbd/5/51712"
#define VIF_FE "/local/domain/5/device/vif/0"
#define VIF_BE "/local/domain/0/backend/vif/5/0"

static char xenstored_bin[PATH_MAX];
static bool t_skip_said;

static struct {
	bool skip;
	char dir[64], sock[128], disk[128];
	pid_t xsd;
	struct xs_handle *xs;
	struct domain *d;
	struct devices devs;
	bool started;
	blkif_sring_t *sring;
	blkif_front_ring_t front;
	uint32_t port; /* the frontend's event channel */
	uint64_t next_id;
} t;

/* --- XenStore, as the toolstack and the frontend use it ---------------- */

static void xsw(const char *path, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void xsw(const char *path, const char *fmt, ...)
{
	char val[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	assert_true(n >= 0 && n < (int)sizeof(val));
	assert_int_equal(xs_write(t.xs, XS_NO_TXN, path, val, (size_t)n), 0);
}

static void fe_put(const char *key, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void fe_put(const char *key, const char *fmt, ...)
{
	char path[256], val[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), FE "/%s", key);
	xsw(path, "%s", val);
}

static void fe_rm(const char *key)
{
	char path[256];
	int rc;

	snprintf(path, sizeof(path), FE "/%s", key);
	rc = xs_rm(t.xs, XS_NO_TXN, path);
	assert_true(rc == 0 || rc == -ENOENT);
}

/* The value at path, or NULL; the caller frees it. */
static char *xsr(const char *path)
{
	char *v = NULL;
	size_t n;

	if (xs_read(t.xs, XS_NO_TXN, path, &v, &n))
		return NULL;
	return v;
}

static long xsr_int(const char *path, long dflt)
{
	char *v = xsr(path), *end;
	long r = dflt;

	if (v && v[0]) {
		r = strtol(v, &end, 10);
		if (*end)
			r = dflt;
	}
	free(v);
	return r;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Wait until path reads want; false after ms. */
static bool wait_int(const char *path, long want, unsigned ms)
{
	for (unsigned waited = 0; waited <= ms; waited += 2) {
		if (xsr_int(path, -1) == want)
			return true;
		sleep_ms(2);
	}
	return false;
}

static void expect_be_state(const char *be, long want)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/state", be);
	if (!wait_int(path, want, WAIT_MS))
		fail_msg("%s: backend state %ld, expected %ld", be,
			 xsr_int(path, -1), want);
}

/* The toolstack's disk (write_disk), in one transaction. */
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* A device as xend writes it: the frontend's and the backend's keys in
 * one transaction (retried while it conflicts). */
static void write_device(const char *fe, const char *const (*fe_keys)[2],
			 size_t nf, const char *be,
			 const char *const (*be_keys)[2], size_t nb)
{
	char path[256];
	uint32_t tx;

	for (int tries = 0;; tries++) {
		int rc;

		assert_true(tries < 20);
		assert_int_equal(xs_transaction_start(t.xs, &tx), 0);
		for (size_t i = 0; i < nf + nb; i++) {
			const char *const *kv = i < nf ? fe_keys[i]
						       : be_keys[i - nf];

			snprintf(path, sizeof(path), "%s/%s", i < nf ? fe : be,
				 kv[0]);
			assert_int_equal(xs_write(t.xs, tx, path, kv[1],
						  strlen(kv[1])), 0);
		}
		rc = xs_transaction_end(t.xs, tx, false);
		if (rc != -EAGAIN) {
			assert_int_equal(rc, 0);
			return;
		}
	}
}

static void add_vbd(const char *mode)
{
	static const char *const fe_keys[][2] = {
		{ "backend", BE }, { "backend-id", "0" }, { "state", "1" },
		{ "virtual-device", "51712" }, { "device-type", "disk" },
		{ "trusted", "1" },
	};
	const char *be_keys[][2] = {
		{ "frontend", FE }, { "frontend-id", "5" },
		{ "params", t.disk }, { "type", "file" }, { "format", "raw" },
		{ "online", "1" }, { "removable", "0" }, { "bootable", "1" },
		{ "state", "1" }, { "dev", "xvda" }, { "mode", mode },
		{ "device-type", "disk" }, { "discard-enable", "1" },
		{ "specification", "xen" },
	};
	write_device(FE, fe_keys, ARRAY_LEN(fe_keys), BE, be_keys,
		     ARRAY_LEN(be_keys));
}

/* --- The guest: hypercalls, grants, rings ------------------------------ */

static int identity_translate(struct vcpu *v, uint64_t gva, uint64_t *gpa)
{
	(void)v;
	*gpa = gva;
	return 0;
}

static long evtchn_op(unsigned cmd, void *arg, size_t n)
{
	uint64_t args[6] = { cmd, ARG_GPA, 0, 0, 0, 0 };
	void *page = guestmem_ptr(&t.d->mem, ARG_GPA, 4096);
	long rc;

	memcpy(page, arg, n);
	rc = hv_hypercall(&t.d->vcpu[0], __HYPERVISOR_event_channel_op, args,
			  0);
	memcpy(arg, page, n);
	return rc;
}

/* EVTCHNOP_alloc_unbound, as xenbus_alloc_evtchn does. */
static uint32_t alloc_unbound(domid_t remote)
{
	struct evtchn_alloc_unbound au = { .dom = DOMID_SELF,
					   .remote_dom = remote };

	assert_int_equal(evtchn_op(EVTCHNOP_alloc_unbound, &au, sizeof(au)), 0);
	return au.port;
}

static void evtchn_send(uint32_t port)
{
	struct evtchn_send s = { .port = port };

	assert_int_equal(evtchn_op(EVTCHNOP_send, &s, sizeof(s)), 0);
}

static uint8_t evtchn_state(uint32_t port)
{
	uint8_t s;

	pthread_mutex_lock(&t.d->hv.lock);
	s = t.d->hv.evtchn[port].state;
	pthread_mutex_unlock(&t.d->hv.lock);
	return s;
}

static grant_entry_v1_t *gnt(uint32_t ref)
{
	return (grant_entry_v1_t *)t.d->hv.gnttab_frames + ref;
}

/* gnttab_grant_foreign_access: domid, frame, then the flags. */
static void grant(uint32_t ref, uint64_t gfn, domid_t to, uint16_t flags)
{
	grant_entry_v1_t *e = gnt(ref);

	e->domid = to;
	e->frame = (uint32_t)gfn;
	xen_wmb();
	__atomic_store_n(&e->flags, (uint16_t)(GTF_permit_access | flags),
			 __ATOMIC_RELEASE);
}

static bool grant_in_use(uint32_t ref)
{
	return __atomic_load_n(&gnt(ref)->flags, __ATOMIC_ACQUIRE) &
	       (GTF_reading | GTF_writing);
}

static uint8_t *gpage(uint64_t gfn)
{
	uint8_t *p = guestmem_ram_ptr(&t.d->mem, gfn << 12, 4096);

	assert_non_null(p);
	return p;
}

/* A fresh ring and event channel, the ring granted. */
static void fe_ring_init(void)
{
	t.sring = (blkif_sring_t *)gpage(RING_GFN);
	memset(t.sring, 0xaa, 4096);
	SHARED_RING_INIT(t.sring);
	FRONT_RING_INIT(&t.front, t.sring, 4096);
	grant(RING_REF, RING_GFN, 0, 0);
	if (!t.port)
		t.port = alloc_unbound(0);
}

/* talk_to_blkback's keys, one queue, one-page ring. */
static void fe_write_ring_keys(void)
{
	fe_put("ring-ref", "%u", RING_REF);
	fe_put("event-channel", "%u", t.port);
	fe_put("protocol", "%s", "x86_64-abi");
	fe_put("feature-persistent", "1");
}

/* Push one request and wait for its response. */
static blkif_response_t fe_run1(const blkif_request_t *req)
{
	blkif_response_t rsp;
	int notify;

	*RING_GET_REQUEST(&t.front, t.front.req_prod_pvt) = *req;
	t.front.req_prod_pvt++;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&t.front, notify);
	if (notify)
		evtchn_send(t.port);
	for (unsigned waited = 0;; waited++) {
		RING_IDX prod = __atomic_load_n(&t.sring->rsp_prod,
						__ATOMIC_ACQUIRE);

		if (prod != t.front.rsp_cons)
			break;
		if (waited > WAIT_MS)
			fail_msg("no response to request %" PRIu64, req->id);
		sleep_ms(1);
	}
	xen_rmb();
	rsp = *RING_GET_RESPONSE(&t.front, t.front.rsp_cons);
	t.front.rsp_cons++;
	/* As blkif_interrupt: ask to be notified of the next response. */
	RING_FINAL_CHECK_FOR_RESPONSES(&t.front, notify);
	assert_int_equal(notify, 0);
	assert_int_equal(rsp.id, req->id);
	assert_int_equal(rsp.operation, req->operation);
	return rsp;
}

/* A WRITE then a READ of the same 4 KiB through granted pages, checked
 * against the disk file. */
static void fe_do_io(uint8_t seed)
{
	blkif_request_t w = {
		.operation = BLKIF_OP_WRITE,
		.nr_segments = 1,
		.id = ++t.next_id,
		.sector_number = 8,
		.seg[0] = { .gref = WDATA_REF, .first_sect = 0,
			    .last_sect = 7 },
	};
	blkif_request_t r = w;
	uint8_t *wp = gpage(WDATA_GFN), *rp = gpage(RDATA_GFN);
	uint8_t disk[4096];
	unsigned sends = xk_fake.sends;
	int fd;

	for (unsigned i = 0; i < 4096; i++)
		wp[i] = (uint8_t)(seed + i * 7);
	memset(rp, 0, 4096);
	grant(WDATA_REF, WDATA_GFN, 0, GTF_readonly);
	grant(RDATA_REF, RDATA_GFN, 0, 0);
	assert_int_equal(fe_run1(&w).status, BLKIF_RSP_OKAY);
	assert_false(grant_in_use(WDATA_REF));
	fd = open(t.disk, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, disk, sizeof(disk), 8 * 512), 4096);
	close(fd);
	assert_memory_equal(disk, wp, 4096);

	r.operation = BLKIF_OP_READ;
	r.id = ++t.next_id;
	r.seg[0].gref = RDATA_REF;
	assert_int_equal(fe_run1(&r).status, BLKIF_RSP_OKAY);
	assert_false(grant_in_use(RDATA_REF));
	assert_memory_equal(rp, wp, 4096);
	/* The backend raised our port (through KVM, faked here). */
	assert_true(xk_fake.sends > sends);
	assert_int_equal(xk_fake.last_send_port, t.port);
}

/* Whether the monitor still holds the disk open (vbd_open's flock). */
static bool disk_in_use(void)
{
	int fd = open(t.disk, O_RDONLY);
	bool busy;

	assert_true(fd >= 0);
	busy = flock(fd, LOCK_EX | LOCK_NB) < 0;
	close(fd);
	return busy;
}

static bool wait_disk_released(void)
{
	for (unsigned waited = 0; waited <= WAIT_MS; waited += 2) {
		if (!disk_in_use())
			return true;
		sleep_ms(2);
	}
	return false;
}

/* Nothing of the frontend's is held: ring grant free, port unbound. */
static void expect_released(void)
{
	assert_false(grant_in_use(RING_REF));
	assert_int_equal(evtchn_state(t.port), EVTCHN_UNBOUND);
}

/* Disk attached, backend at InitWait with its features checked. */
static void attach_disk(void)
{
	add_vbd("w");
	expect_be_state(BE, XenbusStateInitWait);
	assert_int_equal(xsr_int(BE "/sectors", -1), DISK_BYTES / 512);
	assert_int_equal(xsr_int(BE "/info", -1), 0);
	assert_int_equal(xsr_int(BE "/sector-size", -1), 512);
	assert_int_equal(xsr_int(BE "/physical-sector-size", -1), 512);
	assert_int_equal(xsr_int(BE "/feature-flush-cache", -1), 1);
	assert_int_equal(xsr_int(BE "/feature-max-indirect-segments", -1),
			 256);
	assert_int_equal(xsr_int(BE "/multi-queue-max-queues", -1), 1);
	assert_int_equal(xsr_int(BE "/feature-discard", -1), 1);
	assert_true(disk_in_use());
}

/* From InitWait to Connected, then one write and one read. */
static void connect_and_io(uint8_t seed)
{
	fe_ring_init();
	fe_write_ring_keys();
	fe_put("state", "%d", XenbusStateInitialised);
	expect_be_state(BE, XenbusStateConnected);
	assert_int_equal(evtchn_state(t.port), EVTCHN_INTERDOMAIN);
	assert_true(grant_in_use(RING_REF));
	fe_put("state", "%d", XenbusStateConnected);
	fe_do_io(seed);
}

/* The frontend closes: 5 -> backend 5, 6 -> backend 6. */
static void fe_close(void)
{
	fe_put("state", "%d", XenbusStateClosing);
	expect_be_state(BE, XenbusStateClosing);
	fe_put("state", "%d", XenbusStateClosed);
	expect_be_state(BE, XenbusStateClosed);
	expect_released();
}

/* --- Setup ------------------------------------------------------------- */

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	char statedir[160], log[160];
	const char *why = NULL;
	int fd;

	(void)state;
	memset(&t, 0, sizeof(t));
	/* A backend thread that never stops would hang `make check`. */
	alarm(120);
	if (access(xenstored_bin, X_OK) < 0) {
		t.skip = true;
		return 0;
	}
	snprintf(t.dir, sizeof(t.dir), "/tmp/kxen-devices-test.XXXXXX");
	assert_non_null(mkdtemp(t.dir));
	snprintf(t.sock, sizeof(t.sock), "%s/socket", t.dir);
	snprintf(statedir, sizeof(statedir), "%s/state", t.dir);
	snprintf(log, sizeof(log), "%s/xenstored.log", t.dir);
	snprintf(t.disk, sizeof(t.disk), "%s/disk.img", t.dir);
	assert_int_equal(mkdir(statedir, 0700), 0);
	t.xsd = fork();
	assert_true(t.xsd >= 0);
	if (t.xsd == 0) {
		int lfd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		/* Gone with the test, even if the test is killed. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);

		if (lfd >= 0) {
			dup2(lfd, 1);
			dup2(lfd, 2);
		}
		execl(xenstored_bin, xenstored_bin, "--no-fork",
		      "--no-recovery", "--socket", t.sock, "--state-dir",
		      statedir, (char *)NULL);
		_exit(127);
	}
	for (unsigned waited = 0; xs_open(t.sock, &t.xs); waited += 5) {
		if (waited > WAIT_MS || waitpid(t.xsd, NULL, WNOHANG) != 0)
			fail_msg("xenstored did not start (see %s)", log);
		sleep_ms(5);
	}

	fd = open(t.disk, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, DISK_BYTES), 0);
	close(fd);

	t.d = calloc(1, sizeof(*t.d));
	assert_non_null(t.d);
	assert_int_equal(domain_init(t.d, DOMID), 0);
	assert_int_equal(guestmem_create(&t.d->mem, RAM, HV_NR_GNTTAB_FRAMES),
			 0);
	t.d->hv.gnttab_frames = t.d->mem.extra_hva;
	t.d->hv.max_pages = t.d->hv.cur_pages = t.d->mem.ram_bytes >> 12;
	t.d->hv.shared_info_gfn = SHINFO_GFN;
	t.d->nr_vcpus = 1;
	t.d->vcpu[0].translate = identity_translate;
	xk_fake_reset();
	assert_int_equal(devices_start(&t.devs, t.d, t.sock, &why), 0);
	t.started = true;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (t.skip)
		return 0;
	if (t.started)
		devices_stop(&t.devs);
	if (t.xs)
		xs_close(t.xs);
	if (t.xsd > 0) {
		kill(t.xsd, SIGTERM);
		waitpid(t.xsd, NULL, 0);
	}
	if (t.d) {
		guestmem_destroy(&t.d->mem);
		domain_fini(t.d);
		free(t.d);
	}
	/* xenstored's fd keeper removes its socket from the state dir as
	 * it quits, after xenstored: try again until the dir is gone. */
	for (int i = 0; t.dir[0] && i < 200; i++) {
		nftw(t.dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
		if (access(t.dir, F_OK) < 0)
			break;
		sleep_ms(5);
	}
	alarm(0);
	return 0;
}

#define SKIP_WITHOUT_XENSTORED()                                               \
	do {                                                                   \
		if (t.skip) {                                                  \
			if (!t_skip_said)                                      \
				print_message("skipped: %s not built (make "   \
					      "build/bin/xenstored)\n",       \
					      xenstored_bin);                  \
			t_skip_said = true;                                    \
			skip();                                                \
		}                                                              \
	} while (0)

/* --- The handshake ------------------------------------------------------ */

/* Attach, connect, I/O, close, reconnect (5->6->1->3), detach. */
static void test_vbd_lifecycle(void **state)
{
	(void)state;
	SKIP_WITHOUT_XENSTORED();
	attach_disk();
	connect_and_io(1);
	/* The port and ring-ref written by the frontend stay the guest's. */
	fe_close();
	/* A frontend starting over (module reload, kexec). */
	fe_put("state", "%d", XenbusStateInitialising);
	expect_be_state(BE, XenbusStateInitWait);
	connect_and_io(2);
	fe_close();
	assert_true(disk_in_use()); /* still online: the device stays */

	/* block-detach of a device whose frontend is already closed. */
	xsw(BE "/online", "0");
	assert_true(wait_disk_released());
	/* The backend dir is the toolstack's: it stays, at Closed. */
	assert_int_equal(xsr_int(BE "/state", -1), XenbusStateClosed);
	assert_int_equal(xsr_int(BE "/frontend-id", -1), DOMID);
}

/* online=0 while connected: Closing, then the frontend's 6 frees it. */
static void test_vbd_detach_connected(void **state)
{
	(void)state;
	SKIP_WITHOUT_XENSTORED();
	attach_disk();
	connect_and_io(3);
	xsw(BE "/online", "0");
	expect_be_state(BE, XenbusStateClosing);
	assert_true(disk_in_use());
	/* Linux's blkfront on backend 5: it closes. */
	fe_put("state", "%d", XenbusStateClosing);
	fe_put("state", "%d", XenbusStateClosed);
	expect_be_state(BE, XenbusStateClosed);
	assert_true(wait_disk_released());
	expect_released();
	/* The toolstack then removes both directories (devices_remove). */
	assert_int_equal(xs_rm(t.xs, XS_NO_TXN, FE), 0);
	assert_int_equal(xs_rm(t.xs, XS_NO_TXN, BE), 0);
	sleep_ms(100);
	assert_null(xsr(BE "/state"));
}

/* The toolstack removes the backend dir under a connected device (domain
 * destroyed, xenstore-rm): the device closes and goes, and the backend
 * does not recreate the nodes it no longer has. */
static void test_vbd_backend_dir_removed(void **state)
{
	char *v;

	(void)state;
	SKIP_WITHOUT_XENSTORED();
	attach_disk();
	connect_and_io(4);
	assert_int_equal(xs_rm(t.xs, XS_NO_TXN, BE), 0);
	fe_put("state", "%d", XenbusStateClosing);
	fe_put("state", "%d", XenbusStateClosed);
	assert_true(wait_disk_released());
	expect_released();
	sleep_ms(100);
	v = xsr(BE "/state");
	if (v)
		fail_msg("the backend recreated " BE "/state = '%s'", v);
	assert_null(xsr(BE));
}

/* XSA-349: a frontend flipping its state a thousand times. The backend
 * follows what it reads, ends sane, leaks nothing. */
static void test_vbd_state_flips(void **state)
{
	static const int cycle[] = { XenbusStateClosing, XenbusStateClosed,
				     XenbusStateInitialising,
				     XenbusStateInitialised };
	char *names = NULL;
	unsigned n = 0;

	(void)state;
	SKIP_WITHOUT_XENSTORED();
	attach_disk();
	connect_and_io(5);
	for (int i = 0; i < 1000; i++)
		fe_put("state", "%d", cycle[i % 4]);
	/* Whatever the backend made of it, once the frontend is Closed the
	 * backend follows and stays there: every queued event re-reads 6
	 * (a frontend waits for the backend between steps; this one did
	 * not, so the backend may have skipped any of them). */
	fe_put("state", "%d", XenbusStateClosed);
	expect_be_state(BE, XenbusStateClosed);
	sleep_ms(300);
	assert_int_equal(xsr_int(BE "/state", -1), XenbusStateClosed);
	expect_released();
	fe_put("state", "%d", XenbusStateInitialising);
	expect_be_state(BE, XenbusStateInitWait);
	connect_and_io(6);
	fe_close();
	/* One device, still there. */
	{
		char **list = NULL;

		assert_int_equal(xs_directory(t.xs, XS_NO_TXN,
					      "/local/domain/0/backend/vbd/5",
					      &list, &n), 0);
		names = (char *)list;
		assert_int_equal(n, 1);
		free(names);
	}
	assert_true(disk_in_use());
}

/* A frontend state that is no number reads as Unknown (Linux's
 * xenbus_read_driver_state): the backend closes, keeps the device while
 * the toolstack has it online, and does not spin. */
static void test_vbd_state_garbage(void **state)
{
	static const char *const bad[] = { "0x3", "-1", "", "junk",
					   "1234567890123456789012345" };

	(void)state;
	SKIP_WITHOUT_XENSTORED();
	attach_disk();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unsigned writes = 0;

		fe_put("state", "%s", bad[i]);
		expect_be_state(BE, XenbusStateClosed);
		/* Stable: no probe/free loop rewriting the backend. */
		assert_int_equal(xs_watch(t.xs, BE "/state", "t"), 0);
		sleep_ms(200);
		for (;;) {
			char *path, *token;

			if (xs_read_watch(t.xs, &path, &token))
				break;
			free(path);
			writes++;
		}
		assert_int_equal(xs_unwatch(t.xs, BE "/state", "t"), 0);
		if (writes > 2)
			fail_msg("state '%s': backend state written %u times "
				 "in 200 ms", bad[i], writes);
		assert_int_equal(xsr_int(BE "/state", -1), XenbusStateClosed);
		fe_put("state", "%d", XenbusStateInitialising);
		expect_be_state(BE, XenbusStateInitWait);
	}
	connect_and_io(7);
	fe_close();
}

/* Two queues (two vCPUs): queue-N/ring-ref and queue-N/event-channel.
 * A bad second queue releases the first; good ones connect both. */
/* A 4-page ring (ring-page-order 2): the backend sees its pages as one
 * ring; requests go round it twice, through every page's slots. */
static void test_vbd_ring_pages(void **state)
{
	enum { ORDER = 2, N = 1 << ORDER, GFN = RING_GFN + 0x20, REF = 200 };
	blkif_sring_t *s;
	char key[16];

	(void)state;
	SKIP_WITHOUT_XENSTORED();
	s = (blkif_sring_t *)gpage(GFN);
	add_vbd("w");
	expect_be_state(BE, XenbusStateInitWait);
	assert_int_equal(xsr_int(BE "/max-ring-page-order", -1), 4);
	memset(s, 0xaa, N * 4096);
	SHARED_RING_INIT(s);
	FRONT_RING_INIT(&t.front, s, N * 4096);
	t.sring = s;
	if (!t.port)
		t.port = alloc_unbound(0);
	for (unsigned j = 0; j < N; j++) {
		grant(REF + j, GFN + j, 0, 0);
		snprintf(key, sizeof(key), "ring-ref%u", j);
		fe_put(key, "%u", REF + j);
	}
	fe_put("ring-page-order", "%u", ORDER);
	fe_put("event-channel", "%u", t.port);
	fe_put("protocol", "%s", "x86_64-abi");
	fe_put("state", "%d", XenbusStateInitialised);
	expect_be_state(BE, XenbusStateConnected);
	for (unsigned j = 0; j < N; j++)
		assert_true(grant_in_use(REF + j));
	fe_put("state", "%d", XenbusStateConnected);
	assert_int_equal(RING_SIZE(&t.front), 128);
	for (unsigned k = 0; k < RING_SIZE(&t.front); k++)
		fe_do_io((uint8_t)k); /* two requests each */
	fe_close();
	for (unsigned j = 0; j < N; j++)
		assert_false(grant_in_use(REF + j));
}

static void test_vbd_multi_queue(void **state)
{
	uint32_t port1;

	(void)state;
	SKIP_WITHOUT_XENSTORED();
	t.d->nr_vcpus = 2; /* read by the probe, after add_vbd's write */
	t.d->vcpu[1].translate = identity_translate;
	add_vbd("w");
	expect_be_state(BE, XenbusStateInitWait);
	assert_int_equal(xsr_int(BE "/multi-queue-max-queues", -1), 2);
	fe_ring_init();
	port1 = alloc_unbound(0);
	grant(RING_REF + 100, RING_GFN + 0x10, 0, 0);
	SHARED_RING_INIT((blkif_sring_t *)gpage(RING_GFN + 0x10));
	fe_put("multi-queue-num-queues", "2");
	fe_put("queue-0/ring-ref", "%u", RING_REF);
	fe_put("queue-0/event-channel", "%u", t.port);
	/* Queue 1 on queue 0's port: already bound by then. */
	fe_put("queue-1/ring-ref", "%u", RING_REF + 100);
	fe_put("queue-1/event-channel", "%u", t.port);
	fe_put("protocol", "x86_64-abi");
	fe_put("state", "%d", XenbusStateInitialised);
	expect_be_state(BE, XenbusStateClosing);
	expect_released();
	assert_false(grant_in_use(RING_REF + 100));
	fe_put("state", "%d", XenbusStateClosed);
	expect_be_state(BE, XenbusStateClosed);

	fe_put("queue-1/event-channel", "%u", port1);
	fe_put("state", "%d", XenbusStateInitialising);
	expect_be_state(BE, XenbusStateInitWait);
	fe_put("state", "%d", XenbusStateInitialised);
	expect_be_state(BE, XenbusStateConnected);
	assert_int_equal(evtchn_state(t.port), EVTCHN_INTERDOMAIN);
	assert_int_equal(evtchn_state(port1), EVTCHN_INTERDOMAIN);
	assert_true(grant_in_use(RING_REF + 100));
	fe_do_io(9); /* on queue 0 */
	fe_close();
	assert_int_equal(evtchn_state(port1), EVTCHN_UNBOUND);
	assert_false(grant_in_use(RING_REF + 100));
}

/* The guest closes its port under a connected backend, and gets the same
 * number back: the backend's unbind must not touch the new channel, and
 * a reconnect binds it. */
static void test_vbd_guest_closes_port(void **state)
{
	struct evtchn_close cl;
	uint32_t old;

	(void)state;
	SKIP_WITHOUT_XENSTORED();
	attach_disk();
	connect_and_io(10);
	old = t.port;
	cl.port = t.port;
	assert_int_equal(evtchn_op(EVTCHNOP_close, &cl, sizeof(cl)), 0);
	assert_int_equal(evtchn_state(old), EVTCHN_FREE);
	t.port = alloc_unbound(0);
	assert_int_equal(t.port, old);
	fe_close(); /* the port stays the guest's new, unbound one */
	fe_put("state", "%d", XenbusStateInitialising);
	expect_be_state(BE, XenbusStateInitWait);
	connect_and_io(11);
	fe_close();
}

/* The guest revokes its ring grant (flags to 0) while the backend has it
 * mapped: the backend's release must not resurrect the entry. */
static void test_vbd_grant_revoked(void **state)
{
	(void)state;
	SKIP_WITHOUT_XENSTORED();
	attach_disk();
	connect_and_io(12);
	__atomic_store_n(&gnt(RING_REF)->flags, 0, __ATOMIC_RELEASE);
	fe_close();
	assert_int_equal(gnt(RING_REF)->flags, 0);
}

static atomic_bool storm_stop;

static void *storm(void *arg)
{
	struct xs_handle *h = NULL;
	unsigned i = 0;

	(void)arg;
	if (xs_open(t.sock, &h))
		return NULL;
	while (!atomic_load(&storm_stop)) {
		char v[2] = { (char)('1' + i++ % 6), 0 };

		if (xs_write(h, XS_NO_TXN, FE "/state", v, 1))
			break;
	}
	xs_close(h);
	return NULL;
}

/* The monitor stops (domain destroyed) while a frontend writes its state
 * nonstop: devices_stop returns, and everything is released. */
static void test_vbd_stop_under_storm(void **state)
{
	struct timespec a, b;
	pthread_t th;

	(void)state;
	SKIP_WITHOUT_XENSTORED();
	attach_disk();
	connect_and_io(13);
	atomic_store(&storm_stop, false);
	assert_int_equal(pthread_create(&th, NULL, storm, NULL), 0);
	sleep_ms(200);
	clock_gettime(CLOCK_MONOTONIC, &a);
	devices_stop(&t.devs);
	t.started = false;
	clock_gettime(CLOCK_MONOTONIC, &b);
	atomic_store(&storm_stop, true);
	pthread_join(th, NULL);
	assert_true(b.tv_sec - a.tv_sec < 5);
	assert_false(disk_in_use());
	expect_released();
}

/* --- Hostile connect keys ------------------------------------------------ */

enum bad_kind {
	BAD_VALUE,       /* key = value */
	BAD_REF_NOGRANT, /* ring-ref names an entry never granted */
	BAD_REF_OTHERDOM,/* ring-ref granted to domain 3 */
	BAD_REF_HOLE,    /* ring-ref granted, frame not RAM */
	BAD_PORT_BOUND,  /* event-channel already connected to a backend */
	BAD_PORT_OTHER,  /* event-channel unbound, offered to domain 3 */
	BAD_PORT_VIRQ,   /* event-channel a VIRQ port */
};

struct bad_case {
	enum bad_kind kind;
	const char *key, *value;
};

static const struct bad_case bad_cases[] = {
	{ BAD_REF_NOGRANT, "ring-ref", "(ref never granted)" },
	{ BAD_REF_OTHERDOM, "ring-ref", "(granted to dom3)" },
	{ BAD_REF_HOLE, "ring-ref", "(frame is the store page)" },
	{ BAD_VALUE, "ring-ref", "16384" },       /* past the 32 frames */
	{ BAD_VALUE, "ring-ref", "4294967295" },
	{ BAD_VALUE, "ring-ref", "4294967296" },  /* above u32 */
	{ BAD_VALUE, "ring-ref", "0x10" },
	{ BAD_VALUE, "ring-ref", "-1" },
	{ BAD_VALUE, "ring-ref", "" },
	{ BAD_VALUE, "ring-ref", " 8" },
	{ BAD_VALUE, "ring-ref", "8 " },
	{ BAD_VALUE, "ring-ref", "1234567890123456789012345" },
	{ BAD_VALUE, "event-channel", "0" },
	{ BAD_VALUE, "event-channel", "99999" },
	{ BAD_VALUE, "event-channel", "4096" },
	{ BAD_VALUE, "event-channel", "4095" },   /* free port */
	{ BAD_VALUE, "event-channel", "0x10" },
	{ BAD_VALUE, "event-channel", "-1" },
	{ BAD_VALUE, "event-channel", "" },
	{ BAD_VALUE, "event-channel", "1234567890123456789012345" },
	{ BAD_PORT_BOUND, "event-channel", "(already bound)" },
	{ BAD_PORT_OTHER, "event-channel", "(unbound for dom3)" },
	{ BAD_PORT_VIRQ, "event-channel", "(a VIRQ port)" },
	{ BAD_VALUE, "multi-queue-num-queues", "0" },
	{ BAD_VALUE, "multi-queue-num-queues", "2" }, /* above the max (1) */
	{ BAD_VALUE, "multi-queue-num-queues", "100" },
	{ BAD_VALUE, "multi-queue-num-queues", "0x1" },
	{ BAD_VALUE, "multi-queue-num-queues", "" },
	{ BAD_VALUE, "ring-page-order", "3" }, /* with no ring-ref0..7 */
	{ BAD_VALUE, "ring-page-order", "1" }, /* with no ring-ref0..1 */
	{ BAD_VALUE, "ring-page-order", "5" }, /* above max-ring-page-order */
	{ BAD_VALUE, "ring-page-order", "0x1" },
	{ BAD_VALUE, "ring-page-order", "-1" },
	{ BAD_VALUE, "protocol", "x86_32-abi" },
	{ BAD_VALUE, "protocol", "" },
};

/* A connect with one bad key: the backend refuses (error node, Closing),
 * holds nothing, and serves the same frontend once it behaves. */
static void test_vbd_bad_connect(void **state)
{
	const struct bad_case *c = *state;
	char *err;

	SKIP_WITHOUT_XENSTORED();
	print_message("  %s = '%s'\n", c->key, c->value);
	attach_disk();
	fe_ring_init();
	fe_write_ring_keys();
	switch (c->kind) {
	case BAD_VALUE:
		fe_put(c->key, "%s", c->value);
		break;
	case BAD_REF_NOGRANT:
		fe_put("ring-ref", "%u", SPARE_REF);
		break;
	case BAD_REF_OTHERDOM:
		grant(SPARE_REF, RING_GFN, 3, 0);
		fe_put("ring-ref", "%u", SPARE_REF);
		break;
	case BAD_REF_HOLE:
		grant(SPARE_REF, GUESTMEM_STORE_PFN, 0, 0);
		fe_put("ring-ref", "%u", SPARE_REF);
		break;
	case BAD_PORT_BOUND: {
		uint32_t p;

		assert_int_equal(hv_evtchn_alloc_backend(t.d, 0, -1, &p), 0);
		fe_put("event-channel", "%u", p);
		break;
	}
	case BAD_PORT_OTHER:
		fe_put("event-channel", "%u", alloc_unbound(3));
		break;
	case BAD_PORT_VIRQ: {
		struct evtchn_bind_virq bv = { .virq = VIRQ_DEBUG, .vcpu = 0 };

		assert_int_equal(evtchn_op(EVTCHNOP_bind_virq, &bv, sizeof(bv)),
				 0);
		fe_put("event-channel", "%u", bv.port);
		break;
	}
	}
	fe_put("state", "%d", XenbusStateInitialised);
	expect_be_state(BE, XenbusStateClosing);
	err = xsr(BE "/error");
	assert_non_null(err);
	assert_true(strlen(err) > 2);
	free(err);
	expect_released();
	assert_false(grant_in_use(SPARE_REF));

	/* The frontend gives up, then starts over with good keys. */
	fe_put("state", "%d", XenbusStateClosed);
	expect_be_state(BE, XenbusStateClosed);
	fe_rm("multi-queue-num-queues");
	fe_rm("ring-page-order");
	fe_put("state", "%d", XenbusStateInitialising);
	expect_be_state(BE, XenbusStateInitWait);
	connect_and_io(8);
	fe_close();
}

/* --- vif ------------------------------------------------------------------ */

static void add_vif(const char *extra_key, const char *extra_val)
{
	const char *fe_keys[][2] = {
		{ "backend", VIF_BE }, { "backend-id", "0" }, { "state", "1" },
		{ "handle", "0" }, { "mac", "00:16:3e:00:00:01" },
		{ "trusted", "1" },
	};
	const char *be_keys[][2] = {
		{ "frontend", VIF_FE }, { "frontend-id", "5" },
		{ "online", "1" }, { "state", "1" },
		{ "script", "" }, /* no hotplug script runs */
		{ "mac", "00:16:3e:00:00:01" }, { "bridge", "xenbr0" },
		{ "handle", "0" }, { "type", "vif" }, { "hotplug-status", "" },
		{ extra_key ? extra_key : "bootable",
		  extra_val ? extra_val : "1" },
	};
	write_device(VIF_FE, fe_keys, ARRAY_LEN(fe_keys), VIF_BE, be_keys,
		     ARRAY_LEN(be_keys));
}

/* Attach a vif; skip the test if this host cannot make a tap. */
static void attach_vif(const char *extra_key, const char *extra_val)
{
	add_vif(extra_key, extra_val);
	for (unsigned waited = 0;; waited += 2) {
		long s = xsr_int(VIF_BE "/state", -1);

		if (s == XenbusStateInitWait)
			break;
		if (s == XenbusStateClosed) {
			char *err = xsr(VIF_BE "/error");
			bool tap = err && strstr(err, "tap");

			print_message("vif probe failed: %s\n",
				      err ? err : "(no error)");
			free(err);
			if (tap) {
				print_message("skipped: no tap device here\n");
				skip();
			}
			fail();
		}
		if (waited > WAIT_MS)
			fail_msg("vif backend state %ld", s);
		sleep_ms(2);
	}
	assert_int_equal(xsr_int(VIF_BE "/feature-rx-copy", -1), 1);
	assert_int_equal(xsr_int(VIF_BE "/feature-split-event-channels", -1),
			 1);
	assert_int_equal(xsr_int(VIF_BE "/feature-sg", -1), 1);
}

static void vif_rings_init(void)
{
	netif_tx_sring_t *tx = (netif_tx_sring_t *)gpage(TXRING_GFN);
	netif_rx_sring_t *rx = (netif_rx_sring_t *)gpage(RXRING_GFN);

	SHARED_RING_INIT(tx);
	SHARED_RING_INIT(rx);
	grant(TXRING_REF, TXRING_GFN, 0, 0);
	grant(RXRING_REF, RXRING_GFN, 0, 0);
	if (!t.port)
		t.port = alloc_unbound(0);
}

static void vif_fe_put(const char *key, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void vif_fe_put(const char *key, const char *fmt, ...)
{
	char path[256], val[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), VIF_FE "/%s", key);
	xsw(path, "%s", val);
}

/* xen-netfront's talk_to_netback, one queue, one event channel. */
static void vif_write_keys(void)
{
	vif_fe_put("tx-ring-ref", "%u", TXRING_REF);
	vif_fe_put("rx-ring-ref", "%u", RXRING_REF);
	vif_fe_put("event-channel", "%u", t.port);
	vif_fe_put("request-rx-copy", "1");
	vif_fe_put("feature-rx-notify", "1");
	vif_fe_put("feature-sg", "1");
	vif_fe_put("feature-gso-tcpv4", "1");
	vif_fe_put("feature-gso-tcpv6", "1");
	vif_fe_put("feature-ipv6-csum-offload", "1");
}

static void vif_close(void)
{
	vif_fe_put("state", "%d", XenbusStateClosing);
	expect_be_state(VIF_BE, XenbusStateClosing);
	vif_fe_put("state", "%d", XenbusStateClosed);
	expect_be_state(VIF_BE, XenbusStateClosed);
	assert_false(grant_in_use(TXRING_REF));
	assert_false(grant_in_use(RXRING_REF));
	assert_int_equal(evtchn_state(t.port), EVTCHN_UNBOUND);
}

static void test_vif_lifecycle(void **state)
{
	(void)state;
	SKIP_WITHOUT_XENSTORED();
	attach_vif(NULL, NULL);
	vif_rings_init();
	vif_write_keys();
	vif_fe_put("state", "%d", XenbusStateConnected);
	expect_be_state(VIF_BE, XenbusStateConnected);
	assert_true(grant_in_use(TXRING_REF));
	assert_true(grant_in_use(RXRING_REF));
	assert_int_equal(evtchn_state(t.port), EVTCHN_INTERDOMAIN);
	/* A kick with nothing on the rings. */
	evtchn_send(t.port);
	vif_close();
	/* Reconnect, with split event channels this time. */
	vif_fe_put("state", "%d", XenbusStateInitialising);
	expect_be_state(VIF_BE, XenbusStateInitWait);
	{
		char path[] = VIF_FE "/event-channel";
		uint32_t rx = alloc_unbound(0);

		assert_int_equal(xs_rm(t.xs, XS_NO_TXN, path), 0);
		vif_fe_put("event-channel-tx", "%u", t.port);
		vif_fe_put("event-channel-rx", "%u", rx);
		vif_fe_put("state", "%d", XenbusStateConnected);
		expect_be_state(VIF_BE, XenbusStateConnected);
		assert_int_equal(evtchn_state(rx), EVTCHN_INTERDOMAIN);
		vif_close();
		assert_int_equal(evtchn_state(rx), EVTCHN_UNBOUND);
	}
	/* Detach: online=0 while connected, then closed. */
	vif_fe_put("state", "%d", XenbusStateInitialising);
	expect_be_state(VIF_BE, XenbusStateInitWait);
	vif_fe_put("state", "%d", XenbusStateConnected);
	expect_be_state(VIF_BE, XenbusStateConnected);
	xsw(VIF_BE "/online", "0");
	expect_be_state(VIF_BE, XenbusStateClosing);
	vif_fe_put("state", "%d", XenbusStateClosed);
	expect_be_state(VIF_BE, XenbusStateClosed);
	assert_false(grant_in_use(TXRING_REF));
	assert_int_equal(evtchn_state(t.port), EVTCHN_UNBOUND);
}

static const struct bad_case vif_bad_cases[] = {
	{ BAD_VALUE, "request-rx-copy", "0" },
	{ BAD_VALUE, "tx-ring-ref", "0x10" },
	{ BAD_VALUE, "rx-ring-ref", "16384" },
	{ BAD_VALUE, "rx-ring-ref", "13" }, /* never granted */
	{ BAD_VALUE, "event-channel", "0" },
	{ BAD_VALUE, "event-channel", "99999" },
	{ BAD_VALUE, "multi-queue-num-queues", "2" },
	{ BAD_VALUE, "multi-queue-num-queues", "-1" },
};

static void test_vif_bad_connect(void **state)
{
	const struct bad_case *c = *state;
	char *err;

	SKIP_WITHOUT_XENSTORED();
	print_message("  vif %s = '%s'\n", c->key, c->value);
	attach_vif(NULL, NULL);
	vif_rings_init();
	vif_write_keys();
	vif_fe_put(c->key, "%s", c->value);
	vif_fe_put("state", "%d", XenbusStateConnected);
	expect_be_state(VIF_BE, XenbusStateClosing);
	err = xsr(VIF_BE "/error");
	assert_non_null(err);
	free(err);
	assert_false(grant_in_use(TXRING_REF));
	assert_false(grant_in_use(RXRING_REF));
	assert_int_equal(evtchn_state(t.port), EVTCHN_UNBOUND);
	vif_fe_put("state", "%d", XenbusStateClosed);
	expect_be_state(VIF_BE, XenbusStateClosed);
	/* Good keys: it connects. */
	vif_write_keys();
	{
		char path[] = VIF_FE "/multi-queue-num-queues";
		int rc = xs_rm(t.xs, XS_NO_TXN, path);

		assert_true(rc == 0 || rc == -ENOENT);
	}
	vif_fe_put("state", "%d", XenbusStateInitialising);
	expect_be_state(VIF_BE, XenbusStateInitWait);
	vif_fe_put("state", "%d", XenbusStateConnected);
	expect_be_state(VIF_BE, XenbusStateConnected);
	vif_close();
}

/* "rate" as libxl writes it: bytes per interval, interval in us. */
static void test_vif_rate(void **state)
{
	(void)state;
	SKIP_WITHOUT_XENSTORED();
	attach_vif("rate", "62500,50000");
	vif_rings_init();
	vif_write_keys();
	vif_fe_put("state", "%d", XenbusStateConnected);
	expect_be_state(VIF_BE, XenbusStateConnected);
	vif_close();
}

static const char *const vif_bad_rates[] = {
	"10Mb/s@20ms", /* xl's syntax belongs in the config, not here */
	"0,50000", "62500,0", "62500,", ",50000", "62500,50000x",
	"-1,50000", "62500,4294967296", "99999999999999999999,1",
};

static void test_vif_bad_rate(void **state)
{
	const char *rate = *state;
	char *err;

	SKIP_WITHOUT_XENSTORED();
	print_message("  rate = '%s'\n", rate);
	add_vif("rate", rate);
	expect_be_state(VIF_BE, XenbusStateClosed);
	err = xsr(VIF_BE "/error");
	assert_non_null(err);
	assert_non_null(strstr(err, "bad rate"));
	free(err);
}

int main(int argc, char **argv)
{
	enum { NB = sizeof(bad_cases) / sizeof(bad_cases[0]),
	       NV = sizeof(vif_bad_cases) / sizeof(vif_bad_cases[0]),
	       NR = sizeof(vif_bad_rates) / sizeof(vif_bad_rates[0]) };
	struct CMUnitTest tests[12 + NB + NV + NR];
	const char *env = getenv("KXEN_XENSTORED");
	char self[PATH_MAX - 32];
	unsigned n = 0;
	ssize_t len;

	(void)argc;
	/* build/test/devices_test -> build/bin/xenstored (build-san alike). */
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (env) {
		snprintf(xenstored_bin, sizeof(xenstored_bin), "%s", env);
	} else if (len > 0) {
		self[len] = 0;
		*strrchr(self, '/') = 0;
		snprintf(xenstored_bin, sizeof(xenstored_bin),
			 "%s/../bin/xenstored", self);
	} else {
		snprintf(xenstored_bin, sizeof(xenstored_bin), "%s", argv[0]);
	}
	log_set_level(getenv("KXEN_TEST_VERBOSE") ? LOG_LEVEL_DEBUG
						  : LOG_LEVEL_ERROR + 0);
	if (!getenv("KXEN_TEST_VERBOSE"))
		log_set_file(fopen("/dev/null", "w"));
	signal(SIGPIPE, SIG_IGN);
	if (getenv("KXEN_TEST_FILTER"))
		cmocka_set_test_filter(getenv("KXEN_TEST_FILTER"));

	tests[n++] = (struct CMUnitTest)cmocka_unit_test_setup_teardown(
		test_vbd_lifecycle, setup, teardown);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test_setup_teardown(
		test_vbd_detach_connected, setup, teardown);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test_setup_teardown(
		test_vbd_backend_dir_removed, setup, teardown);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test_setup_teardown(
		test_vbd_state_flips, setup, teardown);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test_setup_teardown(
		test_vbd_state_garbage, setup, teardown);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test_setup_teardown(
		test_vbd_multi_queue, setup, teardown);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test_setup_teardown(
		test_vbd_ring_pages, setup, teardown);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test_setup_teardown(
		test_vbd_guest_closes_port, setup, teardown);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test_setup_teardown(
		test_vbd_grant_revoked, setup, teardown);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test_setup_teardown(
		test_vbd_stop_under_storm, setup, teardown);
	for (unsigned i = 0; i < NB; i++)
		tests[n++] = (struct CMUnitTest)
			cmocka_unit_test_prestate_setup_teardown(
				test_vbd_bad_connect, setup, teardown,
				(void *)&bad_cases[i]);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test_setup_teardown(
		test_vif_lifecycle, setup, teardown);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test_setup_teardown(
		test_vif_rate, setup, teardown);
	for (unsigned i = 0; i < NR; i++)
		tests[n++] = (struct CMUnitTest)
			cmocka_unit_test_prestate_setup_teardown(
				test_vif_bad_rate, setup, teardown,
				(void *)vif_bad_rates[i]);
	for (unsigned i = 0; i < NV; i++)
		tests[n++] = (struct CMUnitTest)
			cmocka_unit_test_prestate_setup_teardown(
				test_vif_bad_connect, setup, teardown,
				(void *)&vif_bad_cases[i]);
	return _cmocka_run_group_tests("devices_test", tests, n, NULL, NULL);
}
