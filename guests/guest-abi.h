/* Xen ABI values for the tiny test guests, which are assembly.
 *
 * xen/xen.h is assembler-safe under __ASSEMBLY__; sched.h is not, so the few
 * values needed from it are repeated here and checked against the real
 * header at compile time by guests/abi_check.c. */
#ifndef KXEN_GUESTS_GUEST_ABI_H
#define KXEN_GUESTS_GUEST_ABI_H

#include <xen/xen.h>
#include <xen/elfnote.h>
#include <xen/arch-x86/cpuid.h>

#define GUEST_SCHEDOP_shutdown 2      /* xen/sched.h SCHEDOP_shutdown */
#define GUEST_SHUTDOWN_poweroff 0     /* xen/sched.h SHUTDOWN_poweroff */
#define GUEST_SHUTDOWN_crash 3        /* xen/sched.h SHUTDOWN_crash */


/* Emit the PVH entry note: Xen's PHYS32_ENTRY with a 32-bit descriptor. */
#define XEN_PVH_ENTRY_NOTE(sym)                 \
	.pushsection .note.Xen, "a";            \
	.balign 4;                              \
	.long 4, 4, XEN_ELFNOTE_PHYS32_ENTRY;   \
	.asciz "Xen";                           \
	.balign 4;                              \
	.long sym;                              \
	.popsection

#endif
