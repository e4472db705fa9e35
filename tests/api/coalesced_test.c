// SPDX-License-Identifier: MIT
/*
 * Coalesced MMIO and PIO: REGISTER/UNREGISTER argument checks, then a
 * real-mode guest whose writes into a zone are queued in the ring (mapped
 * from the vCPU fd at KVM_COALESCED_MMIO_PAGE_OFFSET) without an exit,
 * while reads, writes straddling a zone's end and writes outside every
 * zone exit as usual.  200 writes overflow the ring: the write that finds
 * it full exits as ordinary MMIO.  At the exit on port 0x82 the MMIO zone
 * is unregistered, so the last write exits.
 */
#include "kvm_api.h"

#define CODE	0x1000
#define ZONE	0x20000
#define ZSIZE	0x800	/* half a page: a straddling write is one access */

static const uint8_t guest[] = {
	0xb8, 0x00, 0x20,                       /* mov ax,0x2000 */
	0x8e, 0xc0,                             /* mov es,ax */
	/* mov dword es:0x0,0x11111111 */
	0x26, 0x66, 0xc7, 0x06, 0x00, 0x00, 0x11, 0x11, 0x11, 0x11,
	/* mov word es:0x8,0x2222 */
	0x26, 0xc7, 0x06, 0x08, 0x00, 0x22, 0x22,
	0x26, 0xc6, 0x06, 0xff, 0x07, 0x33,     /* mov byte es:0x7ff,0x33 */
	0xb0, 0x44,                             /* mov al,0x44 */
	0xe6, 0x70,                             /* out 0x70,al */
	0xb8, 0x55, 0x55,                       /* mov ax,0x5555 */
	0xe7, 0x72,                             /* out 0x72,ax */
	0xb0, 0x66,                             /* mov al,0x66 */
	0xe6, 0x80,                             /* out 0x80,al */
	/* mov dword es:0x7fe,0x77777777 */
	0x26, 0x66, 0xc7, 0x06, 0xfe, 0x07, 0x77, 0x77, 0x77, 0x77,
	0x26, 0x66, 0xa1, 0x10, 0x00,           /* mov eax,es:0x10 */
	0xe4, 0x70,                             /* in al,0x70 */
	0xe6, 0x81,                             /* out 0x81,al */
	0xb9, 0xc8, 0x00,                       /* mov cx,0xc8 */
	0x30, 0xc0,                             /* xor al,al */
	0x26, 0xa2, 0x00, 0x01,                 /* mov es:0x100,al */
	0xfe, 0xc0,                             /* inc al */
	0xe2, 0xf8,                             /* loop: back to mov es:0x100 */
	0xe6, 0x82,                             /* out 0x82,al */
	0x26, 0xc6, 0x06, 0x00, 0x02, 0x88,     /* mov byte es:0x200,0x88 */
	0xf4,                                   /* hlt */
};

static long zone_ioctl(int vm, unsigned long req, __u64 addr, __u32 size,
		       __u32 pio)
{
	struct kvm_coalesced_mmio_zone z = {
		.addr = addr, .size = size, .pio = pio,
	};

	return KVM_IOCTL(vm, req, &z);
}

static void test_register(int vm)
{
	const unsigned long reg = KVM_REGISTER_COALESCED_MMIO;
	const unsigned long unreg = KVM_UNREGISTER_COALESCED_MMIO;

	T("== register/unregister\n");
	CALL("REGISTER pio=2", zone_ioctl(vm, reg, ZONE, ZSIZE, 2));
	CALL("REGISTER pio=-1", zone_ioctl(vm, reg, ZONE, ZSIZE, ~0u));
	CALL("UNREGISTER never registered", zone_ioctl(vm, unreg, 0x30000,
						      PAGE, 0));
	CALL("REGISTER mmio 0x30000+4K", zone_ioctl(vm, reg, 0x30000, PAGE,
						    0));
	CALL("UNREGISTER mmio 0x30000+4K", zone_ioctl(vm, unreg, 0x30000,
						      PAGE, 0));
	CALL("REGISTER NULL", KVM_IOCTL(vm, reg, NULL));
	CALL("REGISTER mmio zone", zone_ioctl(vm, reg, ZONE, ZSIZE, 0));
	CALL("REGISTER pio ports 0x70-0x73", zone_ioctl(vm, reg, 0x70, 4, 1));
}

static void print_entry(const struct kvm_coalesced_mmio *e)
{
	T("  %s addr=0x%llx len=%u data=", e->pio ? "pio " : "mmio",
	  (unsigned long long)e->phys_addr, e->len);
	print_bytes(e->data, e->len <= 8 ? e->len : 8);
	T("\n");
}

/* Print and consume the ring, as a VMM does after every exit. */
static void drain(struct kvm_coalesced_mmio_ring *ring)
{
	const __u32 max = (PAGE - sizeof(*ring)) /
			  sizeof(ring->coalesced_mmio[0]);
	__u32 n = (ring->last + max - ring->first) % max, i;

	T("  ring: %u entries\n", n);
	for (i = 0; i < n; i++) {
		__u32 k = (ring->first + i) % max;

		if (n <= 6 || i == 0 || i == n - 1)
			print_entry(&ring->coalesced_mmio[k]);
	}
	ring->first = ring->last;
}

static void run(struct tvm *t, struct kvm_coalesced_mmio_ring *ring)
{
	struct kvm_run *r = t->run;
	int i;

	T("== run\n");
	for (i = 0; i < 20; i++) {
		if (run_once(t) < 0)
			return;
		drain(ring);
		if (r->exit_reason == KVM_EXIT_IO && r->io.port == 0x82)
			CALL("UNREGISTER mmio zone",
			     zone_ioctl(t->vm, KVM_UNREGISTER_COALESCED_MMIO,
					ZONE, ZSIZE, 0));
		else if (r->exit_reason == KVM_EXIT_IO &&
			 r->io.direction == KVM_EXIT_IO_IN)
			fill_in_data(r, 0x99);
		else if (r->exit_reason == KVM_EXIT_MMIO && !r->mmio.is_write)
			memset(r->mmio.data, 0xaa, 8);
		else if (r->exit_reason != KVM_EXIT_IO &&
			 r->exit_reason != KVM_EXIT_MMIO)
			return;
	}
}

int main(void)
{
	struct kvm_coalesced_mmio_ring *ring;
	struct tvm t;

	setvbuf(stdout, NULL, _IOLBF, 0);
	tvm_create(&t, 0x10000);
	REQUIRE_CAP(t.sys, COALESCED_MMIO);
	REQUIRE_CAP(t.sys, COALESCED_PIO);
	tvm_add_vcpu(&t, 0);
	CALL("CHECK_EXTENSION(COALESCED_MMIO)",
	     KVM_IOCTL(t.sys, KVM_CHECK_EXTENSION, KVM_CAP_COALESCED_MMIO));
	ring = (void *)((uint8_t *)t.run +
			KVM_COALESCED_MMIO_PAGE_OFFSET * PAGE);
	test_register(t.vm);
	memcpy(t.mem + CODE, guest, sizeof(guest));
	tvm_real_mode(&t, CODE, 0x8000);
	run(&t, ring);
	tvm_destroy(&t);
	return 0;
}
