/* toolstack/fuzz_api.c: libFuzzer harness for xend's request handling.
 *
 * The input is one request line as xm would send it. It is decoded
 * (api_decode) and, for the commands that need neither a monitor nor the
 * file system (everything but create and new), dispatched against a xend
 * holding one preserved domain ("web", id 1) with no xenstored and state
 * folders that cannot exist, so option parsing, lookups and listings run
 * on hostile argv. */
#include "toolstack/api.h"
#include "lib/log.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct domain *fuzz_domain(void)
{
	struct domain *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->domid = 1;
	d->pidfd = -1;
	d->reply_fd = -1;
	d->state = DOM_SHUTDOWN;
	d->name = strdup("web");
	strcpy(d->uuid, "00000000-0000-4000-8000-000000000001");
	strcpy(d->dir, "/proc/nonexistent-xend/domains/1");
	d->config = json_pack("{s:{s:s}, s:{s:i, s:i, s:i, s:i, s:s}}",
			      "c_info", "name", "web", "b_info", "max_vcpus", 2,
			      "avail_vcpus", 1, "max_memkb", 65536,
			      "target_memkb", 65536, "kernel", "/vmlinuz");
	return d;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xend x = {
		.o = { .socket = "/proc/nonexistent-xend/socket",
		       .state_dir = "/proc/nonexistent-xend",
		       .run_dir = "/proc/nonexistent-xend",
		       .xenstore = "/proc/nonexistent-xend/xs",
		       .log_file = "/dev/null" },
		.next_domid = 2, .listen_fd = -1,
	};
	struct api_req rq = { .fd = -1, .pass_fd = -1 };
	char *line = malloc(size + 1), *out = NULL;
	size_t outlen = 0;

	static FILE *devnull;

	if (!devnull && (devnull = fopen("/dev/null", "w")))
		log_set_file(devnull);
	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = 0;
	x.domains = fuzz_domain();
	rq.out = open_memstream(&out, &outlen);
	if (rq.out && api_decode(&rq, line) == 0 &&
	    strcmp(rq.command, "create") && strcmp(rq.command, "new"))
		api_dispatch(&x, &rq);
	if (rq.out)
		fclose(rq.out);
	if (rq.pass_fd >= 0)
		close(rq.pass_fd);
	free(out);
	free(rq.err);
	free(rq.argv);
	json_decref(rq.root);
	free(line);
	while (x.domains) {
		struct domain *d = x.domains;

		x.domains = d->next;
		dom_free(d);
	}
	xend_xs_drop(&x);
	return 0;
}
