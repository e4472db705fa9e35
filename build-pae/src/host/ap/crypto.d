build-pae/src/host/ap/crypto.o: src/host/ap/crypto.c src/host/ap/ap_int.h \
 include/kvmu/host.h include/kvmu/export.h src/host/ap/ap_queue.h
src/host/ap/ap_int.h:
include/kvmu/host.h:
include/kvmu/export.h:
src/host/ap/ap_queue.h:
