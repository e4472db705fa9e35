build-pae/tests/unit/test_planes_mem: tests/unit/test_planes_mem.c \
 tests/unit/planes_util.h include/kvmu/kvmu.h include/kvmu/export.h \
 include/kvmu/abi/planes.h include/kvmu/abi/kvm_common.h \
 tests/lib/x86_guest.h
tests/unit/planes_util.h:
include/kvmu/kvmu.h:
include/kvmu/export.h:
include/kvmu/abi/planes.h:
include/kvmu/abi/kvm_common.h:
tests/lib/x86_guest.h:
