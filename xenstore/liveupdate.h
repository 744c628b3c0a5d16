/* xenstore/liveupdate.h: restarting xenstored in place.
 *
 * liveupdate_exec() writes a fresh snapshot, saves what the tree does not
 * hold (connections with their fds and unread input/output, watches,
 * domains with their ring fds) to a state file in the state directory,
 * and execs the binary again with --live-restore; fds survive the exec.
 * Open transactions are not kept: their ids answer ENOENT afterwards. */
#ifndef KXEN_XENSTORE_LIVEUPDATE_H
#define KXEN_XENSTORE_LIVEUPDATE_H

struct xsd;

/* Returns only if the exec failed (the daemon keeps running). */
void liveupdate_exec(struct xsd *x);
/* In the new process, after the tree is loaded. -errno on failure. */
int liveupdate_restore(struct xsd *x, const char *file)
	__attribute__((warn_unused_result));

#endif
