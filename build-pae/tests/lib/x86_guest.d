build-pae/tests/lib/x86_guest.o: tests/lib/x86_guest.c \
 include/kvmu/kvmu.h include/kvmu/export.h tests/lib/x86_guest.h
include/kvmu/kvmu.h:
include/kvmu/export.h:
tests/lib/x86_guest.h:
