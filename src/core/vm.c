// SPDX-License-Identifier: MIT
/*
 * The VM object.  A VM lives while its fd or any of its vCPU fds (or their
 * mappings) are alive, as in the kernel, where each vCPU file pins its VM.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "kvmu_int.h"
#include "handlers.h"
#include "eventfd.h"

static pthread_mutex_t zombie_lock = PTHREAD_MUTEX_INITIALIZER;
static struct kvmu_vm *zombies[256];
static int nr_zombies;

static void vm_destroy(struct kvmu_obj *obj)
{
	struct kvmu_vm *vm = (struct kvmu_vm *)obj;

	/* irqfd injections and ioeventfds stop before the devices go */
	kvmu_eventfd_vm_destroy(vm);
	if (obj->arch->vm_destroy)
		obj->arch->vm_destroy(vm);
	kvmu_io_bus_destroy(vm);
	kvmu_irq_vm_destroy(vm);
	kvmu_memslot_free_all(vm);
	kvmu_planes_vm_destroy(vm);
	pthread_mutex_destroy(&vm->bus_lock);
	kvmu_stats_free(&vm->stats_fd);
	pthread_mutex_destroy(&vm->lock);
	pthread_mutex_destroy(&vm->slots_lock);
	pthread_mutex_destroy(&vm->ring_lock);
	free(vm);
}

/*
 * The device matters: inode numbers of files on other filesystems (the
 * program's own libraries, say) collide with those of our memfds, and such
 * a collision would keep the VM alive for ever.
 */
static bool ino_is_vcpu(struct kvmu_vm *vm, dev_t dev, ino_t ino, u64 addr,
			bool map)
{
	int i, n = atomic_load(&vm->nr_vcpus);

	for (i = 0; i < n; i++) {
		struct kvmu_vcpu *v = vm->vcpus[i];

		if (v && v->obj.ino == ino && v->obj.dev == dev &&
		    (!map || addr != (u64)(uintptr_t)v->map))
			return true;
	}
	return false;
}

/* Does the program still hold a descriptor or mapping of a vCPU of vm? */
static bool vcpus_in_use(struct kvmu_vm *vm)
{
	unsigned long start, ino;
	unsigned int maj, min;
	struct dirent *de;
	bool used = false;
	char line[512];
	struct stat st;
	DIR *d;
	FILE *f;

	d = opendir("/proc/self/fd");
	while (d && !used && (de = readdir(d))) {
		if (de->d_name[0] == '.' || atoi(de->d_name) == dirfd(d))
			continue;
		if (!fstat(atoi(de->d_name), &st) &&
		    ino_is_vcpu(vm, st.st_dev, st.st_ino, 0, false))
			used = true;
	}
	if (d)
		closedir(d);
	f = fopen("/proc/self/maps", "re");
	while (f && !used && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%*x %*s %*x %x:%x %lu", &start, &maj,
			   &min, &ino) == 4 && ino &&
		    ino_is_vcpu(vm, makedev(maj, min), (ino_t)ino, start, true))
			used = true;
	}
	if (f)
		fclose(f);
	return used;
}

/* Tear down vCPUs of a VM nobody can reach any more. */
static void vm_release_vcpus(struct kvmu_vm *vm)
{
	int i, n = atomic_load(&vm->nr_vcpus);

	for (i = 0; i < n; i++) {
		struct kvmu_vcpu *v = vm->vcpus[i];

		vm->vcpus[i] = NULL;
		if (v)
			kvmu_obj_closed(&v->obj);
	}
	atomic_store(&vm->nr_vcpus, 0);
}

void kvmu_vm_reap_zombies(void)
{
	int i;

	pthread_mutex_lock(&zombie_lock);
	for (i = 0; i < nr_zombies;) {
		struct kvmu_vm *vm = zombies[i];

		if (vcpus_in_use(vm)) {
			i++;
			continue;
		}
		zombies[i] = zombies[--nr_zombies];
		vm_release_vcpus(vm);
		kvmu_obj_put(&vm->obj);
	}
	pthread_mutex_unlock(&zombie_lock);
}

static void vm_closed(struct kvmu_obj *obj)
{
	struct kvmu_vm *vm = (struct kvmu_vm *)obj;

	if (!atomic_load(&vm->nr_vcpus))
		return;
	pthread_mutex_lock(&zombie_lock);
	if (nr_zombies < (int)ARRAY_SIZE(zombies)) {
		kvmu_obj_ref(obj);
		zombies[nr_zombies++] = vm;
	}
	pthread_mutex_unlock(&zombie_lock);
}

