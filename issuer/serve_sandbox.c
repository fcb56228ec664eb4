/*
 * serve_sandbox.c - the HTTP process's Landlock sandbox (service.md §3):
 * once the signer process holds the key, the HTTP process restricts
 * itself to the files it needs, and the keys directory is not among
 * them, so even code running in it cannot open the key file.
 *
 * Allowed (beneath each path): the database and its -wal/-shm files and
 * the data directory's pdfs/, tiles/ and tmp/ (read-write); config.json,
 * pepper, the templates (fonts, policies) and /usr, /etc (read; /usr
 * also execute); /dev/urandom, /dev/null; /proc/self (read). Every other
 * file access (read, write, create, remove, rename, link, truncate,
 * ioctl on devices) is handled by the ruleset and so denied. With ABI 6+
 * the process also may not signal processes outside its domain (the
 * signer) nor connect to abstract UNIX sockets.
 *
 * Landlock applies to the calling thread and the threads it starts
 * later: this runs before the HTTP server starts any.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/landlock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "serve.h"

#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif

#define FS_READ (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define FS_FILE_RW (LANDLOCK_ACCESS_FS_READ_FILE | \
	LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE)
#define FS_DIR_RW (FS_READ | LANDLOCK_ACCESS_FS_WRITE_FILE | \
	LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_REMOVE_FILE | \
	LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG | \
	LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_REFER)
/* What a regular file's rule may name. */
#define FS_FILE_ONLY (LANDLOCK_ACCESS_FS_EXECUTE | \
	LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE | \
	LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_IOCTL_DEV)

int
sandbox_abi(void)
{
	long v = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);

	return v < 0 ? -errno : (int)v;
}

/* The rights ABI abi handles. */
static uint64_t
handled_fs(int abi)
{
	uint64_t h = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1; /* ABI 1 */

	if (abi >= 2)
		h |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		h |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		h |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return h;
}

/* Adds a rule for path (skipped if it does not exist and !must). */
static enum hs_err
allow(int rs, const char *path, uint64_t access, uint64_t handled, bool must,
    char *err)
{
	struct landlock_path_beneath_attr pb;
	struct stat st;
	int fd;

	fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0) {
		if (!must && errno == ENOENT)
			return HS_OK;
		return hs_fail(err, HS_ERR_IO, "sandbox: %s: %s", path,
		    strerror(errno));
	}
	if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
		access &= FS_FILE_ONLY;
	memset(&pb, 0, sizeof(pb));
	pb.allowed_access = access & handled;
	pb.parent_fd = fd;
	if (syscall(SYS_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH, &pb,
	    0) != 0) {
		int e = errno;

		close(fd);
		return hs_fail(err, HS_ERR_IO, "sandbox: rule for %s: %s", path,
		    strerror(e));
	}
	close(fd);
	return HS_OK;
}

/* allow() for the path dir + suffix. */
static enum hs_err
allow2(int rs, const char *dir, const char *suffix, uint64_t access,
    uint64_t handled, bool must, char *err)
{
	char p[PATH_MAX];

	if (snprintf(p, sizeof(p), "%s%s", dir, suffix) >= (int)sizeof(p))
		return hs_fail(err, HS_ERR_INVALID, "sandbox: %s: path too "
		    "long", dir);
	return allow(rs, p, access, handled, must, err);
}

/* True if path is dir or beneath it (both absolute, resolved). */
static bool
beneath(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (n > 1 && dir[n - 1] == '/')
		n--;
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' ||
	    path[n] == '/');
}

enum hs_err
sandbox_apply(const struct config *cfg, char *err)
{
	struct landlock_ruleset_attr ra;
	char p[PATH_MAX], keys[PATH_MAX], rp[PATH_MAX];
	int abi, rs = -1;
	uint64_t h;
	enum hs_err rc = HS_OK;
	size_t i;
	/* Read-only trees; the keys directory must be outside all. */
	const char *ro[] = { "/usr", "/etc", cfg->templates_dir, NULL };
	static const char *sub[] = { "pdfs", "tiles", "tmp" };

	abi = sandbox_abi();
	if (abi < 1)
		return hs_fail(err, HS_ERR_STATE, "Landlock is not available "
		    "(%s)", strerror(-abi));
	if (realpath(cfg->keys_dir, keys) == NULL)
		snprintf(keys, sizeof(keys), "%s", cfg->keys_dir);
	for (i = 0; ro[i] != NULL; i++)
		if (realpath(ro[i], rp) != NULL && beneath(keys, rp))
			return hs_fail(err, HS_ERR_STATE, "the keys directory "
			    "%s is inside %s, which the HTTP process must "
			    "read: move the keys elsewhere", keys, rp);
	for (i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		if (snprintf(p, sizeof(p), "%s/%s", cfg->data_dir, sub[i]) >=
		    (int)sizeof(p))
			return hs_fail(err, HS_ERR_INVALID, "data directory "
			    "path too long");
		if (realpath(p, rp) != NULL && beneath(keys, rp))
			return hs_fail(err, HS_ERR_STATE, "the keys directory "
			    "%s is inside %s: move the keys elsewhere", keys,
			    rp);
	}
	h = handled_fs(abi);
	memset(&ra, 0, sizeof(ra));
	ra.handled_access_fs = h;
#ifdef LANDLOCK_SCOPE_SIGNAL
	if (abi >= 6)
		ra.scoped = LANDLOCK_SCOPE_SIGNAL |
		    LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET;
#endif
	rs = (int)syscall(SYS_landlock_create_ruleset, &ra, sizeof(ra), 0);
	if (rs < 0)
		return hs_fail(err, HS_ERR_IO, "sandbox: create ruleset: %s",
		    strerror(errno));
	for (i = 0; ro[i] != NULL && rc == HS_OK; i++)
		rc = allow(rs, ro[i], FS_READ | (i == 0 ?
		    LANDLOCK_ACCESS_FS_EXECUTE : 0), h, i == 2, err);
	if (rc == HS_OK && strcmp(cfg->policy_path, "") != 0)
		rc = allow(rs, cfg->policy_path, FS_READ, h, true, err);
	if (rc == HS_OK)
		rc = allow(rs, "/dev/urandom", LANDLOCK_ACCESS_FS_READ_FILE, h,
		    true, err);
	if (rc == HS_OK)
		rc = allow(rs, "/dev/null", FS_FILE_RW, h, true, err);
	if (rc == HS_OK) {
		snprintf(p, sizeof(p), "/proc/%ld", (long)getpid());
		rc = allow(rs, p, FS_READ, h, true, err);
	}
	/* The database: the file and its WAL companions, which stay while
	 * the service holds a connection (cmd_serve.c keeps one open). */
	if (rc == HS_OK)
		rc = allow(rs, cfg->db_path, FS_FILE_RW, h, true, err);
	if (rc == HS_OK)
		rc = allow2(rs, cfg->db_path, "-wal", FS_FILE_RW, h, true, err);
	if (rc == HS_OK)
		rc = allow2(rs, cfg->db_path, "-shm", FS_FILE_RW, h, true, err);
	if (rc == HS_OK)
		rc = allow2(rs, cfg->data_dir, "/config.json",
		    LANDLOCK_ACCESS_FS_READ_FILE, h, false, err);
	if (rc == HS_OK)
		rc = allow2(rs, cfg->data_dir, "/pepper",
		    LANDLOCK_ACCESS_FS_READ_FILE, h, false, err);
	for (i = 0; rc == HS_OK && i < sizeof(sub) / sizeof(sub[0]); i++) {
		char sfx[16];

		snprintf(sfx, sizeof(sfx), "/%s", sub[i]);
		if (snprintf(p, sizeof(p), "%s%s", cfg->data_dir, sfx) >=
		    (int)sizeof(p))
			break;
		(void)mkdir(p, 0700);
		rc = allow(rs, p, FS_DIR_RW, h, true, err);
	}
	if (rc != HS_OK)
		goto out;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		rc = hs_fail(err, HS_ERR_IO, "sandbox: no_new_privs: %s",
		    strerror(errno));
		goto out;
	}
	if (syscall(SYS_landlock_restrict_self, rs, 0) != 0) {
		rc = hs_fail(err, HS_ERR_IO, "sandbox: restrict: %s",
		    strerror(errno));
		goto out;
	}
out:
	close(rs);
	return rc;
}
