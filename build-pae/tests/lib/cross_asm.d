build-pae/tests/lib/cross_asm.o: tests/lib/cross_asm.c \
 tests/lib/cross_asm.h
tests/lib/cross_asm.h:
