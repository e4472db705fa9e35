build-pae/src/host/ap/state.o: src/host/ap/state.c src/host/ap/ap_int.h \
 include/kvmu/host.h include/kvmu/export.h src/host/common/lockfile.h
src/host/ap/ap_int.h:
include/kvmu/host.h:
include/kvmu/export.h:
src/host/common/lockfile.h:
