// SPDX-License-Identifier: MIT
/*
 * `kvmu run`: boot a guest image on kvmu, a VMM in miniature.  It uses
 * only the public API (kvmu_open, kvmu_ioctl, mmap of the vCPU fd), so it
 * doubles as an example of driving kvmu the way QEMU drives /dev/kvm.
 *
 * Devices: the debug console at port 0xE9 and a transmit-only 16550 at
 * 0x3F8 print to stdout; a write to port 0xF4 (QEMU's isa-debug-exit)
 * ends the run with status (value << 1) | 1; HLT ends it with status 0.
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

#define PORT_DEBUGCON	0xE9
#define PORT_EXIT	0xF4
#define PORT_COM1	0x3F8
#define NR_EXITS	64
#define EFER_LMA_BIT	(1ULL << 10)

struct uart {
	uint8_t ier, lcr, mcr, scr;
};

struct vm {
	int sys_fd, vm_fd, vcpu_fd;
	struct kvm_run *run;
	size_t run_size;
	struct guest_ram ram;
	struct uart com1;
	unsigned long long exits[NR_EXITS];
	bool done;
	int status;
};

static volatile sig_atomic_t stop_requested;
static struct kvm_run *volatile signal_run;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
	if (signal_run)
		signal_run->immediate_exit = 1;
}

static int usage(FILE *f)
{
	fprintf(f,
"usage: kvmu run [--arch x86_64] [--mode real|long] [--mem SIZE] [--stats]\n"
"                IMAGE\n\n"
"Boot IMAGE on a kvmu software CPU.  IMAGE is an ELF64 file (started in\n"
"64-bit long mode at its entry point, with identity paging), an ELF32 or\n"
"a.out-kludge multiboot image (started as QEMU's -kernel starts it), or a\n"
"flat binary (real mode at 0000:7C00, or with --mode long at 1 MiB).\n\n"
"  --arch A      guest architecture (only x86_64 boots for now)\n"
"  --mode M      start a flat binary in real (default) or long mode\n"
"  --mem SIZE    guest RAM, e.g. 64M or 1G (default 128M)\n"
"  --stats       print instructions, exits and MIPS on stderr\n\n"
"Ports: 0xE9 debug console and COM1 (0x3F8) to stdout; a write to 0xF4\n"
"exits with status (value << 1) | 1.  HLT ends the run with status 0.\n"
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

struct options {
	enum boot_mode mode;
	uint64_t mem;
	bool stats, help;
	const char *image;
};

static int bad_arg(const char *fmt, const char *arg)
{
	fprintf(stderr, "kvmu run: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(`kvmu run --help` for usage)\n");
	return RUN_EXIT_USAGE;
}

/* 0 to go on, or the exit status (for --help and errors). */
static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "arch", required_argument, NULL, 'a' },
		{ "mode", required_argument, NULL, 'm' },
		{ "mem", required_argument, NULL, 'M' },
		{ "stats", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	*o = (struct options){ .mode = BOOT_AUTO, .mem = RAM_DEFAULT };
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			if (kvmu_arch_from_name(optarg) < 0)
				return bad_arg("unknown architecture '%s'", optarg);
			if (kvmu_arch_from_name(optarg) != KVMU_ARCH_X86_64)
				return bad_arg("cannot boot %s guests yet "
					       "(only x86_64)", optarg);
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
	if (optind != argc - 1)
		return bad_arg("%s", optind == argc ? "no IMAGE given" :
			       "one IMAGE only");
	o->image = argv[optind];
	o->mem = (o->mem + 0xFFF) & ~0xFFFULL;
	return 0;
}

static int sys_error(const char *what)
{
	fprintf(stderr, "kvmu run: %s: %s\n", what, strerror(errno));
	return -1;
}

