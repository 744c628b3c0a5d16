/* fuzz/fuzz_bootcfg.c: libFuzzer harness for the boot menu parsers.
 *
 * The input is a whole grub.cfg or extlinux.conf: it goes through both
 * parsers, and each result through bootcfg_choose with no selection, an
 * index, a grub path and a title, so every field the parsers fill is read.
 * Seeds: fuzz/corpus/fuzz_bootcfg (Debian's generated grub.cfg, grub
 * syntax corners, extlinux files). */
#include "bootloader/bootcfg.h"

#include <stdint.h>
#include <string.h>

static void use(const struct bootcfg *c)
{
	static const char *const sel[] = { NULL, "1", "1>0", "Debian GNU/Linux",
					   "linux" };
	size_t sum = 0;

	for (size_t i = 0; i < sizeof(sel) / sizeof(*sel); i++) {
		int idx = bootcfg_choose(c, sel[i]);

		if (idx >= 0) {
			const struct boot_entry *e = &c->entries[idx];

			sum += strlen(e->kernel) + strlen(e->args) +
			       strlen(e->title) + strlen(e->path);
			for (size_t j = 0; j < e->n_initrd; j++)
				sum += strlen(e->initrd[j]);
		}
	}
	(void)sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bootcfg c;
	char err[256];

	if (bootcfg_parse_grub((const char *)data, size, &c, err,
			       sizeof(err)) == 0)
		use(&c);
	bootcfg_free(&c);
	if (bootcfg_parse_extlinux((const char *)data, size, "/boot/extlinux",
				   &c, err, sizeof(err)) == 0)
		use(&c);
	bootcfg_free(&c);
	return 0;
}
