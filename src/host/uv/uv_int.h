/* SPDX-License-Identifier: MIT */
/* The Ultravisor model's private state: configurations, CPUs, pages. */
#ifndef KVMU_HOST_UV_INT_H
#define KVMU_HOST_UV_INT_H

#include <pthread.h>
#include <stdbool.h>

#include "host/uv/se.h"
#include "host/uv/uv.h"

/* Page states, per 4 KiB of guest storage. */
enum {
	UV_PG_HOST,	/* not secure: the slot page is the page */
	UV_PG_SECURE,	/* the guest's: plaintext only in the UV */
	UV_PG_EXPORTED,	/* the slot page holds the AES-GCM export */
	UV_PG_SHARED,	/* the guest shared it: the slot page, plaintext */
};

struct uv_page {
	uint8_t state;
	bool used;		/* in uv_cfg.used since the last export */
	uint8_t tag[16];	/* GCM tag of the export */
	uint32_t seq;		/* export counter: the IV, never reused */
	uint8_t *plain;		/* UV_PG_SECURE: the plaintext */
};

struct uv_cpu {
	uint64_t handle;	/* 0: free */
	uint16_t addr;
	uint8_t state;
	bool load_pending;	/* operating-load seen: start at the hdr PSW */
};

enum { CFG_NEW, CFG_PARAMS, CFG_VERIFIED };

#define UV_L2_PAGES	512

struct uv_cfg {
	uint64_t handle;
	int refs;			/* under uv_table_lock */
	bool dead;			/* destroyed, freed on the last put */
	pthread_mutex_t lock;
	uint64_t stor_len;
	struct kvmu_uv_mem mem;
	int phase;
	bool dumping;
	struct se_plain hdr;
	struct se_secrets sec;
	struct se_digests dig;
	uint8_t page_key[32];		/* export key, random per config */
	struct uv_page **pages;		/* two levels of UV_L2_PAGES */
	size_t l1;
	uint64_t *used;			/* gfns made secure since export */
	size_t nr_used, cap_used;
	/*
	 * Plaintext pages taken from the guest while vCPUs may still hold
	 * them in their TLBs: wiped at once, freed at the next export-all
	 * (no vCPU runs then) or with the configuration.
	 */
	uint8_t **retired;
	size_t nr_retired, cap_retired;
	struct uv_cpu cpus[UV_MAX_CPUS];
	struct kvmu_uv_stats st;
};

/* Take a reference on the configuration of handle; NULL if none. */
struct uv_cfg *uv_cfg_get(uint64_t handle);
void uv_cfg_put(struct uv_cfg *cfg);
/* The same for table slot 1..UV_MAX_GUESTS, whatever its generation. */
struct uv_cfg *uv_cfg_find_slot(uint64_t slot);

/* hostkey.c: the private host key of dir (NULL: default); 0 or -errno. */
int uv_hostkey_load(const char *dir, EVP_PKEY **out);

/* uv_mem.c: the page of gfn (allocated on demand); NULL past storage. */
struct uv_page *uv_page(struct uv_cfg *cfg, uint64_t gfn, bool alloc);
/* Destroy secure storage: secure and exported slot pages are zeroed. */
void uv_pages_destroy(struct uv_cfg *cfg);
/* Destroy one page: its plaintext retired, back to the host. */
void uv_page_destroy(struct uv_cfg *cfg, struct uv_page *pg);
/* Free the retired plaintext pages. */
void uv_retired_free(struct uv_cfg *cfg);
/* Free every page table and plaintext (config destroy). */
void uv_pages_free(struct uv_cfg *cfg);
/* Import a host page as secure (convert to secure); a UV rc. */
uint16_t uv_import(struct uv_cfg *cfg, uint64_t gaddr, uint16_t *rrc);
/* Export one secure page to its slot page; a UV rc. */
uint16_t uv_export(struct uv_cfg *cfg, uint64_t gfn, struct uv_page *pg);
/* Unpack one image page (UVC_CMD_UNPACK_IMG); a UV rc. */
uint16_t uv_unpack(struct uv_cfg *cfg, uint64_t gaddr, uint64_t tw0,
		   uint64_t tw1, uint16_t *rrc);
/* Guest UVC set/remove shared access on gaddr; a UV rc. */
uint16_t uv_share(struct uv_cfg *cfg, uint64_t gaddr, bool share);
/* Unshare every page (prepare reset / unshare all). */
void uv_unshare_all(struct uv_cfg *cfg);
/* The config and gfn of a host page address (convert from secure). */
struct uv_cfg *uv_find_host_page(uint64_t paddr, uint64_t *gfn);

/* uv_mem.c: the dump calls (storage state, CPU, complete); a UV rc. */
uint16_t uv_cmd_dump(uint8_t *cb, uint16_t *rrc);

#endif /* KVMU_HOST_UV_INT_H */
