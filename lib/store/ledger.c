/*
 * ledger.c - the RFC 6962 log in SQLite. See ledger.h.
 *
 * Storage layout. Leaf i is leaves.idx = i with its entry and leaf hash.
 * The hash of every perfect subtree of level L >= 1 (2^L leaves starting
 * at a multiple of 2^L) is a row of tree, written by the append that
 * completes it, with id = the subtree's position in Go's stored-hash order
 * (golang.org/x/mod/sumdb/tlog StoredHashIndex): the hashes in the order
 * appends create them, leaf hashes included, so ids only grow and level-0
 * ids (kept in leaves instead) are simply skipped. Every root and proof
 * is built from these perfect subtrees by lib/merkle.c with O(log n)
 * reads.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cert/leaf.h"
#include "core/i18n.h"
#include "tlog/checkpoint.h"
#include "store/audit.h"
#include "store/ledger.h"
#include "tlog/receipt.h"
#include "store/store.h"

enum {
	ST_SIZE,
	ST_LEAF_INS,
	ST_TREE_INS,
	ST_LEAF_HASH,
	ST_TREE_HASH,
	ST_ENTRY,
	ST_LATEST,
	ST_CP_AT,
	ST_CP_COVER,
	ST_CP_INS,
	ST_LATEST_CAS,
	ST_LATEST_INS,
	ST_LEAF_RANGE,
	ST_BEGIN,
	ST_COMMIT,
	NST
};

static const char *const sql[NST] = {
	[ST_SIZE] = "SELECT max(idx) FROM leaves",
	[ST_LEAF_INS] = "INSERT INTO leaves(idx, entry, hash) VALUES (?, ?, ?)",
	[ST_TREE_INS] = "INSERT INTO tree(id, hash) VALUES (?, ?)",
	[ST_LEAF_HASH] = "SELECT hash FROM leaves WHERE idx = ?",
	[ST_TREE_HASH] = "SELECT hash FROM tree WHERE id = ?",
	[ST_ENTRY] = "SELECT entry FROM leaves WHERE idx = ?",
	[ST_LATEST] = "SELECT size, note FROM latest_checkpoint WHERE one = 1",
	[ST_CP_AT] = "SELECT note FROM checkpoints WHERE size = ?",
	[ST_CP_COVER] = "SELECT min(size) FROM checkpoints WHERE size > ?",
	[ST_CP_INS] = "INSERT INTO checkpoints(size, root, note, created) "
	    "VALUES (?, ?, ?, ?)",
	[ST_LATEST_CAS] = "UPDATE latest_checkpoint SET size = ?, note = ? "
	    "WHERE one = 1 AND size = ?",
	[ST_LATEST_INS] = "INSERT INTO latest_checkpoint(one, size, note) "
	    "VALUES (1, ?, ?)",
	[ST_LEAF_RANGE] = "SELECT idx, entry, hash FROM leaves "
	    "WHERE idx >= ? AND idx < ? ORDER BY idx",
	[ST_BEGIN] = "BEGIN",
	[ST_COMMIT] = "COMMIT",
};

struct ledger {
	sqlite3 *db;
	char origin[CHECKPOINT_ORIGIN_MAX + 1];
	sqlite3_stmt *st[NST];
};

/*
 * Position of perfect subtree (level, n) in Go's stored-hash order: the
 * number of hashes stored before it. Leaf n is preceded by the hashes of
 * leaves 0..n-1 and of every subtree those complete.
 */
static int64_t
stored_index(unsigned level, uint64_t n)
{
	uint64_t i = 0;
	unsigned l;

	for (l = level; l > 0; l--)
		n = 2 * n + 1;
	for (; n > 0; n >>= 1)
		i += n;
	return (int64_t)(i + level);
}

static sqlite3_stmt *
stmt(struct ledger *l, int which)
{
	sqlite3_stmt *s = l->st[which];

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

/*
 * Reads that take several statements run in one read transaction when
 * the caller has none: one consistent snapshot, and far cheaper under
 * WAL than an implicit transaction per statement. Returns 1 if it began
 * one (end it with snap_end).
 */
static int
snap_begin(struct ledger *l)
{
	sqlite3_stmt *s;
	int r;

	if (!sqlite3_get_autocommit(l->db))
		return 0;
	s = stmt(l, ST_BEGIN);
	r = sqlite3_step(s);
	sqlite3_reset(s);
	return r == SQLITE_DONE;
}

static void
snap_end(struct ledger *l, int began)
{
	sqlite3_stmt *s;

	if (!began)
		return;
	s = stmt(l, ST_COMMIT);
	if (sqlite3_step(s) != SQLITE_DONE)
		store_rollback(l->db);
	sqlite3_reset(s);
}

enum hs_err
ledger_open(sqlite3 *db, const char *origin, struct ledger **lp, char *err)
{
	struct ledger *l;
	merkle_hash zero;
	struct buf probe;
	enum hs_err rc;
	int i;

	*lp = NULL;
	/* The origin must be one checkpoint_format accepts. */
	memset(zero, 0, sizeof(zero));
	buf_init(&probe);
	rc = checkpoint_format(origin, 0, zero, &probe, err);
	buf_free(&probe);
	if (rc != HS_OK)
		return rc;
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return HS_ERR_NOMEM;
	l->db = db;
	snprintf(l->origin, sizeof(l->origin), "%s", origin);
	for (i = 0; i < NST; i++)
		if (sqlite3_prepare_v3(db, sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &l->st[i], NULL) != SQLITE_OK) {
			rc = store_err(db, err, "ledger: preparing statements");
			ledger_close(l);
			return rc;
		}
	*lp = l;
	return HS_OK;
}

void
ledger_close(struct ledger *l)
{
	int i;

	if (l == NULL)
		return;
	for (i = 0; i < NST; i++)
		sqlite3_finalize(l->st[i]);
	free(l);
}

const char *
ledger_origin(const struct ledger *l)
{
	return l->origin;
}

enum hs_err
ledger_size(struct ledger *l, uint64_t *size, char *err)
{
	sqlite3_stmt *s = stmt(l, ST_SIZE);
	int r = sqlite3_step(s);

	*size = 0;
	if (r != SQLITE_ROW) {
		enum hs_err rc = store_err(l->db, err, "ledger size");

		sqlite3_reset(s);
		return rc;
	}
	if (sqlite3_column_type(s, 0) != SQLITE_NULL)
		*size = (uint64_t)sqlite3_column_int64(s, 0) + 1;
	sqlite3_reset(s);
	return HS_OK;
}

/* Reads a 32-byte hash from column 0 of a one-row query. */
static enum hs_err
read_hash(struct ledger *l, sqlite3_stmt *s, merkle_hash out,
    const char *what, unsigned level, uint64_t index, char *err)
{
	int r = sqlite3_step(s);
	enum hs_err rc = HS_OK;

	if (r == SQLITE_ROW) {
		if (sqlite3_column_bytes(s, 0) != MERKLE_HASH)
			rc = hs_fail(err, HS_ERR_DB, "ledger: %s hash at level "
			    "%u index %llu is not 32 bytes", what, level,
			    (unsigned long long)index);
		else
			memcpy(out, sqlite3_column_blob(s, 0), MERKLE_HASH);
	} else if (r == SQLITE_DONE)
		rc = hs_fail(err, HS_ERR_DB, "ledger: %s hash at level %u "
		    "index %llu is missing", what, level,
		    (unsigned long long)index);
	else
		rc = store_err(l->db, err, "ledger: reading a hash");
	sqlite3_reset(s);
	return rc;
}

/* merkle_reader over the store. */
static enum hs_err
store_read(void *ctx, unsigned level, uint64_t index, merkle_hash out,
    char *err)
{
	struct ledger *l = ctx;
	sqlite3_stmt *s;

	if (level == 0) {
		s = stmt(l, ST_LEAF_HASH);
		sqlite3_bind_int64(s, 1, (int64_t)index);
		return read_hash(l, s, out, "leaf", level, index, err);
	}
	if (level > 62 || index > (MERKLE_MAX_SIZE >> level))
		return hs_fail(err, HS_ERR_INVALID, "no subtree %u/%llu", level,
		    (unsigned long long)index);
	s = stmt(l, ST_TREE_HASH);
	sqlite3_bind_int64(s, 1, stored_index(level, index));
	return read_hash(l, s, out, "subtree", level, index, err);
}

enum hs_err
ledger_append(struct ledger *l, const void *entry, size_t n,
    uint64_t *index, char *err)
{
	sqlite3_stmt *s;
	merkle_hash h, sib;
	uint64_t size, done;
	unsigned level;
	enum hs_err rc;

	if (index != NULL)
		*index = 0;
	if (sqlite3_get_autocommit(l->db))
		return hs_fail(err, HS_ERR_STATE, "ledger_append must run "
		    "inside a transaction");
	if (n == 0 || n > LEDGER_ENTRY_MAX)
		return hs_fail(err, HS_ERR_INVALID, "ledger entry of %zu bytes "
		    "(1..%d allowed)", n, LEDGER_ENTRY_MAX);
	if ((rc = ledger_size(l, &size, err)) != HS_OK)
		return rc;
	if (size >= MERKLE_MAX_SIZE)
		return hs_fail(err, HS_ERR_TOOBIG, "the ledger is full");
	if ((rc = merkle_leaf_hash(entry, n, h)) != HS_OK)
		return hs_fail(err, rc, "hashing a ledger entry");

	s = stmt(l, ST_LEAF_INS);
	sqlite3_bind_int64(s, 1, (int64_t)size);
	sqlite3_bind_blob(s, 2, entry, (int)n, SQLITE_STATIC);
	sqlite3_bind_blob(s, 3, h, MERKLE_HASH, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE) {
		rc = store_err(l->db, err, "ledger: appending a leaf");
		sqlite3_reset(s);
		return rc;
	}
	sqlite3_reset(s);

	/*
	 * Leaf `size` completes the subtrees of level 1, 2, ... for as
	 * long as size + 1 is a multiple of 2^level: hash each from its
	 * stored left sibling and store it.
	 */
	done = size + 1;
	for (level = 1; level < 63 && (done & (((uint64_t)1 << level) - 1))
	    == 0; level++) {
		uint64_t k = (done >> level) - 1; /* index at this level */

		if ((rc = store_read(l, level - 1, 2 * k, sib, err)) != HS_OK)
			return rc;
		merkle_node_hash(sib, h, h);
		s = stmt(l, ST_TREE_INS);
		sqlite3_bind_int64(s, 1, stored_index(level, k));
		sqlite3_bind_blob(s, 2, h, MERKLE_HASH, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE) {
			rc = store_err(l->db, err, "ledger: storing a subtree "
			    "hash");
			sqlite3_reset(s);
			return rc;
		}
		sqlite3_reset(s);
	}
	if (index != NULL)
		*index = size;
	return HS_OK;
}

enum hs_err
ledger_entry(struct ledger *l, uint64_t index, struct buf *out, char *err)
{
	sqlite3_stmt *s = stmt(l, ST_ENTRY);
	enum hs_err rc = HS_OK;
	int r;

	sqlite3_bind_int64(s, 1, (int64_t)(index & INT64_MAX));
	r = sqlite3_step(s);
	if (index > INT64_MAX || r == SQLITE_DONE)
		rc = hs_fail(err, HS_ERR_NOTFOUND, "no ledger leaf %llu",
		    (unsigned long long)index);
	else if (r != SQLITE_ROW)
		rc = store_err(l->db, err, "ledger: reading an entry");
	else {
		buf_add(out, sqlite3_column_blob(s, 0),
		    (size_t)sqlite3_column_bytes(s, 0));
		if (out->oom)
			rc = HS_ERR_NOMEM;
	}
	sqlite3_reset(s);
	return rc;
}

/* Binds the prefix and scans (a blob compare: entries are blobs). */
static enum hs_err
prefix_stmt(struct ledger *l, const char *sql_text, const void *prefix,
    size_t plen, sqlite3_stmt **st, char *err)
{
	if (plen == 0 || plen > LEDGER_ENTRY_MAX)
		return hs_fail(err, HS_ERR_INVALID, "ledger: bad prefix "
		    "length");
	if (sqlite3_prepare_v2(l->db, sql_text, -1, st, NULL) != SQLITE_OK)
		return store_err(l->db, err, "ledger: scanning entries");
	sqlite3_bind_int(*st, 1, (int)plen);
	sqlite3_bind_blob(*st, 2, prefix, (int)plen, SQLITE_STATIC);
	return HS_OK;
}

enum hs_err
ledger_scan_prefix(struct ledger *l, const void *prefix, size_t plen,
    uint64_t size, ledger_entry_fn fn, void *ctx, char *err)
{
	sqlite3_stmt *st = NULL;
	enum hs_err rc;
	int r;

	if ((rc = prefix_stmt(l, "SELECT idx, entry FROM leaves WHERE idx < ?3 "
	    "AND CAST(substr(entry, 1, ?1) AS BLOB) = ?2 ORDER BY idx", prefix,
	    plen, &st, err)) != HS_OK)
		return rc;
	sqlite3_bind_int64(st, 3, (int64_t)(size & INT64_MAX));
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const void *e = sqlite3_column_blob(st, 1);
		size_t n = (size_t)sqlite3_column_bytes(st, 1);

		if ((rc = fn(ctx, (uint64_t)sqlite3_column_int64(st, 0),
		    e ? e : "", n, err)) != HS_OK) {
			sqlite3_finalize(st);
			return rc;
		}
	}
	if (r != SQLITE_DONE)
		rc = store_err(l->db, err, "ledger: scanning entries");
	sqlite3_finalize(st);
	return rc;
}