int kvmu_vm_create(const struct kvmu_arch_ops *arch, unsigned long type)
{
	struct kvmu_vm *vm = calloc(1, sizeof(*vm));
	int ret;

	if (!vm)
		return -ENOMEM;
	vm->obj.kind = KVMU_OBJ_VM;
	vm->obj.arch = arch;
	vm->obj.destroy = vm_destroy;
	vm->obj.closed = vm_closed;
	vm->type = type;
	vm->max_vcpus = KVMU_MAX_VCPUS;
	vm->max_vcpu_id = KVMU_MAX_VCPU_ID;
	pthread_mutex_init(&vm->lock, NULL);
	pthread_mutex_init(&vm->slots_lock, NULL);
	pthread_mutex_init(&vm->ring_lock, NULL);
	pthread_mutex_init(&vm->bus_lock, NULL);
	ret = kvmu_irq_vm_init(vm);
	if (!ret)
		ret = kvmu_eventfd_vm_init(vm);
	if (!ret)
		ret = arch->vm_init(vm, type);
	if (ret) {
		kvmu_eventfd_vm_destroy(vm);
		kvmu_irq_vm_destroy(vm);
		pthread_mutex_destroy(&vm->bus_lock);
		pthread_mutex_destroy(&vm->lock);
		pthread_mutex_destroy(&vm->slots_lock);
		pthread_mutex_destroy(&vm->ring_lock);
		free(vm);
		return ret;
	}
	ret = kvmu_obj_install(&vm->obj, "kvm-vm", 0, 1);
	if (ret < 0)
		vm_destroy(&vm->obj);
	return ret;
}

long vm_create_vcpu(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	kvmu_obj_reap();
	return kvmu_vcpu_create((struct kvmu_vm *)obj, r->uarg);
}

long vm_check_extension(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvmu_vm *vm = (struct kvmu_vm *)obj;
	bool known = false;
	long v = kvmu_check_extension_generic(obj->arch, vm, (long)r->uarg, &known);

	if (known)
		return v;
	return obj->arch->check_extension(vm, (long)r->uarg);
}

long vm_set_memory_region(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvm_userspace_memory_region *m = r->karg;

	if (m->flags & ~(KVM_MEM_LOG_DIRTY_PAGES | KVM_MEM_READONLY))
		return -EINVAL;
	return kvmu_memslot_set((struct kvmu_vm *)obj, m, false);
}

long vm_set_memory_region2(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	return kvmu_memslot_set((struct kvmu_vm *)obj, r->karg, true);
}

static int enable_manual_dirty(struct kvmu_vm *vm, const struct kvm_enable_cap *c)
{
	const u64 valid = KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE |
			  KVM_DIRTY_LOG_INITIALLY_SET;

	if (c->flags || (c->args[0] & ~valid))
		return -EINVAL;
	vm->manual_dirty_protect = c->args[0] & KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE;
	vm->dirty_initially_set = vm->manual_dirty_protect &&
				  (c->args[0] & KVM_DIRTY_LOG_INITIALLY_SET);
	return 0;
}

long vm_enable_cap(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	const struct kvm_enable_cap *c = r->karg;
	struct kvmu_vm *vm = (struct kvmu_vm *)obj;
	int ret;

	if (c->flags)
		return -EINVAL;
	pthread_mutex_lock(&vm->lock);
	if (c->cap == KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2)
		ret = enable_manual_dirty(vm, c);
	else if (obj->arch->vm_enable_cap)
		ret = obj->arch->vm_enable_cap(vm, c);
	else
		ret = -EINVAL;
	pthread_mutex_unlock(&vm->lock);
	return ret;
}

long vm_get_dirty_log(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	return kvmu_memslot_get_dirty_log((struct kvmu_vm *)obj, r->karg);
}

long vm_clear_dirty_log(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	return kvmu_memslot_clear_dirty_log((struct kvmu_vm *)obj, r->karg);
}

long vm_register_coalesced(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	return kvmu_coalesced_register((struct kvmu_vm *)obj, r->karg);
}

long vm_unregister_coalesced(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	return kvmu_coalesced_unregister((struct kvmu_vm *)obj, r->karg);
}
