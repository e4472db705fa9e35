// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <stdlib.h>

#include "cross_asm.h"

static int write_source(const char *dir, const char *src)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/g.s", dir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, ".text\n%s\n", src);
	return fclose(f) ? -1 : 0;
}

static long read_text(const char *dir, uint8_t *dst, size_t room)
{
	char path[256];
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/g.bin", dir);
	f = fopen(path, "rb");
	if (!f)
		return -1;
	n = (long)fread(dst, 1, room, f);
	fclose(f);
	return n;
}

int cross_asm(const char *triple, const char *asflags, const char *src,
	      uint8_t *dst, size_t room)
{
	char dir[] = "/tmp/kvmu-asm-XXXXXX", cmd[512];
	long n = -1;

	if (!mkdtemp(dir))
		return -1;
	snprintf(cmd, sizeof(cmd),
		 "cd %s && %s-as %s -o g.o g.s && "
		 "%s-objcopy -O binary -j .text g.o g.bin",
		 dir, triple, asflags, triple);
	if (!write_source(dir, src) && !system(cmd))
		n = read_text(dir, dst, room);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		return -1;
	return n > 0 ? 0 : -1;
}
