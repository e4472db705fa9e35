/* SPDX-License-Identifier: MIT */
/*
 * The in-kernel I/O bus (the kernel's kvm_io_bus): MMIO and port ranges of
 * a VM served by devices inside kvmu, offered every guest access before it
 * becomes a user exit.  Included by kvmu_int.h.
 */
#ifndef KVMU_IOBUS_H
#define KVMU_IOBUS_H

/* Devices on one bus, not counting ioeventfds (the kernel's NR_IOBUS_DEVS). */
#define KVMU_NR_IOBUS_DEVS	1000

/* CCW_NOTIFY: s390's virtio-ccw notifications (no CPU path offers it yet) */
enum kvmu_bus_kind {
	KVMU_BUS_MMIO, KVMU_BUS_PIO, KVMU_BUS_CCW_NOTIFY, KVMU_BUS_NR
};

struct kvmu_io_dev;
struct kvmu_io_dev_ops {
	/*
	 * 0: the device took the access; -EOPNOTSUPP: not mine (next device,
	 * finally the user exit).  vcpu is the accessing vCPU (NULL when the
	 * access does not come from a vCPU).  Called without bus locks held,
	 * possibly from several vCPU threads at once.
	 */
	int (*read)(struct kvmu_io_dev *dev, struct kvmu_vcpu *vcpu,
		    u64 addr, u32 len, void *val);
	int (*write)(struct kvmu_io_dev *dev, struct kvmu_vcpu *vcpu,
		     u64 addr, u32 len, const void *val);
};

struct kvmu_io_dev {
	const struct kvmu_io_dev_ops *ops;
	void *priv;
};

/*
 * Add dev for [addr, addr+len) on bus; -ENOSPC past the kernel's limit.
 * len 0 registers the single address addr, matched by accesses of any
 * length (ioeventfd's "any length").
 */
int kvmu_io_bus_register(struct kvmu_vm *vm, enum kvmu_bus_kind bus,
			 u64 addr, u32 len, struct kvmu_io_dev *dev);
/* As kvmu_io_bus_register, for an ioeventfd: not counted in the limit. */
int kvmu_io_bus_register_eventfd(struct kvmu_vm *vm, enum kvmu_bus_kind bus,
				 u64 addr, u32 len, struct kvmu_io_dev *dev);
/*
 * Remove every range of dev; -ENOENT when it has none.  When this returns
 * no vCPU is still inside its callbacks.  Must not be called from inside a
 * bus callback of another vCPU's access (it waits for that access).
 */
int kvmu_io_bus_unregister(struct kvmu_vm *vm, enum kvmu_bus_kind bus,
			   struct kvmu_io_dev *dev);
/* Offer an access to the bus: 0 handled, -EOPNOTSUPP: exit to user space. */
int kvmu_io_bus_read(struct kvmu_vm *vm, struct kvmu_vcpu *vcpu,
		     enum kvmu_bus_kind bus, u64 addr, u32 len, void *val);
int kvmu_io_bus_write(struct kvmu_vm *vm, struct kvmu_vcpu *vcpu,
		      enum kvmu_bus_kind bus, u64 addr, u32 len,
		      const void *val);
/* Free the buses of a VM being destroyed (no vCPU runs any more). */
void kvmu_io_bus_destroy(struct kvmu_vm *vm);

#endif /* KVMU_IOBUS_H */
