// SPDX-License-Identifier: MIT
/*
 * File descriptors and object lifetime.
 *
 * Every object is a memfd, so the descriptor is a real one: close(), dup(),
 * fork(), poll() and mmap() behave as on the kernel's fds.  We find the
 * object behind a descriptor by the inode (fstat), which dup() and fork()
 * preserve.  We learn that the last descriptor (and mapping) of an object
 * has gone from inotify: the inode's eviction reports IN_IGNORED.
 *
 * Every ioctl looks its object up, so the table must not serialise
 * threads: each bucket is guarded by one of KVMU_STRIPES mutexes, each on
 * its own cache line, held for a hash-chain walk only.  vCPU threads
 * calling KVM_RUN look up different inodes, hence (mostly) different
 * locks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kvmu_int.h"

#define KVMU_HASH_BITS 10
#define KVMU_HASH_SIZE (1u << KVMU_HASH_BITS)

#define KVMU_STRIPES 64

static struct {
	pthread_mutex_t lock;
} __attribute__((aligned(64))) stripes[KVMU_STRIPES] = {
	[0 ... KVMU_STRIPES - 1] = { PTHREAD_MUTEX_INITIALIZER },
};
static struct kvmu_obj *table[KVMU_HASH_SIZE];
static int inotify_fd = -1;
static pthread_once_t inotify_once = PTHREAD_ONCE_INIT;

/*
 * The LD_PRELOAD shim learns of every object fd (absent elsewhere).  Hidden:
 * bound at link time to the shim's own copy, never to another object's.
 */
extern void kvmu_shim_fd_created(int fd)
	__attribute__((weak, visibility("hidden")));

static unsigned int hash_ino(dev_t dev, ino_t ino)
{
	u64 h = ((u64)ino ^ ((u64)dev << 17)) * 0x9E3779B97F4A7C15ULL;

	return (unsigned int)(h >> (64 - KVMU_HASH_BITS));
}

static pthread_mutex_t *bucket_lock(unsigned int h)
{
	return &stripes[h % KVMU_STRIPES].lock;
}

/*
 * fork() in one thread while another holds a table lock would leave the
 * child's copy locked for ever: hold them all across fork().  (Plain
 * mutexes: glibc lets the child unlock a mutex its parent thread locked,
 * but not a reader-writer lock, whose unlock checks the writer's tid.)
 */
static void fork_prepare(void)
{
	int i;

	for (i = 0; i < KVMU_STRIPES; i++)
		pthread_mutex_lock(&stripes[i].lock);
}

static void fork_done(void)
{
	int i;

	for (i = KVMU_STRIPES - 1; i >= 0; i--)
		pthread_mutex_unlock(&stripes[i].lock);
}

static pid_t cached_pid;

/*
 * The child must not read the parent's inotify instance (it shares the
 * open file and would steal the parent's close events): it gets its own,
 * and the objects it inherited (unusable there: EIO) are no longer watched.
 */
static void fork_child(void)
{
	struct kvmu_obj *obj;
	unsigned int i;

	fork_done();
	cached_pid = getpid();
	for (i = 0; i < KVMU_HASH_SIZE; i++)
		for (obj = table[i]; obj; obj = obj->hash_next)
			obj->watch = -1;
	if (inotify_fd >= 0)
		close(inotify_fd);
	inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
}

static void inotify_setup(void)
{
	cached_pid = getpid();
	pthread_atfork(fork_prepare, fork_done, fork_child);
	inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
}

pid_t kvmu_pid(void)
{
	pthread_once(&inotify_once, inotify_setup);
	return cached_pid;
}

/* Remove obj from the table; caller holds its bucket's lock. */
static void table_unlink(struct kvmu_obj *obj)
{
	struct kvmu_obj **pp = &table[hash_ino(obj->dev, obj->ino)];

	while (*pp && *pp != obj)
		pp = &(*pp)->hash_next;
	if (*pp)
		*pp = obj->hash_next;
	obj->hash_next = NULL;
}

int kvmu_obj_install(struct kvmu_obj *obj, const char *name, size_t size,
		     int cloexec)
{
	char path[64];
	struct stat st;
	int fd, h;

	fd = memfd_create(name, cloexec ? MFD_CLOEXEC : 0);
	if (fd < 0)
		return -errno;
	if (size && ftruncate(fd, (off_t)size) < 0)
		goto fail;
	if (fstat(fd, &st) < 0)
		goto fail;
	pthread_once(&inotify_once, inotify_setup);
	obj->watch = -1;
	if (inotify_fd >= 0) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		obj->watch = inotify_add_watch(inotify_fd, path, IN_ATTRIB);
	}
	obj->dev = st.st_dev;
	obj->ino = st.st_ino;
	obj->owner = kvmu_pid();
	atomic_store(&obj->refs, 1);	/* the descriptor's reference */
	h = (int)hash_ino(obj->dev, obj->ino);
	pthread_mutex_lock(bucket_lock((unsigned int)h));
	obj->hash_next = table[h];
	table[h] = obj;
	pthread_mutex_unlock(bucket_lock((unsigned int)h));
	if (kvmu_shim_fd_created)
		kvmu_shim_fd_created(fd);
	return fd;
fail:
	h = -errno;
	close(fd);
	return h;
}

int kvmu_obj_get(int fd, struct kvmu_obj **out)
{
	struct kvmu_obj *obj;
	struct stat st;
	unsigned int h;

	if (fstat(fd, &st) < 0)
		return -EBADF;
	h = hash_ino(st.st_dev, st.st_ino);
	pthread_mutex_lock(bucket_lock(h));
	obj = table[h];
	while (obj && (obj->ino != st.st_ino || obj->dev != st.st_dev))
		obj = obj->hash_next;
	if (obj)
		atomic_fetch_add(&obj->refs, 1);
	pthread_mutex_unlock(bucket_lock(h));
	if (!obj)
		return -ENOTTY;
	*out = obj;
	return 0;
}

void kvmu_obj_ref(struct kvmu_obj *obj)
{
	atomic_fetch_add(&obj->refs, 1);
}

void kvmu_obj_put(struct kvmu_obj *obj)
{
	if (atomic_fetch_sub(&obj->refs, 1) == 1 && obj->destroy)
		obj->destroy(obj);
}

/* The descriptors of obj are all gone: drop the descriptor's reference. */
void kvmu_obj_closed(struct kvmu_obj *obj)
{
	unsigned int h = hash_ino(obj->dev, obj->ino);

	pthread_mutex_lock(bucket_lock(h));
	table_unlink(obj);
	pthread_mutex_unlock(bucket_lock(h));
	if (obj->closed)
		obj->closed(obj);
	kvmu_obj_put(obj);
}

static struct kvmu_obj *find_by_watch(int wd)
{
	struct kvmu_obj *obj, *hit = NULL;
	unsigned int i;

	for (i = 0; i < KVMU_HASH_SIZE && !hit; i++) {
		pthread_mutex_lock(bucket_lock(i));
		for (obj = table[i]; obj; obj = obj->hash_next)
			if (obj->watch == wd) {
				hit = obj;
				break;
			}
		pthread_mutex_unlock(bucket_lock(i));
	}
	return hit;
}

void kvmu_obj_reap(void)
{
	char buf[4096] __attribute__((aligned(8)));
	struct inotify_event *ev;
	struct kvmu_obj *obj;
	ssize_t n, off;

	if (inotify_fd < 0)
		return;
	while ((n = read(inotify_fd, buf, sizeof(buf))) > 0) {
		for (off = 0; off < n;
		     off += (ssize_t)sizeof(*ev) + ev->len) {
			ev = (struct inotify_event *)(buf + off);
			if (!(ev->mask & IN_IGNORED))
				continue;
			obj = find_by_watch(ev->wd);
			if (obj)
				kvmu_obj_closed(obj);
		}
	}
	kvmu_vm_reap_zombies();
}

int kvmu_is_object(int fd)
{
	struct kvmu_obj *obj;

	if (kvmu_obj_get(fd, &obj) < 0)
		return 0;
	kvmu_obj_put(obj);
	return 1;
}
