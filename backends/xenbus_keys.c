/* backends/xenbus_keys.c: see xenbus_keys.h. */
#include "backends/xenbus_keys.h"

#include <errno.h>
#include <string.h>

/* Digits only, up to the first byte that is not one; *end after them. */
static int decimal(const char *s, const char **end, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	*end = p;
	*out = v;
	return 0;
}

int xenbus_key_uint(const char *s, uint64_t max, uint64_t *out)
{
	const char *end;
	uint64_t v;

	if (decimal(s, &end, &v) || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int xenbus_key_rate(const char *s, uint64_t *bytes, uint32_t *usec)
{
	const char *end;
	uint64_t b, u;

	if (decimal(s, &end, &b) || *end != ',' ||
	    decimal(end + 1, &end, &u) || *end || b == 0 || u == 0 ||
	    u > UINT32_MAX)
		return -EINVAL;
	*bytes = b;
	*usec = (uint32_t)u;
	return 0;
}
