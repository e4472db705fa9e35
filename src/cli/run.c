// SPDX-License-Identifier: MIT
/*
 * `kvmu run`: boot a guest image on kvmu, a VMM in miniature.  It uses
 * only the public API (kvmu_open, kvmu_ioctl, mmap of the vCPU fd), so it
 * doubles as an example of driving kvmu the way QEMU drives /dev/kvm.
 *
 * This file is the architecture-neutral part (options, the VM, the run
 * loop, statistics); x86_run.c and s390_run.c boot their guests and
 * handle their exits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <kvmu/kvmu.h>

#include "cli.h"
#include "run.h"

/*
 * SIGINT/SIGTERM stop the run as QEMU does: the handler sets the vCPU's
 * immediate_exit, so a KVM_RUN in progress or about to start returns
 * EINTR, and records the signal the loop checks after every return.
 */
static volatile sig_atomic_t stop_signal;
static struct run_vm *volatile signal_vm;

/* Every vCPU's immediate_exit (the second byte of kvm_run on each arch). */
static void stop_vcpus(struct run_vm *vm)
{
	int i;

	for (i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i].run)
			((struct kvm_run *)vm->vcpus[i].run)->immediate_exit = 1;
}

static void on_signal(int sig)
{
	struct run_vm *vm = signal_vm;

	stop_signal = sig;
	if (vm)
		stop_vcpus(vm);
}

/* SIGUSR1 only interrupts a KVM_RUN of another vCPU thread. */
static void on_kick(int sig)
{
	(void)sig;
}

static int usage(FILE *f)
{
	fprintf(f,
"usage: kvmu run [--arch x86_64|s390x|arm64] [--mode real|long]\n"
"                [--mem SIZE] [--smp N] [--initrd FILE] [--append CMDLINE]\n"
"                [--ap MDEV-UUID] [--stats] IMAGE\n\n"
"Boot IMAGE on a kvmu software CPU.\n\n"
"x86_64 (the default): IMAGE is an ELF64 file (started in 64-bit long mode\n"
"at its entry point, with identity paging), an ELF32 or a.out-kludge\n"
"multiboot image (started as QEMU's -kernel starts it), a Linux bzImage\n"
"(64-bit boot protocol, in-kernel irqchip and PIT, ACPI tables),\n"
"or a flat binary (real mode at 0000:7C00, or with --mode long at 1 MiB),\n"
"loaded below 1 MiB when it asks to be.  Ports: 0xE9\n"
"debug console and COM1 (0x3F8) to stdout; a write to 0xF4 exits with\n"
"status (value << 1) | 1.  HLT ends the run with status 0.\n\n"
"s390x: IMAGE is a big-endian ELF64 file, started at its entry in 64-bit\n"
"mode with DAT and interruptions off.  The console is DIAGNOSE X'500':\n"
"GR1 0x100 writes GR3 bytes at GR2, GR1 0x101 exits with status\n"
"(GR2 << 1) | 1.  A disabled wait ends the run with status 0.\n\n"
"arm64: IMAGE is a little-endian ELF64 file, started at its entry at EL1h\n"
"with the MMU and interrupts off.  A PL011 UART at 0x1000000000 writes to\n"
"stdout; SMCCC call 0xC3000001 (HVC or SMC) exits with status\n"
"(x1 << 1) | 1.  PSCI SYSTEM_OFF ends the run with status 0.  An in-kernel\n"
"GICv3 has its distributor at 0x1000010000 and its redistributors from\n"
"0x1000100000.\n\n"
"  --arch A      guest architecture: x86_64, s390x or arm64\n"
"  --mode M      start a flat x86 binary in real (default) or long mode\n"
"  --mem SIZE    guest RAM, e.g. 64M or 1G (default 128M)\n"
"  --smp N       x86_64 and arm64: N vCPUs (1-64); on x86_64 more than one\n"
"                needs the in-kernel irqchip and the others wait for\n"
"                INIT/SIPI; on arm64 the others are off until PSCI CPU_ON\n"
"  --initrd FILE Linux: the initial RAM disk\n"
"  --append S    Linux: the kernel command line (default console=ttyS0)\n"
"  --ap UUID     s390x: pass the vfio_ap mediated device UUID through\n"
"  --stats       print instructions, exits and MIPS on stderr\n"
"  --dump-ram F  when the run ends, write guest RAM as the VMM sees it to F\n\n"
"Other statuses: 2 usage or image error, 4 guest crash, 128 + signal\n"
"number when stopped by SIGINT or SIGTERM.  A Linux guest's reset (port\n"
"0x64 0xFE, port 0xCF9) ends the run with status 0.\n");
	return f == stdout ? 0 : RUN_EXIT_USAGE;
}

/* "64M", "1G", "4096K", "1048576" (binary multiples); saturates. */
static int parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;
	int shift = 0;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *s == '-')
		return -1;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	}
	if (shift && !strcmp(end, "iB"))
		end += 2;
	if (*end)
		return -1;
	*out = v > (UINT64_MAX >> shift) ? UINT64_MAX : (uint64_t)v << shift;
	return 0;
}

/* 1..RUN_MAX_VCPUS, or -1. */
static int parse_smp(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > RUN_MAX_VCPUS)
		return -1;
	return (int)v;
}

static int bad_arg(const char *fmt, const char *arg)
{
	fprintf(stderr, "kvmu run: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(`kvmu run --help` for usage)\n");
	return RUN_EXIT_USAGE;
}

/* The checks that need every option seen. */
static int check_options(int argc, char **argv, struct run_options *o)
{
	if (optind != argc - 1)
		return bad_arg("%s", optind == argc ? "no IMAGE given" :
			       "one IMAGE only");
	o->image = argv[optind];
	if (o->ap_uuid && o->arch != KVMU_ARCH_S390X)
		return bad_arg("%s", "--ap needs --arch s390x");
	if (o->mode != BOOT_AUTO && o->arch != KVMU_ARCH_X86_64)
		return bad_arg("%s", "--mode applies to x86_64 guests only");
	if (o->smp > 1 && o->arch == KVMU_ARCH_S390X)
		return bad_arg("%s", "--smp applies to x86_64 and arm64 guests");
	if ((o->initrd || o->append) && o->arch != KVMU_ARCH_X86_64)
		return bad_arg("%s", "--initrd and --append apply to "
			       "x86_64 guests only");
	if (o->arch == KVMU_ARCH_S390X)
		o->mem = (o->mem + 0xFFFFF) & ~0xFFFFFULL;
	else
		o->mem = (o->mem + 0xFFF) & ~0xFFFULL;
	return 0;
}

static const struct run_arch *const arches[] = { &run_x86, &run_s390,
						  &run_arm64 };

static const struct run_arch *find_arch(int arch)
{
	size_t i;

	for (i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		if (arches[i]->arch == arch)
			return arches[i];
	return NULL;
}

/* 0 to go on, or the exit status (for --help and errors). */
static int parse_options(int argc, char **argv, struct run_options *o)
{
	static const struct option longopts[] = {
		{ "arch", required_argument, NULL, 'a' },
		{ "mode", required_argument, NULL, 'm' },
		{ "mem", required_argument, NULL, 'M' },
		{ "stats", no_argument, NULL, 's' },
		{ "ap", required_argument, NULL, 'A' },
		{ "smp", required_argument, NULL, 'S' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "append", required_argument, NULL, 'c' },
		{ "dump-ram", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	*o = (struct run_options){ .arch = KVMU_ARCH_X86_64, .smp = 1,
				   .mode = BOOT_AUTO, .mem = RAM_DEFAULT };
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			o->arch = kvmu_arch_from_name(optarg);
			if (o->arch < 0)
				return bad_arg("unknown architecture '%s'", optarg);
			if (!find_arch(o->arch))
				return bad_arg("cannot boot %s guests yet "
					       "(x86_64, s390x, arm64)", optarg);
			break;
		case 'm':
			if (!strcmp(optarg, "real"))
				o->mode = BOOT_REAL;
			else if (!strcmp(optarg, "long"))
				o->mode = BOOT_LONG;
			else
				return bad_arg("unknown mode '%s' (real or "
					       "long)", optarg);
			break;
		case 'M':
			if (parse_size(optarg, &o->mem))
				return bad_arg("bad size '%s'", optarg);
			if (o->mem < RAM_MIN || o->mem > RAM_MAX)
				return bad_arg("--mem %s: must lie between 2M "
					       "and 64G", optarg);
			break;
		case 's':
			o->stats = true;
			break;
		case 'A':
			o->ap_uuid = optarg;
			break;
		case 'S':
			o->smp = parse_smp(optarg);
			if (o->smp < 1)
				return bad_arg("--smp %s: must be 1 to 64",
					       optarg);
			break;
		case 'i':
			o->initrd = optarg;
			break;
		case 'c':
			o->append = optarg;
			break;
		case 'D':
			o->dump_ram = optarg;
			break;
		case 'h':
			o->help = true;
			return 0;
		case ':':
			return bad_arg("option '%s' needs an argument",
				       argv[optind - 1]);
		default:
			return bad_arg("unknown option '%s'", argv[optind - 1]);
		}
	}
	return check_options(argc, argv, o);
}

int run_sys_error(const char *what)
{
	fprintf(stderr, "kvmu run: %s: %s\n", what, strerror(errno));
	return -1;
}

void run_end(struct run_vm *vm, int status)
{
	int i;

	pthread_mutex_lock(&vm->end_lock);
	if (!vm->done) {
		vm->status = status;
		vm->done = true;
		stop_vcpus(vm);
		for (i = 1; i < vm->nr_vcpus; i++)
			if (vm->vcpus[i].thread)
				pthread_kill(vm->vcpus[i].thread, SIGUSR1);
		if (vm->vcpus[0].thread &&
		    !pthread_equal(pthread_self(), vm->vcpus[0].thread))
			pthread_kill(vm->vcpus[0].thread, SIGUSR1);
	}
	pthread_mutex_unlock(&vm->end_lock);
}

void run_guest_failed(struct run_vm *vm, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "kvmu run: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	run_end(vm, RUN_EXIT_GUEST);
}

/* Guest RAM: anonymous, aligned as the architecture's slots must be. */
static int ram_alloc(struct run_vm *vm, uint64_t mem, uint64_t align)
{
	uintptr_t p;

	vm->ram_map_size = mem + align;
	vm->ram_map = mmap(NULL, vm->ram_map_size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->ram_map == MAP_FAILED) {
		vm->ram_map = NULL;
		return run_sys_error("allocating guest RAM");
	}
	p = ((uintptr_t)vm->ram_map + align - 1) & ~(uintptr_t)(align - 1);
	vm->ram.mem = (uint8_t *)p;
	vm->ram.size = mem;
	return 0;
}

static int vcpu_create(struct run_vm *vm, int i)
{
	struct run_vcpu *c = &vm->vcpus[i];

	c->index = i;
	c->fd = kvmu_ioctl(vm->vm_fd, KVM_CREATE_VCPU, i);
	if (c->fd < 0)
		return run_sys_error("KVM_CREATE_VCPU");
	vm->nr_vcpus = i + 1;
	c->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      c->fd, 0);
	if (c->run == MAP_FAILED) {
		c->run = NULL;
		return run_sys_error("mmap of the vCPU");
	}
	return 0;
}

/* System, VM, one memory slot over all of RAM at 0, the vCPUs. */
static int vm_create(struct run_vm *vm, const struct run_arch *a,
		     const struct run_options *o)
{
	struct kvm_userspace_memory_region slot = { .slot = 0 };
	int size, i;

	vm->sys_fd = kvmu_open(a->arch, KVMU_OPEN_CLOEXEC);
	if (vm->sys_fd < 0)
		return run_sys_error("kvmu_open");
	vm->vm_fd = kvmu_ioctl(vm->sys_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0)
		return run_sys_error("KVM_CREATE_VM");
	if (ram_alloc(vm, o->mem, a->ram_align) < 0)
		return -1;
	slot.memory_size = o->mem;
	slot.userspace_addr = (uintptr_t)vm->ram.mem;
	if (kvmu_ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &slot) < 0)
		return run_sys_error("KVM_SET_USER_MEMORY_REGION");
	if (a->vm_setup && a->vm_setup(vm, o) < 0)
		return -1;
	size = kvmu_ioctl(vm->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < 4096)
		return run_sys_error("KVM_GET_VCPU_MMAP_SIZE");
	vm->run_size = size;
	for (i = 0; i < o->smp; i++)
		if (vcpu_create(vm, i) < 0)
			return -1;
	vm->vcpu_fd = vm->vcpus[0].fd;
	vm->run = vm->vcpus[0].run;
	return 0;
}

static void vm_destroy(struct run_vm *vm, const struct run_arch *a)
{
	int i;

	a->cleanup(vm);
	for (i = 0; i < vm->nr_vcpus; i++) {
		if (vm->vcpus[i].run)
			munmap(vm->vcpus[i].run, vm->run_size);
		if (vm->vcpus[i].fd >= 0)
			close(vm->vcpus[i].fd);
	}
	if (vm->ram_map)
		munmap(vm->ram_map, vm->ram_map_size);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->sys_fd >= 0)
		close(vm->sys_fd);
}

/* exit_reason sits at the same offset in every arch's kvm_run. */
static uint32_t exit_reason(const struct run_vcpu *c)
{
	return ((const struct kvm_run *)c->run)->exit_reason;
}

struct vcpu_loop {
	struct run_vm *vm;
	const struct run_arch *a;
	struct run_vcpu *c;
};

static void *vcpu_loop(void *arg)
{
	struct vcpu_loop *l = arg;
	struct run_vm *vm = l->vm;
	struct run_vcpu *c = l->c;
	uint32_t why;

	while (!vm->done) {
		/*
		 * After every return, not only EINTR: KVM_RUN completes a
		 * pending MMIO or PIO access before it looks at
		 * immediate_exit, and that can end in a new exit every time.
		 */
		if (stop_signal) {
			pthread_mutex_lock(&vm->end_lock);
			if (!vm->done) {
				fflush(stdout);
				fprintf(stderr, "kvmu run: interrupted by %s\n",
					stop_signal == SIGINT ? "SIGINT" :
					"SIGTERM");
			}
			pthread_mutex_unlock(&vm->end_lock);
			run_end(vm, RUN_EXIT_SIGNAL + stop_signal);
			break;
		}
		if (kvmu_ioctl(c->fd, KVM_RUN, 0) < 0) {
			/* EAGAIN: an AP woke without a SIPI yet, as in KVM */
			if (errno == EINTR || errno == EAGAIN)
				continue;
			run_guest_failed(vm, "KVM_RUN: %s", strerror(errno));
			break;
		}
		why = exit_reason(c);
		pthread_mutex_lock(&vm->lock);
		if (why < RUN_NR_EXITS)
			vm->exits[why]++;
		pthread_mutex_unlock(&vm->lock);
		if (why != KVM_EXIT_INTR)
			l->a->handle_exit(vm, c);
	}
	return NULL;
}

/* vCPU 0 on this thread, the others on their own; back when all stop. */
static void run_loop(struct run_vm *vm, const struct run_arch *a)
{
	struct vcpu_loop loops[RUN_MAX_VCPUS];
	int i;

	vm->vcpus[0].thread = pthread_self();
	for (i = 0; i < vm->nr_vcpus; i++)
		loops[i] = (struct vcpu_loop){ vm, a, &vm->vcpus[i] };
	pthread_mutex_lock(&vm->end_lock);
	for (i = 1; i < vm->nr_vcpus && !vm->done; i++)
		if (pthread_create(&vm->vcpus[i].thread, NULL, vcpu_loop,
				   &loops[i])) {
			vm->vcpus[i].thread = 0;
			pthread_mutex_unlock(&vm->end_lock);
			run_guest_failed(vm, "starting vCPU %d: %s", i,
					 strerror(errno));
			pthread_mutex_lock(&vm->end_lock);
		}
	pthread_mutex_unlock(&vm->end_lock);
	vcpu_loop(&loops[0]);
	for (i = 1; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i].thread)
			pthread_join(vm->vcpus[i].thread, NULL);
}

/* ---- statistics ---- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Stable "key: value" lines, for people and for bench/run.sh. */
static void print_stats(struct run_vm *vm, double wall)
{
	struct kvmu_vcpu_stats st = { 0 }, one;
	unsigned long long total = 0;
	bool have = true;
	const char *name;
	unsigned int i;

	/* the sums over every vCPU */
	for (i = 0; i < (unsigned int)vm->nr_vcpus && have; i++) {
		have = kvmu_vcpu_stats(vm->vcpus[i].fd, &one) == 0;
		st.instructions += one.instructions;
		st.run_ns += one.run_ns;
	}

	fprintf(stderr, "kvmu run: statistics\n");
	if (have)
		fprintf(stderr, "  instructions:  %llu\n", st.instructions);
	else
		fprintf(stderr, "  instructions:  n/a\n");
	fprintf(stderr, "  wall time:     %.6f s\n", wall);
	if (have)
		fprintf(stderr, "  in KVM_RUN:    %.6f s\n", st.run_ns / 1e9);
	if (have && wall > 0)
		fprintf(stderr, "  MIPS:          %.1f\n",
			st.instructions / wall / 1e6);
	for (i = 0; i < RUN_NR_EXITS; i++)
		total += vm->exits[i];
	fprintf(stderr, "  exits:         %llu\n", total);
	for (i = 0; i < RUN_NR_EXITS; i++) {
		if (!vm->exits[i])
			continue;
		name = kvmu_exit_name(i);
		fprintf(stderr, "    %-13s %llu\n", name ? name : "?",
			vm->exits[i]);
	}
}

static void catch_signals(struct run_vm *vm)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct sigaction kick = { .sa_handler = on_kick };

	signal_vm = vm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&kick.sa_mask);
	sigaction(SIGUSR1, &kick, NULL);
}

/* --dump-ram: the VMM's own view of guest RAM, nothing else. */
static int dump_ram(struct run_vm *vm, const char *path)
{
	FILE *f = fopen(path, "we");
	int r = 0;

	if (!f || fwrite(vm->ram.mem, 1, vm->ram.size, f) != vm->ram.size)
		r = run_sys_error(path);
	if (f && fclose(f) && !r)
		r = run_sys_error(path);
	return r;
}

int kvmu_cli_run(int argc, char **argv)
{
	struct run_vm vm = { .sys_fd = -1, .vm_fd = -1, .vcpu_fd = -1,
			     .lock = PTHREAD_MUTEX_INITIALIZER,
			     .end_lock = PTHREAD_MUTEX_INITIALIZER };
	const struct run_arch *a;
	struct run_options o;
	double t0;
	int ret;

	ret = parse_options(argc, argv, &o);
	if (ret || o.help)
		return ret ? ret : usage(stdout);
	a = find_arch(o.arch);
	if (vm_create(&vm, a, &o) < 0 || a->boot(&vm, &o) < 0) {
		vm_destroy(&vm, a);
		return RUN_EXIT_USAGE;
	}
	/* Guest lines appear as they are written, even through a pipe. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	catch_signals(&vm);
	t0 = now_s();
	run_loop(&vm, a);
	fflush(stdout);
	if (o.stats)
		print_stats(&vm, now_s() - t0);
	if (o.dump_ram && dump_ram(&vm, o.dump_ram) < 0 && !vm.status)
		vm.status = RUN_EXIT_GUEST;
	signal_vm = NULL;
	vm_destroy(&vm, a);
	return vm.status;
}
