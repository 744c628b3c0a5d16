/* bootloader/bootcfg.h: the guest's boot menu, parsed.
 *
 * Pure functions over the bytes of a GRUB 2 grub.cfg or a syslinux
 * extlinux.conf: no I/O, nothing printed, so they are unit tested and
 * fuzzed alone. The result lists every menu entry (submenus flattened, in
 * file order) with its kernel, initrds and arguments as written in the
 * guest's filesystem, and which entry the menu boots by default.
 *
 * Error convention: 0 or a negative errno; on -EINVAL err says why. A
 * struct bootcfg is freed with bootcfg_free(), also after a failure. */
#ifndef KXEN_BOOTLOADER_BOOTCFG_H
#define KXEN_BOOTLOADER_BOOTCFG_H

#include <stddef.h>

#define BOOTCFG_MAX_ENTRIES 256
#define BOOTCFG_MAX_INITRDS 8
#define BOOTCFG_MAX_DEPTH 4 /* submenu nesting */
#define BOOTCFG_MAX_INPUT (1 << 20)

struct boot_entry {
	char *title;   /* never NULL ("" if none) */
	char *id;      /* grub's --id / $menuentry_id_option, or NULL */
	char *kernel;  /* absolute path inside the guest, or NULL if none */
	char *initrd[BOOTCFG_MAX_INITRDS];
	size_t n_initrd;
	char *args;    /* never NULL ("" if none) */
	/* Where it sits in the menu: "2" or "1>0" (grub's default= syntax). */
	char path[32];
};

struct bootcfg {
	struct boot_entry *entries;
	size_t n;
	/* The default as the file says it (grub's last literal `set
	 * default=`, extlinux's DEFAULT or MENU DEFAULT), or NULL. */
	char *default_entry;
};

/* Parse a grub.cfg held in buf[0..len) (need not be NUL terminated). */
int bootcfg_parse_grub(const char *buf, size_t len, struct bootcfg *out,
		       char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Parse an extlinux.conf; relative paths are taken from base_dir (the
 * folder of the file, e.g. "/boot/extlinux"). */
int bootcfg_parse_extlinux(const char *buf, size_t len, const char *base_dir,
			   struct bootcfg *out, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* The entry to boot: sel (an index into entries, a title, an id, or a grub
 * path like "1>0"), else the file's default, else the first entry with a
 * kernel. Returns its index, or -ENOENT (sel names nothing, or no entry has
 * a kernel). An entry without a kernel is never chosen. */
int bootcfg_choose(const struct bootcfg *c, const char *sel);

void bootcfg_free(struct bootcfg *c);

#endif
