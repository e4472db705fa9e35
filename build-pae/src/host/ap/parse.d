build-pae/src/host/ap/parse.o: src/host/ap/parse.c src/host/ap/ap_int.h \
 include/kvmu/host.h include/kvmu/export.h
src/host/ap/ap_int.h:
include/kvmu/host.h:
include/kvmu/export.h:
