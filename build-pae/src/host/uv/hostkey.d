build-pae/src/host/uv/hostkey.o: src/host/uv/hostkey.c \
 src/host/common/lockfile.h src/host/uv/uv.h src/host/uv/uv_int.h \
 src/host/uv/se.h
src/host/common/lockfile.h:
src/host/uv/uv.h:
src/host/uv/uv_int.h:
src/host/uv/se.h:
