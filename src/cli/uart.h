/* SPDX-License-Identifier: MIT */
/* The devices of `kvmu run` x86 guests: a 16550A UART and the CMOS RTC. */
#ifndef KVMU_CLI_UART_H
#define KVMU_CLI_UART_H

#include <stdbool.h>
#include <stdint.h>

struct uart {
	uint8_t ier, fcr, lcr, mcr, scr, dll, dlm;
	bool thre_pending;	/* THRE interrupt not yet taken */
	int line;		/* last level sent to the irqchip */
	int vm_fd;		/* -1: no in-kernel irqchip to signal */
	int irq;
};

/* A reset UART on ISA line irq of vm_fd (-1: no interrupt line). */
void uart_init(struct uart *u, int vm_fd, int irq);
/* Register reg (0-7) read or written by the guest. */
uint8_t uart_read(struct uart *u, unsigned int reg);
void uart_write(struct uart *u, unsigned int reg, uint8_t v);

struct cmos {
	uint8_t index;
	uint8_t ram[128];
};

/* Ports 0x70 (index, bit 7 NMI mask) and 0x71 (data): host time, BCD. */
uint8_t cmos_read(struct cmos *c, unsigned int port);
void cmos_write(struct cmos *c, unsigned int port, uint8_t v);

#endif
