/* xenstore/journal.h: the tree on disk, for restart after a crash.
 *
 * State lives in two files under the state directory:
 *   snapshot  the whole tree (and introduced domains) at sequence S
 *   journal   every change since snapshot S, appended in order
 * Each record carries its length and a CRC32, so a torn tail (the daemon
 * killed mid-write) ends the replay cleanly. The journal's header names the
 * snapshot it extends; a journal left from an older snapshot is ignored,
 * which makes compaction (new snapshot, then new journal, each written to a
 * temporary name and renamed) crash-consistent at every step.
 *
 * Durability: records of one request are written (write(2)) before its
 * reply is queued, so everything acknowledged survives the daemon being
 * killed. They reach the disk at the next fdatasync: after every request
 * with sync = true, else at compaction and on clean exit. A state written
 * during an earlier boot is not loaded (domains do not survive a reboot). */
#ifndef KXEN_XENSTORE_JOURNAL_H
#define KXEN_XENSTORE_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xenstore/store.h"

struct journal;

/* A domain as the journal keeps it. */
struct journal_domain {
	store_domid_t domid;
	uint64_t gfn;
	uint32_t port;
};

/* Open dir (created if missing), load its state into st (whose hooks
 * must not be set yet) and report each introduced domain to dom_fn.
 * With fresh = true, old state is discarded. -errno on failure. */
int journal_open(const char *dir, bool fresh, bool sync, struct store *st,
		 void (*dom_fn)(void *ctx, const struct journal_domain *d),
		 void *ctx, struct journal **out)
	__attribute__((warn_unused_result));
void journal_put(struct journal *j, const char *path,
		 const struct store_nodeval *nv);
void journal_del(struct journal *j, const char *path);
void journal_domain(struct journal *j, const struct journal_domain *d,
		    bool introduced);
/* Write buffered records; compacts when the journal has grown. Errors are
 * logged: the tree in memory stays authoritative. */
void journal_commit(struct journal *j);
/* Write a fresh snapshot now (live update, clean exit). */
int journal_compact(struct journal *j) __attribute__((warn_unused_result));
void journal_close(struct journal *j);
/* Apply a run of records (no file header) to st, as a load does; returns
 * the offset where replay stopped. For the fuzzer and tests. */
size_t journal_replay_buffer(struct store *st, const void *data, size_t len);

#endif
