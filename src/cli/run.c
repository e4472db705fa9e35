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

static volatile sig_atomic_t stop_requested;
static volatile uint8_t *volatile signal_exit;	/* immediate_exit */

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
	if (signal_exit)
		*signal_exit = 1;
}

static int usage(FILE *f)
{
	fprintf(f,
"usage: kvmu run [--arch x86_64|s390x|arm64] [--mode real|long]\n"
"                [--mem SIZE]"
" [--ap MDEV-UUID] [--stats] IMAGE\n\n"
"Boot IMAGE on a kvmu software CPU.\n\n"
"x86_64 (the default): IMAGE is an ELF64 file (started in 64-bit long mode\n"
"at its entry point, with identity paging), an ELF32 or a.out-kludge\n"
"multiboot image (started as QEMU's -kernel starts it), or a flat binary\n"
"(real mode at 0000:7C00, or with --mode long at 1 MiB).  Ports: 0xE9\n"
"debug console and COM1 (0x3F8) to stdout; a write to 0xF4 exits with\n"
"status (value << 1) | 1.  HLT ends the run with status 0.\n\n"
"s390x: IMAGE is a big-endian ELF64 file, started at its entry in 64-bit\n"
"mode with DAT and interruptions off.  The console is DIAGNOSE X'500':\n"
"GR1 0x100 writes GR3 bytes at GR2, GR1 0x101 exits with status\n"
"(GR2 << 1) | 1.  A disabled wait ends the run with status 0.\n\n"
"arm64: IMAGE is a little-endian ELF64 file, started at its entry at EL1h\n"
"with the MMU and interrupts off.  A PL011 UART at 0x1000000000 writes to\n"
"stdout; SMCCC call 0xC3000001 (HVC or SMC) exits with status\n"
"(x1 << 1) | 1.  PSCI SYSTEM_OFF ends the run with status 0.\n\n"
"  --arch A      guest architecture: x86_64, s390x or arm64\n"
"  --mode M      start a flat x86 binary in real (default) or long mode\n"
"  --mem SIZE    guest RAM, e.g. 64M or 1G (default 128M)\n"
"  --ap UUID     s390x: pass the vfio_ap mediated device UUID through\n"
"  --stats       print instructions, exits and MIPS on stderr\n\n"
"Other statuses: 2 usage or image error, 4 guest crash, 130 interrupted.\n");
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
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	*o = (struct run_options){ .arch = KVMU_ARCH_X86_64,
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

void run_guest_failed(struct run_vm *vm, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "kvmu run: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	vm->done = true;
	vm->status = RUN_EXIT_GUEST;
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

/* System, VM, one memory slot over all of RAM at 0, one vCPU. */
static int vm_create(struct run_vm *vm, const struct run_arch *a,
		     uint64_t mem)
{
	struct kvm_userspace_memory_region slot = { .slot = 0 };
	int size;

	vm->sys_fd = kvmu_open(a->arch, KVMU_OPEN_CLOEXEC);
	if (vm->sys_fd < 0)
		return run_sys_error("kvmu_open");
	vm->vm_fd = kvmu_ioctl(vm->sys_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0)
		return run_sys_error("KVM_CREATE_VM");
	if (ram_alloc(vm, mem, a->ram_align) < 0)
		return -1;
	slot.memory_size = mem;
	slot.userspace_addr = (uintptr_t)vm->ram.mem;
	if (kvmu_ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &slot) < 0)
		return run_sys_error("KVM_SET_USER_MEMORY_REGION");
	vm->vcpu_fd = kvmu_ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0);
	if (vm->vcpu_fd < 0)
		return run_sys_error("KVM_CREATE_VCPU");
	size = kvmu_ioctl(vm->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < 4096)
		return run_sys_error("KVM_GET_VCPU_MMAP_SIZE");
	vm->run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vm->vcpu_fd, 0);
	if (vm->run == MAP_FAILED) {
		vm->run = NULL;
		return run_sys_error("mmap of the vCPU");
	}
	vm->run_size = size;
	return 0;
}

static void vm_destroy(struct run_vm *vm, const struct run_arch *a)
{
	a->cleanup(vm);
	if (vm->run)
		munmap(vm->run, vm->run_size);
	if (vm->ram_map)
		munmap(vm->ram_map, vm->ram_map_size);
	if (vm->vcpu_fd >= 0)
		close(vm->vcpu_fd);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->sys_fd >= 0)
		close(vm->sys_fd);
}

/* exit_reason sits at the same offset in every arch's kvm_run. */
static uint32_t exit_reason(const struct run_vm *vm)
{
	return ((const struct kvm_run *)vm->run)->exit_reason;
}

static void run_loop(struct run_vm *vm, const struct run_arch *a)
{
	uint32_t why;

	while (!vm->done) {
		if (kvmu_ioctl(vm->vcpu_fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR && !stop_requested)
				continue;
			if (errno == EINTR) {
				fflush(stdout);
				fprintf(stderr, "kvmu run: interrupted\n");
				vm->status = RUN_EXIT_SIGNAL;
				return;
			}
			run_guest_failed(vm, "KVM_RUN: %s", strerror(errno));
			return;
		}
		why = exit_reason(vm);
		if (why < RUN_NR_EXITS)
			vm->exits[why]++;
		if (why != KVM_EXIT_INTR)
			a->handle_exit(vm);
	}
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
	struct kvmu_vcpu_stats st;
	bool have = kvmu_vcpu_stats(vm->vcpu_fd, &st) == 0;
	unsigned long long total = 0;
	const char *name;
	unsigned int i;

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

	/* immediate_exit is the second byte of kvm_run on every arch */
	signal_exit = &((struct kvm_run *)vm->run)->immediate_exit;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int kvmu_cli_run(int argc, char **argv)
{
	struct run_vm vm = { .sys_fd = -1, .vm_fd = -1, .vcpu_fd = -1 };
	const struct run_arch *a;
	struct run_options o;
	double t0;
	int ret;

	ret = parse_options(argc, argv, &o);
	if (ret || o.help)
		return ret ? ret : usage(stdout);
	a = find_arch(o.arch);
	if (vm_create(&vm, a, o.mem) < 0 || a->boot(&vm, &o) < 0) {
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
	signal_exit = NULL;
	vm_destroy(&vm, a);
	return vm.status;
}
