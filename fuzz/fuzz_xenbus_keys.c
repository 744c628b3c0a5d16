/* fuzz/fuzz_xenbus_keys.c: libFuzzer harness for the XenStore key parsers
 * the backends apply to what a frontend (a guest) or the toolstack wrote:
 * ring-ref, event-channel, queue counts, ring-page-order, state (all
 * xenbus_key_uint) and a vif's rate. What parses must stay in range and
 * print back to digits the input began with. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/xenbus_keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t maxes[] = { 0, 1, 4, 0x7fef, UINT32_MAX,
					  UINT64_MAX };
	char *s = malloc(size + 1), back[48];
	uint64_t v, bytes;
	uint32_t usec;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	for (size_t i = 0; i < sizeof(maxes) / sizeof(maxes[0]); i++) {
		if (xenbus_key_uint(s, maxes[i], &v))
			continue;
		snprintf(back, sizeof(back), "%" PRIu64, v);
		/* Leading zeros parse too ("007"): compare without them. */
		if (v > maxes[i] || strcmp(back, s + strspn(s, "0")) != 0) {
			if (!(v == 0 && strspn(s, "0") == strlen(s)))
				abort();
		}
	}
	if (xenbus_key_rate(s, &bytes, &usec) == 0) {
		if (bytes == 0 || usec == 0)
			abort();
		snprintf(back, sizeof(back), "%" PRIu64 ",%" PRIu32, bytes, usec);
		if (!strchr(s, ',') || strlen(back) > strlen(s))
			abort();
	}
	free(s);
	return 0;
}
