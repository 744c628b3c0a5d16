/* The smoke guest: the smallest PVH guest that exercises the Xen ABI path.
 *
 * Entered at its PHYS32_ENTRY note in 32-bit protected mode with paging off
 * (Xen's PVH entry state). It checks that CPUID 0x40000000 carries Xen's
 * signature, prints a line on Xen's debug port 0xE9, and powers off with
 * SCHEDOP_shutdown through a real hypercall instruction: VMMCALL on AMD,
 * VMCALL elsewhere, as Linux chooses. If the hypercall returns, the monitor
 * did not shut it down: it says so and asks for a crash shutdown.
 * Before that it writes the PCI address port 0xCF8 1000 times, as Linux's
 * boot-time PCI probes do, and reads it back: there is no PCI, so all ones
 * (smoke.sh counts how many of those writes exited to the monitor). */
#include "guests/guest-abi.h"

XEN_PVH_ENTRY_NOTE(_start)

	.code32
	.text
	.globl _start
_start:
	cld
	mov	$stack_top, %esp

	mov	$0x40000000, %eax
	cpuid
	cmp	$XEN_CPUID_SIGNATURE_EBX, %ebx
	jne	no_xen
	cmp	$XEN_CPUID_SIGNATURE_ECX, %ecx
	jne	no_xen
	cmp	$XEN_CPUID_SIGNATURE_EDX, %edx
	jne	no_xen

	mov	$msg_hello, %esi
	mov	$msg_hello_len, %ecx
	call	puts_e9

	mov	$1000, %ecx
	mov	$0xcf8, %dx
	mov	$0x80000000, %eax
1:	outl	%eax, %dx
	loop	1b
	inl	%dx, %eax
	cmp	$0xffffffff, %eax
	jne	bad_pci

	mov	$GUEST_SHUTDOWN_poweroff, %eax
	call	shutdown
	mov	$msg_returned, %esi
	mov	$msg_returned_len, %ecx
	call	puts_e9
	jmp	crash

bad_pci:
	mov	$msg_bad_pci, %esi
	mov	$msg_bad_pci_len, %ecx
	call	puts_e9
	jmp	crash

no_xen:
	mov	$msg_no_xen, %esi
	mov	$msg_no_xen_len, %ecx
	call	puts_e9
crash:
	mov	$GUEST_SHUTDOWN_crash, %eax
	call	shutdown
1:	cli
	hlt
	jmp	1b

/* puts_e9: write ecx bytes at esi to port 0xE9. */
puts_e9:
	mov	$0xe9, %dx
	rep outsb
	ret

/* shutdown: SCHEDOP_shutdown with reason eax; returns the hypercall result. */
shutdown:
	mov	%eax, shutdown_reason
	push	%ebx
	xor	%eax, %eax
	cpuid				/* vendor: "AuthenticAMD" / "HygonGenuine" */
	mov	%ebx, %edi
	mov	$__HYPERVISOR_sched_op, %eax
	mov	$GUEST_SCHEDOP_shutdown, %ebx
	mov	$shutdown_reason, %ecx
	cmp	$0x68747541, %edi	/* "Auth" */
	je	2f
	cmp	$0x6f677948, %edi	/* "Hygo" */
	je	2f
	vmcall
	pop	%ebx
	ret
2:	vmmcall
	pop	%ebx
	ret

	.data
	.balign 4
shutdown_reason:
	.long 0
msg_hello:
	.ascii "kxen smoke guest: Xen CPUID found, hello from PVH\n"
	msg_hello_len = . - msg_hello
msg_returned:
	.ascii "kxen smoke guest: SCHEDOP_shutdown returned\n"
	msg_returned_len = . - msg_returned
msg_no_xen:
	.ascii "kxen smoke guest: no Xen CPUID signature\n"
	msg_no_xen_len = . - msg_no_xen
msg_bad_pci:
	.ascii "kxen smoke guest: port 0xCF8 did not read as all ones\n"
	msg_bad_pci_len = . - msg_bad_pci

	.bss
	.balign 16
	.skip 1024
stack_top:
