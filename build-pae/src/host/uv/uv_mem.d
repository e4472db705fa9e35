build-pae/src/host/uv/uv_mem.o: src/host/uv/uv_mem.c src/host/uv/uv_int.h \
 src/host/uv/se.h src/host/uv/uv.h
src/host/uv/uv_int.h:
src/host/uv/se.h:
src/host/uv/uv.h:
