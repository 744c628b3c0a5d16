/* libFuzzer harness: pvh_parse() on arbitrary bytes must return 0 or a
 * clean error, never read outside the buffer; a parsed image must pass its
 * own invariants. */
#include <stdint.h>
#include <stdlib.h>

#include "monitor/pvh.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pvh_image img;
	const char *why = NULL;

	if (pvh_parse(data, size, &img, &why) == 0) {
		if (img.nr_segments == 0 || img.nr_segments > PVH_MAX_SEGMENTS)
			abort();
		for (unsigned i = 0; i < img.nr_segments; i++)
			if (img.seg[i].offset + img.seg[i].filesz > size ||
			    img.seg[i].filesz > img.seg[i].memsz)
				abort();
		(void)pvh_check_fits(&img, 256 << 20, &why);
	} else if (!why) {
		abort();
	}
	return 0;
}
