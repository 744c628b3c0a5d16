/* toolstack/bootloader.h: bootloader= in a domain config (xend's pygrub
 * step, as XendBootloader.py did it). Private to toolstack/. */
#ifndef KXEN_TOOLSTACK_BOOTLOADER_H
#define KXEN_TOOLSTACK_BOOTLOADER_H

struct xend;
struct domain;

/* If d's config names a bootloader, run it on the first disk and put the
 * kernel, ramdisk and args it prints into the config's b_info (the config's
 * own kernel=, ramdisk= and command line are kept in b_info's
 * "bootloader_in" and passed to it, as xend passed them to pygrub). 0 when
 * there is nothing to do or it worked; else 1 with *msg (malloc'd) naming
 * the bootloader and the disk, and nothing left behind. */
int boot_prepare(struct xend *x, struct domain *d, char **msg);

/* Remove the files the bootloader extracted for d (its domain is gone). */
void boot_cleanup(struct xend *x, struct domain *d);

#endif