/* System, VM, one memory slot over all of RAM at 0, one vCPU. */
static int vm_create(struct vm *vm, uint64_t mem)
{
	struct kvm_userspace_memory_region slot = { .slot = 0 };
	int size;

	vm->sys_fd = kvmu_open(KVMU_ARCH_X86_64, KVMU_OPEN_CLOEXEC);
	if (vm->sys_fd < 0)
		return sys_error("kvmu_open");
	vm->vm_fd = kvmu_ioctl(vm->sys_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0)
		return sys_error("KVM_CREATE_VM");
	vm->ram.mem = mmap(NULL, mem, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->ram.mem == MAP_FAILED) {
		vm->ram.mem = NULL;
		return sys_error("allocating guest RAM");
	}
	vm->ram.size = mem;
	slot.memory_size = mem;
	slot.userspace_addr = (uintptr_t)vm->ram.mem;
	if (kvmu_ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &slot) < 0)
		return sys_error("KVM_SET_USER_MEMORY_REGION");
	/* What Intel KVM needs for real mode; harmless elsewhere. */
	kvmu_ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, 0xFFFBD000UL);
	vm->vcpu_fd = kvmu_ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0);
	if (vm->vcpu_fd < 0)
		return sys_error("KVM_CREATE_VCPU");
	size = kvmu_ioctl(vm->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(struct kvm_run))
		return sys_error("KVM_GET_VCPU_MMAP_SIZE");
	vm->run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vm->vcpu_fd, 0);
	if (vm->run == MAP_FAILED) {
		vm->run = NULL;
		return sys_error("mmap of the vCPU");
	}
	vm->run_size = size;
	return 0;
}

static void vm_destroy(struct vm *vm)
{
	if (vm->run)
		munmap(vm->run, vm->run_size);
	if (vm->ram.mem)
		munmap(vm->ram.mem, vm->ram.size);
	if (vm->vcpu_fd >= 0)
		close(vm->vcpu_fd);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->sys_fd >= 0)
		close(vm->sys_fd);
}

/* ---- devices ---- */

static uint8_t uart_in(struct uart *u, unsigned int reg)
{
	switch (reg) {
	case 1: return u->lcr & 0x80 ? 0 : u->ier;
	case 2: return 0x01;		/* IIR: no interrupt pending */
	case 3: return u->lcr;
	case 4: return u->mcr;
	case 5: return 0x60;		/* LSR: THR and transmitter empty */
	case 6: return 0xB0;		/* MSR: DCD, DSR, CTS */
	case 7: return u->scr;
	default: return 0;		/* RBR: no input */
	}
}

static void uart_out(struct uart *u, unsigned int reg, uint8_t v)
{
	switch (reg) {
	case 0:
		if (!(u->lcr & 0x80))	/* else the divisor latch */
			putchar(v);
		break;
	case 1: if (!(u->lcr & 0x80)) u->ier = v & 0x0F; break;
	case 3: u->lcr = v; break;
	case 4: u->mcr = v; break;
	case 7: u->scr = v; break;
	}
}

static uint32_t get_le(const uint8_t *p, unsigned int size)
{
	uint32_t v = 0;

	while (size--)
		v = v << 8 | p[size];
	return v;
}

/* One element of a (possibly string) port access. */
static void pio_one(struct vm *vm, uint16_t port, bool out, uint8_t *data,
		    unsigned int size)
{
	if (out && port == PORT_EXIT) {
		vm->done = true;
		vm->status = (int)((get_le(data, size) << 1) | 1);
	} else if (port == PORT_DEBUGCON) {
		if (out)
			putchar(data[0]);
		else
			memset(data, PORT_DEBUGCON, size);
	} else if (port >= PORT_COM1 && port < PORT_COM1 + 8) {
		if (out)
			uart_out(&vm->com1, port - PORT_COM1, data[0]);
		else
			memset(data, uart_in(&vm->com1, port - PORT_COM1),
			       size);
	} else if (!out) {
		memset(data, 0xFF, size);	/* nothing there: open bus */
	}
}

static void handle_io(struct vm *vm)
{
	struct kvm_run *r = vm->run;
	uint8_t *data = (uint8_t *)r + r->io.data_offset;
	uint32_t i;

	for (i = 0; i < r->io.count && !vm->done; i++, data += r->io.size)
		pio_one(vm, r->io.port, r->io.direction == KVM_EXIT_IO_OUT,
			data, r->io.size);
}

static void handle_mmio(struct vm *vm)
{
	/* No MMIO devices: reads see open bus, writes are dropped. */
	if (!vm->run->mmio.is_write)
		memset(vm->run->mmio.data, 0xFF, sizeof(vm->run->mmio.data));
}

/* ---- ends of the run ---- */

static void guest_failed(struct vm *vm, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void guest_failed(struct vm *vm, const char *fmt, ...)
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

/* Read a guest-physical qword (identity-mapped firmware stacks only). */
static bool read_phys64(struct vm *vm, uint64_t a, uint64_t *v)
{
	if (a > vm->ram.size || vm->ram.size - a < 8)
		return false;
	memcpy(v, vm->ram.mem + a, 8);
	return true;
}

/* A HLT inside a firmware stub: an exception the guest did not handle. */
static void report_stub(struct vm *vm, int v, struct kvm_regs *regs,
			struct kvm_sregs *sregs)
{
	bool err = v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21;
	uint64_t sp = regs->rsp, code = 0, rip = 0;
	char ec[40];

	if (!(sregs->efer & EFER_LMA_BIT)) {
		guest_failed(vm, "unhandled real-mode interrupt %d%s%s%s", v,
			     *x86_vector_name(v) ? " (" : "",
			     x86_vector_name(v),
			     *x86_vector_name(v) ? ")" : "");
		return;
	}
	if (err)
		read_phys64(vm, sp, &code), sp += 8;
	if (!read_phys64(vm, sp, &rip))
		rip = ~0ULL;
	snprintf(ec, sizeof(ec), ", error code %#llx",
		 (unsigned long long)code);
	guest_failed(vm, "unhandled exception %d (%s)%s at rip %#llx, "
		     "cr2 %#llx", v, x86_vector_name(v), err ? ec : "",
		     (unsigned long long)rip, (unsigned long long)sregs->cr2);
}

static void handle_hlt(struct vm *vm)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	int v;

	if (kvmu_ioctl(vm->vcpu_fd, KVM_GET_REGS, &regs) < 0 ||
	    kvmu_ioctl(vm->vcpu_fd, KVM_GET_SREGS, &sregs) < 0) {
		guest_failed(vm, "reading registers: %s", strerror(errno));
		return;
	}
	v = x86_stub_vector(sregs.cs.base + regs.rip - 1);
	if (v >= 0) {
		report_stub(vm, v, &regs, &sregs);
		return;
	}
	/* Nothing could ever wake the guest: there is no interrupt source. */
	if (regs.rflags & (1 << 9)) {
		fflush(stdout);
		fprintf(stderr, "kvmu run: guest halted with interrupts "
			"enabled; no device can wake it, stopping\n");
	}
	vm->done = true;
	vm->status = 0;
}

/* KVM_INTERNAL_ERROR_EMULATION: name the instruction kvmu gave up on. */
static void emulation_failure(struct vm *vm)
{
	struct kvm_run *r = vm->run;
	struct kvm_regs regs = { 0 };
	char buf[64];
	int i, len = 0, n = 0;

	if (r->internal.ndata >= 2 && (r->emulation_failure.flags &
	    KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES))
		n = r->emulation_failure.insn_size;
	if (n > (int)sizeof(r->emulation_failure.insn_bytes))
		n = sizeof(r->emulation_failure.insn_bytes);
	buf[0] = '\0';
	for (i = 0; i < n; i++)
		len += snprintf(buf + len, sizeof(buf) - len, " %02x",
				r->emulation_failure.insn_bytes[i]);
	kvmu_ioctl(vm->vcpu_fd, KVM_GET_REGS, &regs);
	guest_failed(vm, "emulation failure at rip %#llx%s%s",
		     (unsigned long long)regs.rip, n ? ", instruction" : "",
		     buf);
}

static void handle_internal(struct vm *vm)
{
	struct kvm_run *r = vm->run;
	uint32_t i, n = r->internal.ndata;
	char buf[256];
	int len = 0;

	if (r->internal.suberror == KVM_INTERNAL_ERROR_EMULATION) {
		emulation_failure(vm);
		return;
	}
	if (n > sizeof(r->internal.data) / sizeof(r->internal.data[0]))
		n = sizeof(r->internal.data) / sizeof(r->internal.data[0]);
	buf[0] = '\0';
	for (i = 0; i < n && len < (int)sizeof(buf) - 20; i++)
		len += snprintf(buf + len, sizeof(buf) - len, " %#llx",
				(unsigned long long)r->internal.data[i]);
	guest_failed(vm, "internal error, suberror %u%s%s",
		     r->internal.suberror, n ? ", data" : "", buf);
}

static void handle_exit(struct vm *vm)
{
	struct kvm_run *r = vm->run;

	if (r->exit_reason < NR_EXITS)
		vm->exits[r->exit_reason]++;
	switch (r->exit_reason) {
	case KVM_EXIT_IO:
		handle_io(vm);
		break;
	case KVM_EXIT_MMIO:
		handle_mmio(vm);
		break;
	case KVM_EXIT_HLT:
		handle_hlt(vm);
		break;
	case KVM_EXIT_INTR:
		break;
	case KVM_EXIT_SHUTDOWN:
		guest_failed(vm, "guest shut down (triple fault)");
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		handle_internal(vm);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		guest_failed(vm, "entry failed, reason %#llx",
			     (unsigned long long)
			     r->fail_entry.hardware_entry_failure_reason);
		break;
	default:
		guest_failed(vm, "unexpected exit %u (%s)", r->exit_reason,
			     kvmu_exit_name(r->exit_reason) ?
			     kvmu_exit_name(r->exit_reason) : "?");
	}
}

static void run_loop(struct vm *vm)
{
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
			guest_failed(vm, "KVM_RUN: %s", strerror(errno));
			return;
		}
		handle_exit(vm);
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
static void print_stats(struct vm *vm, double wall)
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
	for (i = 0; i < NR_EXITS; i++)
		total += vm->exits[i];
	fprintf(stderr, "  exits:         %llu\n", total);
	for (i = 0; i < NR_EXITS; i++) {
		if (!vm->exits[i])
			continue;
		name = kvmu_exit_name(i);
		fprintf(stderr, "    %-13s %llu\n", name ? name : "?",
			vm->exits[i]);
	}
}

static void catch_signals(struct kvm_run *run)
{
	struct sigaction sa = { .sa_handler = on_signal };

	signal_run = run;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int kvmu_cli_run(int argc, char **argv)
{
	struct vm vm = { .sys_fd = -1, .vm_fd = -1, .vcpu_fd = -1 };
	struct options o;
	struct boot b;
	double t0;
	int ret;

	ret = parse_options(argc, argv, &o);
	if (ret || o.help)
		return ret ? ret : usage(stdout);
	if (vm_create(&vm, o.mem) < 0) {
		vm_destroy(&vm);
		return RUN_EXIT_USAGE;
	}
	if (load_image(o.image, o.mode, &vm.ram, &b) < 0 ||
	    x86_boot(vm.sys_fd, vm.vcpu_fd, &vm.ram, &b) < 0) {
		vm_destroy(&vm);
		return RUN_EXIT_USAGE;
	}
	/* Guest lines appear as they are written, even through a pipe. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	catch_signals(vm.run);
	t0 = now_s();
	run_loop(&vm);
	fflush(stdout);
	if (o.stats)
		print_stats(&vm, now_s() - t0);
	signal_run = NULL;
	vm_destroy(&vm);
	return vm.status;
}
