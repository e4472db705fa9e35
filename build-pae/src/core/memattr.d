build-pae/src/core/memattr.o: src/core/memattr.c src/core/plane.h \
 src/core/kvmu_int.h include/kvmu/kvmu.h include/kvmu/export.h \
 include/kvmu/abi/kvm_common.h include/kvmu/abi/planes.h src/core/iobus.h \
 src/core/irq.h
src/core/plane.h:
src/core/kvmu_int.h:
include/kvmu/kvmu.h:
include/kvmu/export.h:
include/kvmu/abi/kvm_common.h:
include/kvmu/abi/planes.h:
src/core/iobus.h:
src/core/irq.h:
