build-pae/src/host/fs/ops.o: src/host/fs/ops.c src/host/fs/tree.h \
 src/host/ap/ap_int.h include/kvmu/host.h include/kvmu/export.h
src/host/fs/tree.h:
src/host/ap/ap_int.h:
include/kvmu/host.h:
include/kvmu/export.h:
