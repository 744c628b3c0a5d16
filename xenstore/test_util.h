/* xenstore/test_util.h: helpers shared by the unit tests: a daemon state
 * with no sockets and connections whose output stays queued so a test can
 * read the replies. */
#ifndef KXEN_XENSTORE_TEST_UTIL_H
#define KXEN_XENSTORE_TEST_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "xenstore/xenstored.h"

static inline struct conn *tu_conn(struct xsd *x, store_domid_t domid,
				   bool priv)
{
	const struct store_who who = { .domid = domid,
				       .target = STORE_DOMID_NONE,
				       .priv = priv };
	struct conn *c = conn_new(x, &conn_null_transport, -1, &who);

	assert_non_null(c);
	return c;
}

/* Send one request; payload given with explicit length. */
static inline void tu_send(struct conn *c, uint32_t type, uint32_t req_id,
			   uint32_t tx, const void *p, uint32_t len)
{
	struct xsd_sockmsg hdr = { .type = type, .req_id = req_id,
				   .tx_id = tx, .len = len };

	memcpy(c->in + c->in_len, &hdr, sizeof(hdr));
	memcpy(c->in + c->in_len + sizeof(hdr), p, len);
	c->in_len += sizeof(hdr) + len;
	conn_process_input(c);
}

/* Pop the next queued message; returns its type, payload copied to buf
 * (NUL-terminated) and its length in *len. -1 if none. */
static inline int tu_recv(struct conn *c, struct xsd_sockmsg *hdr, char *buf,
			  size_t cap, uint32_t *len)
{
	struct outmsg *m = c->out_head;
	struct xsd_sockmsg h;

	if (!m)
		return -1;
	memcpy(&h, m->data, sizeof(h));
	if (hdr)
		*hdr = h;
	assert_true(h.len < cap);
	memcpy(buf, m->data + sizeof(h), h.len);
	buf[h.len] = '\0';
	if (len)
		*len = h.len;
	conn_sent(c, m->len);
	return (int)h.type;
}

/* Send a request of NUL-separated strings ("a\0b\0" given as n bytes)
 * and return the reply type; reply text in buf. Events before the reply
 * are skipped and counted in *events if given. */
static inline int tu_call(struct conn *c, uint32_t type, uint32_t tx,
			  const char *p, uint32_t len, char *buf, size_t cap)
{
	struct xsd_sockmsg h;
	int t;

	tu_send(c, type, 77, tx, p, len);
	while ((t = tu_recv(c, &h, buf, cap, NULL)) == XS_WATCH_EVENT)
		;
	if (t >= 0)
		assert_int_equal(h.req_id, 77);
	return t;
}

#define TU_STR(s) s, (uint32_t)sizeof(s)

#endif
