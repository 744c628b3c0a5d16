/* libFuzzer harness: xm's decoder of xend's replies (proto/), which reads
 * whatever answers on the xend socket. */
#include <stdint.h>
#include <stdlib.h>

#include "proto/xend_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xend_reply r;

	if (xend_reply_decode((const char *)data, size, &r) == 0)
		xend_reply_clear(&r);
	return 0;
}
