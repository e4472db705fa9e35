// SPDX-License-Identifier: MIT
/*
 * An ordinary /dev/kvm program (it knows nothing of kvmu) exercising what
 * the LD_PRELOAD shim must keep consistent: dup/dup2/dup3/F_DUPFD of KVM
 * fds, closing one duplicate, fork (the child gets EIO on VM and vCPU
 * ioctls, the system fd still works), the requests the VFS answers itself,
 * and ioctls on descriptors that are not KVM's.  The transcript is the
 * same on the kernel and on kvmu; tests/shim/expected/fdops.txt holds it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static const char *ename(int e)
{
	static char buf[16];

	switch (e) {
	case EBADF: return "EBADF";
	case EIO: return "EIO";
	case EINVAL: return "EINVAL";
	case ENOTTY: return "ENOTTY";
	case EEXIST: return "EEXIST";
	case ENOTDIR: return "ENOTDIR";
	case ENOENT: return "ENOENT";
	case EFAULT: return "EFAULT";
	}
	snprintf(buf, sizeof(buf), "errno%d", e);
	return buf;
}

/* "label -> N" or "label -> -1 ENAME"; fd values are printed as ">= 0". */
static long show(const char *label, long ret, int is_fd)
{
	int e = errno;

	if (ret < 0)
		printf("%s -> -1 %s\n", label, ename(e));
	else if (is_fd)
		printf("%s -> fd\n", label);
	else
		printf("%s -> %ld\n", label, ret);
	fflush(stdout);
	errno = e;
	return ret;
}
#define CALL(l, e) show((l), (errno = 0, (long)(e)), 0)
#define CALLFD(l, e) show((l), (errno = 0, (long)(e)), 1)

static void test_open_flags(void)
{
	struct stat st;
	int fd;

	printf("== open flags, existence checks\n");
	CALL("access(/dev/kvm, R_OK|W_OK)", access("/dev/kvm", R_OK | W_OK));
	CALL("stat(/dev/kvm) is chr 10:232",
	     !stat("/dev/kvm", &st) && S_ISCHR(st.st_mode) &&
	     major(st.st_rdev) == 10 && minor(st.st_rdev) == 232);
	CALL("open(O_DIRECTORY)", open("/dev/kvm", O_RDWR | O_DIRECTORY));
	CALL("open(O_CREAT|O_EXCL)",
	     open("/dev/kvm", O_RDWR | O_CREAT | O_EXCL, 0600));
	fd = (int)CALLFD("openat(AT_FDCWD, /dev/kvm)",
			 openat(AT_FDCWD, "/dev/kvm", O_RDWR));
	CALL("  KVM_GET_API_VERSION", ioctl(fd, KVM_GET_API_VERSION, 0));
	close(fd);
	fd = (int)CALLFD("open(/dev/../dev/kvm, O_RDONLY)",
			 open("/dev/../dev/kvm", O_RDONLY));
	CALL("  KVM_GET_API_VERSION", ioctl(fd, KVM_GET_API_VERSION, 0));
	close(fd);
}

static void test_dup(int sys, int *vm, int *vcpu)
{
	struct kvm_regs regs;
	int d;

	printf("== dup\n");
	d = (int)CALLFD("dup(vm)", dup(*vm));
	CALL("close(vm)", close(*vm));
	CALL("KVM_CHECK_EXTENSION(USER_MEMORY) on dup",
	     ioctl(d, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY));
	*vm = d;
	d = (int)CALLFD("dup2(vcpu, 100)", dup2(*vcpu, 100));
	CALL("KVM_GET_REGS on 100", ioctl(100, KVM_GET_REGS, &regs));
	CALL("close(100)", close(100));
	CALL("KVM_GET_REGS on 100 after close", ioctl(100, KVM_GET_REGS, &regs));
	CALL("KVM_GET_REGS on vcpu", ioctl(*vcpu, KVM_GET_REGS, &regs));
	d = (int)CALLFD("fcntl(vcpu, F_DUPFD_CLOEXEC, 200)",
			fcntl(*vcpu, F_DUPFD_CLOEXEC, 200));
	CALL("  >= 200", d >= 200);
	CALL("  FD_CLOEXEC", fcntl(d, F_GETFD) & FD_CLOEXEC);
	CALL("close(vcpu)", close(*vcpu));
	CALL("KVM_GET_REGS on the F_DUPFD copy", ioctl(d, KVM_GET_REGS, &regs));
	*vcpu = d;
	d = (int)CALLFD("dup3(sys, 150, O_CLOEXEC)", dup3(sys, 150, O_CLOEXEC));
	CALL("KVM_GET_API_VERSION on 150", ioctl(150, KVM_GET_API_VERSION, 0));
	/* a KVM fd replaced by a pipe end: the pipe's answers from now on */
	{
		int p[2];

		if (pipe(p))
			exit(1);
		CALL("dup2(pipe, 150)", dup2(p[0], 150));
		CALL("KVM_GET_API_VERSION on 150", ioctl(150, KVM_GET_API_VERSION, 0));
		CALL("TCGETS on 150", ioctl(150, TCGETS, &(struct termios){ 0 }));
		close(150);
		close(p[0]);
		close(p[1]);
	}
}

static void test_fork(int sys, int vm, int vcpu)
{
	struct kvm_regs regs;
	int st, vm2;
	pid_t pid;

	printf("== fork\n");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		CALL("child: KVM_CHECK_EXTENSION on vm",
		     ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY));
		CALL("child: KVM_CREATE_VCPU on vm", ioctl(vm, KVM_CREATE_VCPU, 5));
		CALL("child: KVM_GET_REGS on vcpu", ioctl(vcpu, KVM_GET_REGS, &regs));
		CALL("child: KVM_RUN on vcpu", ioctl(vcpu, KVM_RUN, 0));
		CALL("child: KVM_GET_API_VERSION on sys",
		     ioctl(sys, KVM_GET_API_VERSION, 0));
		vm2 = (int)CALLFD("child: KVM_CREATE_VM on sys",
				  ioctl(sys, KVM_CREATE_VM, 0));
		CALLFD("child: KVM_CREATE_VCPU on its own vm",
		       ioctl(vm2, KVM_CREATE_VCPU, 0));
		_exit(0);
	}
	waitpid(pid, &st, 0);
	CALL("child exit status", WIFEXITED(st) ? WEXITSTATUS(st) : 255);
	CALL("parent: KVM_GET_REGS on vcpu", ioctl(vcpu, KVM_GET_REGS, &regs));
	CALLFD("parent: KVM_CREATE_VCPU on vm", ioctl(vm, KVM_CREATE_VCPU, 5));
}

static void test_passthrough(int sys, int vm, int vcpu)
{
	struct termios tio;
	int p[2], n = -1, m;

	printf("== other descriptors, VFS requests\n");
	if (pipe(p))
		exit(1);
	CALL("TCGETS on pipe", ioctl(p[0], TCGETS, &tio));
	if (write(p[1], "abc", 3) != 3)
		exit(1);
	CALL("FIONREAD on pipe", ioctl(p[0], FIONREAD, &n));
	CALL("  bytes", n);
	CALL("KVM_GET_API_VERSION on pipe", ioctl(p[0], KVM_GET_API_VERSION, 0));
	CALL("KVM_RUN on pipe", ioctl(p[0], KVM_RUN, 0));
	close(p[0]);
	close(p[1]);
	CALL("TCGETS on -1", ioctl(-1, TCGETS, &tio));
	CALL("KVM_GET_API_VERSION on -1", ioctl(-1, KVM_GET_API_VERSION, 0));
	CALL("KVM_GET_API_VERSION on closed fd",
	     ioctl(p[0], KVM_GET_API_VERSION, 0));
	m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m >= 0) {
		CALL("TCGETS on a pty", ioctl(m, TCGETS, &tio));
		close(m);
	}
	CALL("FIONBIO on vm", ioctl(vm, FIONBIO, &(int){ 1 }));
	CALL("  O_NONBLOCK", !!(fcntl(vm, F_GETFL) & O_NONBLOCK));
	CALL("FIOCLEX on vcpu", ioctl(vcpu, FIOCLEX));
	CALL("  FD_CLOEXEC", fcntl(vcpu, F_GETFD) & FD_CLOEXEC);
	CALL("FIONCLEX on vcpu", ioctl(vcpu, FIONCLEX));
	CALL("  FD_CLOEXEC", fcntl(vcpu, F_GETFD) & FD_CLOEXEC);
	CALL("TCGETS on sys", ioctl(sys, TCGETS, &tio));
	CALL("TCGETS on vm", ioctl(vm, TCGETS, &tio));
	CALL("TCGETS on vcpu", ioctl(vcpu, TCGETS, &tio));
}

int main(void)
{
	int sys, vm, vcpu;
	long sz;
	void *run;

	setvbuf(stdout, NULL, _IOLBF, 0);
	sys = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (sys < 0) {
		printf("SKIP: cannot open /dev/kvm: %s\n", strerror(errno));
		return 77;
	}
	test_open_flags();
	vm = ioctl(sys, KVM_CREATE_VM, 0);
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	sz = ioctl(sys, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm < 0 || vcpu < 0 || sz <= 0) {
		printf("FATAL: VM set-up: %s\n", strerror(errno));
		return 1;
	}
	run = mmap(NULL, (size_t)sz, PROT_READ | PROT_WRITE, MAP_SHARED,
		   vcpu, 0);
	CALL("mmap(vcpu) ok", run != MAP_FAILED);
	test_dup(sys, &vm, &vcpu);
	test_fork(sys, vm, vcpu);
	test_passthrough(sys, vm, vcpu);
	printf("== done\n");
	return 0;
}
