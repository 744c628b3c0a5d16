/* fuzz/fuzz_cfg_spec.c: libFuzzer harness for the single-entry parsers.
 *
 * The input, as a NUL-terminated string, is parsed as a disk= entry, a
 * vif= entry and a cpus= list; whatever parses is printed back (uname,
 * cpu ranges) to exercise the formatters too. */
#include "config/cfg.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), err[256], out[8192];
	uint64_t map[CFG_CPUMAP_WORDS];
	struct cfg_disk d;
	struct cfg_vif v;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (cfg_disk_parse(s, &d, err, sizeof(err)) == 0) {
		(void)cfg_disk_uname(&d, out, sizeof(out));
		cfg_disk_clear(&d);
	}
	if (cfg_vif_parse(s, &v, err, sizeof(err)) == 0)
		cfg_vif_clear(&v);
	if (cfg_cpus_parse(s, map, err, sizeof(err)) == 0)
		cfg_cpus_format(map, out, sizeof(out));
	free(s);
	return 0;
}
