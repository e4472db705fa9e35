// SPDX-License-Identifier: MIT
/*
 * The s390x differential tester: random problem-state sequences (gen.c)
 * run on kvmu (kvmu_run.c) and on qemu-s390x (harness.c, many sequences
 * per qemu process) from the same GPRs, CC and data area at the same
 * addresses.  The GPRs, CC, the data area and how the sequence ended (its
 * epilogue, or a program exception: class and PSW address) are compared.
 * Batches overlap: qemu runs a batch in a child while kvmu runs the same
 * batch here.  Exit 0 when nothing diverged, 1 on a divergence, 2 on an
 * error, 77 when qemu-s390x or the harness is missing.
 *
 *   difftest-s390 -H harness.elf [-q qemu-s390x] [-n N] [-s SEED]
 *                 [-l MAXLEN] [-b BATCH] [-m MAXSHOWN] [-d INDEX] [-v]
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gen.h"
#include "kvmu_run.h"

struct opts {
	const char *qemu, *harness;
	unsigned long n, batch;
	uint64_t seed;
	int maxlen, maxshown, verbose;
	long dump;		/* -d: list this sequence */
};

struct stats {
	unsigned long seqs, insns, diverged, faults[3];
};

static void be_put(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t be_get(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* struct ds_in as the big-endian harness reads it */
static void encode(const struct ds_seq *s, struct ds_in *r)
{
	int i;

	be_put((uint8_t *)&r->addr, s->addr);
	be_put((uint8_t *)&r->cc, s->cc << 4 | s->pm);
	for (i = 0; i < 16; i++)
		be_put((uint8_t *)&r->gprs[i], s->gprs[i]);
	memcpy(r->code, s->code, DS_SLOT);
	memcpy(r->data, s->data, DS_DATA_SIZE);
}

static void decode(struct ds_out *o)
{
	uint64_t *w = &o->gprs[0];
	size_t i;

	for (i = 0; i < offsetof(struct ds_out, data) / 8; i++)
		w[i] = be_get((uint8_t *)&w[i]);
}

/*
 * One class per way a program exception reaches a Linux program, so that
 * kvmu's interruption codes and qemu-user's signals compare: qemu reports
 * 0x1000000 | signal << 8 | si_code.
 */
static uint64_t norm_class(uint64_t c)
{
	if (c & 0x1000000) {
		unsigned sig = (unsigned)(c >> 8 & 0xff), code = c & 0xff;

		if (sig == 4)
			return code == 1 ? 1 : code == 5 ? 2 : 6;
		if (sig == 8)
			return code == 1 ? 9 : code == 2 ? 8 : 7;
		if (sig == 11 || sig == 7)
			return 5;
		return c;
	}
	switch (c) {
	case 0x03: case 0x13: case 0x15:
		return 6;	/* SIGILL, ILL_ILLOPN */
	case 0x04: case 0x10: case 0x11: case 0x38: case 0x39:
	case 0x3a: case 0x3b:
		return 5;	/* SIGSEGV */
	default:
		return c;
	}
}

static const char *class_name(uint64_t c)
{
	switch (c) {
	case DS_END: return "end";
	case 1: return "operation";
	case 2: return "privileged-operation";
	case 5: return "addressing";
	case 6: return "specification";
	case 7: return "data";
	case 8: return "fixed-point-overflow";
	case 9: return "fixed-point-divide";
	default: return "other";
	}
}

/* The first difference, or NULL; what names it. */
static const char *differs(const struct ds_out *a, const struct ds_out *b,
			   char *what, size_t n)
{
	int i;

	if (norm_class(a->cls) != norm_class(b->cls))
		return "end";
	if (a->cls != DS_END && a->addr != b->addr)
		return "psw address";
	if (a->cc != b->cc)
		return "cc";
	for (i = 0; i < 16; i++)
		if (a->gprs[i] != b->gprs[i]) {
			snprintf(what, n, "r%d", i);
			return what;
		}
	for (i = 0; i < (int)DS_DATA_SIZE; i++)
		if (a->data[i] != b->data[i]) {
			snprintf(what, n, "data+%#x", i);
			return what;
		}
	return NULL;
}

static void show_out(const char *who, const struct ds_out *o)
{
	int i;

	printf("  %-5s end %s (%#" PRIx64 ")", who,
	       class_name(norm_class(o->cls)), o->cls);
	if (o->cls != DS_END)
		printf(" psw.addr %#" PRIx64, o->addr);
	printf(" cc %" PRIu64 "\n", o->cc);
	for (i = 0; i < 16; i++)
		printf("%s%2d %016" PRIx64 "%s", i % 4 ? "  " : "   r", i,
		       o->gprs[i], i % 4 == 3 ? "\n" : "");
}

static void report(unsigned long idx, const struct ds_seq *s,
		   const struct ds_out *k, const struct ds_out *q,
		   const char *what)
{
	int i;

	printf("DIVERGENCE in sequence %lu (first difference: %s)\n", idx,
	       what);
	ds_dump(s, stdout);
	printf("  initial cc %" PRIu64 ", program mask %#" PRIx64 "\n",
	       s->cc, s->pm);
	for (i = 0; i < 16; i++)
		printf("%s%2d %016" PRIx64 "%s", i % 4 ? "  " : "   r", i,
		       s->gprs[i], i % 4 == 3 ? "\n" : "");
	show_out("kvmu", k);
	show_out("qemu", q);
	for (i = 0; i < (int)DS_DATA_SIZE; i++)
		if (k->data[i] != q->data[i]) {
			printf("  data+%#x: kvmu %02x qemu %02x (was %02x)\n",
			       i, k->data[i], q->data[i], s->data[i]);
			break;
		}
}

/* Start qemu on the batch file; returns the child's pid or -1. */
static pid_t start_qemu(const struct opts *o, const char *in,
			const char *out)
{
	pid_t pid;

	fflush(stdout);		/* else the child's freopen() repeats it */
	pid = fork();

	if (pid)
		return pid;
	if (!freopen(in, "rb", stdin) || !freopen(out, "wb", stdout))
		_exit(126);
	execlp(o->qemu, o->qemu, o->harness, (char *)NULL);
	_exit(127);
}

static int write_batch(const char *path, const struct ds_seq *seq,
		       unsigned long n)
{
	FILE *f = fopen(path, "wb");
	struct ds_in r;
	unsigned long i;

	if (!f)
		return -1;
	for (i = 0; i < n; i++) {
		encode(&seq[i], &r);
		if (fwrite(&r, sizeof(r), 1, f) != 1)
			break;
	}
	return fclose(f) || i < n ? -1 : 0;
}

static int read_results(const char *path, struct ds_out *q, unsigned long n)
{
	FILE *f = fopen(path, "rb");
	size_t got;
	unsigned long i;

	if (!f)
		return -1;
	got = fread(q, sizeof(*q), n, f);
	fclose(f);
	for (i = 0; i < got; i++)
		decode(&q[i]);
	return got == n ? 0 : -1;
}

struct batch {
	struct ds_seq *seq;
	struct ds_out *k, *q;
	char in[64], out[64];
};

static int run_batch(const struct opts *o, struct ds_gen *g, struct kr *kr,
		     struct batch *b, unsigned long first, unsigned long n,
		     struct stats *st)
{
	unsigned long i;
	char what[32];
	const char *d;
	int status;
	pid_t pid;

	for (i = 0; i < n; i++) {
		int len = 1 + (int)(ds_rand(g) % (uint64_t)o->maxlen);

		ds_gen_seq(g, &b->seq[i], DS_CODE + (first + i) % DS_RING *
			   DS_SLOT, len);
		if (o->dump == (long)(first + i))
			ds_dump(&b->seq[i], stdout);
		st->insns += (unsigned long)len;
	}
	if (write_batch(b->in, b->seq, n))
		return -1;
	pid = start_qemu(o, b->in, b->out);
	if (pid < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (kr_run(kr, &b->seq[i], &b->k[i])) {
			fprintf(stderr, "kvmu: sequence %lu did not reach the "
				"exit stub\n", first + i);
			ds_dump(&b->seq[i], stderr);
			return -1;
		}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) || read_results(b->out, b->q, n)) {
		fprintf(stderr, "qemu-s390x harness failed (status %#x)\n",
			status);
		if (n == 1)	/* -b 1 finds the sequence */
			ds_dump(&b->seq[0], stderr);
		return -1;
	}
	for (i = 0; i < n; i++) {
		const struct ds_out *k = &b->k[i], *q = &b->q[i];
		uint64_t c = norm_class(k->cls);

		st->faults[c == DS_END ? 0 : c == 9 ? 1 : 2]++;
		d = differs(k, q, what, sizeof(what));
		if (!d)
			continue;
		if (st->diverged++ < (unsigned long)o->maxshown)
			report(first + i, &b->seq[i], k, q, d);
	}
	st->seqs += n;
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: difftest-s390 -H harness.elf [-q qemu] "
		"[-n N] [-s SEED] [-l MAXLEN] [-b BATCH] [-m SHOWN] [-d INDEX] "
		"[-v]\n");
	exit(2);
}

