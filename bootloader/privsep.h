/* bootloader/privsep.h: run the part that reads a guest's disk without
 * root.
 *
 * A guest controls every byte of its disk, and the bootloader parses
 * them (libext2fs, the menus, the kernel's compression) on the host: as
 * Xen's pygrub does since XSA-443 (--runas), that part runs in a child
 * with no privileges: another uid and gid, no supplementary groups,
 * no_new_privs, no core dumps, a CPU-time limit. It works only on the
 * descriptors it was handed (the disk, the output files), which it
 * cannot reopen by path. */
#ifndef KXEN_BOOTLOADER_PRIVSEP_H
#define KXEN_BOOTLOADER_PRIVSEP_H

#include <stddef.h>
#include <sys/types.h>

#define PRIVSEP_REPLY_MAX 65536

/* "nobody", "65534" or "" (no change): 0 with *uid and *gid set, or
 * -ENOENT. */
int privsep_user(const char *name, uid_t *uid, gid_t *gid);

/* Run fn in a child as uid/gid (when uid is (uid_t)-1: as we are, but
 * still in a child). fn writes its reply into buf (PRIVSEP_REPLY_MAX
 * bytes) and returns how many bytes; the reply comes back in buf, its
 * length in *len.
 * Returns 0, or -ECHILD when the child failed before replying (killed,
 * limits, could not drop its privileges), with a reason in err. */
int privsep_run(uid_t uid, gid_t gid, size_t (*fn)(void *arg, char *buf),
		void *arg, char *buf, size_t *len, char *err, size_t errlen);

#endif
