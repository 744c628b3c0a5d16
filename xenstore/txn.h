/* xenstore/txn.h: transactions as overlays on the main tree.
 *
 * A transaction records every node it touches (read or written) with the
 * node's generation at first touch, or that it was absent, and keeps its own
 * copy of what it writes. Commit fails with -EAGAIN if any touched node
 * changed since (per-node generation check, as Xen 4.17's
 * xenstored_transaction.c), else applies the writes to the main tree in
 * parent-first order, firing each node's watch event once. Nothing outside
 * the transaction sees its writes before commit. */
#ifndef KXEN_XENSTORE_TXN_H
#define KXEN_XENSTORE_TXN_H

#include <stdint.h>

#include "xenstore/store.h"

struct txn;

/* node_limit: most nodes a transaction may touch (0: no limit), else
 * -ENOSPC. domid: the caller, whose node count quotas must include what
 * the transaction creates. NULL on ENOMEM. */
struct txn *txn_new(struct store *st, uint32_t id, unsigned node_limit,
		    store_domid_t domid);
void txn_free(struct txn *t);
uint32_t txn_id(const struct txn *t);
/* The transaction's view; valid while t lives. */
struct store_layer txn_layer(struct txn *t);
/* Check and apply. -EAGAIN on conflict, -ENOMEM after an internal
 * failure. t is left for the caller to free either way. */
int txn_commit(struct txn *t) __attribute__((warn_unused_result));

#endif
