/* fuzz/fuzz_xs_journal.c: journal and snapshot records as read back at
 * start: length- and CRC-framed records applied to a fresh tree. The CRC
 * is recomputed for every record here (bit 0 of byte 0 off: as given) so
 * the fuzzer reaches the record parser instead of stopping at checksums. */
#include "xenstore/journal.h"
#include "lib/log.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint32_t crc32_of(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
	}
	return c ^ 0xffffffffu;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct store *st;
	uint8_t *buf;

	if (size < 1)
		return 0;
	log_set_level(LOG_LEVEL_ERROR);
	st = store_new();
	buf = malloc(size);
	if (st && buf) {
		memcpy(buf, data + 1, size - 1);
		if (data[0] & 1) {
			/* fix up each record's CRC along the framing */
			for (size_t off = 0; off + 8 <= size - 1;) {
				uint32_t len, crc;

				memcpy(&len, buf + off + 4, 4);
				if (len > size - 1 - off - 8)
					break;
				crc = crc32_of(buf + off + 8, len);
				memcpy(buf + off, &crc, 4);
				off += 8 + len;
			}
		}
		(void)journal_replay_buffer(st, buf, size - 1);
	}
	free(buf);
	store_free(st);
	return 0;
}
