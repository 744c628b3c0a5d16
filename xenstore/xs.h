/* xenstore/xs.h: kxen's XenStore client library.
 *
 * A small synchronous client for xenstored's Unix socket, with
 * libxenstore's verbs. Every call returns 0 or a negative errno (XenStore's
 * error names mapped back: -ENOENT, -EACCES, -EAGAIN...); results go to
 * *_out parameters the caller frees with free(). tx is a transaction id
 * from xs_transaction_start, or XS_NO_TXN.
 *
 * A handle is not thread-safe: use one per thread. Watch events that
 * arrive while a call waits for its reply are kept in the handle; poll
 * xs_fileno() for readability and call xs_read_watch() until -EAGAIN
 * (also check xs_watch_pending(), as queued events do not make the fd
 * readable).
 *
 * Handing a guest's ring to xenstored (kxen): xs_introduce() with
 * page_fd >= 0 sends XS_INTRODUCE with three fds attached (SCM_RIGHTS):
 * the guest RAM memfd, whose page at gfn * 4096 is the store ring
 * (struct xenstore_domain_interface), an eventfd the guest side signals
 * after writing requests or consuming responses ("kick"), and an eventfd
 * xenstored signals after each chunk it consumes or produces ("notify").
 * xenstored keeps its own copies; the caller may close its fds. With
 * page_fd = -1 the domain is only recorded, as libxl's introduce. */
#ifndef KXEN_XENSTORE_XS_H
#define KXEN_XENSTORE_XS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XS_NO_TXN 0u
#define XS_DEFAULT_SOCKET "/run/xenstored/socket"

struct xs_handle;

/* One ACL entry; perm is 'n', 'r', 'w' or 'b'. */
struct xs_perm {
	uint16_t domid;
	char perm;
};

/* Connect to path, else $XENSTORED_PATH, else XS_DEFAULT_SOCKET. */
int xs_open(const char *path, struct xs_handle **out)
	__attribute__((warn_unused_result));
void xs_close(struct xs_handle *h);
int xs_fileno(const struct xs_handle *h);

/* *val_out is NUL-terminated (the value itself may hold NULs). */
int xs_read(struct xs_handle *h, uint32_t tx, const char *path,
	    char **val_out, size_t *len_out) __attribute__((warn_unused_result));
int xs_write(struct xs_handle *h, uint32_t tx, const char *path,
	     const void *val, size_t len) __attribute__((warn_unused_result));
int xs_mkdir(struct xs_handle *h, uint32_t tx, const char *path)
	__attribute__((warn_unused_result));
int xs_rm(struct xs_handle *h, uint32_t tx, const char *path)
	__attribute__((warn_unused_result));
/* *names_out is one allocation: free(*names_out) frees all. */
int xs_directory(struct xs_handle *h, uint32_t tx, const char *path,
		 char ***names_out, unsigned *n_out)
	__attribute__((warn_unused_result));
int xs_get_perms(struct xs_handle *h, uint32_t tx, const char *path,
		 struct xs_perm **perms_out, unsigned *n_out)
	__attribute__((warn_unused_result));
int xs_set_perms(struct xs_handle *h, uint32_t tx, const char *path,
		 const struct xs_perm *perms, unsigned n)
	__attribute__((warn_unused_result));

int xs_watch(struct xs_handle *h, const char *path, const char *token)
	__attribute__((warn_unused_result));
int xs_unwatch(struct xs_handle *h, const char *path, const char *token)
	__attribute__((warn_unused_result));
/* Next event without blocking: -EAGAIN if none has arrived. Frees with
 * free(*path_out); token_out points into the same block. */
int xs_read_watch(struct xs_handle *h, char **path_out, char **token_out)
	__attribute__((warn_unused_result));
bool xs_watch_pending(const struct xs_handle *h);

int xs_transaction_start(struct xs_handle *h, uint32_t *tx_out)
	__attribute__((warn_unused_result));
/* -EAGAIN: conflict, start again. */
int xs_transaction_end(struct xs_handle *h, uint32_t tx, bool abort)
	__attribute__((warn_unused_result));

int xs_introduce(struct xs_handle *h, uint16_t domid, uint64_t gfn,
		 uint32_t port, int page_fd, int kick_fd, int notify_fd)
	__attribute__((warn_unused_result));
int xs_release(struct xs_handle *h, uint16_t domid)
	__attribute__((warn_unused_result));
int xs_is_domain_introduced(struct xs_handle *h, uint16_t domid,
			    bool *out) __attribute__((warn_unused_result));
int xs_get_domain_path(struct xs_handle *h, uint16_t domid, char **out)
	__attribute__((warn_unused_result));

/* Any request: payload in, reply payload out (malloc'd, NUL-terminated
 * beyond len). For operations without a helper. */
int xs_request(struct xs_handle *h, uint32_t type, uint32_t tx,
	       const void *payload, size_t len, char **reply_out,
	       size_t *reply_len_out) __attribute__((warn_unused_result));

#endif
