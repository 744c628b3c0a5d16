/* xenstore/wire.h: XenStore message framing and payload parsing.
 *
 * Pure functions over bytes, no I/O: the socket and ring transports and
 * the fuzzers share them. Framing is resumable: wire_frame() says how many
 * bytes the next message needs, so partial input just waits. */
#ifndef KXEN_XENSTORE_WIRE_H
#define KXEN_XENSTORE_WIRE_H

#include <errno.h> /* before xs_wire.h: it defines xsd_errors[] under EINVAL */
#include <stddef.h>
#include <stdint.h>
#include <xen/io/xs_wire.h>

#define WIRE_HDR_LEN sizeof(struct xsd_sockmsg)

/* Look at have bytes of input. Returns 0 and *total = 0 if the header is
 * incomplete; 0 and *total = header + payload length otherwise (the message
 * is complete when have >= *total); -E2BIG if the payload would exceed
 * XENSTORE_PAYLOAD_MAX (the connection must be dropped). */
int wire_frame(const void *buf, size_t have, struct xsd_sockmsg *hdr,
	       size_t *total) __attribute__((warn_unused_result));

/* Exactly one NUL-terminated string filling the payload; -EINVAL if not. */
int wire_one_arg(const char *payload, uint32_t len, const char **out)
	__attribute__((warn_unused_result));
/* Split a payload that ends in NUL into up to max strings; *count is the
 * real number of strings (may exceed max). -EINVAL if it does not end in
 * NUL or is empty. */
int wire_split(const char *payload, uint32_t len, const char **vec,
	       unsigned max, unsigned *count) __attribute__((warn_unused_result));

/* Xen's name for a negative errno ("ENOENT"); EINVAL for anything the
 * xsd_errors table lacks, as Xen's send_error does. */
const char *wire_error_name(int err);
/* errno for a name, EINVAL if unknown (client side). */
int wire_error_parse(const char *name);

/* Operation name for logs; "?" if unknown. */
const char *wire_op_name(uint32_t type);

/* Parse a decimal number as Xen's atoi-based handlers accept it, but
 * strictly: digits only, no overflow past max. -EINVAL if not. */
int wire_parse_uint(const char *s, unsigned long max, unsigned long *out)
	__attribute__((warn_unused_result));

#endif
