build-pae/src/arch/x86/exec_muldiv.o: src/arch/x86/exec_muldiv.c \
 src/arch/x86/exec_int.h src/arch/x86/cpu.h src/core/kvmu_int.h \
 include/kvmu/kvmu.h include/kvmu/export.h include/kvmu/abi/kvm_common.h \
 include/kvmu/abi/planes.h src/core/iobus.h src/core/irq.h \
 src/arch/x86/machine.h src/arch/x86/hyperv.h
src/arch/x86/exec_int.h:
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
