/* SPDX-License-Identifier: MIT */
/*
 * The LD_PRELOAD shim's private interface: the libc functions it wraps
 * (found with dlsym(RTLD_NEXT)) and the table of descriptors that may be
 * kvmu objects.
 */
#ifndef KVMU_SHIM_INT_H
#define KVMU_SHIM_INT_H

#include <stdarg.h>
#include <sys/stat.h>

/*
 * The libc entry points the shim replaces.  Everything else in the shim,
 * the library inside it included, is built with -fvisibility=hidden.
 */
#define SHIM_ENTRY __attribute__((visibility("default")))

/* The next definition of each wrapped function (normally libc's). */
struct shim_real {
	int (*open)(const char *path, int flags, ...);
	int (*open64)(const char *path, int flags, ...);
	int (*openat)(int dirfd, const char *path, int flags, ...);
	int (*openat64)(int dirfd, const char *path, int flags, ...);
	int (*open_2)(const char *path, int flags);
	int (*open64_2)(const char *path, int flags);
	int (*openat_2)(int dirfd, const char *path, int flags);
	int (*openat64_2)(int dirfd, const char *path, int flags);
	int (*ioctl)(int fd, unsigned long req, ...);
	int (*close)(int fd);
	int (*dup)(int fd);
	int (*dup2)(int fd, int fd2);
	int (*dup3)(int fd, int fd2, int flags);
	int (*fcntl)(int fd, int cmd, ...);
	int (*fcntl64)(int fd, int cmd, ...);
	int (*access)(const char *path, int mode);
	int (*faccessat)(int dirfd, const char *path, int mode, int flags);
	int (*euidaccess)(const char *path, int mode);
	int (*stat)(const char *path, struct stat *st);
	int (*lstat)(const char *path, struct stat *st);
	int (*fstatat)(int dirfd, const char *path, struct stat *st, int fl);
};

extern struct shim_real shim_real;

/* Resolve every entry of shim_real (idempotent, thread safe). */
void shim_resolve(void);

/*
 * cpuid.c: make the program's own `cpuid` fault and answer it as a KVM
 * host would (VMX/SVM set), where the kernel offers CPUID faulting and
 * KVMU_CPUID_FAULTING is not 0.
 */
void shim_cpuid_init(void);

/*
 * The real function f, resolved on first use.  Wrappers can run before
 * the shim's constructor (from other libraries' constructors).
 */
#define REAL(f) (__atomic_load_n(&shim_real.f, __ATOMIC_RELAXED) ? \
		 shim_real.f : (shim_resolve(), shim_real.f))

/*
 * Descriptors that may be kvmu objects.  A set bit is a hint to look the
 * descriptor up (a stale one costs a lookup); a clear bit on a KVM
 * request is looked up anyway, so a missed update never misroutes a KVM
 * ioctl to the kernel.
 */
#define SHIM_MAX_FD (1 << 20)

static inline int shim_fd_maybe(int fd)
{
	extern unsigned long shim_fd_bits[];
	unsigned int u = (unsigned int)fd;

	if (u >= SHIM_MAX_FD)
		return 0;
	return (__atomic_load_n(&shim_fd_bits[u / (8 * sizeof(long))],
				__ATOMIC_RELAXED) >>
		(u % (8 * sizeof(long)))) & 1;
}

void shim_fd_set(int fd);
void shim_fd_clear(int fd);
/* newfd now refers to what oldfd refers to (dup and friends). */
void shim_fd_copy(int oldfd, int newfd);

/* Is path (relative to dirfd) the KVM device node? */
int shim_is_kvm_path(int dirfd, const char *path);
/* Is path a VFIO node kvmu serves?  Its canonical name into canon. */
int shim_vfio_path(int dirfd, const char *path, char *canon);

#endif /* KVMU_SHIM_INT_H */
