/* The backend half of the XenBus handshake, shared by every split driver
 * (blkback, netback): one thread per domain watches the toolstack's backend
 * directories (/local/domain/0/backend/<type>/<domid>/<devid>) and each
 * device's frontend state, and walks the device through Xen's states as
 * Linux's xen-blkback/xen-netback do (xenstore-and-devices.md §3):
 *
 *   toolstack writes the backend dir      -> probe()      -> InitWait (2)
 *   frontend at Initialised/Connected     -> connect()    -> Connected (4)
 *   frontend Closing                      ->                 Closing (5)
 *   frontend Closed                       -> disconnect() -> Closed (6)
 *   frontend back to Initialising         ->                 InitWait (2)
 *   toolstack writes online=0             -> Closing, and once the frontend
 *                                            is Closed, remove()
 *
 * The frontend's keys are the guest's: drivers read them with
 * xenbus_be_read_* and must check every value. */
#ifndef KXEN_BACKENDS_XENBUS_BE_H
#define KXEN_BACKENDS_XENBUS_BE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XENBUS_BE_PATH 128

struct xenbus_be;

struct xenbus_be_dev {
	const struct xenbus_be_ops *ops;
	struct xenbus_be *be;
	void *ctx;      /* the ctx given to xenbus_be_start */
	void *priv;     /* the driver's, set in probe */
	unsigned devid; /* the backend directory's name */
	int state;      /* our XenbusState */
	bool online;
	bool seen;      /* still listed in the last rescan */
	char be_path[XENBUS_BE_PATH];
	char fe_path[XENBUS_BE_PATH];
	struct xenbus_be_dev *next;
};

struct xenbus_be_ops {
	const char *type; /* "vbd", "vif" */
	/* Read the toolstack's backend keys, open what they name, write the
	 * features. 0, or a negative errno after xenbus_be_error(). */
	int (*probe)(struct xenbus_be_dev *dev);
	/* Read the frontend's ring references and event channels and start
	 * serving. 0, or a negative errno after xenbus_be_error(). */
	int (*connect)(struct xenbus_be_dev *dev);
	/* Stop serving: finish and answer what is in flight, flush, release
	 * the rings and ports. Idempotent. */
	void (*disconnect)(struct xenbus_be_dev *dev);
	/* Release what probe() opened. */
	void (*remove)(struct xenbus_be_dev *dev);
};

/* Serve domid's devices of the given types, talking to xenstored on
 * xs_socket. Returns 0 or a negative errno; *why says what failed. */
int xenbus_be_start(struct xenbus_be **out, const char *xs_socket, int domid,
		    const struct xenbus_be_ops *const *ops, unsigned nr_ops,
		    void *ctx, const char **why)
	__attribute__((warn_unused_result));
/* Disconnect and remove every device, then stop the thread. The backend
 * nodes stay: they belong to the toolstack. */
void xenbus_be_stop(struct xenbus_be *be);

/* For drivers, on the xenbus thread (inside their ops). */
/* Read the backend's (fe=false) or the frontend's key. The value is
 * NUL-terminated, at most len-1 bytes. 0, -ENOENT, -E2BIG, ... */
int xenbus_be_read(struct xenbus_be_dev *dev, bool fe, const char *key,
		   char *buf, size_t len);
/* A decimal value in [0, max]; -ENOENT if absent, -EINVAL if malformed. */
int xenbus_be_read_uint(struct xenbus_be_dev *dev, bool fe, const char *key,
			uint64_t max, uint64_t *out);
/* Write the backend's key. */
int xenbus_be_printf(struct xenbus_be_dev *dev, const char *key,
		     const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Report err on the backend's error node, as Linux's xenbus_dev_fatal. */
void xenbus_be_error(struct xenbus_be_dev *dev, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

int xenbus_be_domid(const struct xenbus_be_dev *dev);

#endif
