/* fuzz/fuzz_cfg.c: libFuzzer harness for the config library.
 *
 * The input is a whole config file. It goes through cfg_load (parse, key
 * table, checks; a fake host where every file exists) and, when it loads,
 * through both dumps, so the printers see every value the parser can
 * produce. Seeds: the golden configs (fuzz/corpus/fuzz_cfg). */
#include "config/cfg.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static int any_path(void *opaque, const char *path)
{
	(void)opaque;
	return path[0] == 'x' ? -2 : 0; /* some kernels are "missing" */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const overrides[] = { "memory=64",
						 "vif=mac=00:16:3e:00:00:01" };
	struct cfg_host host = { .mem_mb = 8192, .path_check = any_path };
	struct dom_config *c = NULL;
	struct cfg_diag diag;
	char msg[1024];
	int rc;

	cfg_diag_init(&diag);
	rc = cfg_load("fuzz.cfg", (const char *)data, size, overrides,
		      size % 3, &host, &c, &diag);
	if (diag.has_error)
		cfg_msg_format(&diag.error, msg, sizeof(msg));
	for (size_t i = 0; i < diag.n_warnings; i++)
		cfg_msg_format(&diag.warnings[i], msg, sizeof(msg));
	cfg_diag_free(&diag);
	if (rc == 0) {
		FILE *f = fopen("/dev/null", "w");

		if (f) {
			if (cfg_sxp_dump(c, f) || cfg_json_dump(c, f))
				abort();
			fclose(f);
		}
		cfg_dom_free(c);
	}
	return 0;
}