static void parse(int argc, char **argv, struct opts *o)
{
	int c;

	while ((c = getopt(argc, argv, "H:q:n:s:l:b:m:d:v")) != -1) {
		switch (c) {
		case 'H': o->harness = optarg; break;
		case 'q': o->qemu = optarg; break;
		case 'n': o->n = strtoul(optarg, NULL, 0); break;
		case 's': o->seed = strtoull(optarg, NULL, 0); break;
		case 'l': o->maxlen = atoi(optarg); break;
		case 'b': o->batch = strtoul(optarg, NULL, 0); break;
		case 'm': o->maxshown = atoi(optarg); break;
		case 'd': o->dump = atol(optarg); break;
		case 'v': o->verbose = 1; break;
		default: usage();
		}
	}
	if (!o->harness || o->maxlen < 1 || !o->batch)
		usage();
}

static int have_qemu(const struct opts *o)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "command -v '%s' >/dev/null 2>&1",
		 o->qemu);
	return !system(cmd) && !access(o->harness, R_OK);
}

static int alloc_batch(struct batch *b, unsigned long n)
{
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	int fd;

	b->seq = calloc(n, sizeof(*b->seq));
	b->k = calloc(n, sizeof(*b->k));
	b->q = calloc(n, sizeof(*b->q));
	snprintf(b->in, sizeof(b->in), "%.40s/ds390-in-XXXXXX", tmp);
	snprintf(b->out, sizeof(b->out), "%.40s/ds390-out-XXXXXX", tmp);
	if (!b->seq || !b->k || !b->q || (fd = mkstemp(b->in)) < 0)
		return -1;
	close(fd);
	if ((fd = mkstemp(b->out)) < 0) {
		unlink(b->in);
		return -1;
	}
	close(fd);
	return 0;
}

static void print_stats(const struct opts *o, const struct ds_gen *g,
			const struct stats *st, double secs)
{
	size_t i;

	printf("s390 difftest: seed %" PRIu64 ", %lu sequences, %lu "
	       "instructions (%zu table lines), %lu divergences, %.1f s\n",
	       o->seed, st->seqs, st->insns, ds_table_size(), st->diverged,
	       secs);
	printf("  ended: %lu at the epilogue, %lu fixed-point divide, "
	       "%lu other exceptions\n", st->faults[0], st->faults[1],
	       st->faults[2]);
	for (i = 0; o->verbose && i < ds_table_size(); i++)
		printf("  %-7s %lu\n", ds_table_name(i), g->uses[i]);
}

int main(int argc, char **argv)
{
	struct opts o = { .qemu = "qemu-s390x", .n = 2000, .seed = 1,
			  .maxlen = 12, .maxshown = 10, .batch = 4000,
			  .dump = -1 };
	struct stats st = { 0 };
	struct batch b;
	struct ds_gen g;
	struct kr *kr;
	unsigned long done;
	struct timespec t0, t1;
	int rc = 0;

	parse(argc, argv, &o);
	if (!have_qemu(&o)) {
		printf("SKIP: %s or %s not available\n", o.qemu, o.harness);
		return 77;
	}
	if (o.batch > o.n)
		o.batch = o.n ? o.n : 1;
	kr = kr_open();
	if (!kr || alloc_batch(&b, o.batch))
		return 2;
	ds_gen_init(&g, o.seed);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (done = 0; done < o.n && !rc; done += o.batch) {
		unsigned long n = o.n - done < o.batch ? o.n - done : o.batch;

		rc = run_batch(&o, &g, kr, &b, done, n, &st);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	unlink(b.in);
	unlink(b.out);
	free(b.seq);
	free(b.k);
	free(b.q);
	kr_close(kr);
	print_stats(&o, &g, &st, (double)(t1.tv_sec - t0.tv_sec) +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	if (rc)
		return 2;
	return st.diverged ? 1 : 0;
}
