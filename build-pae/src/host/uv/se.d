build-pae/src/host/uv/se.o: src/host/uv/se.c src/host/uv/se.h \
 src/host/uv/uv.h
src/host/uv/se.h:
src/host/uv/uv.h:
