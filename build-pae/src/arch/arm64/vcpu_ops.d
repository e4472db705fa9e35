build-pae/src/arch/arm64/vcpu_ops.o: src/arch/arm64/vcpu_ops.c \
 src/arch/arm64/arm64.h src/core/kvmu_int.h include/kvmu/kvmu.h \
 include/kvmu/export.h include/kvmu/abi/kvm_common.h \
 include/kvmu/abi/planes.h src/core/iobus.h src/core/irq.h \
 include/kvmu/abi/arm64.h src/arch/arm64/vgic.h src/arch/arm64/sysreg.def \
 src/arch/arm64/insn.def src/arch/arm64/arm64_handlers.h \
 src/arch/arm64/ioctls.def src/arch/arm64/psci.h
src/arch/arm64/arm64.h:
src/core/kvmu_int.h:
include/kvmu/kvmu.h:
include/kvmu/export.h:
include/kvmu/abi/kvm_common.h:
include/kvmu/abi/planes.h:
src/core/iobus.h:
src/core/irq.h:
include/kvmu/abi/arm64.h:
src/arch/arm64/vgic.h:
src/arch/arm64/sysreg.def:
src/arch/arm64/insn.def:
src/arch/arm64/arm64_handlers.h:
src/arch/arm64/ioctls.def:
src/arch/arm64/psci.h:
