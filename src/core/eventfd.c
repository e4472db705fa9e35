// SPDX-License-Identifier: MIT
/*
 * irqfd and ioeventfd (virt/kvm/eventfd.c) on the host's real eventfds.
 *
 * We keep our own duplicate of every eventfd, so the file stays ours to
 * read and signal whatever the program does with its descriptor.  The
 * kernel tears an irqfd down when the program closes the eventfd (the
 * file's release reports POLLHUP); our duplicate keeps the file alive, so
 * instead the VM's irqfd thread looks, once a second and whenever an
 * irqfd ioctl runs, for irqfds whose file no descriptor of the program
 * refers to any more (kcmp), and tears those down.
 *
 * One thread per VM, started with its first irqfd, waits in epoll on all
 * its irqfds, consumes each count (as irqfd_wakeup does) and raises the
 * GSI.  ioeventfds are I/O bus devices: a matching guest write signals
 * the eventfd from the vCPU thread, with no user exit.
 *
 * Locks: cfg (ioctls; first), lock (lists, the thread's bookkeeping; held
 * briefly, never while calling into the routing core).  The ack path
 * (vCPU, under the routing core's ack lock) takes `lock` to signal the
 * resamplefds; `lock` is never held while taking the ack lock.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "kvmu_int.h"
#include "eventfd.h"

#define KCMP_FILE 0
#define REAP_MS 1000

struct resampler {
	struct kvmu_irq_ack_notifier ack;
	struct kvmu_eventfds *ev;
	int users;
	struct resampler *next;
};

struct irqfd {
	u64 id;			/* epoll cookie, never reused */
	u32 gsi;
	int fd;			/* our duplicate of the eventfd */
	int resample_fd;	/* our duplicate of the resamplefd, or -1 */
	struct resampler *res;
	bool busy;		/* the thread is injecting */
	struct irqfd *next;
};

struct ioeventfd {
	struct kvmu_io_dev dev;
	struct kvmu_vm *vm;
	enum kvmu_bus_kind bus;
	u64 addr;
	u32 len;
	bool wildcard;
	u64 datamatch;
	int fd;
	struct ioeventfd *next;
};

struct kvmu_eventfds {
	struct kvmu_vm *vm;
	pthread_mutex_t cfg;
	pthread_mutex_t lock;
	pthread_cond_t idle;
	struct irqfd *irqfds;
	struct resampler *resamplers;
	struct ioeventfd *ioeventfds;
	u64 next_id;
	int epfd;
	int stop_fd;
	bool thread_up;
	pid_t thread_pid;		/* a forked child has no such thread */
	pthread_t thread;
};

int kvmu_eventfd_vm_init(struct kvmu_vm *vm)
{
	struct kvmu_eventfds *ev = calloc(1, sizeof(*ev));

	if (!ev)
		return -ENOMEM;
	ev->vm = vm;
	ev->epfd = -1;
	ev->stop_fd = -1;
	ev->next_id = 1;
	pthread_mutex_init(&ev->cfg, NULL);
	pthread_mutex_init(&ev->lock, NULL);
	pthread_cond_init(&ev->idle, NULL);
	vm->eventfds = ev;
	return 0;
}

/* ---- eventfd files ---- */

/* 0 when fd is an eventfd, -EBADF when it is closed, else -EINVAL. */
int kvmu_eventfd_get_kind(int fd)
{
	char path[64], link[64];
	ssize_t n;

	if (fd < 0 || fcntl(fd, F_GETFD) < 0)
		return -EBADF;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -EBADF;
	link[n] = 0;
	return strcmp(link, "anon_inode:[eventfd]") ? -EINVAL : 0;
}

/* eventfd_ctx_fdget: -EBADF, -EINVAL (not an eventfd), else our dup. */
int kvmu_eventfd_get(int fd)
{
	int d = kvmu_eventfd_get_kind(fd);

	if (d)
		return d;
	d = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	return d < 0 ? -errno : d;
}

/* Do a and b refer to the same open file? */
static bool same_file(int a, int b)
{
	pid_t p = getpid();

	return syscall(SYS_kcmp, p, p, KCMP_FILE, a, b) == 0;
}

/*
 * Our own descriptors close with the system call itself: under the shim,
 * close() may reap objects, and it must not run inside our locks.
 */
static void xclose(int fd)
{
	syscall(SYS_close, fd);
}

static void signal_fd(int fd)
{
	u64 one = 1;

	if (write(fd, &one, sizeof(one)) < 0)
		return;	/* saturated: the reader is behind (eventfd_signal) */
}

/* ---- resampling ---- */

/* An EOI of the gsi: lower the resample source, tell every resamplefd. */
static void resampler_ack(struct kvmu_irq_ack_notifier *n)
{
	struct resampler *r = (struct resampler *)n;
	struct kvmu_eventfds *ev = r->ev;
	struct irqfd *f;

	kvmu_irq_set(ev->vm, KVMU_IRQFD_RESAMPLE_IRQ_SOURCE_ID, n->gsi, 0);
	pthread_mutex_lock(&ev->lock);
	for (f = ev->irqfds; f; f = f->next)
		if (f->res == r)
			signal_fd(f->resample_fd);
	pthread_mutex_unlock(&ev->lock);
}

/* The resampler of gsi, made if needed (cfg held); *made when new. */
static struct resampler *resampler_get(struct kvmu_eventfds *ev, u32 gsi,
				       bool *made)
{
	struct resampler *r;

	*made = false;
	for (r = ev->resamplers; r; r = r->next)
		if (r->ack.gsi == gsi)
			break;
	if (!r) {
		r = calloc(1, sizeof(*r));
		if (!r)
			return NULL;
		r->ack.gsi = gsi;
		r->ack.fn = resampler_ack;
		r->ev = ev;
		*made = true;
	}
	r->users++;
	return r;
}

/* Drop a user of r (cfg held, lock not): the last one unhooks it. */
static void resampler_put(struct kvmu_eventfds *ev, struct resampler *r,
			  bool registered)
{
	struct resampler **p;

	if (--r->users)
		return;
	for (p = &ev->resamplers; *p; p = &(*p)->next)
		if (*p == r) {
			*p = r->next;
			break;
		}
	if (registered)
		kvmu_irq_unregister_ack(ev->vm, &r->ack);
	kvmu_irq_set(ev->vm, KVMU_IRQFD_RESAMPLE_IRQ_SOURCE_ID, r->ack.gsi, 0);
	free(r);
}

/* ---- the irqfd thread ---- */

/*
 * Consume the count, as irqfd_wakeup does, without ever blocking: the
 * descriptor shares O_NONBLOCK with the program's, which may be blocking,
 * and the program may have read the count first.
 */
static bool take_count(int fd, u64 *cnt)
{
	struct iovec io = { cnt, sizeof(*cnt) };

	return preadv2(fd, &io, 1, -1, RWF_NOWAIT) == (ssize_t)sizeof(*cnt);
}

static void irqfd_fire(struct kvmu_eventfds *ev, u64 id)
{
	struct irqfd *f;
	bool resample;
	u64 cnt;
	u32 gsi;

	pthread_mutex_lock(&ev->lock);
	for (f = ev->irqfds; f && f->id != id; f = f->next)
		;
	if (!f || !take_count(f->fd, &cnt)) {
		pthread_mutex_unlock(&ev->lock);
		return;
	}
	f->busy = true;
	gsi = f->gsi;
	resample = f->res != NULL;
	pthread_mutex_unlock(&ev->lock);
	if (resample) {
		kvmu_irq_set(ev->vm, KVMU_IRQFD_RESAMPLE_IRQ_SOURCE_ID, gsi, 1);
	} else {
		kvmu_irq_set(ev->vm, KVMU_USERSPACE_IRQ_SOURCE_ID, gsi, 1);
		kvmu_irq_set(ev->vm, KVMU_USERSPACE_IRQ_SOURCE_ID, gsi, 0);
	}
	pthread_mutex_lock(&ev->lock);
	f->busy = false;
	pthread_cond_broadcast(&ev->idle);
	pthread_mutex_unlock(&ev->lock);
}

static void *irqfd_thread(void *p)
{
	struct kvmu_eventfds *ev = p;
	struct epoll_event e[16];
	sigset_t all;
	int i, n;

	/* the program's signals are for its own threads */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	for (;;) {
		n = epoll_wait(ev->epfd, e, (int)ARRAY_SIZE(e), REAP_MS);
		if (n < 0 && errno != EINTR)
			break;
		for (i = 0; i < n; i++) {
			if (!e[i].data.u64)
				return NULL;	/* stop_fd */
			irqfd_fire(ev, e[i].data.u64);
		}
		if (n == 0 && !pthread_mutex_trylock(&ev->cfg)) {
			kvmu_eventfd_reap_locked(ev);
			pthread_mutex_unlock(&ev->cfg);
		}
	}
	return NULL;
}

static int thread_start(struct kvmu_eventfds *ev)
{
	struct epoll_event e = { .events = EPOLLIN, .data.u64 = 0 };

	if (ev->thread_up)
		return 0;
	ev->epfd = epoll_create1(EPOLL_CLOEXEC);
	ev->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (ev->epfd < 0 || ev->stop_fd < 0 ||
	    epoll_ctl(ev->epfd, EPOLL_CTL_ADD, ev->stop_fd, &e) ||
	    pthread_create(&ev->thread, NULL, irqfd_thread, ev)) {
		if (ev->epfd >= 0)
			xclose(ev->epfd);
		if (ev->stop_fd >= 0)
			xclose(ev->stop_fd);
		ev->epfd = ev->stop_fd = -1;
		return -ENOMEM;
	}
	ev->thread_up = true;
	ev->thread_pid = kvmu_pid();
	return 0;
}

/* ---- irqfd assign / deassign ---- */

/* Unlink f (cfg held), wait until the thread is done with it, free it. */
static void irqfd_drop(struct kvmu_eventfds *ev, struct irqfd *f)
{
	struct irqfd **p;

	pthread_mutex_lock(&ev->lock);
	for (p = &ev->irqfds; *p; p = &(*p)->next)
		if (*p == f) {
			*p = f->next;
			break;
		}
	/* a forked child shares the epoll set: leave the parent's alone */
	if (ev->thread_pid == kvmu_pid())
		epoll_ctl(ev->epfd, EPOLL_CTL_DEL, f->fd, NULL);
	while (f->busy)
		pthread_cond_wait(&ev->idle, &ev->lock);
	pthread_mutex_unlock(&ev->lock);
	if (f->res)
		resampler_put(ev, f->res, true);
	xclose(f->fd);
	if (f->resample_fd >= 0)
		xclose(f->resample_fd);
	free(f);
}

/* Is n one of our own descriptors (or the directory's)? */
static bool ours(struct kvmu_eventfds *ev, int n, int dir_fd)
{
	struct irqfd *f;

	if (n == dir_fd || n == ev->epfd || n == ev->stop_fd)
		return true;
	for (f = ev->irqfds; f; f = f->next)
		if (n == f->fd || n == f->resample_fd)
			return true;
	return false;
}

/* Mark each irqfd whose file one of the program's eventfds refers to. */
static int mark_open(struct kvmu_eventfds *ev, bool *open, int nr)
{
	struct dirent *de;
	DIR *dir;

	dir = opendir("/proc/self/fd");
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		struct irqfd *f;
		int n = atoi(de->d_name), i;

		if (de->d_name[0] == '.' || ours(ev, n, dirfd(dir)) ||
		    kvmu_eventfd_get_kind(n) != 0)
			continue;
		for (f = ev->irqfds, i = 0; f && i < nr; f = f->next, i++)
			if (!open[i] && same_file(n, f->fd))
				open[i] = true;
	}
	closedir(dir);
	return 0;
}

void kvmu_eventfd_reap_locked(struct kvmu_eventfds *ev)
{
	struct irqfd *f, *next;
	int nr = 0, i;
	bool *open;

	/* without kcmp we cannot tell: irqfds then live until deassigned */
	if (!ev->irqfds || !same_file(ev->irqfds->fd, ev->irqfds->fd))
		return;
	for (f = ev->irqfds; f; f = f->next)
		nr++;
	open = calloc((size_t)nr, sizeof(*open));
	if (!open)
		return;
	if (!mark_open(ev, open, nr))
		for (f = ev->irqfds, i = 0; f; f = next, i++) {
			next = f->next;
			if (!open[i])
				irqfd_drop(ev, f);
		}
	free(open);
}

void kvmu_eventfd_reap(struct kvmu_vm *vm)
{
	struct kvmu_eventfds *ev = vm->eventfds;

	pthread_mutex_lock(&ev->cfg);
	kvmu_eventfd_reap_locked(ev);
	pthread_mutex_unlock(&ev->cfg);
}

static int irqfd_deassign(struct kvmu_eventfds *ev, const struct kvm_irqfd *a)
{
	struct irqfd *f, *next;
	int d = kvmu_eventfd_get((int)a->fd);

	if (d < 0)
		return d;
	pthread_mutex_lock(&ev->cfg);
	for (f = ev->irqfds; f; f = next) {
		next = f->next;
		if (f->gsi == a->gsi && same_file(f->fd, d))
			irqfd_drop(ev, f);
	}
	pthread_mutex_unlock(&ev->cfg);
	xclose(d);
	return 0;
}

/* Hook f up (cfg held): EBUSY when its eventfd serves another irqfd. */
static int irqfd_link(struct kvmu_eventfds *ev, struct irqfd *f)
{
	struct epoll_event e = { .events = EPOLLIN };
	struct irqfd *t;
	int ret;

	for (t = ev->irqfds; t; t = t->next)
		if (same_file(t->fd, f->fd))
			return -EBUSY;
	ret = thread_start(ev);
	if (ret)
		return ret;
	f->id = ev->next_id++;
	e.data.u64 = f->id;
	pthread_mutex_lock(&ev->lock);
	ret = epoll_ctl(ev->epfd, EPOLL_CTL_ADD, f->fd, &e) ? -errno : 0;
	if (!ret) {
		f->next = ev->irqfds;
		ev->irqfds = f;
	}
	pthread_mutex_unlock(&ev->lock);
	return ret;
}

static int irqfd_assign(struct kvmu_eventfds *ev, const struct kvm_irqfd *a)
{
	bool resample = a->flags & KVM_IRQFD_FLAG_RESAMPLE, made = false;
	struct irqfd *f;
	int ret;

	/* kvm_arch_irqfd_allowed: resampling needs pins (not split) */
	if (!kvmu_irq_in_kernel(ev->vm) ||
	    (resample && !kvmu_irq_has_pins(ev->vm)))
		return -EINVAL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->gsi = a->gsi;
	f->resample_fd = -1;
	f->fd = kvmu_eventfd_get((int)a->fd);
	ret = f->fd;
	if (ret < 0)
		goto out_free;
	if (resample) {
		f->resample_fd = kvmu_eventfd_get((int)a->resamplefd);
		ret = f->resample_fd;
		if (ret < 0)
			goto out_close;
	}
	pthread_mutex_lock(&ev->cfg);
	kvmu_eventfd_reap_locked(ev);
	ret = -ENOMEM;
	if (resample) {
		f->res = resampler_get(ev, f->gsi, &made);
		if (!f->res)
			goto out_unlock;
		if (made) {
			f->res->next = ev->resamplers;
			ev->resamplers = f->res;
			kvmu_irq_register_ack(ev->vm, &f->res->ack);
		}
	}
	ret = irqfd_link(ev, f);
	if (ret && f->res)
		resampler_put(ev, f->res, true);
out_unlock:
	pthread_mutex_unlock(&ev->cfg);
	if (!ret)
		return 0;
out_close:
	if (f->fd >= 0)
		xclose(f->fd);
	if (f->resample_fd >= 0)
		xclose(f->resample_fd);
out_free:
	free(f);
	return ret;
}

int kvmu_irqfd(struct kvmu_vm *vm, const struct kvm_irqfd *a)
{
	if (a->flags & ~(KVM_IRQFD_FLAG_DEASSIGN | KVM_IRQFD_FLAG_RESAMPLE))
		return -EINVAL;
	if (a->flags & KVM_IRQFD_FLAG_DEASSIGN)
		return irqfd_deassign(vm->eventfds, a);
	return irqfd_assign(vm->eventfds, a);
}

/* ---- ioeventfd ---- */

/* ioeventfd_in_range */
static bool ioeventfd_match(const struct ioeventfd *p, u64 addr, u32 len,
			    const void *val)
{
	u64 v = 0;

	if (addr != p->addr)
		return false;
	if (!p->len)
		return true;
	if (len != p->len)
		return false;
	if (p->wildcard)
		return true;
	memcpy(&v, val, len);	/* little endian: zero-extended */
	return v == p->datamatch;
}

static int ioeventfd_write(struct kvmu_io_dev *dev, struct kvmu_vcpu *vcpu,
			   u64 addr, u32 len, const void *val)
{
	struct ioeventfd *p = dev->priv;

	(void)vcpu;
	if (!ioeventfd_match(p, addr, len, val))
		return -EOPNOTSUPP;
	signal_fd(p->fd);
	return 0;
}

static const struct kvmu_io_dev_ops ioeventfd_ops = {
	.write = ioeventfd_write,
};

static enum kvmu_bus_kind ioeventfd_bus(u32 flags)
{
	if (flags & KVM_IOEVENTFD_FLAG_PIO)
		return KVMU_BUS_PIO;
	if (flags & KVM_IOEVENTFD_FLAG_VIRTIO_CCW_NOTIFY)
		return KVMU_BUS_CCW_NOTIFY;
	return KVMU_BUS_MMIO;
}

/* ioeventfd_check_collision */
static bool ioeventfd_collides(struct kvmu_eventfds *ev,
			       const struct ioeventfd *n)
{
	const struct ioeventfd *p;

	for (p = ev->ioeventfds; p; p = p->next)
		if (p->bus == n->bus && p->addr == n->addr &&
		    (!p->len || !n->len ||
		     (p->len == n->len &&
		      (p->wildcard || n->wildcard ||
		       p->datamatch == n->datamatch))))
			return true;
	return false;
}

static int ioeventfd_assign(struct kvmu_eventfds *ev,
			    const struct kvm_ioeventfd *a)
{
	struct ioeventfd *p;
	int ret, fd;

	switch (a->len) {
	case 0: case 1: case 2: case 4: case 8:
		break;
	default:
		return -EINVAL;
	}
	if (a->addr + a->len < a->addr)
		return -EINVAL;
	if (a->flags & ~KVMU_IOEVENTFD_VALID_FLAGS)
		return -EINVAL;
	if (!a->len && (a->flags & KVM_IOEVENTFD_FLAG_DATAMATCH))
		return -EINVAL;
	fd = kvmu_eventfd_get(a->fd);
	if (fd < 0)
		return fd;
	p = calloc(1, sizeof(*p));
	if (!p) {
		xclose(fd);
		return -ENOMEM;
	}
	*p = (struct ioeventfd){
		.dev = { &ioeventfd_ops, p }, .vm = ev->vm,
		.bus = ioeventfd_bus(a->flags), .addr = a->addr,
		.len = a->len, .fd = fd,
		.wildcard = !(a->flags & KVM_IOEVENTFD_FLAG_DATAMATCH),
		.datamatch = a->datamatch,
	};
	if (p->wildcard)
		p->datamatch = 0;
	pthread_mutex_lock(&ev->cfg);
	ret = -EEXIST;
	if (!ioeventfd_collides(ev, p))
		ret = kvmu_io_bus_register_eventfd(ev->vm, p->bus, p->addr,
						   p->len, &p->dev);
	if (!ret) {
		p->next = ev->ioeventfds;
		ev->ioeventfds = p;
	}
	pthread_mutex_unlock(&ev->cfg);
	if (ret) {
		xclose(fd);
		free(p);
	}
	return ret;
}

static void ioeventfd_free(struct kvmu_eventfds *ev, struct ioeventfd *p)
{
	kvmu_io_bus_unregister(ev->vm, p->bus, &p->dev);
	xclose(p->fd);
	free(p);
}

static int ioeventfd_deassign(struct kvmu_eventfds *ev,
			      const struct kvm_ioeventfd *a)
{
	bool wildcard = !(a->flags & KVM_IOEVENTFD_FLAG_DATAMATCH);
	enum kvmu_bus_kind bus = ioeventfd_bus(a->flags);
	struct ioeventfd **pp, *p;
	int ret = -ENOENT, fd = kvmu_eventfd_get(a->fd);

	if (fd < 0)
		return fd;
	pthread_mutex_lock(&ev->cfg);
	for (pp = &ev->ioeventfds; (p = *pp); pp = &p->next) {
		if (p->bus != bus || p->addr != a->addr || p->len != a->len ||
		    p->wildcard != wildcard || !same_file(p->fd, fd))
			continue;
		if (!p->wildcard && p->datamatch != a->datamatch)
			continue;
		*pp = p->next;
		ioeventfd_free(ev, p);
		ret = 0;
		break;
	}
	pthread_mutex_unlock(&ev->cfg);
	xclose(fd);
	return ret;
}

int kvmu_ioeventfd(struct kvmu_vm *vm, const struct kvm_ioeventfd *a)
{
	if (a->flags & KVM_IOEVENTFD_FLAG_DEASSIGN)
		return ioeventfd_deassign(vm->eventfds, a);
	return ioeventfd_assign(vm->eventfds, a);
}

/* ---- teardown ---- */

void kvmu_eventfd_vm_destroy(struct kvmu_vm *vm)
{
	struct kvmu_eventfds *ev = vm->eventfds;
	struct ioeventfd *p;

	if (!ev)
		return;
	if (ev->thread_up && ev->thread_pid == kvmu_pid()) {
		signal_fd(ev->stop_fd);
		pthread_join(ev->thread, NULL);
	}
	pthread_mutex_lock(&ev->cfg);
	while (ev->irqfds)
		irqfd_drop(ev, ev->irqfds);
	while ((p = ev->ioeventfds)) {
		ev->ioeventfds = p->next;
		ioeventfd_free(ev, p);
	}
	pthread_mutex_unlock(&ev->cfg);
	if (ev->epfd >= 0)
		xclose(ev->epfd);
	if (ev->stop_fd >= 0)
		xclose(ev->stop_fd);
	pthread_mutex_destroy(&ev->cfg);
	pthread_mutex_destroy(&ev->lock);
	pthread_cond_destroy(&ev->idle);
	free(ev);
	vm->eventfds = NULL;
}
