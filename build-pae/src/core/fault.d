build-pae/src/core/fault.o: src/core/fault.c src/core/kvmu_int.h \
 include/kvmu/kvmu.h include/kvmu/export.h include/kvmu/abi/kvm_common.h \
 include/kvmu/abi/planes.h src/core/iobus.h src/core/irq.h
src/core/kvmu_int.h:
include/kvmu/kvmu.h:
include/kvmu/export.h:
include/kvmu/abi/kvm_common.h:
include/kvmu/abi/planes.h:
src/core/iobus.h:
src/core/irq.h:
