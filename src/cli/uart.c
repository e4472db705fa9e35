// SPDX-License-Identifier: MIT
/*
 * The 16550A UART of `kvmu run` (COM1 at 0x3F8): transmit to stdout, no
 * receive, and the interrupt line a Linux 8250 driver waits for.  A
 * character written to THR leaves at once, so the transmitter is always
 * empty; the THRE interrupt is pending after each write and after ETBEI is
 * turned on, and a read of IIR that reports it clears it, as on the chip.
 * The line reaches the in-kernel irqchip (KVM_IRQ_LINE) only while MCR
 * OUT2 is set, as the PC's wiring gates it.  Callers serialise accesses.
 */
#include <linux/kvm.h>
#include <stdio.h>

#include <kvmu/kvmu.h>

#include "uart.h"

#define IER_ERBFI	0x01
#define IER_ETBEI	0x02
#define IIR_NONE	0x01
#define IIR_THRE	0x02
#define IIR_FIFO	0xC0
#define LCR_DLAB	0x80
#define MCR_OUT2	0x08
#define MCR_LOOP	0x10
#define LSR_EMPTY	0x60	/* THRE and TEMT */

void uart_init(struct uart *u, int vm_fd, int irq)
{
	*u = (struct uart){ .vm_fd = vm_fd, .irq = irq };
}

static uint8_t uart_iir(const struct uart *u)
{
	uint8_t fifo = u->fcr & 1 ? IIR_FIFO : 0;

	if ((u->ier & IER_ETBEI) && u->thre_pending)
		return IIR_THRE | fifo;
	return IIR_NONE | fifo;
}

/* Drive the line after every change; only transitions are sent. */
static void uart_update_irq(struct uart *u)
{
	struct kvm_irq_level l;
	int level = !(uart_iir(u) & IIR_NONE) && (u->mcr & MCR_OUT2);

	if (level == u->line || u->vm_fd < 0)
		return;
	u->line = level;
	l.irq = (uint32_t)u->irq;
	l.level = (uint32_t)level;
	kvmu_ioctl(u->vm_fd, KVM_IRQ_LINE, &l);
}

/* In loopback the modem inputs follow the outputs (8250 autoconfig). */
static uint8_t uart_msr(const struct uart *u)
{
	uint8_t m = u->mcr;

	if (!(m & MCR_LOOP))
		return 0xB0;			/* DCD, DSR, CTS */
	return (uint8_t)((m & 0x01) << 5 | (m & 0x02) << 3 |
			 (m & 0x04) << 4 | (m & 0x08) << 4);
}

uint8_t uart_read(struct uart *u, unsigned int reg)
{
	uint8_t v;

	switch (reg) {
	case 0: return u->lcr & LCR_DLAB ? u->dll : 0;	/* RBR: no input */
	case 1: return u->lcr & LCR_DLAB ? u->dlm : u->ier;
	case 2:
		v = uart_iir(u);
		if ((v & 0x0F) == IIR_THRE) {
			u->thre_pending = false;
			uart_update_irq(u);
		}
		return v;
	case 3: return u->lcr;
	case 4: return u->mcr;
	case 5: return LSR_EMPTY;
	case 6: return uart_msr(u);
	default: return u->scr;
	}
}

static void uart_write_thr(struct uart *u, uint8_t v)
{
	if (!(u->mcr & MCR_LOOP))
		putchar(v);
	u->thre_pending = true;
}

void uart_write(struct uart *u, unsigned int reg, uint8_t v)
{
	switch (reg) {
	case 0:
		if (u->lcr & LCR_DLAB)
			u->dll = v;
		else
			uart_write_thr(u, v);
		break;
	case 1:
		if (u->lcr & LCR_DLAB) {
			u->dlm = v;
			break;
		}
		/* turning ETBEI on with THR empty raises THRE at once */
		if ((v & IER_ETBEI) && !(u->ier & IER_ETBEI))
			u->thre_pending = true;
		u->ier = v & 0x0F;
		break;
	case 2: u->fcr = v; break;
	case 3: u->lcr = v; break;
	case 4: u->mcr = v & 0x1F; break;
	case 7: u->scr = v; break;
	}
	uart_update_irq(u);
}
