build-pae/src/arch/x86/ioapic.o: src/arch/x86/ioapic.c \
 src/arch/x86/irqchip.h src/core/kvmu_int.h include/kvmu/kvmu.h \
 include/kvmu/export.h include/kvmu/abi/kvm_common.h \
 include/kvmu/abi/planes.h src/core/iobus.h src/core/irq.h
src/arch/x86/irqchip.h:
src/core/kvmu_int.h:
include/kvmu/kvmu.h:
include/kvmu/export.h:
include/kvmu/abi/kvm_common.h:
include/kvmu/abi/planes.h:
src/core/iobus.h:
src/core/irq.h:
