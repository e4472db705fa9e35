build-pae/src/host/common/lockfile.o: src/host/common/lockfile.c \
 src/host/common/lockfile.h
src/host/common/lockfile.h:
