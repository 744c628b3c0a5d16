/* xenstore/wire.c: see wire.h. */
#include "xenstore/wire.h"

#include <errno.h>
#include <string.h>

int wire_frame(const void *buf, size_t have, struct xsd_sockmsg *hdr,
	       size_t *total)
{
	*total = 0;
	if (have < WIRE_HDR_LEN)
		return 0;
	memcpy(hdr, buf, WIRE_HDR_LEN);
	if (hdr->len > XENSTORE_PAYLOAD_MAX)
		return -E2BIG;
	*total = WIRE_HDR_LEN + hdr->len;
	return 0;
}

int wire_one_arg(const char *payload, uint32_t len, const char **out)
{
	if (len == 0 || payload[len - 1] != '\0' || strlen(payload) != len - 1)
		return -EINVAL;
	*out = payload;
	return 0;
}

int wire_split(const char *payload, uint32_t len, const char **vec,
	       unsigned max, unsigned *count)
{
	const char *p = payload, *end = payload + len;
	unsigned n = 0;

	if (len == 0 || payload[len - 1] != '\0')
		return -EINVAL;
	while (p < end) {
		if (n < max)
			vec[n] = p;
		n++;
		p += strlen(p) + 1;
	}
	*count = n;
	return 0;
}

const char *wire_error_name(int err)
{
	int e = err < 0 ? -err : err;

	for (size_t i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
		if (xsd_errors[i].errnum == e)
			return xsd_errors[i].errstring;
	return "EINVAL";
}

int wire_error_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
		if (strcmp(xsd_errors[i].errstring, name) == 0)
			return xsd_errors[i].errnum;
	return EINVAL;
}

static const char *const op_names[XS_TYPE_COUNT] = {
	[XS_CONTROL] = "CONTROL",
	[XS_DIRECTORY] = "DIRECTORY",
	[XS_READ] = "READ",
	[XS_GET_PERMS] = "GET_PERMS",
	[XS_WATCH] = "WATCH",
	[XS_UNWATCH] = "UNWATCH",
	[XS_TRANSACTION_START] = "TRANSACTION_START",
	[XS_TRANSACTION_END] = "TRANSACTION_END",
	[XS_INTRODUCE] = "INTRODUCE",
	[XS_RELEASE] = "RELEASE",
	[XS_GET_DOMAIN_PATH] = "GET_DOMAIN_PATH",
	[XS_WRITE] = "WRITE",
	[XS_MKDIR] = "MKDIR",
	[XS_RM] = "RM",
	[XS_SET_PERMS] = "SET_PERMS",
	[XS_WATCH_EVENT] = "WATCH_EVENT",
	[XS_ERROR] = "ERROR",
	[XS_IS_DOMAIN_INTRODUCED] = "IS_DOMAIN_INTRODUCED",
	[XS_RESUME] = "RESUME",
	[XS_SET_TARGET] = "SET_TARGET",
	[XS_RESET_WATCHES] = "RESET_WATCHES",
	[XS_DIRECTORY_PART] = "DIRECTORY_PART",
};

const char *wire_op_name(uint32_t type)
{
	if (type < XS_TYPE_COUNT && op_names[type])
		return op_names[type];
	return "?";
}

int wire_parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > max)
			return -EINVAL;
	}
	*out = v;
	return 0;
}