enum hs_err
ledger_last_prefix(struct ledger *l, const void *prefix, size_t plen,
    uint64_t *index, struct buf *out, char *err)
{
	sqlite3_stmt *st = NULL;
	enum hs_err rc;
	int r;

	if ((rc = prefix_stmt(l, "SELECT idx, entry FROM leaves WHERE "
	    "CAST(substr(entry, 1, ?1) AS BLOB) = ?2 ORDER BY idx DESC LIMIT 1",
	    prefix, plen, &st, err)) != HS_OK)
		return rc;
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		*index = (uint64_t)sqlite3_column_int64(st, 0);
		buf_add(out, sqlite3_column_blob(st, 1),
		    (size_t)sqlite3_column_bytes(st, 1));
		rc = out->oom ? HS_ERR_NOMEM : HS_OK;
	} else if (r == SQLITE_DONE)
		rc = hs_fail(err, HS_ERR_NOTFOUND, "no such ledger entry");
	else
		rc = store_err(l->db, err, "ledger: scanning entries");
	sqlite3_finalize(st);
	return rc;
}

/*
 * Appends the audit leaf if the audit head moved since the last one
 * (service.md §6). The rows the last leaf anchored must still be there,
 * unchanged (their stored hash): a checkpoint is never signed over an
 * audit log someone rewrote.
 */
static enum hs_err
anchor_audit(struct ledger *l, char *err)
{
	static const char pfx[] = LEAF_AUDIT_PREFIX;
	uint8_t head[32], at[32];
	int64_t count, last = 0;
	uint64_t idx = 0;
	struct leaf lf;
	struct buf e;
	enum hs_err rc;

	if ((rc = audit_head(l->db, &count, head, err)) != HS_OK)
		return rc;
	if (count == 0)
		return HS_OK;
	buf_init(&e);
	rc = ledger_last_prefix(l, pfx, sizeof(pfx) - 1, &idx, &e, err);
	if (rc == HS_OK) {
		if (leaf_parse(e.data, e.len, &lf, err) != HS_OK) {
			hs_errprefix(err, "ledger leaf %llu",
			    (unsigned long long)idx);
			rc = HS_ERR_SIGNATURE;
			goto out;
		}
		last = lf.count;
	} else if (rc != HS_ERR_NOTFOUND)
		goto out;
	rc = HS_OK;
	if (last > count) {
		rc = hs_fail(err, HS_ERR_SIGNATURE, "the audit log has %lld "
		    "rows but leaf %llu anchored %lld; rows were removed (run "
		    "hourseal-issuer audit)", (long long)count,
		    (unsigned long long)idx, (long long)last);
		goto out;
	}
	if (last > 0) {
		rc = audit_hash_at(l->db, last, at, err);
		if (rc == HS_ERR_NOTFOUND || (rc == HS_OK &&
		    memcmp(at, lf.head, 32) != 0))
			rc = hs_fail(err, HS_ERR_SIGNATURE, "audit row %lld "
			    "differs from the chain anchored in leaf %llu (run "
			    "hourseal-issuer audit)", (long long)last,
			    (unsigned long long)idx);
		if (rc != HS_OK || last == count)
			goto out;
	}
	buf_reset(&e);
	if ((rc = leaf_audit(count, head, &e, err)) == HS_OK)
		rc = ledger_append(l, e.data, e.len, NULL, err);
out:
	buf_free(&e);
	return rc;
}

/* Fails unless size <= the number of leaves stored. */
static enum hs_err
check_size(struct ledger *l, uint64_t size, char *err)
{
	uint64_t have;
	enum hs_err rc;

	if ((rc = ledger_size(l, &have, err)) != HS_OK)
		return rc;
	if (size > have)
		return hs_fail(err, HS_ERR_INVALID, "tree size %llu is beyond "
		    "the %llu leaves of the ledger", (unsigned long long)size,
		    (unsigned long long)have);
	return HS_OK;
}

enum hs_err
ledger_root(struct ledger *l, uint64_t size, merkle_hash root, char *err)
{
	int began = snap_begin(l);
	enum hs_err rc;

	if ((rc = check_size(l, size, err)) == HS_OK)
		rc = merkle_tree_hash(size, store_read, l, root, err);
	snap_end(l, began);
	return rc;
}

enum hs_err
ledger_prove_inclusion(struct ledger *l, uint64_t index, uint64_t size,
    merkle_hash *proof, size_t *n, char *err)
{
	int began = snap_begin(l);
	enum hs_err rc;

	*n = 0;
	if ((rc = check_size(l, size, err)) == HS_OK)
		rc = merkle_prove_inclusion(index, size, store_read, l, proof,
		    n, err);
	snap_end(l, began);
	return rc;
}

enum hs_err
ledger_prove_consistency(struct ledger *l, uint64_t size1, uint64_t size2,
    merkle_hash *proof, size_t *n, char *err)
{
	int began = snap_begin(l);
	enum hs_err rc;

	*n = 0;
	if ((rc = check_size(l, size2, err)) == HS_OK)
		rc = merkle_prove_consistency(size1, size2, store_read, l,
		    proof, n, err);
	snap_end(l, began);
	return rc;
}

enum hs_err
ledger_latest_checkpoint(struct ledger *l, struct buf *note, uint64_t *size,
    char *err)
{
	sqlite3_stmt *s = stmt(l, ST_LATEST);
	enum hs_err rc = HS_OK;
	int r = sqlite3_step(s);

	if (size != NULL)
		*size = 0;
	if (r == SQLITE_DONE)
		rc = hs_fail(err, HS_ERR_NOTFOUND, "no checkpoint has been "
		    "signed yet");
	else if (r != SQLITE_ROW)
		rc = store_err(l->db, err, "ledger: reading the latest "
		    "checkpoint");
	else {
		if (size != NULL)
			*size = (uint64_t)sqlite3_column_int64(s, 0);
		if (note != NULL) {
			buf_add(note, sqlite3_column_text(s, 1),
			    (size_t)sqlite3_column_bytes(s, 1));
			if (note->oom)
				rc = HS_ERR_NOMEM;
		}
	}
	sqlite3_reset(s);
	return rc;
}

enum hs_err
ledger_checkpoint_at(struct ledger *l, uint64_t size, struct buf *note,
    char *err)
{
	sqlite3_stmt *s = stmt(l, ST_CP_AT);
	enum hs_err rc = HS_OK;
	int r;

	sqlite3_bind_int64(s, 1, (int64_t)(size & INT64_MAX));
	r = sqlite3_step(s);
	if (size > INT64_MAX || r == SQLITE_DONE)
		rc = hs_fail(err, HS_ERR_NOTFOUND, "no checkpoint of size %llu",
		    (unsigned long long)size);
	else if (r != SQLITE_ROW)
		rc = store_err(l->db, err, "ledger: reading a checkpoint");
	else {
		buf_add(note, sqlite3_column_text(s, 0),
		    (size_t)sqlite3_column_bytes(s, 0));
		if (note->oom)
			rc = HS_ERR_NOMEM;
	}
	sqlite3_reset(s);
	return rc;
}

enum hs_err
ledger_checkpoint_covering(struct ledger *l, uint64_t index, uint64_t *size,
    char *err)
{
	sqlite3_stmt *s = stmt(l, ST_CP_COVER);
	enum hs_err rc = HS_OK;
	int r;

	if (index >= INT64_MAX)
		return hs_fail(err, HS_ERR_NOTFOUND, "no checkpoint covers "
		    "ledger index %llu", (unsigned long long)index);
	sqlite3_bind_int64(s, 1, (int64_t)index);
	r = sqlite3_step(s);
	if (r != SQLITE_ROW)
		rc = store_err(l->db, err, "checkpoints");
	else if (sqlite3_column_type(s, 0) == SQLITE_NULL)
		rc = hs_fail(err, HS_ERR_NOTFOUND, "no checkpoint covers "
		    "ledger index %llu", (unsigned long long)index);
	else
		*size = (uint64_t)sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc;
}

/*
 * Checks that the stored tree extends checkpoint cp: the root at cp.size
 * recomputed from the store, proved consistent with the root at size.
 */
static enum hs_err
check_extends(struct ledger *l, const struct checkpoint *cp, uint64_t size,
    const merkle_hash root, char *err)
{
	merkle_hash proof[MERKLE_MAX_PROOF];
	struct checkpoint now;
	size_t n;
	enum hs_err rc;

	if (cp->size > size)
		return hs_fail(err, HS_ERR_SIGNATURE, "the ledger has %llu "
		    "leaves, fewer than the signed checkpoint's %llu",
		    (unsigned long long)size, (unsigned long long)cp->size);
	now = *cp;
	now.size = size;
	memcpy(now.root, root, MERKLE_HASH);
	if (cp->size == 0)
		n = 0;
	else if (cp->size == size)
		n = 0;
	else if ((rc = ledger_prove_consistency(l, cp->size, size, proof, &n,
	    err)) != HS_OK)
		return rc;
	if ((rc = checkpoint_verify_consistency(cp, &now, proof, n, err)) !=
	    HS_OK) {
		hs_errprefix(err, "the stored tree does not extend the signed "
		    "checkpoint");
		return HS_ERR_SIGNATURE;
	}
	return HS_OK;
}

static enum hs_err
sign_checkpoint(struct ledger *l, const struct note_signer *sg,
    struct buf *out, uint64_t *size_out, char *err)
{
	struct buf prev, text, signed_note;
	struct checkpoint cp;
	merkle_hash root;
	uint64_t size, prev_size = 0;
	sqlite3_stmt *s;
	char now[21];
	int have_prev;
	enum hs_err rc;

	buf_init(&prev);
	buf_init(&text);
	buf_init(&signed_note);
	if (strcmp(note_signer_name(sg), l->origin) != 0) {
		rc = hs_fail(err, HS_ERR_INVALID, "the signer is named \"%s\", "
		    "not the ledger origin \"%s\"", note_signer_name(sg),
		    l->origin);
		goto out;
	}
	if ((rc = anchor_audit(l, err)) != HS_OK) {
		hs_errprefix(err, "anchoring the audit log");
		goto out;
	}
	if ((rc = ledger_size(l, &size, err)) != HS_OK ||
	    (rc = ledger_root(l, size, root, err)) != HS_OK)
		goto out;

	/* Check the new tree against the last checkpoint we signed. */
	rc = ledger_latest_checkpoint(l, &prev, &prev_size, err);
	if (rc != HS_OK && rc != HS_ERR_NOTFOUND)
		goto out;
	have_prev = rc == HS_OK;
	if (have_prev) {
		if ((rc = checkpoint_parse_note(prev.data, prev.len, &cp,
		    err)) != HS_OK) {
			hs_errprefix(err, "the latest checkpoint");
			goto out;
		}
		if (cp.size != prev_size || strcmp(cp.origin, l->origin) != 0) {
			rc = hs_fail(err, HS_ERR_SIGNATURE, "the latest "
			    "checkpoint row (size %llu) does not match its "
			    "note (%s, size %llu)",
			    (unsigned long long)prev_size, cp.origin,
			    (unsigned long long)cp.size);
			goto out;
		}
		if ((rc = check_extends(l, &cp, size, root, err)) != HS_OK)
			goto out;
		if (prev_size == size) {
			/* Nothing new: the latest checkpoint stands. */
			if (out != NULL)
				buf_add(out, prev.data, prev.len);
			if (size_out != NULL)
				*size_out = size;
			rc = out != NULL && out->oom ? HS_ERR_NOMEM : HS_OK;
			goto out;
		}
	}

	if ((rc = checkpoint_format(l->origin, size, root, &text, err)) !=
	    HS_OK ||
	    (rc = note_sign(sg, text.data, text.len, &signed_note, err)) !=
	    HS_OK)
		goto out;

	time_now_rfc3339(now);
	s = stmt(l, ST_CP_INS);
	sqlite3_bind_int64(s, 1, (int64_t)size);
	sqlite3_bind_blob(s, 2, root, MERKLE_HASH, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, signed_note.data, (int)signed_note.len,
	    SQLITE_STATIC);
	sqlite3_bind_text(s, 4, now, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE) {
		rc = store_err(l->db, err, "ledger: storing the checkpoint");
		sqlite3_reset(s);
		goto out;
	}
	sqlite3_reset(s);

	/* Compare-and-swap the latest row on the size we checked against. */
	if (have_prev) {
		s = stmt(l, ST_LATEST_CAS);
		sqlite3_bind_int64(s, 1, (int64_t)size);
		sqlite3_bind_text(s, 2, signed_note.data, (int)signed_note.len,
		    SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, (int64_t)prev_size);
	} else {
		s = stmt(l, ST_LATEST_INS);
		sqlite3_bind_int64(s, 1, (int64_t)size);
		sqlite3_bind_text(s, 2, signed_note.data, (int)signed_note.len,
		    SQLITE_STATIC);
	}
	if (sqlite3_step(s) != SQLITE_DONE) {
		int code = sqlite3_errcode(l->db);

		sqlite3_reset(s);
		if (code == SQLITE_CONSTRAINT)
			rc = hs_fail(err, HS_ERR_BUSY, "another writer signed "
			    "a checkpoint at the same time");
		else
			rc = store_err(l->db, err, "ledger: moving the latest "
			    "checkpoint");
		goto out;
	}
	sqlite3_reset(s);
	if (sqlite3_changes(l->db) != 1) {
		rc = hs_fail(err, HS_ERR_BUSY, "the latest checkpoint moved "
		    "from size %llu while this one was signed",
		    (unsigned long long)prev_size);
		goto out;
	}
	if (out != NULL) {
		buf_add(out, signed_note.data, signed_note.len);
		if (out->oom) {
			rc = HS_ERR_NOMEM;
			goto out;
		}
	}
	if (size_out != NULL)
		*size_out = size;
	rc = HS_OK;
out:
	buf_free(&prev);
	buf_free(&text);
	buf_free(&signed_note);
	return rc;
}

enum hs_err
ledger_sign_checkpoint(struct ledger *l, const struct note_signer *sg,
    struct buf *note, uint64_t *size, char *err)
{
	size_t mark = note != NULL ? note->len : 0;
	int own = sqlite3_get_autocommit(l->db);
	enum hs_err rc;

	if (size != NULL)
		*size = 0;
	/* Our own transaction, or a savepoint inside the caller's. */
	if (own)
		rc = store_begin(l->db, err);
	else
		rc = store_exec(l->db, "SAVEPOINT ledger_checkpoint", err);
	if (rc != HS_OK)
		return rc;
	rc = sign_checkpoint(l, sg, note, size, err);
	if (rc == HS_OK) {
		if (own)
			rc = store_commit(l->db, err);
		else
			rc = store_exec(l->db, "RELEASE ledger_checkpoint",
			    err);
	} else if (own)
		store_rollback(l->db);
	else {
		sqlite3_exec(l->db, "ROLLBACK TO ledger_checkpoint; "
		    "RELEASE ledger_checkpoint", NULL, NULL, NULL);
	}
	if (rc != HS_OK && note != NULL)
		note->len = mark;
	return rc;
}

static enum hs_err
receipt(struct ledger *l, uint64_t index, const char *checkpoint,
    size_t len, struct buf *out, char *err)
{
	merkle_hash proof[MERKLE_MAX_PROOF], root;
	struct checkpoint cp;
	size_t n;
	enum hs_err rc;

	if ((rc = checkpoint_parse_note(checkpoint, len, &cp, err)) != HS_OK)
		return rc;
	if (strcmp(cp.origin, l->origin) != 0)
		return hs_fail(err, HS_ERR_INVALID, "checkpoint of log \"%s\", "
		    "not this ledger's \"%s\"", cp.origin, l->origin);
	if ((rc = ledger_root(l, cp.size, root, err)) != HS_OK)
		return rc;
	if (memcmp(root, cp.root, MERKLE_HASH) != 0)
		return hs_fail(err, HS_ERR_SIGNATURE, "checkpoint root does not "
		    "match the ledger at size %llu",
		    (unsigned long long)cp.size);
	if ((rc = ledger_prove_inclusion(l, index, cp.size, proof, &n, err)) !=
	    HS_OK)
		return rc;
	return receipt_format(index, proof, n, checkpoint, len, out, err);
}

enum hs_err
ledger_receipt(struct ledger *l, uint64_t index, const char *checkpoint,
    size_t len, struct buf *out, char *err)
{
	int began = snap_begin(l);
	enum hs_err rc;

	rc = receipt(l, index, checkpoint, len, out, err);
	snap_end(l, began);
	return rc;
}

static enum hs_err
tile(struct ledger *l, const struct tile *t, uint64_t size, struct buf *out,
    char *err)
{
	uint64_t avail, first, i;
	sqlite3_stmt *s;
	merkle_hash h;
	enum hs_err rc;
	int r;

	if ((rc = check_size(l, size, err)) != HS_OK)
		return rc;
	if (t->width < 1 || t->width > TILE_WIDTH ||
	    (t->entries && t->level != 0))
		return hs_fail(err, HS_ERR_INVALID, "bad tile");
	avail = tile_level_hashes(t->level, size);
	if (t->index > (MERKLE_MAX_SIZE >> TILE_HEIGHT) ||
	    t->index * TILE_WIDTH + t->width > avail)
		return hs_fail(err, HS_ERR_NOTFOUND, "no such tile in a tree of "
		    "size %llu", (unsigned long long)size);
	first = t->index * TILE_WIDTH;

	if (t->entries || t->level == 0) {
		/* Level 0 and entry bundles come from one range scan. */
		s = stmt(l, ST_LEAF_RANGE);
		sqlite3_bind_int64(s, 1, (int64_t)first);
		sqlite3_bind_int64(s, 2, (int64_t)(first + t->width));
		for (i = first; (r = sqlite3_step(s)) == SQLITE_ROW; i++) {
			const void *e = sqlite3_column_blob(s, 1);
			int en = sqlite3_column_bytes(s, 1);

			if ((uint64_t)sqlite3_column_int64(s, 0) != i ||
			    en > LEDGER_ENTRY_MAX ||
			    sqlite3_column_bytes(s, 2) != MERKLE_HASH) {
				sqlite3_reset(s);
				return hs_fail(err, HS_ERR_DB, "ledger: leaf "
				    "%llu is missing or malformed",
				    (unsigned long long)i);
			}
			if (t->entries) {
				buf_putc(out, (char)(en >> 8));
				buf_putc(out, (char)(en & 0xff));
				buf_add(out, e, (size_t)en);
			} else
				buf_add(out, sqlite3_column_blob(s, 2),
				    MERKLE_HASH);
		}
		sqlite3_reset(s);
		if (r != SQLITE_DONE)
			return store_err(l->db, err, "ledger: reading a tile");
		if (i != first + t->width)
			return hs_fail(err, HS_ERR_DB, "ledger: leaf %llu is "
			    "missing", (unsigned long long)i);
		return out->oom ? HS_ERR_NOMEM : HS_OK;
	}
	for (i = 0; i < t->width; i++) {
		if ((rc = store_read(l, TILE_HEIGHT * t->level, first + i, h,
		    err)) != HS_OK)
			return rc;
		buf_add(out, h, MERKLE_HASH);
	}
	return out->oom ? HS_ERR_NOMEM : HS_OK;
}

enum hs_err
ledger_tile(struct ledger *l, const struct tile *t, uint64_t size,
    struct buf *out, char *err)
{
	int began = snap_begin(l);
	enum hs_err rc;

	rc = tile(l, t, size, out, err);
	snap_end(l, began);
	return rc;
}

/* --- audit --- */

static enum hs_err
audit_fail(struct ledger_audit_result *res, uint64_t bad, int is_cp,
    char *err, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static enum hs_err
audit_fail(struct ledger_audit_result *res, uint64_t bad, int is_cp,
    char *err, const char *fmt, ...)
{
	va_list ap;

	res->bad = bad;
	res->bad_checkpoint = is_cp;
	if (err != NULL) {
		va_start(ap, fmt);
		vsnprintf(err, HS_ERRLEN, _(fmt), ap);
		va_end(ap);
	}
	return HS_ERR_SIGNATURE;
}

/*
 * Walks leaves and tree rows in order, recomputing what each append would
 * have stored; left[L] is the last completed subtree of level L.
 */
static enum hs_err
audit_tree(struct ledger *l, struct ledger_audit_result *res, char *err)
{
	sqlite3_stmt *ls = NULL, *ts = NULL;
	merkle_hash left[64], h;
	uint64_t i = 0, done;
	unsigned level;
	int lr, tr = SQLITE_DONE;
	enum hs_err rc = HS_OK;

	if (sqlite3_prepare_v2(l->db, "SELECT idx, entry, hash FROM leaves "
	    "ORDER BY idx", -1, &ls, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(l->db, "SELECT id, hash FROM tree ORDER BY id",
	    -1, &ts, NULL) != SQLITE_OK) {
		rc = store_err(l->db, err, "audit");
		goto out;
	}
	tr = sqlite3_step(ts);
	for (i = 0; (lr = sqlite3_step(ls)) == SQLITE_ROW; i++) {
		int64_t idx = sqlite3_column_int64(ls, 0);
		int en = sqlite3_column_bytes(ls, 1);

		if (idx < 0 || (uint64_t)idx != i) {
			rc = audit_fail(res, i, 0, err, "leaf %llu is missing "
			    "(next stored leaf is %lld)",
			    (unsigned long long)i, (long long)idx);
			goto out;
		}
		if ((rc = merkle_leaf_hash(sqlite3_column_blob(ls, 1),
		    (size_t)en, h)) != HS_OK)
			goto out;
		if (sqlite3_column_bytes(ls, 2) != MERKLE_HASH ||
		    memcmp(sqlite3_column_blob(ls, 2), h, MERKLE_HASH) != 0) {
			rc = audit_fail(res, i, 0, err, "leaf %llu: its entry "
			    "does not hash to the stored leaf hash (the entry "
			    "or the hash was altered)", (unsigned long long)i);
			goto out;
		}
		done = i + 1;
		for (level = 1; level < 63 &&
		    (done & (((uint64_t)1 << level) - 1)) == 0; level++) {
			uint64_t k = (done >> level) - 1;
			int64_t want = stored_index(level, k);

			merkle_node_hash(left[level - 1], h, h);
			if (tr != SQLITE_ROW ||
			    sqlite3_column_int64(ts, 0) != want) {
				rc = audit_fail(res, k << level, 0, err,
				    "leaf %llu: the level-%u subtree hash over "
				    "leaves %llu..%llu is missing",
				    (unsigned long long)(k << level), level,
				    (unsigned long long)(k << level),
				    (unsigned long long)i);
				goto out;
			}
			if (sqlite3_column_bytes(ts, 1) != MERKLE_HASH ||
			    memcmp(sqlite3_column_blob(ts, 1), h,
			    MERKLE_HASH) != 0) {
				rc = audit_fail(res, k << level, 0, err,
				    "leaf %llu: the stored level-%u subtree "
				    "hash over leaves %llu..%llu is wrong",
				    (unsigned long long)(k << level), level,
				    (unsigned long long)(k << level),
				    (unsigned long long)i);
				goto out;
			}
			tr = sqlite3_step(ts);
		}
		memcpy(left[level - 1], h, MERKLE_HASH);
	}
	if (lr != SQLITE_DONE) {
		rc = store_err(l->db, err, "audit: reading leaves");
		goto out;
	}
	if (tr == SQLITE_ROW) {
		rc = audit_fail(res, i, 0, err, "the tree table has a row "
		    "(id %lld) that no leaf accounts for",
		    (long long)sqlite3_column_int64(ts, 0));
		goto out;
	}
	if (tr != SQLITE_DONE) {
		rc = store_err(l->db, err, "audit: reading the tree");
		goto out;
	}
	res->leaves = i;
out:
	sqlite3_finalize(ls);
	sqlite3_finalize(ts);
	return rc;
}

static enum hs_err
audit_checkpoints(struct ledger *l, struct note_verifier *const *vs,
    size_t nvs, struct ledger_audit_result *res, char *err)
{
	sqlite3_stmt *s = NULL;
	struct checkpoint cp, prev;
	merkle_hash root, proof[MERKLE_MAX_PROOF];
	struct buf latest;
	uint64_t latest_size = 0, count = 0;
	size_t n;
	int r, have_prev = 0, have_latest;
	char why[HS_ERRLEN];
	enum hs_err rc = HS_OK;

	buf_init(&latest);
	rc = ledger_latest_checkpoint(l, &latest, &latest_size, err);
	if (rc != HS_OK && rc != HS_ERR_NOTFOUND)
		goto out;
	have_latest = rc == HS_OK;
	rc = HS_OK;
	if (sqlite3_prepare_v2(l->db, "SELECT size, root, note FROM "
	    "checkpoints ORDER BY size", -1, &s, NULL) != SQLITE_OK) {
		rc = store_err(l->db, err, "audit");
		goto out;
	}
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		uint64_t size = (uint64_t)sqlite3_column_int64(s, 0);
		size_t len = (size_t)sqlite3_column_bytes(s, 2);

		const char *note = (const char *)sqlite3_column_text(s, 2);

		if (checkpoint_open(note, len, l->origin, vs, nvs, &cp, NULL,
		    why) != HS_OK) {
			rc = audit_fail(res, size, 1, err, "checkpoint %llu: "
			    "%s", (unsigned long long)size, why);
			goto out;
		}
		if (cp.size != size || sqlite3_column_bytes(s, 1) !=
		    MERKLE_HASH || memcmp(sqlite3_column_blob(s, 1), cp.root,
		    MERKLE_HASH) != 0) {
			rc = audit_fail(res, size, 1, err, "checkpoint %llu: "
			    "the row's size or root differs from the signed "
			    "note", (unsigned long long)size);
			goto out;
		}
		if (ledger_root(l, size, root, why) != HS_OK ||
		    memcmp(root, cp.root, MERKLE_HASH) != 0) {
			rc = audit_fail(res, size, 1, err, "checkpoint %llu: "
			    "the signed root is not the root of the stored "
			    "tree at that size", (unsigned long long)size);
			goto out;
		}
		if (have_prev) {
			if ((rc = ledger_prove_consistency(l, prev.size,
			    cp.size, proof, &n, err)) != HS_OK)
				goto out;
			if (checkpoint_verify_consistency(&prev, &cp, proof, n,
			    why) != HS_OK) {
				rc = audit_fail(res, size, 1, err, "checkpoint "
				    "%llu is not consistent with checkpoint "
				    "%llu: %s", (unsigned long long)size,
				    (unsigned long long)prev.size, why);
				goto out;
			}
		}
		prev = cp;
		have_prev = 1;
		count++;
	}
	if (r != SQLITE_DONE) {
		rc = store_err(l->db, err, "audit: reading checkpoints");
		goto out;
	}
	if (have_latest != have_prev || (have_prev &&
	    latest_size != prev.size)) {
		rc = audit_fail(res, latest_size, 1, err, "the latest "
		    "checkpoint row (size %llu) is not the last stored "
		    "checkpoint", (unsigned long long)latest_size);
		goto out;
	}
	if (have_prev) {
		/* The latest row must be that very note, byte for byte. */
		struct buf last;

		buf_init(&last);
		rc = ledger_checkpoint_at(l, prev.size, &last, err);
		if (rc == HS_OK && (last.len != latest.len ||
		    memcmp(last.data, latest.data, last.len) != 0))
			rc = audit_fail(res, latest_size, 1, err, "the latest "
			    "checkpoint row differs from checkpoint %llu",
			    (unsigned long long)prev.size);
		buf_free(&last);
		if (rc != HS_OK)
			goto out;
	}
	res->checkpoints = count;
out:
	sqlite3_finalize(s);
	buf_free(&latest);
	return rc;
}

enum hs_err
ledger_audit(struct ledger *l, struct note_verifier *const *vs, size_t nvs,
    struct ledger_audit_result *res, char *err)
{
	struct ledger_audit_result dummy;
	int own = sqlite3_get_autocommit(l->db);
	enum hs_err rc;

	if (res == NULL)
		res = &dummy;
	memset(res, 0, sizeof(*res));
	/* One read transaction: a consistent snapshot under WAL. */
	if (own && (rc = store_exec(l->db, "BEGIN", err)) != HS_OK)
		return rc;
	if ((rc = audit_tree(l, res, err)) == HS_OK)
		rc = audit_checkpoints(l, vs, nvs, res, err);
	if (own)
		sqlite3_exec(l->db, "COMMIT", NULL, NULL, NULL);
	return rc;
}
