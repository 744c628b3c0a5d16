/* The Xen public headers, included in the order they need, and the handful
 * of values they lack (each with its source). Include this, not <xen/...>. */
#ifndef KXEN_HV_XEN_H
#define KXEN_HV_XEN_H

#include <stdint.h>

#include <xen/xen.h>
#include <xen/errno.h>
#include <xen/sched.h>
#include <xen/version.h>
#include <xen/memory.h>
#include <xen/vcpu.h>
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include <xen/arch-x86/cpuid.h>
#include <xen/arch-x86/hvm/start_info.h>

/* The Xen version kxen reports: what the reference guest expects (4.17). */
#define HV_XEN_MAJOR 4
#define HV_XEN_MINOR 17

/* Xen's hypercall MSR (xen:xen/arch/x86/cpuid.c, leaf 2 ebx); 0x40000200
 * only with Viridian, which kxen does not offer. */
#define HV_HYPERCALL_MSR 0x40000000u

/* memory_op's command word carries a continuation extent above bit 6
 * (xen:xen/common/memory.c MEMOP_EXTENT_SHIFT, not in the public headers).
 * kxen never creates continuations, so a guest that sends one is refused. */
#define HV_MEMOP_EXTENT_SHIFT 6
#define HV_MEMOP_CMD_MASK ((1u << HV_MEMOP_EXTENT_SHIFT) - 1)

#endif
