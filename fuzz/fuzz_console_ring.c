/* libFuzzer harness: the console backend's ring consumer and producer on a
 * ring page whose contents (indexes included) are chosen by a hostile
 * guest. Draining must move at most one ring's worth and never read
 * outside the page; queueing input must respect the guest's indexes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xen/io/console.h>

#include "backends/console.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xencons_interface *ring = calloc(1, 4096);
	char out[sizeof(ring->out)];
	int n;

	if (!ring)
		abort();
	memcpy(ring, data, size < 4096 ? size : 4096);
	n = consback_drain_output(ring, out);
	if (n > (int)sizeof(ring->out))
		abort();
	if (n >= 0 && ring->out_cons != ring->out_prod)
		abort(); /* a valid ring is drained completely */
	n = consback_queue_input(ring, data, size);
	if (n > (int)sizeof(ring->in))
		abort();
	if (n >= 0 && (size_t)(ring->in_prod - ring->in_cons) > sizeof(ring->in))
		abort();
	free(ring);
	return 0;
}
