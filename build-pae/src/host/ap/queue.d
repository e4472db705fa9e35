build-pae/src/host/ap/queue.o: src/host/ap/queue.c src/host/ap/ap_int.h \
 include/kvmu/host.h include/kvmu/export.h src/host/ap/ap_queue.h
src/host/ap/ap_int.h:
include/kvmu/host.h:
include/kvmu/export.h:
src/host/ap/ap_queue.h:
