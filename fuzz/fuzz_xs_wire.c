/* fuzz/fuzz_xs_wire.c: XenStore message framing and dispatch on a fresh
 * store. Byte 0 picks the caller (bit 0: dom0 socket or unprivileged
 * domain 5); the rest is the byte stream the connection receives, fed in
 * pieces sized by byte 1 so framing is exercised across boundaries. */
#include "xenstore/xenstored.h"
#include "lib/log.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xsd x;
	struct store_who who = { .domid = 0, .target = STORE_DOMID_NONE,
				 .priv = true };
	struct conn *c;
	size_t off = 2, step;

	if (size < 2)
		return 0;
	log_set_level(LOG_LEVEL_ERROR);
	if (xsd_init(&x) < 0)
		return 0;
	if (data[0] & 1)
		who = (struct store_who){ .domid = 5, .target = STORE_DOMID_NONE };
	step = data[1] ? data[1] * 17u : CONN_IN_CAP;
	c = conn_new(&x, &conn_null_transport, -1, &who);
	if (c && (data[0] & 2))
		c->read_only = true; /* as a socket_ro client */
	while (c && off < size && !c->dead) {
		size_t n = size - off;

		if (n > step)
			n = step;
		if (n > conn_input_room(c))
			n = conn_input_room(c);
		memcpy(c->in + c->in_len, data + off, n);
		c->in_len += n;
		off += n;
		conn_process_input(c);
		conn_sent(c, c->out_bytes); /* the client reads everything */
		if (!n && c->in_len == CONN_IN_CAP)
			break;
	}
	xsd_fini(&x);
	return 0;
}
