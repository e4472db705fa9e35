build-pae/src/host/fs/tree.o: src/host/fs/tree.c src/host/ap/ap_int.h \
 include/kvmu/host.h include/kvmu/export.h src/host/fs/tree.h
src/host/ap/ap_int.h:
include/kvmu/host.h:
include/kvmu/export.h:
src/host/fs/tree.h:
