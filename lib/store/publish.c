#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/publish.h"
#include "core/util.h"

/* The tables a verifier reads; everything else stays with the issuer. */
static const char *const tables[] = {
	"schema_version", "keys", "leaves", "tree", "checkpoints",
	"latest_checkpoint", "certificates", "revocations",
};

/*
 * How each table is copied. Columns named here are copied; a column that
 * is not named keeps its default (NULL), which is how personal or
 * internal fields are left out.
 */
static const char *const copies[] = {
	"INSERT INTO main.schema_version SELECT * FROM src.schema_version",
	"INSERT INTO main.keys (label, vkey, created, not_before, retired,"
	" compromised_since) SELECT label, vkey, created, not_before, retired,"
	" compromised_since FROM src.keys",
	"INSERT INTO main.leaves (idx, entry, hash) SELECT idx, entry, hash"
	" FROM src.leaves ORDER BY idx",
	"INSERT INTO main.tree (id, hash) SELECT id, hash FROM src.tree"
	" ORDER BY id",
	"INSERT INTO main.checkpoints (size, root, note, created) SELECT size,"
	" root, note, created FROM src.checkpoints ORDER BY size",
	"INSERT INTO main.latest_checkpoint (one, size, note) SELECT one,"
	" size, note FROM src.latest_checkpoint",
	/* practitioner_id and pdf_file stay NULL: internal to the issuer. */
	"INSERT INTO main.certificates (serial, year, kind, name, id_masked,"
	" id_digest, unit, total10, status, record_set, note, leaf_index,"
	" key_label, issued, pdf_sha256, replaces) SELECT serial, year, kind,"
	" name, id_masked, id_digest, unit, total10, status, record_set, note,"
	" leaf_index, key_label, issued, pdf_sha256, replaces"
	" FROM src.certificates ORDER BY leaf_index",
	/* The operator's free-text note stays with the issuer. */
	"INSERT INTO main.revocations (serial, reason, at, leaf_index,"
	" replaced_by) SELECT serial, reason, at, leaf_index, replaced_by"
	" FROM src.revocations ORDER BY leaf_index",
};

static enum hs_err
exec(sqlite3 *db, const char *sql, char *err)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return hs_fail(err, sqlite3_errcode(db) == SQLITE_BUSY ?
		    HS_ERR_BUSY : HS_ERR_DB, "%s", sqlite3_errmsg(db));
	return HS_OK;
}

static long long
count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long long n = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/*
 * Creates in main the tables of `tables` (then their indexes and
 * triggers) with the exact SQL the issuer database was created with, so
 * names and constraints are the same as store.c's.
 */
static enum hs_err
copy_schema(sqlite3 *db, char *err)
{
	static const char *const types[] = { "table", "index", "trigger" };
	sqlite3_stmt *st = NULL;
	enum hs_err rc = HS_OK;
	size_t t, i;
	int r;

	if (sqlite3_prepare_v2(db, "SELECT sql FROM src.sqlite_master"
	    " WHERE type = ?1 AND tbl_name = ?2 AND sql IS NOT NULL"
	    " ORDER BY rowid", -1, &st, NULL) != SQLITE_OK)
		return hs_fail(err, HS_ERR_DB, "schema: %s",
		    sqlite3_errmsg(db));
	for (t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
			int found = 0;

			sqlite3_bind_text(st, 1, types[t], -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, tables[i], -1, SQLITE_STATIC);
			while ((r = sqlite3_step(st)) == SQLITE_ROW) {
				/* Our own schema text, from our own file. */
				const char *sql =
				    (const char *)sqlite3_column_text(st, 0);

				found = 1;
				if ((rc = exec(db, sql, err)) != HS_OK) {
					hs_errprefix(err, "schema of %s",
					    tables[i]);
					goto out;
				}
			}
			if (r != SQLITE_DONE) {
				rc = hs_fail(err, HS_ERR_DB, "schema: %s",
				    sqlite3_errmsg(db));
				goto out;
			}
			sqlite3_reset(st);
			if (t == 0 && !found) {
				rc = hs_fail(err, HS_ERR_DB, "the issuer "
				    "database has no table %s (not an "
				    "hourseal database?)", tables[i]);
				goto out;
			}
		}
	}
out:
	sqlite3_finalize(st);
	return rc;
}

enum hs_err
publish_write(const char *db_path, const char *dir, struct publish_stats *ps,
    char *err)
{
	char final[PATH_MAX];
	const char *tmp;
	struct file_out *fo = NULL;
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	struct stat sb;
	enum hs_err rc;
	size_t i;

	if (ps != NULL)
		memset(ps, 0, sizeof(*ps));
	if (stat(db_path, &sb) != 0)
		return hs_fail(err, HS_ERR_NOTFOUND, "%s: %s", db_path,
		    strerror(errno));
	if ((rc = file_mkdirs(dir, 0755, err)) != HS_OK ||
	    (rc = path_join(final, sizeof(final), dir, "verifier.db", err)) !=
	    HS_OK)
		return rc;
	/*
	 * Built in DIR/.verifier.db.tmp.<pid> (those of killed runs are
	 * removed first), then renamed over verifier.db, or copied into it
	 * if that is a device or FIFO.
	 */
	if ((rc = file_out_open(final, 0644, FILE_SYNC | FILE_CLEAN |
	    FILE_STAGE, &fo, err)) != HS_OK)
		return rc;
	tmp = file_out_path(fo);
	if (sqlite3_open_v2(tmp, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		rc = hs_fail(err, HS_ERR_IO, "%s: %s", tmp,
		    db ? sqlite3_errmsg(db) : "cannot create");
		goto out;
	}
	sqlite3_busy_timeout(db, 5000);
	/* The copy is rebuilt from scratch on failure, so no journal. */
	if ((rc = exec(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF",
	    err)) != HS_OK)
		goto out;
	if (sqlite3_prepare_v2(db, "ATTACH DATABASE ? AS src", -1, &st,
	    NULL) != SQLITE_OK) {
		rc = hs_fail(err, HS_ERR_DB, "%s", sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_bind_text(st, 1, db_path, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = hs_fail(err, HS_ERR_DB, "%s: %s", db_path,
		    sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	/* One transaction: one consistent snapshot of the issuer's data. */
	if ((rc = exec(db, "BEGIN", err)) != HS_OK)
		goto out;
	if ((rc = copy_schema(db, err)) != HS_OK)
		goto out;
	for (i = 0; i < sizeof(copies) / sizeof(copies[0]); i++) {
		if ((rc = exec(db, copies[i], err)) != HS_OK) {
			hs_errprefix(err, "copying %s", tables[i]);
			goto out;
		}
	}
	if ((rc = exec(db, "COMMIT", err)) != HS_OK ||
	    (rc = exec(db, "DETACH DATABASE src", err)) != HS_OK)
		goto out;
	if (ps != NULL) {
		ps->certificates = count(db, "SELECT count(*) FROM certificates");
		ps->revocations = count(db, "SELECT count(*) FROM revocations");
		ps->leaves = count(db, "SELECT count(*) FROM leaves");
		ps->checkpoints = count(db, "SELECT count(*) FROM checkpoints");
		ps->keys = count(db, "SELECT count(*) FROM keys");
	}
	if (sqlite3_close(db) != SQLITE_OK) {
		rc = hs_fail(err, HS_ERR_DB, "%s: %s", tmp,
		    sqlite3_errmsg(db));
		goto out;
	}
	db = NULL;
	rc = file_out_commit(fo, err);
	fo = NULL;
out:
	sqlite3_finalize(st);
	if (db != NULL) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close(db);
	}
	file_out_abort(fo);
	return rc;
}
