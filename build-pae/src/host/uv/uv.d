build-pae/src/host/uv/uv.o: src/host/uv/uv.c src/host/uv/uv_int.h \
 src/host/uv/se.h src/host/uv/uv.h
src/host/uv/uv_int.h:
src/host/uv/se.h:
src/host/uv/uv.h:
