// SPDX-License-Identifier: MIT
/*
 * Binary statistics (KVM_GET_STATS_FD, KVM_CAP_BINARY_STATS_FD): the
 * layout of Documentation/virt/kvm/api.rst, header, id string,
 * descriptors, data, in one memfd per VM and per vCPU.  Each
 * KVM_GET_STATS_FD opens that memfd anew (read-only, close-on-exec), so
 * every descriptor has its own file position for read() and pread()
 * works as on the kernel's fd.  The data block is refreshed when a vCPU
 * leaves KVM_RUN and when a descriptor is handed out.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvmu_int.h"
#include "handlers.h"

#define NAME_SIZE	48	/* the kernel's KVM_STATS_NAME_SIZE */
#define DESC_SIZE	(sizeof(struct kvm_stats_desc) + NAME_SIZE)
#define CUMULATIVE	(KVM_STATS_TYPE_CUMULATIVE | KVM_STATS_UNIT_NONE | \
			 KVM_STATS_BASE_POW10)

/* The vCPU counters kvmu keeps; the names are KVM's where KVM has one. */
static const char *const vcpu_names[] = {
	"exits",		/* KVM_RUN returns, any reason */
	"io_exits", "mmio_exits", "signal_exits", "halt_exits",
	"irq_window_exits",
	"insn_emulation",	/* every guest instruction is emulated */
};

static const char *const vm_names[] = {
	"memslot_updates",	/* KVM_SET_USER_MEMORY_REGION(2) changes
				 * (kvmu's own; KVM has no such stat) */
};

static int stats_build(struct kvmu_stats *s, const char *id,
		       const char *const *names, u32 n)
{
	struct kvm_stats_header h = {
		.name_size = NAME_SIZE, .num_desc = n,
		.id_offset = sizeof(h),
	};
	size_t size;
	u8 *p;
	u32 i;
	int fd;

	h.desc_offset = h.id_offset + NAME_SIZE;
	h.data_offset = h.desc_offset + n * (u32)DESC_SIZE;
	size = h.data_offset + n * sizeof(u64);
	fd = memfd_create("kvm-stats", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)size)) {
		close(fd);
		return -ENOMEM;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		close(fd);
		return -ENOMEM;
	}
	memcpy(p, &h, sizeof(h));
	snprintf((char *)p + h.id_offset, NAME_SIZE, "%s", id);
	for (i = 0; i < n; i++) {
		struct kvm_stats_desc *d = (void *)(p + h.desc_offset +
						    i * DESC_SIZE);

		d->flags = CUMULATIVE;
		d->size = 1;
		d->offset = i * (u32)sizeof(u64);
		snprintf(d->name, NAME_SIZE, "%s", names[i]);
	}
	s->map = p;
	s->map_size = size;
	s->fd = fd;
	__atomic_store_n(&s->data, (u64 *)(p + h.data_offset),
			 __ATOMIC_RELEASE);
	return 0;
}

void kvmu_stats_free(struct kvmu_stats *s)
{
	if (s->map)
		munmap(s->map, s->map_size);
	if (s->map)
		close(s->fd);
	s->map = NULL;
}

/* A new read-only open file description of the stats memfd. */
static long stats_open(struct kvmu_stats *s)
{
	char path[40];
	int fd;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", s->fd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

void kvmu_stats_vcpu_refresh(struct kvmu_vcpu *vcpu)
{
	const struct kvmu_vcpu_stats *v = &vcpu->stats;
	struct kvmu_vm *vm = vcpu->vm;
	u64 *d = vcpu->stats_fd.data, all = 0;
	u64 *vmd = __atomic_load_n(&vm->stats_fd.data, __ATOMIC_ACQUIRE);
	size_t i;

	if (vmd)
		__atomic_store_n(&vmd[0], __atomic_load_n(&vm->slots_generation,
							  __ATOMIC_RELAXED),
				 __ATOMIC_RELAXED);
	if (!d)
		return;
	for (i = 0; i < ARRAY_SIZE(v->exits); i++)
		all += v->exits[i];
	__atomic_store_n(&d[0], all, __ATOMIC_RELAXED);
	__atomic_store_n(&d[1], v->exits[KVM_EXIT_IO], __ATOMIC_RELAXED);
	__atomic_store_n(&d[2], v->exits[KVM_EXIT_MMIO], __ATOMIC_RELAXED);
	__atomic_store_n(&d[3], v->exits[KVM_EXIT_INTR], __ATOMIC_RELAXED);
	__atomic_store_n(&d[4], v->exits[KVM_EXIT_HLT], __ATOMIC_RELAXED);
	__atomic_store_n(&d[5], v->exits[KVM_EXIT_IRQ_WINDOW_OPEN],
			 __ATOMIC_RELAXED);
	__atomic_store_n(&d[6], v->instructions, __ATOMIC_RELAXED);
}

long vcpu_get_stats_fd(struct kvmu_obj *obj,
		       struct kvmu_ioctl_req *r KVMU_UNUSED)
{
	struct kvmu_vcpu *vcpu = (struct kvmu_vcpu *)obj;
	char id[NAME_SIZE];
	int ret;

	/* under vcpu->mutex, like every vCPU ioctl */
	if (!vcpu->stats_fd.map) {
		snprintf(id, sizeof(id), "kvm-%d/vcpu-%d", (int)kvmu_pid(),
			 vcpu->id);
		ret = stats_build(&vcpu->stats_fd, id, vcpu_names,
				  ARRAY_SIZE(vcpu_names));
		if (ret)
			return ret;
	}
	kvmu_stats_vcpu_refresh(vcpu);
	return stats_open(&vcpu->stats_fd);
}

long vm_get_stats_fd(struct kvmu_obj *obj, struct kvmu_ioctl_req *r KVMU_UNUSED)
{
	struct kvmu_vm *vm = (struct kvmu_vm *)obj;
	char id[NAME_SIZE];
	long ret = 0;

	pthread_mutex_lock(&vm->lock);
	if (!vm->stats_fd.map) {
		snprintf(id, sizeof(id), "kvm-%d", (int)kvmu_pid());
		ret = stats_build(&vm->stats_fd, id, vm_names,
				  ARRAY_SIZE(vm_names));
	}
	if (!ret) {
		vm->stats_fd.data[0] = __atomic_load_n(&vm->slots_generation,
						       __ATOMIC_RELAXED);
		ret = stats_open(&vm->stats_fd);
	}
	pthread_mutex_unlock(&vm->lock);
	return ret;
}
