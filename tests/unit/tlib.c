/*
 * tlib.c - this module holds what several unit tests need and none owns:
 * temporary directories made with mkdtemp and removed with nftw (no
 * shell), the loader of the shipped policies, a fresh data directory and
 * one-value queries. See tlib.h.
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cert/policy.h"
#include "store/config.h"
#include "store/store.h"
#include "core/util.h"
#include "tlib.h"

#ifndef HS_TEMPLATES_DIR
#define HS_TEMPLATES_DIR "templates"
#endif

int
t_tmpdir(const char *name, char *dir, size_t n)
{
	const char *tmp = getenv("TMPDIR");
	int w;

	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	w = snprintf(dir, n, "%s/hs-%s.XXXXXX", tmp, name);
	if (w < 0 || (size_t)w >= n) {
		printf("# temporary directory name too long under %s\n", tmp);
		if (n > 0)
			dir[0] = '\0';
		return -1;
	}
	if (mkdtemp(dir) == NULL) {
		printf("# mkdtemp %s: %s\n", dir, strerror(errno));
		dir[0] = '\0';
		return -1;
	}
	return 0;
}

/* nftw gives a callback no context: the count of failures lives here. */
static int t_rm_failed;

static int
t_rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	int rc;

	/* A directory nftw could not read is still tried: it may be empty. */
	if (type == FTW_DP || type == FTW_DNR)
		rc = rmdir(path);
	else
		rc = unlink(path);
	if (rc != 0 && errno != ENOENT) {
		printf("# could not remove %s: %s\n", path, strerror(errno));
		t_rm_failed++;
	}
	return 0; /* go on: remove as much as possible */
}

int
t_rmtree(const char *path)
{
	struct stat st;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : -1;
	t_rm_failed = 0;
	if (nftw(path, t_rm_one, 16, FTW_DEPTH | FTW_PHYS) != 0) {
		printf("# nftw %s: %s\n", path, strerror(errno));
		return -1;
	}
	return t_rm_failed == 0 ? 0 : -1;
}

struct policy *
t_policy(const char *name, char *err)
{
	char path[512];
	struct policy *p = NULL;
	int w;

	w = snprintf(path, sizeof(path), "%s/policy/%s.json",
	    HS_TEMPLATES_DIR, name);
	if (w < 0 || (size_t)w >= sizeof(path)) {
		hs_fail(err, HS_ERR_TOOBIG, "policy path too long: %s", name);
		return NULL;
	}
	if (policy_load(path, &p, err) != HS_OK) {
		policy_free(p);
		return NULL;
	}
	return p;
}

enum hs_err
t_datadir(const char *dir, struct config *cfg, sqlite3 **db, char *err)
{
	struct config c0;
	char path[600];
	enum hs_err rc;

	*db = NULL;
	memset(&c0, 0, sizeof(c0));
	if (snprintf(path, sizeof(path), "%s/data", dir) >= (int)sizeof(path))
		return hs_fail(err, HS_ERR_INVALID, "%s: path too long", dir);
	if ((rc = config_init(path, &c0, err)) != HS_OK ||
	    (rc = config_load(path, cfg, err)) != HS_OK)
		return rc;
	return store_open(cfg->db_path, STORE_RW, db, err);
}

long long
t_q(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long long v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

const char *
t_qs(sqlite3 *db, const char *sql)
{
	static char out[1024];
	sqlite3_stmt *st = NULL;

	out[0] = '\0';
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, sizeof(out), "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return out;
}

void
t_tiny_pdf(struct buf *b)
{
	static const char *obj[] = {
		"<<\n/Type /Catalog\n/Pages 2 0 R\n>>",
		"<<\n/Type /Pages\n/Kids [ 3 0 R ]\n/Count 1\n>>",
		"<<\n/Type /Page\n/MediaBox [ 0 0 595 842 ]\n/Parent 2 0 R\n>>",
		"<<\n/Producer (test)\n>>",
	};
	size_t off[4], i, x;

	buf_puts(b, "%PDF-1.4\n");
	for (i = 0; i < 4; i++) {
		off[i] = b->len;
		buf_printf(b, "%zu 0 obj\n%s\nendobj\n", i + 1, obj[i]);
	}
	x = b->len;
	buf_puts(b, "xref\n0 5\n0000000000 65535 f\r\n");
	for (i = 0; i < 4; i++)
		buf_printf(b, "%010zu 00000 n\r\n", off[i]);
	buf_printf(b, "trailer\n<<\n/Root 1 0 R\n/Info 4 0 R\n/Size 5\n>>\n"
	    "startxref\n%zu\n%%%%EOF\n", x);
}
