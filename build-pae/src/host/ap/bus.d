build-pae/src/host/ap/bus.o: src/host/ap/bus.c src/host/ap/ap_int.h \
 include/kvmu/host.h include/kvmu/export.h
src/host/ap/ap_int.h:
include/kvmu/host.h:
include/kvmu/export.h:
