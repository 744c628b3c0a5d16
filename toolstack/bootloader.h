/* toolstack/bootloader.h: bootloader= in a domain config (xend's pygrub
 * step, as XendBootloader.py did it). Private to toolstack/. */
#ifndef KXEN_TOOLSTACK_BOOTLOADER_H
#define KXEN_TOOLSTACK_BOOTLOADER_H

struct xend;
struct domain;

/* If d's config names a bootloader, start it on the first disk (d->boot);
 * boot_poll then puts the kernel, ramdisk and args it prints into the
 * config's b_info (the config's own kernel=, ramdisk= and command line are
 * kept in b_info's "bootloader_in" and passed to it, as xend passed them
 * to pygrub). 0 when there is nothing to do or it started; else 1 with
 * *msg (malloc'd) naming the bootloader, and nothing left behind. */
int boot_start(struct xend *x, struct domain *d, char **msg);

/* Never blocks: 1 while d's bootloader runs, 0 when it is done (or there
 * is none) and the config has its answer, -1 with *msg naming the
 * bootloader and the disk when it failed or timed out (BOOT_TIMEOUT_S). */
int boot_poll(struct xend *x, struct domain *d, char **msg);

/* Stop d's bootloader if it still runs, and remove the files it extracted
 * (the domain is gone). */
void boot_cleanup(struct xend *x, struct domain *d);

#endif
