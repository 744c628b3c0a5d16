/* The hostile guest: random hypercalls against the monitor, then proof that
 * the monitor still answers.
 *
 * It enters at its PVH note in 32-bit mode, builds page tables that map
 * the first GiB one-to-one with 2 MiB pages, switches to 64-bit mode (so
 * pointers go through the monitor's guest page-table walk), then issues
 * HOSTILE_CALLS hypercalls whose numbers, sub-ops and arguments come from a
 * xorshift generator: pointers into a page of random bytes, anywhere in
 * the address space, or small numbers. It never calls sched_op (that would
 * end it) or console_io (noise). Then xen_version must still answer 4.17,
 * and it powers off. Interrupts stay off throughout. */
#include "guests/guest-abi.h"

#define HOSTILE_CALLS 30000

XEN_PVH_ENTRY_NOTE(_start)

	.code32
	.text
	.globl _start
_start:
	cld
	mov	$stack_top, %esp
	/* PML4[0] -> PDPT, PDPT[0] -> PD, PD[i] -> i * 2 MiB. */
	mov	$pdpt, %eax
	or	$3, %eax
	mov	%eax, pml4
	mov	$pd, %eax
	or	$3, %eax
	mov	%eax, pdpt
	xor	%ecx, %ecx
1:	mov	%ecx, %eax
	shl	$21, %eax
	or	$0x83, %eax
	mov	%eax, pd(,%ecx,8)
	inc	%ecx
	cmp	$512, %ecx
	jne	1b
	mov	$pml4, %eax
	mov	%eax, %cr3
	mov	%cr4, %eax
	or	$(1 << 5), %eax		/* PAE */
	mov	%eax, %cr4
	mov	$0xc0000080, %ecx	/* EFER */
	rdmsr
	or	$(1 << 8), %eax		/* LME */
	wrmsr
	mov	%cr0, %eax
	or	$0x80000000, %eax	/* PG */
	mov	%eax, %cr0
	lgdt	gdt_ptr
	ljmp	$0x08, $long_mode

	.code64
long_mode:
	xor	%eax, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	mov	$stack_top, %rsp

	/* Which hypercall instruction: VMMCALL on AMD/Hygon, else VMCALL. */
	xor	%eax, %eax
	cpuid
	xor	%eax, %eax
	cmp	$0x68747541, %ebx	/* "Auth" */
	je	2f
	cmp	$0x6f677948, %ebx	/* "Hygo" */
	je	2f
	inc	%eax
2:	mov	%eax, use_vmcall

	lea	msg_start(%rip), %rsi
	mov	$msg_start_len, %ecx
	call	puts_e9

	mov	$0x9e3779b97f4a7c15, %rax
	mov	%rax, rng
	mov	$HOSTILE_CALLS, %r15
call_loop:
	test	$63, %r15
	jnz	3f
	call	fill_scratch
3:	call	random
	mov	%rax, %r14
	xor	%edx, %edx
	mov	$40, %ecx
	div	%rcx			/* rdx = hypercall number 0..39 */
	cmp	$__HYPERVISOR_sched_op, %edx
	je	next_call
	cmp	$__HYPERVISOR_console_io, %edx
	je	next_call
	mov	%rdx, %r13
	call	random
	and	$15, %eax		/* sub-op 0..15 */
	mov	%rax, %rdi
	call	random_pointer
	mov	%rax, %rsi
	call	random
	mov	%rax, %rdx
	and	$3, %edx		/* third argument: a small count */
	call	random
	mov	%rax, %r10
	call	random
	mov	%rax, %r8
	mov	%r13, %rax
	call	hypercall
next_call:
	dec	%r15
	jnz	call_loop

	/* Still there? xen_version(XENVER_version) must say 4.17. */
	mov	$__HYPERVISOR_xen_version, %eax
	xor	%edi, %edi
	xor	%esi, %esi
	call	hypercall
	cmp	$((4 << 16) | 17), %eax
	jne	failed
	lea	msg_ok(%rip), %rsi
	mov	$msg_ok_len, %ecx
	call	puts_e9
	mov	$GUEST_SHUTDOWN_poweroff, %eax
	jmp	shutdown
failed:
	lea	msg_bad(%rip), %rsi
	mov	$msg_bad_len, %ecx
	call	puts_e9
	mov	$GUEST_SHUTDOWN_crash, %eax
shutdown:
	mov	%eax, reason
	mov	$__HYPERVISOR_sched_op, %eax
	mov	$GUEST_SCHEDOP_shutdown, %edi
	lea	reason(%rip), %rsi
	call	hypercall
4:	cli
	hlt
	jmp	4b

/* hypercall: rax = number, rdi/rsi/rdx/r10/r8 = arguments. */
hypercall:
	cmpl	$0, use_vmcall
	jne	5f
	vmmcall
	ret
5:	vmcall
	ret

/* random: xorshift64 in rax. */
random:
	mov	rng, %rax
	mov	%rax, %rcx
	shl	$13, %rcx
	xor	%rcx, %rax
	mov	%rax, %rcx
	shr	$7, %rcx
	xor	%rcx, %rax
	mov	%rax, %rcx
	shl	$17, %rcx
	xor	%rcx, %rax
	mov	%rax, rng
	ret

/* random_pointer: half into the scratch page, a quarter anywhere, a
 * quarter small numbers. */
random_pointer:
	call	random
	mov	%rax, %rcx
	and	$3, %ecx
	cmp	$2, %ecx
	jb	6f
	je	7f
	and	$0xfff, %eax		/* small */
	ret
6:	and	$0xff8, %eax		/* inside scratch, sometimes crossing */
	lea	scratch(%rip), %rcx
	add	%rcx, %rax
	ret
7:	ret				/* anywhere */

fill_scratch:
	push	%rdi
	lea	scratch(%rip), %rdi
	mov	$512, %r9
8:	call	random
	mov	%rax, (%rdi)
	add	$8, %rdi
	dec	%r9
	jnz	8b
	pop	%rdi
	ret

/* puts_e9: rcx bytes at rsi to port 0xE9. */
puts_e9:
	mov	$0xe9, %dx
	rep outsb
	ret

	.data
	.balign 8
gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 64-bit code */
gdt_ptr:
	.word 15
	.long gdt
	.balign 8
rng:	.quad 0
use_vmcall: .long 0
reason:	.long 0
msg_start:
	.ascii "kxen hostile guest: random hypercalls\n"
	msg_start_len = . - msg_start
msg_ok:
	.ascii "kxen hostile guest: monitor still answers xen_version 4.17\n"
	msg_ok_len = . - msg_ok
msg_bad:
	.ascii "kxen hostile guest: xen_version answer wrong\n"
	msg_bad_len = . - msg_bad

	.bss
	.balign 4096
pml4:	.skip 4096
pdpt:	.skip 4096
pd:	.skip 4096
scratch: .skip 4096
	.skip 4096
stack_top:
