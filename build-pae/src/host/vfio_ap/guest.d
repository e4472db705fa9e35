build-pae/src/host/vfio_ap/guest.o: src/host/vfio_ap/guest.c \
 src/host/ap/ap_int.h include/kvmu/host.h include/kvmu/export.h \
 src/host/ap/ap_queue.h
src/host/ap/ap_int.h:
include/kvmu/host.h:
include/kvmu/export.h:
src/host/ap/ap_queue.h:
