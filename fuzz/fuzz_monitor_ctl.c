/* libFuzzer harness: the monitor's control-socket request parser
 * (ctl_handle) on arbitrary lines. Every input gets a reply line; nothing
 * crashes. A domain without vCPUs stands in for a running one. */
#include <stdlib.h>
#include <string.h>

#include "monitor/ctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct domain *d;
	struct ctl_info info = { .name = "fuzz", .vcpus = 1, .memory_kib = 1024 };
	char *reply;

	if (!d) {
		d = calloc(1, sizeof(*d));
		if (!d || domain_init(d, 1))
			abort();
	}
	atomic_store(&d->shutdown_reason, DOMAIN_RUNNING);
	reply = ctl_handle(d, &info, (const char *)data, size);
	if (!reply || reply[strlen(reply) - 1] != '\n')
		abort();
	free(reply);
	return 0;
}
