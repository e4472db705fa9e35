/* SPDX-License-Identifier: MIT */
/* Guest code of test_x86_irqchip.c (see x86_irqchip_guest.h). */
	.code32
	.section .common, "ax"
common:
	push %eax
	push %ebx
	mov 8(%esp), %ebx
	lock incl 0x5000(,%ebx,4)
	mov 0xfee00020, %eax
	shr $24, %eax
	lock incl 0x5800(,%eax,4)
	cmpl $0, 0x6f00
	jne 1f
	movl $0, 0xfee000b0
	jmp 2f
1:	mov $0x20, %al
	out %al, $0x20
2:	pop %ebx
	pop %eax
	add $4, %esp
	iret

	.section .lapic_timer, "ax"
	movl $0x1ff, 0xfee000f0
	movl $0xb, 0xfee003e0
	movl $0x20040, 0xfee00320
	movl $1000000, 0xfee00380
1:	cli
	cmpl $3, 0x5000 + 0x40 * 4
	jae 2f
	sti
	hlt
	jmp 1b
2:	out %al, $0xf4

	.section .pit_ioapic, "ax"
	mov $0xff, %al
	out %al, $0x21
	out %al, $0xa1
	movl $0x1ff, 0xfee000f0
	movl $0x10, 0xfec00000
	movl $0x41, 0xfec00010
	movl $0x11, 0xfec00000
	movl $0, 0xfec00010
	mov $0x34, %al
	out %al, $0x43
	mov $0xa9, %al
	out %al, $0x40
	mov $0x04, %al
	out %al, $0x40
1:	cli
	cmpl $3, 0x5000 + 0x41 * 4
	jae 2f
	sti
	hlt
	jmp 1b
2:	out %al, $0xf4

	.section .pit_pic, "ax"
	mov $0x11, %al
	out %al, $0x20
	mov $0x50, %al
	out %al, $0x21
	mov $4, %al
	out %al, $0x21
	mov $1, %al
	out %al, $0x21
	mov $0xfe, %al
	out %al, $0x21
	mov $0x34, %al
	out %al, $0x43
	mov $0xa9, %al
	out %al, $0x40
	mov $0x04, %al
	out %al, $0x40
1:	cli
	cmpl $3, 0x5000 + 0x50 * 4
	jae 2f
	sti
	hlt
	jmp 1b
2:	out %al, $0xf4

	.section .ipi_ring, "ax"
	movl $0x1ff, 0xfee000f0
	mov 0xfee00020, %eax
	shr $24, %eax
	mov %eax, %ebx
	inc %eax
	and 0x6f04, %eax
	shl $24, %eax
	mov %eax, 0xfee00310
	movl $0x4060, 0xfee00300
1:	cli
	cmpl $1, 0x5800(,%ebx,4)
	jae 2f
	sti
	hlt
	jmp 1b
2:	out %al, $0xf4

	.section .init_sipi, "ax"
	movl $0x01000000, 0xfee00310
	movl $0x4500, 0xfee00300
	movl $0x4608, 0xfee00300
	out %al, $0xf4

	.section .halt_msi, "ax"
	movl $0x1ff, 0xfee000f0
1:	cli
	cmpl $1, 0x5000 + 0x45 * 4
	jae 2f
	sti
	hlt
	jmp 1b
2:	out %al, $0xf4

	.section .tsc_deadline, "ax"
	movl $0x1ff, 0xfee000f0
	movl $0x40042, 0xfee00320
	/* a deadline 2^44 ticks away reads back: it cannot expire first */
	rdtsc
	add $0x1000, %edx
	mov $0x6e0, %ecx
	wrmsr
	mov %eax, 0x6f10
	mov %edx, 0x6f14
	rdmsr
	mov %eax, 0x6f08
	mov %edx, 0x6f18
	/* then a near one, which fires */
	rdtsc
	add $0x100000, %eax
	adc $0, %edx
	wrmsr
1:	cli
	cmpl $1, 0x5000 + 0x42 * 4
	jae 2f
	sti
	hlt
	jmp 1b
2:	mov $0x6e0, %ecx
	rdmsr
	mov %eax, 0x6f0c
	out %al, $0xf4

	.section .irqfd_level, "ax"
	mov $0xff, %al
	out %al, $0x21
	out %al, $0xa1
	movl $0x1ff, 0xfee000f0
	movl $0x24, 0xfec00000
	movl $0x8046, 0xfec00010
	movl $0x25, 0xfec00000
	movl $0, 0xfec00010
1:	cli
	cmpl $1, 0x5000 + 0x46 * 4
	jae 2f
	sti
	hlt
	jmp 1b
2:	out %al, $0xf4

	.code16
	.section .ap16, "ax"
	movl $0x1234, 0x6000
	out %al, $0xf5
	hlt
