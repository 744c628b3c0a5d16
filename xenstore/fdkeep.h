/* xenstore/fdkeep.h: a helper process that keeps domains' ring fds so a
 * xenstored killed with SIGKILL can reconnect the rings when restarted.
 *
 * xenstored forks the keeper once (or finds the one left by a previous
 * instance) at <state-dir>/fdkeep.sock and tells it about every ring it
 * serves (PUT: domid + page, kick, notify fds by SCM_RIGHTS) or stops
 * serving (DEL). A restarted xenstored asks for them all (GET) and
 * reattaches the rings without resetting them. A clean exit tells the
 * keeper to quit. The keeper holds nothing else and never touches the
 * rings. */
#ifndef KXEN_XENSTORE_FDKEEP_H
#define KXEN_XENSTORE_FDKEEP_H

#include <stdbool.h>
#include <stdint.h>

struct fdkeep;

/* A ring the keeper held. */
struct fdkeep_entry {
	uint16_t domid;
	int fds[3];
};

/* Connect to the keeper under dir, starting one if there is none. On
 * success *entries_out (malloc'd, *n_out long) holds what a previous
 * xenstored left; the caller owns those fds. -errno on failure. */
int fdkeep_open(const char *dir, struct fdkeep **out,
		struct fdkeep_entry **entries_out, unsigned *n_out)
	__attribute__((warn_unused_result));
/* Best effort: a failure is logged and leaves recovery to re-INTRODUCE. */
void fdkeep_put(struct fdkeep *k, uint16_t domid, const int fds[3]);
void fdkeep_del(struct fdkeep *k, uint16_t domid);
/* quit = true: the daemon exits cleanly, the keeper may go too. */
void fdkeep_close(struct fdkeep *k, bool quit);

#endif
