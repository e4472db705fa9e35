/*
 * Entry of the arm64 test guests: EL1h, MMU off (docs/arm64.md).  Set the
 * stack, let EL1 use FP/AdvSIMD (CPACR_EL1.FPEN), clear .bss, call main,
 * and end with SMCCC call 0xC3000001: status (main's value << 1) | 1.
 */
	.section .text.start, "ax"
	.globl _start
_start:
	ldr	x0, =__stack_top
	mov	sp, x0
	mov	x0, #(3 << 20)
	msr	cpacr_el1, x0
	isb
	ldr	x0, =__bss_start
	ldr	x1, =__bss_end
1:	cmp	x0, x1
	b.hs	2f
	strb	wzr, [x0], #1
	b	1b
2:	bl	main
	mov	x1, x0
	mov	x0, #1
	movk	x0, #0xc300, lsl #16
	hvc	#0
3:	wfi
	b	3b
	.ltorg
