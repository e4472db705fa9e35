/* SPDX-License-Identifier: MIT */
/*
 * kvmu's stage-3a loader of a Secure Execution image (docs/s390-pv.md):
 * the plaintext program `kvmu pvimg create` puts at 0x11000.  IPL enters
 * it in 31-bit mode through the short PSW at absolute 0.  It takes the
 * IPL information block's address from the image metadata at 0xC000,
 * sets it as the PV IPLB (DIAGNOSE X'308' subcode 8) and starts protected
 * mode (subcode 10), which returns only on failure: then it prints the
 * response code the VMM put in R1+1 and ends the run (kvmu console,
 * DIAGNOSE X'500').  Assembled bytes: src/cli/pvimg_stage3a.c (scripts/gen-stage3a.sh).
 */
	.text
	.globl	_start
_start:
	sam64
	lgfi	%r9, 0xc000		/* image metadata */
	lg	%r2, 20(%r9)		/* IPIB address (= its file offset) */
	lghi	%r4, 8			/* set PV IPLB */
	diag	%r2, %r4, 0x308
	cghi	%r3, 1
	jne	fail
	lghi	%r4, 10			/* start protected mode */
	diag	%r2, %r4, 0x308
fail:
	lgr	%r8, %r3
	larl	%r2, msg
	lghi	%r3, msgend - msg
	lghi	%r1, 0x100
	diag	%r0, %r0, 0x500
	larl	%r9, digits
	larl	%r2, hex
	lghi	%r6, 16
	lgr	%r7, %r8
	lghi	%r0, 15
1:	rllg	%r7, %r7, 4
	lgr	%r5, %r7
	ngr	%r5, %r0
	ic	%r5, 0(%r5, %r9)
	stc	%r5, 0(%r2)
	la	%r2, 1(%r2)
	brct	%r6, 1b
	larl	%r2, hex
	lghi	%r3, 17
	lghi	%r1, 0x100
	diag	%r0, %r0, 0x500
	lghi	%r2, 1
	lghi	%r1, 0x101
	diag	%r0, %r0, 0x500
2:	j	2b
	.balign	2			/* LARL addresses halfwords */
msg:	.ascii	"stage3a: protected boot failed, response "
msgend:
	.balign	2
digits:	.ascii	"0123456789abcdef"
	.balign	2
hex:	.ascii	"................\n"
