build-pae/src/arch/s390/ap.o: src/arch/s390/ap.c src/arch/s390/s390.h \
 src/core/kvmu_int.h include/kvmu/kvmu.h include/kvmu/export.h \
 include/kvmu/abi/kvm_common.h include/kvmu/abi/planes.h src/core/iobus.h \
 src/core/irq.h include/kvmu/abi/s390.h include/kvmu/host.h \
 src/core/tblock.h src/core/kvmu_int.h src/arch/s390/insn.def \
 src/arch/s390/memfast.h
src/arch/s390/s390.h:
src/core/kvmu_int.h:
include/kvmu/kvmu.h:
include/kvmu/export.h:
include/kvmu/abi/kvm_common.h:
include/kvmu/abi/planes.h:
src/core/iobus.h:
src/core/irq.h:
include/kvmu/abi/s390.h:
include/kvmu/host.h:
src/core/tblock.h:
src/core/kvmu_int.h:
src/arch/s390/insn.def:
src/arch/s390/memfast.h:
