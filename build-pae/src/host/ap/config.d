build-pae/src/host/ap/config.o: src/host/ap/config.c src/host/ap/ap_int.h \
 include/kvmu/host.h include/kvmu/export.h
src/host/ap/ap_int.h:
include/kvmu/host.h:
include/kvmu/export.h:
