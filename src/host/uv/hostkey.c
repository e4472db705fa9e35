// SPDX-License-Identifier: MIT
/*
 * The machine's host key: an EC key pair on secp521r1, as IBM's host keys
 * (ECDH), kept with the host model's durable state in <dir>/uv/:
 * host-key.pem (private, mode 0600) and host-key.crt, the host-key
 * document image tools take (a self-signed X.509 certificate here; IBM's
 * are signed by its CA).  The pair is made on first use under an
 * exclusive flock on <dir>/uv/lock, written to a temporary file and
 * renamed, so concurrent first users agree on one key.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "host/common/lockfile.h"
#include "host/uv/uv.h"
#include "host/uv/uv_int.h"

#define DEFAULT_DIR	"/var/lib/kvmu"
#define CERT_DAYS	3650

static int uv_path(const char *dir, const char *name, char *buf, size_t n)
{
	if (!dir || !*dir)
		dir = getenv("KVMU_HOST_DIR");
	if (!dir || !*dir)
		dir = DEFAULT_DIR;
	if ((size_t)snprintf(buf, n, "%s/uv%s%s", dir, *name ? "/" : "",
			     name) >= n)
		return -ENAMETOOLONG;
	return 0;
}

static int lock_uv(const char *dir, int how)
{
	char path[4096];
	int rc;

	rc = uv_path(dir, "", path, sizeof(path));
	if (rc)
		return rc;
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return -errno;
	rc = uv_path(dir, "lock", path, sizeof(path));
	if (rc)
		return rc;
	return kvmu_lockfile_take(path, 0600, how);
}

static X509 *self_sign(EVP_PKEY *key)
{
	X509 *x = X509_new();
	X509_NAME *name;

	if (!x)
		return NULL;
	name = X509_get_subject_name(x);
	if (!X509_set_version(x, 2) ||
	    !ASN1_INTEGER_set(X509_get_serialNumber(x), 1) ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), 0) ||
	    !X509_gmtime_adj(X509_getm_notAfter(x), 86400L * CERT_DAYS) ||
	    !X509_set_pubkey(x, key) ||
	    !X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
					(const unsigned char *)"kvmu", -1, -1,
					0) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
					(const unsigned char *)
					"kvmu simulated host key", -1, -1, 0) ||
	    !X509_set_issuer_name(x, name) ||
	    !X509_sign(x, key, EVP_sha512())) {
		X509_free(x);
		return NULL;
	}
	return x;
}

/* Write both files of a fresh pair; caller holds the exclusive lock. */
static int make_key(const char *dir)
{
	char path[4096], tmp[4200], cpath[4096], ctmp[4200];
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521");
	X509 *cert = key ? self_sign(key) : NULL;
	FILE *f = NULL, *g = NULL;
	int rc = -EIO, fd;

	if (!cert || uv_path(dir, "host-key.pem", path, sizeof(path)) ||
	    uv_path(dir, "host-key.crt", cpath, sizeof(cpath)))
		goto out;
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	snprintf(ctmp, sizeof(ctmp), "%s.new", cpath);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		rc = -errno;
		if (fd >= 0)
			close(fd);
		goto out;
	}
	g = fopen(ctmp, "we");
	if (!g || !PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) ||
	    !PEM_write_X509(g, cert) || fflush(f) || fsync(fileno(f)) ||
	    fflush(g) || fsync(fileno(g)))
		goto out;
	/* the certificate first: a key file always has its document */
	if (rename(ctmp, cpath) < 0 || rename(tmp, path) < 0) {
		rc = -errno;
		goto out;
	}
	rc = 0;
out:
	if (f)
		fclose(f);
	if (g)
		fclose(g);
	X509_free(cert);
	EVP_PKEY_free(key);
	return rc;
}

static EVP_PKEY *read_key(const char *dir)
{
	char path[4096];
	EVP_PKEY *key = NULL;
	FILE *f;

	if (uv_path(dir, "host-key.pem", path, sizeof(path)))
		return NULL;
	f = fopen(path, "re");
	if (!f)
		return NULL;
	key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	return key;
}

int uv_hostkey_load(const char *dir, EVP_PKEY **out)
{
	int fd, rc = 0;

	*out = read_key(dir);
	if (*out)
		return 0;
	fd = lock_uv(dir, LOCK_EX);
	if (fd < 0)
		return fd;
	*out = read_key(dir);		/* another process may have won */
	if (!*out) {
		rc = make_key(dir);
		if (!rc)
			*out = read_key(dir);
		if (!rc && !*out)
			rc = -EIO;
	}
	close(fd);
	return rc;
}

int kvmu_uv_hostkey_document(const char *dir, char **pem, size_t *len)
{
	char path[4096];
	EVP_PKEY *key;
	FILE *f;
	long n;
	int rc;

	rc = uv_hostkey_load(dir, &key);
	if (rc)
		return rc;
	EVP_PKEY_free(key);
	rc = uv_path(dir, "host-key.crt", path, sizeof(path));
	if (rc)
		return rc;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	rc = -EIO;
	if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) > 0 && n < 65536 &&
	    !fseek(f, 0, SEEK_SET) && (*pem = malloc((size_t)n + 1))) {
		*len = fread(*pem, 1, (size_t)n, f);
		(*pem)[*len] = 0;
		rc = 0;
	}
	fclose(f);
	return rc;
}

int kvmu_uv_hostkey_regenerate(const char *dir)
{
	int fd = lock_uv(dir, LOCK_EX), rc;

	if (fd < 0)
		return fd;
	rc = make_key(dir);
	close(fd);
	return rc;
}
