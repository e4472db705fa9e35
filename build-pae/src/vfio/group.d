build-pae/src/vfio/group.o: src/vfio/group.c src/vfio/vfio_int.h \
 src/core/kvmu_int.h include/kvmu/kvmu.h include/kvmu/export.h \
 include/kvmu/abi/kvm_common.h include/kvmu/abi/planes.h src/core/iobus.h \
 src/core/irq.h include/kvmu/abi/vfio.h include/kvmu/host.h \
 include/kvmu/vfio.h src/vfio/ioctls.def src/core/handlers.h \
 src/core/kvmu_int.h src/core/ioctls.def src/core/irq_ioctls.def \
 src/core/plane_ioctls.def
src/vfio/vfio_int.h:
src/core/kvmu_int.h:
include/kvmu/kvmu.h:
include/kvmu/export.h:
include/kvmu/abi/kvm_common.h:
include/kvmu/abi/planes.h:
src/core/iobus.h:
src/core/irq.h:
include/kvmu/abi/vfio.h:
include/kvmu/host.h:
include/kvmu/vfio.h:
src/vfio/ioctls.def:
src/core/handlers.h:
src/core/kvmu_int.h:
src/core/ioctls.def:
src/core/irq_ioctls.def:
src/core/plane_ioctls.def:
