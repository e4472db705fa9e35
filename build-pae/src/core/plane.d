build-pae/src/core/plane.o: src/core/plane.c src/core/plane.h \
 src/core/kvmu_int.h include/kvmu/kvmu.h include/kvmu/export.h \
 include/kvmu/abi/kvm_common.h include/kvmu/abi/planes.h src/core/iobus.h \
 src/core/irq.h src/core/handlers.h src/core/ioctls.def \
 src/core/irq_ioctls.def src/core/plane_ioctls.def
src/core/plane.h:
src/core/kvmu_int.h:
include/kvmu/kvmu.h:
include/kvmu/export.h:
include/kvmu/abi/kvm_common.h:
include/kvmu/abi/planes.h:
src/core/iobus.h:
src/core/irq.h:
src/core/handlers.h:
src/core/ioctls.def:
src/core/irq_ioctls.def:
src/core/plane_ioctls.def:
