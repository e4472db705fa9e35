build-pae/src/arch/x86/msr_filter.o: src/arch/x86/msr_filter.c \
 src/arch/x86/x86_int.h src/arch/x86/cpu.h src/core/kvmu_int.h \
 include/kvmu/kvmu.h include/kvmu/export.h include/kvmu/abi/kvm_common.h \
 include/kvmu/abi/planes.h src/core/iobus.h src/core/irq.h \
 src/arch/x86/machine.h src/arch/x86/hyperv.h src/arch/x86/ioctls.def
src/arch/x86/x86_int.h:
src/arch/x86/cpu.h:
src/core/kvmu_int.h:
include/kvmu/kvmu.h:
include/kvmu/export.h:
include/kvmu/abi/kvm_common.h:
include/kvmu/abi/planes.h:
src/core/iobus.h:
src/core/irq.h:
src/arch/x86/machine.h:
src/arch/x86/hyperv.h:
src/arch/x86/ioctls.def:
