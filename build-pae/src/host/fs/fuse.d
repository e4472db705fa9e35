build-pae/src/host/fs/fuse.o: src/host/fs/fuse.c \
 /usr/include/fuse3/fuse.h /usr/include/fuse3/fuse_common.h \
 /usr/include/fuse3/libfuse_config.h /usr/include/fuse3/fuse_opt.h \
 /usr/include/fuse3/fuse_log.h src/host/fs/tree.h src/host/ap/ap_int.h \
 include/kvmu/host.h include/kvmu/export.h
/usr/include/fuse3/fuse.h:
/usr/include/fuse3/fuse_common.h:
/usr/include/fuse3/libfuse_config.h:
/usr/include/fuse3/fuse_opt.h:
/usr/include/fuse3/fuse_log.h:
src/host/fs/tree.h:
src/host/ap/ap_int.h:
include/kvmu/host.h:
include/kvmu/export.h:
