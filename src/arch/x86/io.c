// SPDX-License-Identifier: MIT
/*
 * Port I/O exits.  KVM's fast path for IN/OUT exits with RIP still at the
 * instruction and finishes it on the next KVM_RUN (complete_fast_pio_*);
 * its emulator batches INS through a 1 KiB read-ahead buffer and hands
 * OUTS out one element per exit, after the element has retired.  Data is
 * in the PIO page at data_offset.  Every access is first offered to the
 * VM's PIO bus (in-kernel devices, ioeventfds); writes into a coalesced
 * PIO zone are queued in the ring; neither exits.
 */
#include <string.h>

#include "arch/x86/x86_int.h"

static void io_exit(struct x86_cpu *cpu, u8 dir, u16 port, int size,
		    u32 count)
{
	struct kvm_run *run = cpu->run;

	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = dir;
	run->io.size = (u8)size;
	run->io.port = port;
	run->io.count = count;
	run->io.data_offset = cpu->vcpu->obj.arch->pio_page * KVMU_PAGE_SIZE;
	cpu->io.is_pio = true;
	cpu->io.addr = port;
	cpu->io.len = (u32)size * count;
}

void x86_io_complete(struct x86_cpu *cpu)
{
	struct kvm_run *run = cpu->run;
	u32 n;

	switch (cpu->io_wait) {
	case X86_WAIT_MMIO_READ:
		if (cpu->nr_mmio_done < (int)ARRAY_SIZE(cpu->mmio_done)) {
			struct x86_io_pending *d =
				&cpu->mmio_done[cpu->nr_mmio_done++];

			*d = cpu->io;
			d->valid = true;
			memcpy(d->data, run->mmio.data, sizeof(d->data));
		}
		break;
	case X86_WAIT_PIO_IN:
		n = cpu->io.len;
		if (n > sizeof(cpu->pio_data))
			n = sizeof(cpu->pio_data);
		memcpy(cpu->pio_data, kvmu_vcpu_pio_data(cpu->vcpu), n);
		cpu->pio_pos = 0;
		cpu->pio_end = n;
		break;
	case X86_WAIT_PIO_OUT:
		cpu->out_done = true;
		break;
	default:
		break;
	}
	cpu->io_wait = X86_WAIT_NONE;
}

/* Take size bytes of completed input; false when none is buffered. */
static bool take_input(struct x86_cpu *cpu, void *val, int size)
{
	if (cpu->pio_end - cpu->pio_pos < (u32)size)
		return false;
	memcpy(val, cpu->pio_data + cpu->pio_pos, (size_t)size);
	cpu->pio_pos += (u32)size;
	if (cpu->pio_pos >= cpu->pio_end)
		cpu->pio_pos = cpu->pio_end = 0;
	return true;
}

/* Offer count elements to the PIO bus: true when a device took them all. */
static bool bus_in(struct x86_cpu *cpu, u16 port, int size, u32 count,
		   u8 *buf)
{
	struct kvmu_vcpu *v = cpu->vcpu;
	u32 i;

	for (i = 0; i < count; i++)
		if (kvmu_io_bus_read(v->vm, v, KVMU_BUS_PIO, port, (u32)size,
				     buf + i * (u32)size))
			return false;
	return true;
}

static bool bus_out(struct x86_cpu *cpu, u16 port, int size, u32 count,
		    const u8 *buf)
{
	struct kvmu_vcpu *v = cpu->vcpu;
	u32 i;

	for (i = 0; i < count; i++)
		if (kvmu_io_bus_write(v->vm, v, KVMU_BUS_PIO, port, (u32)size,
				      buf + i * (u32)size))
			return false;
	return true;
}

enum x86_status x86_pio_in(struct x86_cpu *cpu, u16 port, int size,
			   u32 count, void *buf)
{
	if (take_input(cpu, buf, size * (int)count))
		return X86_OK;
	if (bus_in(cpu, port, size, count, buf))
		return X86_OK;
	cpu->pio_pos = cpu->pio_end = 0;
	io_exit(cpu, KVM_EXIT_IO_IN, port, size, count);
	memset(kvmu_vcpu_pio_data(cpu->vcpu), 0, (size_t)size * count);
	cpu->io_wait = X86_WAIT_PIO_IN;
	return X86_EXIT;
}

enum x86_status x86_pio_ins(struct x86_cpu *cpu, u16 port, int size,
			    u32 batch, void *val)
{
	if (take_input(cpu, val, size))
		return X86_OK;
	if (batch < 1)
		batch = 1;
	return x86_pio_in(cpu, port, size, batch, cpu->pio_data);
}

/* OUTS element: exits after it retired (or queued in a coalesced zone). */
enum x86_status x86_pio_out(struct x86_cpu *cpu, u16 port, int size,
			    u32 count, const void *buf)
{
	u32 len = (u32)size * count;

	if (bus_out(cpu, port, size, count, buf) ||
	    kvmu_coalesced_write(cpu->vcpu, port, buf, len, true))
		return X86_OK;
	io_exit(cpu, KVM_EXIT_IO_OUT, port, size, count);
	memcpy(kvmu_vcpu_pio_data(cpu->vcpu), buf, len);
	return X86_EXIT_RETIRED;
}

/* OUT: the exit leaves RIP at the instruction; it retires on re-entry. */
enum x86_status x86_pio_out_fast(struct x86_cpu *cpu, u16 port, int size,
				 const void *buf)
{
	if (cpu->out_done) {
		cpu->out_done = false;
		return X86_OK;
	}
	if (bus_out(cpu, port, size, 1, buf) ||
	    kvmu_coalesced_write(cpu->vcpu, port, buf, (u32)size, true))
		return X86_OK;
	io_exit(cpu, KVM_EXIT_IO_OUT, port, size, 1);
	memcpy(kvmu_vcpu_pio_data(cpu->vcpu), buf, (size_t)size);
	cpu->io_wait = X86_WAIT_PIO_OUT;
	return X86_EXIT;
}
