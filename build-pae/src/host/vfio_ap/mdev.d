build-pae/src/host/vfio_ap/mdev.o: src/host/vfio_ap/mdev.c \
 src/host/ap/ap_int.h include/kvmu/host.h include/kvmu/export.h
src/host/ap/ap_int.h:
include/kvmu/host.h:
include/kvmu/export.h:
