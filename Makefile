# kvmu: one GNU Makefile.  `make` builds the library, the CLI and the shim;
# `make check` runs the whole suite, then again under ASan+UBSan.
# Sources are found by wildcard: a new file in a listed folder needs no edit.

PREFIX ?= /usr/local
BUILD ?= build
CC ?= cc
SAN ?=
V ?= 0

VERSION := 0.1.0
comma := ,
Q := $(if $(filter 1,$(V)),,@)

# The packages' flags are asked for when a recipe first needs them, never
# while this file is parsed: on a fresh machine `make demo` and `make check`
# install the packages (scripts/deps.sh) before anything is compiled.
# lazy NAME: on first expansion, NAME becomes the simple variable $(NAME_q).
lazy = $(eval $(1) := $$(shell $$($(1)_q)))$($(1))
DEP_CFLAGS_q = pkg-config --cflags fuse3 libcrypto 2>/dev/null
DEP_PKG_LIBS_q = pkg-config --libs fuse3 libcrypto 2>/dev/null
CMOCKA_LIBS_q = pkg-config --libs cmocka 2>/dev/null
DEP_CFLAGS = $(call lazy,DEP_CFLAGS)
DEP_PKG_LIBS = $(call lazy,DEP_PKG_LIBS)
CMOCKA_LIBS = $(call lazy,CMOCKA_LIBS)
DEP_LIBS = -lZydis $(DEP_PKG_LIBS) -lpthread -lm

WARN := -Wall -Wextra -Werror -Wshadow -Wno-missing-field-initializers
CFLAGS ?= -O2 -g
# Hidden by default: the shared objects export only what include/kvmu/*.h
# marks KVMU_API (and the shim's libc entry points, SHIM_ENTRY).
ALL_CFLAGS = -std=gnu17 $(CFLAGS) $(WARN) -fPIC -fvisibility=hidden -pthread \
	-Iinclude -Isrc/core -Isrc $(DEP_CFLAGS) -MMD -MP
ifeq ($(SAN),1)
ALL_CFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
LDSAN := -fsanitize=address,undefined
endif
ifeq ($(SAN),thread)
ALL_CFLAGS += -fsanitize=thread -fno-omit-frame-pointer
LDSAN := -fsanitize=thread
endif
LDFLAGS_ALL := $(LDFLAGS) $(LDSAN) -pthread

LIB_SRCS := $(wildcard src/core/*.c src/arch/*/*.c src/host/*/*.c src/vfio/*.c)
CLI_SRCS := $(wildcard src/cli/*.c)
SHIM_SRCS := $(wildcard src/shim/*.c)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
TESTLIB_SRCS := $(wildcard tests/lib/*.c)
API_SRCS := $(wildcard tests/api/*_test.c)

LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
CLI_OBJS := $(CLI_SRCS:%.c=$(BUILD)/%.o)
SHIM_OBJS := $(SHIM_SRCS:%.c=$(BUILD)/%.o)
TESTLIB_OBJS := $(TESTLIB_SRCS:%.c=$(BUILD)/%.o)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%)
API_KVMU_BINS := $(API_SRCS:tests/api/%.c=$(BUILD)/tests/api/kvmu/%)
API_KVM_BINS := $(API_SRCS:tests/api/%.c=$(BUILD)/tests/api/kvm/%)

LIBA := $(BUILD)/libkvmu.a
# libkvmu.so -> libkvmu.so.0 (the soname) -> libkvmu.so.$(VERSION)
LIBSO := $(BUILD)/libkvmu.so
LIBSO_0 := $(BUILD)/libkvmu.so.0
LIBSO_REAL := $(BUILD)/libkvmu.so.$(VERSION)
SHIM := $(BUILD)/libkvmu-preload.so
CLI := $(BUILD)/kvmu
PC := $(BUILD)/kvmu.pc
PC_UNINST := $(BUILD)/kvmu-uninstalled.pc

.PHONY: all deps check check-run tests demo demo-linux linux-clients bench \
	install clean tsan fuzz \
	difftest difftest-s390 guests
all: $(LIBA) $(LIBSO) $(CLI) $(PC) $(PC_UNINST) $(if $(SHIM_OBJS),$(SHIM))

deps:
	$(Q)sh scripts/deps.sh

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIBA): $(LIB_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

$(LIBSO_REAL): $(LIB_OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) -shared -Wl,-soname,libkvmu.so.0 -o $@ $^ $(LDFLAGS_ALL) $(DEP_LIBS)

$(LIBSO_0): $(LIBSO_REAL)
	$(Q)ln -sf $(notdir $<) $@

$(LIBSO): $(LIBSO_0)
	$(Q)ln -sf $(notdir $<) $@

$(CLI): $(CLI_OBJS) $(LIBA)
	@echo "  LD      $@"
	$(Q)$(CC) -o $@ $(CLI_OBJS) $(LIBA) $(LDFLAGS_ALL) $(DEP_LIBS)

$(SHIM): $(SHIM_OBJS) $(LIB_OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) -shared -o $@ $(SHIM_OBJS) $(LIB_OBJS) $(LDFLAGS_ALL) $(DEP_LIBS) -ldl

# pc_file PREFIX,LIBDIR,INCLUDEDIR,RPATH: the lines of a kvmu.pc.
pc_file = printf '%s\n' 'prefix=$(1)' 'libdir=$(2)' 'includedir=$(3)' '' \
	'Name: kvmu' 'Description: the Linux KVM API in user space' \
	'Version: $(VERSION)' 'Libs: -L$${libdir} $(4)-lkvmu' \
	'Libs.private: $(DEP_LIBS)' 'Requires.private: fuse3 libcrypto' \
	'Cflags: -I$${includedir}'

$(PC): Makefile
	@mkdir -p $(BUILD)
	$(Q)$(call pc_file,$(PREFIX),$${prefix}/lib,$${prefix}/include,) > $@

# The build tree as a package: PKG_CONFIG_PATH=build finds it before
# kvmu.pc.  The rpath lets a program linked here run without
# LD_LIBRARY_PATH.
$(PC_UNINST): Makefile
	@mkdir -p $(BUILD)
	$(Q)$(call pc_file,$(CURDIR),$(abspath $(BUILD)),$(CURDIR)/include,-Wl$(comma)-rpath$(comma)$${libdir} ) > $@

# ---- tests ----
$(BUILD)/tests/unit/%: tests/unit/%.c $(LIBA) $(TESTLIB_OBJS)
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/lib -o $@ $< $(TESTLIB_OBJS) $(LIBA) \
		$(LDFLAGS_ALL) $(DEP_LIBS) $(CMOCKA_LIBS)

$(BUILD)/tests/api/kvmu/%: tests/api/%.c tests/api/kvm_api.h $(LIBA)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -DKVMU -Itests/api -o $@ $< $(LIBA) \
		$(LDFLAGS_ALL) $(DEP_LIBS)

$(BUILD)/tests/api/kvm/%: tests/api/%.c tests/api/kvm_api.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/api -o $@ $< $(LDFLAGS_ALL)

guests:
	$(Q)$(MAKE) --no-print-directory -C tests/guests BUILD=$(abspath $(BUILD))/guests

# ---- differential instruction tester: kvmu vs /dev/kvm ----
DIFF_SRCS := $(wildcard tests/diff/*.c)
DIFF_BIN := $(BUILD)/tests/diff/difftest
N ?= 100000
SEED ?= 1

$(DIFF_BIN): $(DIFF_SRCS) $(wildcard tests/diff/*.h) $(TESTLIB_OBJS) $(LIBA)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(filter-out -MMD -MP,$(ALL_CFLAGS)) -Itests/lib -o $@ \
		$(DIFF_SRCS) $(TESTLIB_OBJS) $(LIBA) $(LDFLAGS_ALL) $(DEP_LIBS)

difftest: $(DIFF_BIN)
	$(Q)$(DIFF_BIN) -n $(N) -s $(SEED)

# The JIT against the reference interpreter (docs/engine.md): random
# sequences, then the JIT fuzz (self-modifying code, page-table changes).
.PHONY: difftest-jit jitfuzz
difftest-jit: $(DIFF_BIN)
	$(Q)$(DIFF_BIN) -E jit -n $(N) -s $(SEED) -l 24
jitfuzz: $(DIFF_BIN)
	$(Q)$(DIFF_BIN) -j -n $(N) -s $(SEED) -l 24

# ---- s390x differential tester: kvmu vs qemu-s390x (docs/s390x-difftest.md)
# The harness is a freestanding s390x program; without Debian's cross
# compiler it is not built and the tester skips.
DS390_DIR := tests/diff/s390
DS390_BIN := $(BUILD)/$(DS390_DIR)/difftest-s390
DS390_HARNESS := $(BUILD)/$(DS390_DIR)/harness.elf
S390_CC := s390x-linux-gnu-gcc
HAVE_S390_CC := $(shell command -v $(S390_CC) 2>/dev/null)
DS390_TARGETS := $(DS390_BIN) $(if $(HAVE_S390_CC),$(DS390_HARNESS))

$(DS390_BIN): $(filter-out %/harness.c,$(wildcard $(DS390_DIR)/*.c)) \
		$(wildcard $(DS390_DIR)/*.h) $(LIBA)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(filter-out -MMD -MP,$(ALL_CFLAGS)) -o $@ \
		$(filter %.c,$^) $(LIBA) $(LDFLAGS_ALL) $(DEP_LIBS)

$(DS390_HARNESS): $(DS390_DIR)/harness.c $(DS390_DIR)/layout.h
	@mkdir -p $(dir $@)
	@echo "  S390CC  $@"
	$(Q)$(S390_CC) -std=gnu17 -march=z10 -O2 -ffreestanding -fno-builtin \
		-nostdlib -static -fno-pic -no-pie -fno-stack-protector \
		-fno-asynchronous-unwind-tables $(WARN) -Wl,--build-id=none \
		-o $@ $<

difftest-s390: $(DS390_TARGETS)
	$(Q)$(DS390_BIN) -H $(DS390_HARNESS) -n $(N) -s $(SEED)

# ---- arm64 differential tester: kvmu vs qemu-aarch64 (docs/arm64.md) ----
# The harness is a freestanding AArch64 program; without Debian's cross
# compiler it is not built and the tester skips.
DA64_DIR := tests/diff/arm64
DA64_BIN := $(BUILD)/$(DA64_DIR)/difftest-arm64
DA64_HARNESS := $(BUILD)/$(DA64_DIR)/harness.elf
A64_CC := aarch64-linux-gnu-gcc
HAVE_A64_CC := $(shell command -v $(A64_CC) 2>/dev/null)
DA64_TARGETS := $(DA64_BIN) $(if $(HAVE_A64_CC),$(DA64_HARNESS))

$(DA64_BIN): $(filter-out %/harness.c,$(wildcard $(DA64_DIR)/*.c)) \
		$(wildcard $(DA64_DIR)/*.h) $(LIBA)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(filter-out -MMD -MP,$(ALL_CFLAGS)) -o $@ \
		$(filter %.c,$^) $(LIBA) $(LDFLAGS_ALL) $(DEP_LIBS)

$(DA64_HARNESS): $(DA64_DIR)/harness.c $(DA64_DIR)/layout.h
	@mkdir -p $(dir $@)
	@echo "  A64CC   $@"
	$(Q)$(A64_CC) -std=gnu17 -O2 -ffreestanding -fno-builtin -nostdlib \
		-static -fno-pic -no-pie -fno-stack-protector \
		-fno-asynchronous-unwind-tables $(WARN) -Wl,--build-id=none \
		-o $@ $<

.PHONY: difftest-arm64
difftest-arm64: $(DA64_TARGETS)
	$(Q)$(DA64_BIN) -H $(DA64_HARNESS) -n $(N) -s $(SEED)

tests: all guests $(UNIT_BINS) $(API_KVMU_BINS) $(API_KVM_BINS) $(DIFF_BIN) \
	$(DS390_TARGETS) $(DA64_TARGETS)

# The fuzz smoke test's own build first, outside the test's timeout (a
# failure or skip there is the test's to report).
check-run: tests
	$(Q)BUILD=$(BUILD) sh tests/shell/fuzz_smoke.sh build >/dev/null || :
	$(Q)BUILD=$(BUILD) KVMU_SAN=$(SAN) sh tests/run.sh

check: deps
	$(Q)$(MAKE) --no-print-directory check-run
	@echo "== again under AddressSanitizer + UndefinedBehaviorSanitizer =="
	$(Q)ASAN_OPTIONS=detect_leaks=1 $(MAKE) --no-print-directory \
		BUILD=build-san SAN=1 check-run

tsan: deps
	$(Q)$(MAKE) --no-print-directory BUILD=build-tsan SAN=thread \
		CFLAGS="-O1 -g" check-run

# deps first, then a new make: its flags come from the packages deps.sh
# just installed, and nothing is compiled while deps.sh still runs (-j).
demo: deps
	$(Q)$(MAKE) --no-print-directory all guests
	$(Q)sh scripts/demo.sh $(BUILD)

# Linux under `kvmu run`: Debian's cloud kernel (apt-get download) and a
# busybox initramfs (scripts/linux-guest.sh), two vCPUs; the guest's /init
# reboots at the end, which ends the run.
LINUX_GUEST := $(BUILD)/linux-guest
demo-linux: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)sh scripts/linux-guest.sh $(LINUX_GUEST)
	$(BUILD)/kvmu run --smp 2 --mem 256M \
		--initrd $(LINUX_GUEST)/initramfs.cpio.gz \
		--append 'console=ttyS0 panic=-1' $(LINUX_GUEST)/vmlinuz

# Linux under unmodified QEMU through the shim, every irqchip mode: the
# default (in-kernel, as in make check), kernel_irqchip=split and =off
# (tests/shell/linux_qemu.sh says why =off runs one vCPU).
linux-clients: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)for m in "" split off; do echo "linux_qemu.sh irqchip=$${m:-on}"; \
		KVMU_QEMU_IRQCHIP=$$m BUILD=$(BUILD) \
		sh tests/shell/linux_qemu.sh || exit 1; done

bench: deps
	$(Q)$(MAKE) --no-print-directory all guests
	$(Q)sh bench/run.sh $(BUILD)

install: all
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/bin \
		$(DESTDIR)$(PREFIX)/include/kvmu/abi
	install -m 644 $(LIBA) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(LIBSO_REAL) $(DESTDIR)$(PREFIX)/lib/
	ln -sf $(notdir $(LIBSO_REAL)) $(DESTDIR)$(PREFIX)/lib/libkvmu.so.0
	ln -sf libkvmu.so.0 $(DESTDIR)$(PREFIX)/lib/libkvmu.so
	$(if $(SHIM_OBJS),install -m 755 $(SHIM) $(DESTDIR)$(PREFIX)/lib/)
	install -m 755 $(CLI) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 include/kvmu/*.h $(DESTDIR)$(PREFIX)/include/kvmu/
	install -m 644 include/kvmu/abi/*.h $(DESTDIR)$(PREFIX)/include/kvmu/abi/
	sed 's|^prefix=.*|prefix=$(PREFIX)|' $(PC) > $(DESTDIR)$(PREFIX)/lib/pkgconfig/kvmu.pc

# ---- the kernel's KVM selftests through the shim (long; not in check) ----
# Debian's linux-source-6.1, built under build-selftests/ (outside $(BUILD): its
# .d files must not be read by this Makefile); the table goes
# to docs/selftests.md (scripts/selftests.sh).
.PHONY: selftests
selftests: all
	$(Q)sh scripts/selftests.sh $(BUILD)

# ---- fuzzing: clang + libFuzzer, its own tree (build-fuzz) ----
FUZZ_BUILD := build-fuzz
FUZZ_CC ?= clang
FUZZ_TIME ?= 60
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
FUZZ_BIN := $(FUZZ_BUILD)/fuzz_ioctl

.PHONY: fuzz-lib
fuzz-lib:
	$(Q)$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) \
		CFLAGS="-O1 -g -fsanitize=fuzzer-no-link $(FUZZ_SAN)" \
		$(FUZZ_BUILD)/libkvmu.a

$(FUZZ_BIN): fuzz-lib $(wildcard tests/fuzz/*.c tests/fuzz/*.h)
	@echo "  LD      $@"
	$(Q)$(FUZZ_CC) -std=gnu17 -O1 -g $(WARN) -Iinclude -Itests/fuzz -o $@ \
		$(wildcard tests/fuzz/*.c) $(FUZZ_BUILD)/libkvmu.a \
		-fsanitize=fuzzer $(FUZZ_SAN) $(DEP_LIBS) -pthread

fuzz: $(FUZZ_BIN)
	@mkdir -p $(FUZZ_BUILD)/corpus
	$(FUZZ_BIN) -max_total_time=$(FUZZ_TIME) $(FUZZ_BUILD)/corpus \
		tests/fuzz/corpus

clean:
	rm -rf build build-san build-tsan build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
