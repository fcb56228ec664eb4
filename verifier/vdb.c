/*
 * vdb.c - re-verifying answers from a read-only database (vdb.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/crypto.h>

#include "cert/leaf.h"
#include "store/ledger.h"
#include "tlog/merkle.h"
#include "pdf/pdf.h"
#include "pdfin.h"
#include "pdfvis.h"
#include "scan.h"
#include "tlog/receipt.h"
#include "store/store.h"
#include "tlog/tile.h"
#include "vdb.h"
#include "vstate.h"
#include "vtree.h"

#define READ_RETRY_SECONDS 2

struct vdb {
	char path[4096];
	sqlite3 *db;
	dev_t dev;
	ino_t ino;
	time_t checked;           /* last stale check */
	struct verify_keys keys;   /* from the verified ledger (vtree_keys) */
	uint64_t keys_gen;         /* the key history's generation of keys */
	struct ledger *l;
	struct vtree *vt;          /* shared: the verified tree */
	bool own_vt;
	sqlite3_stmt *st_latest, *st_cert, *st_digest;
	/* the database's latest checkpoint note, as read ("" for none) */
	char *ckpt_note;
	size_t ckpt_len;
	/* the checkpoint answers rest on: the database's, verified, or
	 * (retained) the last one this process verified while the
	 * database's is refused */
	struct checkpoint ckpt;
	bool have_ckpt;
	bool retained;
	bool refused;             /* the database's checkpoint is refused */
	char *ret_note;           /* retained: its signed note */
	size_t ret_len;
	char ckpt_problem[VSTATE_REASON_MAX]; /* why not the database's */
	struct vstate *vs;        /* shared, may be NULL */
	double retry_at;          /* after a read error: not before */
	char read_err[HS_ERRLEN]; /* that error */
	uint64_t gen;             /* bumped when the checkpoint or keys change */
	unsigned poll_ms;
	double polled;            /* monotonic seconds of the last look */
	bool in_read;             /* inside our read transaction */
	/* the renderer for comparing an uploaded PDF with its note (made
	 * on first use; pr_failed: it could not be) */
	struct pdf_renderer *pr;
	bool pr_failed;
};

/* Writes a problem line; truncation is fine (it is for people). */
static void __attribute__((format(printf, 3, 4)))
setp(char *dst, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dst, n, fmt, ap);
	va_end(ap);
}

static enum hs_err refresh_checkpoint(struct vdb *v, char *err);

static enum hs_err
prep(struct vdb *v, const char *sql, sqlite3_stmt **st, char *err)
{
	if (sqlite3_prepare_v3(v->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st,
	    NULL) != SQLITE_OK)
		return store_err(v->db, err, "prepare");
	return HS_OK;
}

static void
copy_col(sqlite3_stmt *st, int i, char *out, size_t n)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	snprintf(out, n, "%s", s ? (const char *)s : "");
}

/*
 * Takes the trusted keys from the verified ledger's key history when it
 * changed (never from the database's keys table). *changed says so.
 */
static enum hs_err
follow_keys(struct vdb *v, bool *changed, char *err)
{
	uint64_t gen;
	enum hs_err rc;

	*changed = false;
	if (v->keys.n > 0 && vtree_key_generation(v->vt) == v->keys_gen)
		return HS_OK;
	if ((rc = vtree_keys(v->vt, &v->keys, &gen, err)) != HS_OK)
		return rc;
	*changed = true;
	v->keys_gen = gen;
	return HS_OK;
}

enum hs_err
vdb_open(const char *path, const struct verify_keys *pinned,
    struct vtree *vt, struct vdb **out, char *err)
{
	struct vdb *v;
	struct stat sb;
	enum hs_err rc;
	bool changed;

	*out = NULL;
	if (pinned == NULL || pinned->n == 0)
		return hs_fail(err, HS_ERR_INVALID, "no trust anchor: the "
		    "issuer's verifier key must be given (--key FILE); keys "
		    "are never taken from the database");
	v = calloc(1, sizeof(*v));
	if (v == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	snprintf(v->path, sizeof(v->path), "%s", path);
	verify_keys_init(&v->keys);
	if (stat(path, &sb) != 0) {
		rc = hs_fail(err, HS_ERR_IO, "%s: cannot stat", path);
		goto fail;
	}
	v->dev = sb.st_dev;
	v->ino = sb.st_ino;
	v->checked = time(NULL);
	if ((rc = store_open(path, STORE_RO, &v->db, err)) != HS_OK)
		goto fail;
	if (vt != NULL) {
		v->vt = vt;
	} else {
		if ((rc = vtree_new(&v->vt, err)) != HS_OK)
			goto fail;
		v->own_vt = true;
	}
	/* The configured keys are the root of the key history. */
	if ((rc = vtree_set_anchors(v->vt, pinned, err)) != HS_OK ||
	    (rc = follow_keys(v, &changed, err)) != HS_OK)
		goto fail;
	if ((rc = prep(v, "SELECT size, note FROM latest_checkpoint "
	    "WHERE one = 1", &v->st_latest, err)) != HS_OK ||
	    (rc = prep(v, "SELECT c.note, c.leaf_index, c.pdf_sha256, "
	    "c.replaces, r.reason, r.at, r.leaf_index, r.replaced_by "
	    "FROM certificates c LEFT JOIN revocations r "
	    "ON r.serial = c.serial WHERE c.serial = ?", &v->st_cert, err)) !=
	    HS_OK ||
	    (rc = prep(v, "SELECT id_digest FROM certificates WHERE "
	    "serial = ?", &v->st_digest, err)) != HS_OK)
		goto fail;
	if ((rc = ledger_open(v->db, v->keys.origin, &v->l, err)) != HS_OK)
		goto fail;
	*out = v;
	return HS_OK;
fail:
	vdb_close(v);
	return rc;
}

static void
end_read(struct vdb *v)
{
	if (v->in_read && sqlite3_get_autocommit(v->db) == 0 &&
	    sqlite3_exec(v->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		sqlite3_exec(v->db, "ROLLBACK", NULL, NULL, NULL);
	v->in_read = false;
}

void
vdb_idle(struct vdb *v)
{
	end_read(v);
	v->polled = 0; /* look again, in a new snapshot */
}

void
vdb_close(struct vdb *v)
{
	if (v == NULL)
		return;
	end_read(v);
	ledger_close(v->l);
	sqlite3_finalize(v->st_latest);
	sqlite3_finalize(v->st_cert);
	sqlite3_finalize(v->st_digest);
	store_close(v->db);
	verify_keys_free(&v->keys);
	pdf_renderer_free(v->pr);
	free(v->ckpt_note);
	free(v->ret_note);
	if (v->own_vt)
		vtree_free(v->vt);
	free(v);
}

enum hs_err
vdb_generation(struct vdb *v, uint64_t *gen, char *err)
{
	enum hs_err rc = refresh_checkpoint(v, err);

	*gen = v->gen;
	return rc;
}

bool
vdb_stale(struct vdb *v)
{
	struct stat sb;
	time_t now = time(NULL);

	if (now == v->checked)
		return false;
	v->checked = now;
	if (stat(v->path, &sb) != 0)
		return false; /* mid-rename: keep the open copy for now */
	return sb.st_dev != v->dev || sb.st_ino != v->ino;
}

void
vdb_set_poll(struct vdb *v, unsigned ms)
{
	v->poll_ms = ms;
}

void
vdb_set_state(struct vdb *v, struct vstate *vs)
{
	v->vs = vs;
}

enum hs_err
vdb_open_checkpoint(struct vdb *v, const char *note, size_t len,
    struct checkpoint *cp, char *err)
{
	return vtree_check_note(v->vt, note, len, cp, err);
}

enum hs_err
vdb_verify_remembered(struct vdb *v, const struct verify_keys *pinned,
    const char *note, size_t len, struct checkpoint *cp, char *err)
{
	struct vtree *scratch = NULL;
	struct checkpoint dcp;
	enum vtree_refusal why;
	enum hs_err rc;
	const char *dnote;
	char e1[HS_ERRLEN], e2[HS_ERRLEN], e3[HS_ERRLEN];
	int src;

	/* The database's key history up to it (the usual case). */
	rc = vtree_advance(v->vt, v->db, note, len, cp, &why, e1);
	if (rc == HS_OK || rc == HS_ERR_NOMEM)
		return rc == HS_OK ? rc : hs_fail(err, rc, "%s", e1);
	/* The anchors alone: it is the log's, whatever the database says. */
	if (vtree_check_note(v->vt, note, len, cp, e2) == HS_OK)
		return HS_OK;
	/*
	 * A key the database's own (smaller or forked) verified history
	 * announces: follow it in a scratch tree, dropped afterwards, so
	 * that nothing this verifier serves rests on that database.
	 */
	e3[0] = '\0';
	sqlite3_reset(v->st_latest);
	src = sqlite3_step(v->st_latest);
	dnote = src == SQLITE_ROW ? (const char *)sqlite3_column_text(
	    v->st_latest, 1) : NULL;
	if (dnote == NULL)
		snprintf(e3, sizeof(e3), "the database has no checkpoint");
	else if ((rc = vtree_new(&scratch, e3)) == HS_OK &&
	    (rc = vtree_set_anchors(scratch, pinned, e3)) == HS_OK &&
	    (rc = vtree_advance(scratch, v->db, dnote,
	    (size_t)sqlite3_column_bytes(v->st_latest, 1), &dcp, &why, e3)) ==
	    HS_OK && (rc = vtree_check_note(scratch, note, len, cp, e3)) ==
	    HS_OK) {
		sqlite3_reset(v->st_latest);
		vtree_free(scratch);
		return HS_OK;
	}
	sqlite3_reset(v->st_latest);
	vtree_free(scratch);
	return hs_fail(err, HS_ERR_SIGNATURE, "it cannot be verified at "
	    "start: no key derived from the trust anchors (--key) signed it, "
	    "neither through the key history this database holds up to it "
	    "nor through its own (is it signed by a key rotated in after "
	    "this database's copy ends? put the newer database back, or add "
	    "that key with --key) [to it: %s] [its own: %s]", e1, e3);
}

/* True if the path now names another file than the one open (or none). */
static bool
path_replaced(struct vdb *v)
{
	struct stat sb;

	return stat(v->path, &sb) != 0 || sb.st_dev != v->dev ||
	    sb.st_ino != v->ino;
}

/*
 * The database's checkpoint is refused (why, claimed size db_size,
 * reason in v->ckpt_problem): answer from the last checkpoint this
 * process verified, if it has one the current keys still accept, or
 * from none (every answer is "cannot verify now"). An older checkpoint
 * on a handle whose file publish has since replaced is no event: the
 * next request reopens the new file.
 */
static void
refuse(struct vdb *v, enum vtree_refusal why, uint64_t db_size)
{
	struct buf good;
	struct checkpoint gcp;
	uint64_t gsize;
	char e2[HS_ERRLEN];

	v->refused = true;
	buf_init(&good);
	if (vtree_checkpoint(v->vt, &good, &gsize) &&
	    vdb_open_checkpoint(v, good.data, good.len, &gcp, e2) == HS_OK &&
	    gcp.size == gsize) {
		v->ret_len = good.len;
		v->ret_note = buf_steal(&good);
		if (v->ret_note != NULL) {
			v->ckpt = gcp;
			v->have_ckpt = true;
			v->retained = true;
		}
	}
	buf_free(&good);
	if (why == VTREE_ROLLBACK && path_replaced(v)) {
		v->checked = 0; /* vdb_stale looks at once */
		return;
	}
	if (v->vs != NULL)
		vstate_refuse(v->vs, why, db_size, v->ckpt_problem,
		    v->retained, v->retained ? v->ckpt.size : 0);
}

/*
 * Decides what answers rest on after the database's latest checkpoint
 * note (v->ckpt_note, "" for none) or the key history changed: the
 * shared tree (vtree_advance: its signature by a key the verified ledger
 * trusts, its leaves hash to its root, and it does not go back). A
 * refusal is an answer (refuse), not an error; errors are for a
 * database that cannot be read.
 */
static enum hs_err
judge_checkpoint(struct vdb *v, char *err)
{
	struct checkpoint claimed;
	enum vtree_refusal why;
	enum hs_err rc;
	uint64_t known;
	char e2[HS_ERRLEN];

	v->have_ckpt = false;
	v->retained = false;
	v->refused = false;
	free(v->ret_note);
	v->ret_note = NULL;
	v->ret_len = 0;
	if (v->ckpt_len == 0) {
		if ((known = vtree_known_size(v->vt)) == 0) {
			setp(v->ckpt_problem, sizeof(v->ckpt_problem),
			    "the ledger has no signed checkpoint yet");
			return HS_OK;
		}
		setp(v->ckpt_problem, sizeof(v->ckpt_problem), "the database "
		    "has no signed checkpoint, but this verifier verified one "
		    "of size %llu before", (unsigned long long)known);
		refuse(v, VTREE_ROLLBACK, 0);
		return HS_OK;
	}
	/*
	 * Signed by a key the verified ledger trusts (following key changes
	 * through stored checkpoints), the ledger's leaves up to that size
	 * hash to the signed root, and it does not go back: the shared tree
	 * checks that once for all threads, all or nothing.
	 */
	rc = vtree_advance(v->vt, v->db, v->ckpt_note, v->ckpt_len, &v->ckpt,
	    &why, e2);
	if (rc == HS_OK) {
		bool changed;

		rc = follow_keys(v, &changed, e2);
	}
	if (rc == HS_ERR_SIGNATURE) {
		setp(v->ckpt_problem, sizeof(v->ckpt_problem), "%s", e2);
		refuse(v, why, checkpoint_parse_note(v->ckpt_note, v->ckpt_len,
		    &claimed, NULL) == HS_OK ? claimed.size : 0);
		return HS_OK;
	}
	if (rc != HS_OK) {
		/*
		 * Not an answer: reading failed. Look again, but not on every
		 * request: a damaged ledger is read from its start each time.
		 */
		free(v->ckpt_note);
		v->ckpt_note = NULL;
		v->ckpt_len = 0;
		v->retry_at = time_mono() + READ_RETRY_SECONDS;
		snprintf(v->read_err, sizeof(v->read_err), "%s", e2);
		return hs_fail(err, rc, "%s", e2);
	}
	v->have_ckpt = true;
	v->ckpt_problem[0] = '\0';
	if (v->vs != NULL)
		vstate_accept(v->vs, &v->ckpt, v->ckpt_note, v->ckpt_len);
	return HS_OK;
}

/*
 * Follows the key history; when it changed, everything is checked again
 * (the checkpoint too: its signer may be retired or compromised now).
 */
static enum hs_err
keys_changed(struct vdb *v, char *err)
{
	bool changed;
	enum hs_err rc;

	if ((rc = follow_keys(v, &changed, err)) != HS_OK || !changed)
		return rc;
	free(v->ckpt_note);
	v->ckpt_note = NULL;
	v->ckpt_len = 0;
	v->gen++;
	return HS_OK;
}

/*
 * Follows the key history, reads latest_checkpoint and, when either
 * changed, decides again what answers rest on (judge_checkpoint). Errors
 * are for a database that cannot be read.
 */
static enum hs_err
refresh_checkpoint(struct vdb *v, char *err)
{
	const char *note;
	size_t len;
	int src;
	enum hs_err rc = HS_OK;
	double m = time_mono();

	if (v->poll_ms > 0 && v->ckpt_note != NULL &&
	    (m - v->polled) * 1000 < v->poll_ms)
		return HS_OK;
	if (v->ckpt_note == NULL && m < v->retry_at)
		return hs_fail(err, HS_ERR_DB, "%s", v->read_err);
	v->polled = m;
	/* A new snapshot for this interval (vdb_idle). */
	end_read(v);
	if (v->poll_ms > 0 &&
	    sqlite3_exec(v->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK)
		v->in_read = true;
	if ((rc = keys_changed(v, err)) != HS_OK)
		return rc;
	sqlite3_reset(v->st_latest);
	src = sqlite3_step(v->st_latest);
	if (src == SQLITE_DONE) {
		note = "";
		len = 0;
	} else if (src == SQLITE_ROW) {
		note = (const char *)sqlite3_column_text(v->st_latest, 1);
		len = (size_t)sqlite3_column_bytes(v->st_latest, 1);
		if (note == NULL)
			note = "";
	} else {
		rc = store_err(v->db, err, "reading the latest checkpoint");
		goto out;
	}
	if (v->ckpt_note != NULL && len == v->ckpt_len &&
	    memcmp(note, v->ckpt_note, len) == 0)
		goto out; /* unchanged */
	free(v->ckpt_note);
	v->ckpt_note = malloc(len + 1);
	if (v->ckpt_note == NULL) {
		v->ckpt_len = 0;
		v->have_ckpt = false;
		rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
		goto out;
	}
	memcpy(v->ckpt_note, note, len);
	v->ckpt_note[len] = '\0';
	v->ckpt_len = len;
	v->gen++;
	rc = judge_checkpoint(v, err);
out:
	sqlite3_reset(v->st_latest);
	return rc;
}

/* "cannot verify now" with why: HS_ERR_STATE (vdb.h). */
static enum hs_err
cannot_verify(struct vdb *v, char *err)
{
	return hs_fail(err, HS_ERR_STATE, VDB_CANNOT_VERIFY "%s",
	    v->ckpt_problem[0] ? v->ckpt_problem : "no verified checkpoint");
}

/* The signed note of the checkpoint answers rest on. */
static const char *
served_note(struct vdb *v, size_t *len)
{
	*len = v->retained ? v->ret_len : v->ckpt_len;
	return v->retained ? v->ret_note : v->ckpt_note;
}

/* The length of a signed note's text: up to the last blank line. */
static size_t
note_text_len(const char *note, size_t len)
{
	size_t i;

	for (i = len; i >= 2; i--)
		if (note[i - 2] == '\n' && note[i - 1] == '\n')
			return i - 1;
	return 0;
}

/* How many signature lines follow the text (text_len from above). */
static size_t
note_sig_lines(const char *note, size_t len, size_t text_len)
{
	size_t i, n = 0;

	for (i = text_len + 1; i < len; i++)
		n += note[i] == '\n';
	return n;
}

/* The index of the trusted key vkey, or ks->n. */
static size_t
key_index(const struct verify_keys *ks, const char *vkey)
{
	size_t i;

	for (i = 0; i < ks->n; i++)
		if (strcmp(ks->k[i].vkey, vkey) == 0)
			break;
	return i;
}

/* Is entry[0..n) the leaf at index of the latest verified checkpoint?
 * lh (may be NULL) gets its leaf hash. */
static bool
in_tree(struct vdb *v, uint64_t index, const struct buf *entry,
    uint8_t *lh_out)
{
	merkle_hash lh;

	if (entry->oom || merkle_leaf_hash(entry->data, entry->len, lh) !=
	    HS_OK)
		return false;
	if (lh_out != NULL)
		memcpy(lh_out, lh, MERKLE_HASH);
	return v->have_ckpt && vtree_has(v->vt, index, v->ckpt.size, lh);
}

/*
 * Everything behind the status of one stored certificate, every time:
 * the note's signature by a trusted key valid at its issue time; its
 * issue leaf (built from this very note) at leaf_index of the tree that
 * hashes to the latest signed checkpoint; the revocation, if the
 * database claims one, likewise. The Ed25519 check and the decoding are
 * skipped only for a note whose bytes hash to a leaf whose note this
 * process verified before (vtree.h); the key's window is checked against
 * the current keys regardless. *window (may be NULL) says whether a
 * BADSIG is for a trusted key used outside its validity window.
 */
static void
check_note(struct vdb *v, const char *serial, const char *note, size_t nlen,
    uint64_t leaf_index, long long revoke_index, struct vdb_result *res,
    bool *window)
{
	struct buf entry;
	struct vtree_cert lk;
	char vkey[NOTE_VKEY_MAX], e2[HS_ERRLEN];
	size_t k = v->keys.n;
	time_t issued = 0;
	bool in, win = false;
	enum hs_err rc;

	buf_init(&entry);
	res->status = VDB_BADSIG;
	in = leaf_issue(serial, note, nlen, &entry, e2) == HS_OK &&
	    in_tree(v, leaf_index, &entry, res->leaf_hash);
	if (in && vtree_signer(v->vt, leaf_index, vkey, sizeof(vkey), &issued))
		k = key_index(&v->keys, vkey);
	if (k < v->keys.n) {
		if (verify_key_window(&v->keys, k, NULL, issued, e2) != HS_OK) {
			setp(res->problem, sizeof(res->problem), "%s", e2);
			win = true;
			goto out;
		}
	} else {
		if ((rc = verify_cert_note(&v->keys, note, nlen, &res->cert, &k,
		    e2)) != HS_OK) {
			setp(res->problem, sizeof(res->problem), "%s", e2);
			win = rc == HS_ERR_STATE;
			goto out;
		}
		res->have_cert = true;
		if (strcmp(res->cert.serial, serial) != 0) {
			setp(res->problem, sizeof(res->problem), "the signed "
			    "note is for another serial");
			goto out;
		}
		if (in && note_sig_lines(note, nlen, note_text_len(note,
		    nlen)) == 1 && time_parse_rfc3339(res->cert.issued,
		    &issued) == 0)
			vtree_set_signer(v->vt, leaf_index, v->keys.k[k].vkey,
			    issued);
	}
	snprintf(res->key_vkey, sizeof(res->key_vkey), "%s",
	    v->keys.k[k].vkey);
	if (!v->have_ckpt) {
		setp(res->problem, sizeof(res->problem), "%s",
		    v->ckpt_problem);
		goto out;
	}
	if (leaf_index >= v->ckpt.size) {
		setp(res->problem, sizeof(res->problem), "leaf %llu is not yet "
		    "in the latest checkpoint (size %llu)",
		    (unsigned long long)leaf_index,
		    (unsigned long long)v->ckpt.size);
		goto out;
	}
	if (!in) {
		setp(res->problem, sizeof(res->problem), "ledger leaf %llu is "
		    "not this certificate's issue entry",
		    (unsigned long long)leaf_index);
		goto out;
	}
	/* What the verified ledger itself says about the serial. */
	vtree_lookup(v->vt, serial, v->ckpt.size, &lk);
	if (lk.conflict) {
		setp(res->problem, sizeof(res->problem), "the ledger issues "
		    "serial %s more than once", serial);
		goto out;
	}
	res->status = VDB_VALID;
	if (lk.revoked) {
		/* Revoked in the log: whatever the database's table says. */
		res->status = VDB_REVOKED;
		if (revoke_index < 0)
			setp(res->problem, sizeof(res->problem), "the ledger "
			    "revokes it (leaf %llu) but the database has no "
			    "record of that", (unsigned long long)lk.revoke_index);
		else if ((uint64_t)revoke_index != lk.revoke_index ||
		    strcmp(res->reason, lk.reason) != 0 ||
		    strcmp(res->revoked_at, lk.time) != 0)
			setp(res->problem, sizeof(res->problem), "the "
			    "database's revocation (leaf %lld) is not the "
			    "ledger's (leaf %llu); the ledger's is shown",
			    revoke_index, (unsigned long long)lk.revoke_index);
		/* The reason and time shown are the signed log's. */
		snprintf(res->reason, sizeof(res->reason), "%s", lk.reason);
		snprintf(res->revoked_at, sizeof(res->revoked_at), "%s",
		    lk.time);
	} else if (revoke_index >= 0) {
		/*
		 * A revocation claimed by the database revokes in any case
		 * (failing closed); the problem line says if the ledger does
		 * not back it up.
		 */
		res->status = VDB_REVOKED;
		buf_reset(&entry);
		if (revoke_index >= (long long)v->ckpt.size)
			setp(res->problem, sizeof(res->problem), "the "
			    "revocation (leaf %lld) is not yet in the latest "
			    "checkpoint", revoke_index);
		else if (leaf_revoke(serial, res->reason, res->revoked_at,
		    &entry, e2) != HS_OK ||
		    !in_tree(v, (uint64_t)revoke_index, &entry, NULL))
			setp(res->problem, sizeof(res->problem), "the "
			    "revocation's ledger entry %lld does not match",
			    revoke_index);
	}
out:
	if (res->status == VDB_BADSIG) {
		/* Without a good signature nothing of it is shown. */
		if (res->have_cert)
			cert_free(&res->cert);
		res->have_cert = false;
		res->key_vkey[0] = '\0';
		memset(res->leaf_hash, 0, sizeof(res->leaf_hash));
	} else {
		res->has_note = true;
	}
	if (window != NULL)
		*window = res->status == VDB_BADSIG && win;
	buf_free(&entry);
}

/*
 * A stored certificate failed (check_note said BADSIG; window as there).
 * "签名无效" is only for a note whose own signature or leaf really fails:
 * HS_OK keeps the BADSIG. HS_ERR_STATE ("cannot verify now") when the
 * database is what fails: there is no verified checkpoint (unless a
 * trusted key signed the note outside its window, which no damage
 * makes), answers come from a retained checkpoint while the database's
 * is refused, or the verified ledger issued the serial and the stored
 * note or its leaf index is not what it holds (a damaged copy).
 */
static enum hs_err
judge_badsig(struct vdb *v, const char *serial, const char *note,
    size_t nlen, uint64_t leaf_index, bool window, char *err)
{
	struct vtree_cert lk;
	struct buf entry;
	merkle_hash lh;
	bool same;

	if (!v->have_ckpt)
		return window ? HS_OK : cannot_verify(v, err);
	vtree_lookup(v->vt, serial, v->ckpt.size, &lk);
	if (lk.issued) {
		buf_init(&entry);
		same = leaf_index == lk.issue_index &&
		    leaf_issue(serial, note, nlen, &entry, NULL) == HS_OK &&
		    !entry.oom && merkle_leaf_hash(entry.data, entry.len, lh) ==
		    HS_OK && vtree_has(v->vt, lk.issue_index, v->ckpt.size, lh);
		buf_free(&entry);
		if (same)
			return HS_OK;
		return hs_fail(err, HS_ERR_STATE, VDB_CANNOT_VERIFY "the "
		    "database's copy of certificate %s is not the one the "
		    "ledger holds (leaf %llu): the database is damaged", serial,
		    (unsigned long long)lk.issue_index);
	}
	if (v->retained)
		return cannot_verify(v, err);
	return HS_OK;
}

void
vdb_result_free(struct vdb_result *res)
{
	if (res == NULL)
		return;
	if (res->have_cert)
		cert_free(&res->cert);
	free(res->note);
	memset(res, 0, sizeof(*res));
}

enum hs_err
vdb_result_decode(struct vdb_result *res, char *err)
{
	enum hs_err rc;

	if (res->have_cert || !res->has_note)
		return HS_OK;
	/* Its signature verified, so it decodes; fail closed if not. */
	rc = cert_decode(res->note, note_text_len(res->note, res->note_len),
	    &res->cert, err);
	if (rc != HS_OK) {
		res->status = VDB_BADSIG;
		res->has_note = false;
		setp(res->problem, sizeof(res->problem), "%s", err);
		return rc;
	}
	res->have_cert = true;
	return HS_OK;
}

enum hs_err
vdb_check_serial(struct vdb *v, const char *serial, struct vdb_result *res,
    char *err)
{
	enum hs_err rc = vdb_verify_serial(v, serial, res, err);
	char e2[HS_ERRLEN];

	if (rc == HS_OK)
		(void)vdb_result_decode(res, e2);
	return rc;
}

#define SWEEP_CHUNK 500
#define SWEEP_NAMED 10

enum hs_err
vdb_sweep(struct vdb *v, const int *stop, struct vdb_sweep *st, char *err)
{
	sqlite3_stmt *q = NULL, *cnt = NULL;
	long long after = -1;
	uint64_t size, nbad = 0;
	enum hs_err rc = HS_OK;
	int src;

	if ((rc = refresh_checkpoint(v, err)) != HS_OK)
		return rc;
	/* Nothing to do against a refused database. */
	if (!v->have_ckpt || v->retained)
		return HS_OK;
	size = v->ckpt.size;
	if (sqlite3_prepare_v2(v->db, "SELECT count(*) FROM certificates "
	    "WHERE leaf_index < ?1", -1, &cnt, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(v->db, "SELECT serial, note, leaf_index FROM "
	    "certificates WHERE leaf_index > ?1 AND leaf_index < ?2 ORDER BY "
	    "leaf_index LIMIT ?3", -1, &q, NULL) != SQLITE_OK) {
		rc = store_err(v->db, err, "preparing the sweep");
		goto out;
	}
	sqlite3_bind_int64(cnt, 1, (sqlite3_int64)size);
	if (sqlite3_step(cnt) == SQLITE_ROW)
		__atomic_store_n(&st->total, (uint64_t)sqlite3_column_int64(cnt,
		    0), __ATOMIC_RELAXED);
	sqlite3_reset(cnt);
	while (!__atomic_load_n(stop, __ATOMIC_RELAXED)) {
		int rows = 0;

		/* One chunk, one snapshot: the issuer's log is never held. */
		end_read(v);
		sqlite3_bind_int64(q, 1, after);
		sqlite3_bind_int64(q, 2, (sqlite3_int64)size);
		sqlite3_bind_int(q, 3, SWEEP_CHUNK);
		while (!__atomic_load_n(stop, __ATOMIC_RELAXED) &&
		    (src = sqlite3_step(q)) == SQLITE_ROW) {
			const char *serial = (const char *)sqlite3_column_text(q,
			    0);
			const char *note = (const char *)sqlite3_column_text(q,
			    1);
			size_t nlen = (size_t)sqlite3_column_bytes(q, 1);
			uint64_t li = (uint64_t)sqlite3_column_int64(q, 2);
			char vkey[NOTE_VKEY_MAX];
			struct vdb_result res;
			time_t issued;

			rows++;
			after = (long long)li;
			__atomic_add_fetch(&st->done, 1, __ATOMIC_RELAXED);
			if (serial == NULL || note == NULL)
				continue;
			if (vtree_signer(v->vt, li, vkey, sizeof(vkey),
			    &issued)) {
				__atomic_add_fetch(&st->good, 1,
				    __ATOMIC_RELAXED);
				continue;
			}
			/* The same checks as a request (which records it). */
			memset(&res, 0, sizeof(res));
			check_note(v, serial, note, nlen, li, -1, &res, NULL);
			if (res.status == VDB_VALID ||
			    res.status == VDB_REVOKED) {
				__atomic_add_fetch(&st->good, 1,
				    __ATOMIC_RELAXED);
			} else {
				__atomic_add_fetch(&st->bad, 1,
				    __ATOMIC_RELAXED);
				if (++nbad <= SWEEP_NAMED)
					fprintf(stderr, "hourseal-verifier: "
					    "sweep: certificate %.40s (leaf "
					    "%llu) does not verify: %s\n",
					    serial, (unsigned long long)li,
					    res.problem);
			}
			vdb_result_free(&res);
		}
		sqlite3_reset(q);
		if (rows < SWEEP_CHUNK)
			break;
	}
	end_read(v);
	if (!__atomic_load_n(stop, __ATOMIC_RELAXED))
		__atomic_store_n(&st->finished, 1, __ATOMIC_RELAXED);
out:
	sqlite3_finalize(q);
	sqlite3_finalize(cnt);
	return rc;
}

bool
vdb_quick(struct vdb *v, const char *serial, struct vdb_result *res)
{
	struct vtree_cert lk;
	char vkey[NOTE_VKEY_MAX], e2[HS_ERRLEN];
	time_t issued;
	size_t k;

	memset(res, 0, sizeof(*res));
	res->status = VDB_NOTFOUND;
	if (refresh_checkpoint(v, e2) != HS_OK || !v->have_ckpt)
		return false;
	vtree_lookup(v->vt, serial, v->ckpt.size, &lk);
	if (!lk.issued || lk.conflict || lk.revoked ||
	    !vtree_signer(v->vt, lk.issue_index, vkey, sizeof(vkey),
	    &issued) ||
	    (k = key_index(&v->keys, vkey)) >= v->keys.n ||
	    verify_key_window(&v->keys, k, NULL, issued, e2) != HS_OK ||
	    !vtree_leaf(v->vt, lk.issue_index, res->leaf_hash))
		return false;
	res->status = VDB_VALID;
	res->leaf_index = lk.issue_index;
	snprintf(res->key_vkey, sizeof(res->key_vkey), "%s", vkey);
	snprintf(res->origin, sizeof(res->origin), "%s", v->keys.origin);
	res->ckpt_size = v->ckpt.size;
	merkle_hash_encode(v->ckpt.root, res->ckpt_root);
	return true;
}

enum hs_err
vdb_verify_serial(struct vdb *v, const char *serial, struct vdb_result *res,
    char *err)
{
	sqlite3_stmt *st = v->st_cert;
	const char *note;
	size_t nlen;
	uint64_t leaf_index;
	long long revoke_index = -1;
	struct vtree_cert lk;
	enum hs_err rc;
	bool window;
	int src;

	memset(res, 0, sizeof(*res));
	res->status = VDB_NOTFOUND;
	if ((rc = refresh_checkpoint(v, err)) != HS_OK)
		return rc;
	snprintf(res->origin, sizeof(res->origin), "%s", v->keys.origin);
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	src = sqlite3_step(st);
	if (src == SQLITE_DONE) {
		/* Not found only if the verified ledger agrees. */
		if (!v->have_ckpt) {
			rc = cannot_verify(v, err);
			goto out;
		}
		vtree_lookup(v->vt, serial, v->ckpt.size, &lk);
		if (lk.issued || lk.conflict)
			rc = hs_fail(err, HS_ERR_STATE, VDB_CANNOT_VERIFY "the "
			    "database has no record of certificate %s, which "
			    "the ledger issued: the database is damaged or "
			    "older than the ledger", serial);
		else
			rc = HS_OK;
		goto out;
	}
	if (src != SQLITE_ROW) {
		rc = store_err(v->db, err, "reading the certificate");
		goto out;
	}
	note = (const char *)sqlite3_column_text(st, 0);
	nlen = (size_t)sqlite3_column_bytes(st, 0);
	if (note == NULL)
		note = "";
	leaf_index = (uint64_t)sqlite3_column_int64(st, 1);
	copy_col(st, 2, res->pdf_sha256, sizeof(res->pdf_sha256));
	copy_col(st, 3, res->replaces, sizeof(res->replaces));
	if (sqlite3_column_type(st, 4) != SQLITE_NULL) {
		copy_col(st, 4, res->reason, sizeof(res->reason));
		copy_col(st, 5, res->revoked_at, sizeof(res->revoked_at));
		revoke_index = sqlite3_column_int64(st, 6);
		copy_col(st, 7, res->replaced_by, sizeof(res->replaced_by));
	}
	res->leaf_index = leaf_index;
	check_note(v, serial, note, nlen, leaf_index, revoke_index, res,
	    &window);
	if (res->status == VDB_BADSIG && (rc = judge_badsig(v, serial, note,
	    nlen, leaf_index, window, err)) != HS_OK)
		goto out;
	if (res->has_note && !res->have_cert) {
		/* Kept for vdb_result_decode. */
		if ((res->note = malloc(nlen + 1)) == NULL) {
			rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
			goto out;
		}
		memcpy(res->note, note, nlen);
		res->note[nlen] = '\0';
		res->note_len = nlen;
	}
	res->ckpt_size = v->ckpt.size;
	merkle_hash_encode(v->ckpt.root, res->ckpt_root);
	rc = HS_OK;
out:
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != HS_OK) {
		/* Could not check: nothing of it is an answer. */
		vdb_result_free(res);
		res->status = VDB_NOTFOUND;
	}
	return rc;
}

void
vdb_upload_free(struct vdb_upload_result *res)
{
	if (res == NULL)
		return;
	vdb_result_free(&res->cert);
	memset(res, 0, sizeof(*res));
}

/*
 * A receipt whose checkpoint is no longer signed by a key that may sign
 * (its key was compromised later) still proves inclusion when that
 * checkpoint's root is the verified tree's root at its size and the
 * inclusion proof leads from the note's leaf to it: the verified ledger
 * vouches for it. *size gets the receipt's checkpoint size.
 */
static bool
receipt_vouched(struct vdb *v, const char *serial, const char *note,
    size_t nlen, const char *rtext, size_t rlen, uint64_t *size)
{
	struct receipt *r = NULL;
	const struct checkpoint *cp;
	const merkle_hash *proof;
	merkle_hash lh, root;
	struct buf entry;
	char e2[HS_ERRLEN];
	size_t n;
	bool ok = false;

	buf_init(&entry);
	if (!v->have_ckpt || receipt_parse(rtext, rlen, &r, e2) != HS_OK ||
	    leaf_issue(serial, note, nlen, &entry, e2) != HS_OK ||
	    entry.oom || merkle_leaf_hash(entry.data, entry.len, lh) != HS_OK)
		goto out;
	cp = receipt_checkpoint_parsed(r);
	proof = receipt_proof(r, &n);
	if (strcmp(cp->origin, v->keys.origin) != 0 ||
	    cp->size > v->ckpt.size ||
	    vtree_root(v->vt, cp->size, root, e2) != HS_OK ||
	    CRYPTO_memcmp(root, cp->root, MERKLE_HASH) != 0 ||
	    merkle_verify_inclusion(receipt_index(r), cp->size, lh,
	    MERKLE_HASH, proof, n, cp->root, MERKLE_HASH, e2) != HS_OK)
		goto out;
	*size = cp->size;
	ok = true;
out:
	receipt_free(r);
	buf_free(&entry);
	return ok;
}

/*
 * A PDF whose bytes are not the issued file's: rendered again from its
 * note and compared as a reader sees it (pdfvis.h). EDITED or RESAVED
 * when that settles it; otherwise it stays MODIFIED with why.
 */
static enum hs_err
upload_compare(struct vdb *v, const void *data, size_t len,
    const struct cert *c, const char *note, size_t nlen, const char *proof,
    size_t plen, struct pdfin_budget *budget, struct vdb_upload_result *res,
    char *err)
{
	struct pdfvis pv;
	struct buf ref;
	char e2[HS_ERRLEN];
	enum hs_err rc;

	if (c->verify_url[0] == '\0') {
		setp(res->problem, sizeof(res->problem), "文件与签发的 PDF 不同；"
		    "该证书的签名内容不含核验地址，页面无法重新生成比对");
		return HS_OK;
	}
	if (v->pr == NULL && !v->pr_failed &&
	    pdf_renderer_new(NULL, &v->pr, e2) != HS_OK) {
		v->pr = NULL;
		v->pr_failed = true;
	}
	if (v->pr == NULL) {
		setp(res->problem, sizeof(res->problem), "文件与签发的 PDF 不同；"
		    "本服务无法重新生成证书页面以比对");
		return HS_OK;
	}
	buf_init(&ref);
	if (pdf_render(v->pr, NULL, c, note, nlen, proof, plen,
	    c->verify_url, &ref, e2) != HS_OK || ref.oom) {
		setp(res->problem, sizeof(res->problem), "文件与签发的 PDF 不同；"
		    "证书页面无法重新生成以比对");
		buf_free(&ref);
		return HS_OK;
	}
	rc = pdfvis_compare(data, len, ref.data, ref.len, budget, &pv, err);
	buf_free(&ref);
	if (rc != HS_OK)
		return rc;
	switch (pv.result) {
	case PDFVIS_EDITED:
		res->outcome = VDB_UP_EDITED;
		setp(res->differs, sizeof(res->differs), "%s", pv.differs);
		setp(res->problem, sizeof(res->problem), "文件显示的内容与签名"
		    "内容不同：%s", pv.differs);
		break;
	case PDFVIS_RESAVED:
		res->outcome = VDB_UP_RESAVED;
		setp(res->problem, sizeof(res->problem), "内容一致，文件已被改存"
		    "（与签发的 PDF 字节不同，页面显示的正是签名内容）");
		break;
	default:
		setp(res->problem, sizeof(res->problem), "文件与签发的 PDF 不同："
		    "%s", pv.why);
		break;
	}
	return HS_OK;
}

/*
 * The serial a QR code names: the text after "/c/" of a URL (up to '?',
 * '#' or '/'), or the whole text. *base gets the URL's part before "/c/"
 * ("" for a bare serial). False if it names none.
 */
static bool
qr_serial(const char *line, size_t n, char serial[SERIAL_SIZE], char *base,
    size_t bn)
{
	char tmp[128], e2[HS_ERRLEN];
	const char *c = NULL, *p, *end = line + n;
	size_t k;

	for (p = line; p + 3 <= end; p++)
		if (memcmp(p, "/c/", 3) == 0)
			c = p;
	base[0] = '\0';
	if (c != NULL) {
		if ((size_t)(c - line) >= bn)
			return false;
		memcpy(base, line, (size_t)(c - line));
		base[c - line] = '\0';
		p = c + 3;
	} else {
		p = line;
	}
	for (k = 0; p + k < end && p[k] != '?' && p[k] != '#' && p[k] != '/';
	    k++)
		;
	if (k == 0 || k >= sizeof(tmp))
		return false;
	memcpy(tmp, p, k);
	tmp[k] = '\0';
	return serial_parse(tmp, serial, e2) == HS_OK;
}

/* What a scan found, as vdb_copy reads it. */
struct copy_scan {
	struct pdfin_budget *budget;
	char text[SCAN_TEXT_MAX];  /* the QR texts, one per line */
	char where[64];            /* "第 1 页的图像" */
	enum hs_err rc;            /* budget or memory ran out */
	char err[HS_ERRLEN];
	int unreadable;            /* images that did not decode */
	char why[HS_ERRLEN];       /* the first one's reason */
};

static int
copy_image(void *ctx, const struct pdfin_image *img)
{
	struct copy_scan *cs = ctx;
	enum hs_err rc;

	cs->text[0] = '\0';
	rc = img->dct ? scan_image(img->data, img->len, cs->budget, cs->text,
	    sizeof(cs->text), cs->err) : scan_pixels(img->data, img->width,
	    img->height, img->ncomp, cs->budget, cs->text, sizeof(cs->text),
	    cs->err);
	if (rc == HS_ERR_NOMEM || (rc == HS_ERR_TOOBIG && cs->budget != NULL &&
	    cs->budget->used > cs->budget->limit)) {
		cs->rc = rc;
		return 1;
	}
	if (rc != HS_OK) {
		if (cs->unreadable++ == 0)
			setp(cs->why, sizeof(cs->why), "%s", cs->err);
		return 0;
	}
	if (cs->text[0] == '\0')
		return 0;
	setp(cs->where, sizeof(cs->where), "第 %d 页的图像", img->page);
	return 1;
}

/*
 * A copy (a scan or a photo): the QR code names a serial, and the answer
 * is the ledger's for it, not the file's. A QR code whose URL is not the
 * one signed in that certificate's note, or naming a serial the ledger
 * does not have, is not ours.
 */
static enum hs_err
copy_answer(struct vdb *v, struct copy_scan *cs,
    struct vdb_upload_result *res, char *err)
{
	char serial[SERIAL_SIZE], base[512];
	const char *line, *nl;
	bool found = false;
	enum hs_err rc;

	for (line = cs->text; *line != '\0'; line = nl + 1) {
		nl = strchr(line, '\n');
		if (nl == NULL)
			break;
		if (qr_serial(line, (size_t)(nl - line), serial, base,
		    sizeof(base))) {
			found = true;
			break;
		}
	}
	if (!found) {
		res->outcome = VDB_UP_NOT_OURS;
		nl = strchr(cs->text, '\n');
		setp(res->problem, sizeof(res->problem), "%s中的二维码不是本服务"
		    "签发的证书的核验链接（内容：%.*s）", cs->where,
		    nl != NULL && nl - cs->text < 120 ? (int)(nl - cs->text) : 120,
		    cs->text);
		return HS_OK;
	}
	if ((rc = vdb_check_serial(v, serial, &res->cert, err)) != HS_OK)
		return rc;
	switch (res->cert.status) {
	case VDB_NOTFOUND:
		res->outcome = VDB_UP_NOT_OURS;
		setp(res->problem, sizeof(res->problem), "%s中的二维码指向证书 "
		    "%s，本账本中没有这张证书", cs->where, serial);
		return HS_OK;
	case VDB_BADSIG:
		res->outcome = VDB_UP_INVALID;
		setp(res->problem, sizeof(res->problem), "%s", res->cert.problem);
		return HS_OK;
	default:
		break;
	}
	if (base[0] != '\0' && res->cert.have_cert &&
	    res->cert.cert.verify_url[0] != '\0' &&
	    strcmp(base, res->cert.cert.verify_url) != 0) {
		res->outcome = VDB_UP_NOT_OURS;
		setp(res->problem, sizeof(res->problem), "%s中的二维码指向 "
		    "%.200s，不是证书 %s 签名时登记的核验地址", cs->where, base,
		    serial);
		/* Not an answer for that certificate. */
		vdb_result_free(&res->cert);
		memset(&res->cert, 0, sizeof(res->cert));
		return HS_OK;
	}
	res->outcome = VDB_UP_COPY;
	setp(res->differs, sizeof(res->differs), "%s", cs->where);
	setp(res->problem, sizeof(res->problem), "这是证书的复印件或照片（%s"
	    "中的二维码指向证书 %s）：以下结论来自账本中该编号的记录，不是对这份"
	    "文件本身的核验", cs->where, serial);
	return HS_OK;
}

/*
 * An upload without a certificate note: a JPEG or PNG file, or a PDF
 * whose images may hold the QR code (a scan). why: why the PDF is not a
 * certificate (NULL for an image).
 */
static enum hs_err
upload_copy(struct vdb *v, const void *data, size_t len,
    struct pdfin_budget *budget, const char *why,
    struct vdb_upload_result *res, char *err)
{
	struct copy_scan *cs;
	struct pdfin_budget own;
	enum hs_err rc = HS_OK;
	int seen = 0;

	if ((cs = calloc(1, sizeof(*cs))) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	if (budget == NULL) {
		pdfin_budget_init(&own, PDFIN_SCAN_DECODE_MAX);
		budget = &own;
	}
	cs->budget = budget;
	if (why == NULL) {
		setp(cs->where, sizeof(cs->where), "图像");
		rc = scan_image(data, len, budget, cs->text, sizeof(cs->text),
		    cs->err);
		if (rc == HS_ERR_NOMEM) {
			rc = hs_fail(err, rc, "%s", cs->err);
			goto out;
		}
		if (rc != HS_OK) {
			res->outcome = VDB_UP_NOT_CERT;
			setp(res->problem, sizeof(res->problem), "不是学时证明："
			    "%s", cs->err);
			rc = HS_OK;
			goto out;
		}
		seen = 1;
	} else {
		rc = pdfin_images(data, len, budget, copy_image, cs, &seen,
		    cs->err);
		if (rc == HS_OK)
			rc = cs->rc;
		if (rc == HS_ERR_NOMEM) {
			rc = hs_fail(err, rc, "%s", cs->err);
			goto out;
		}
		if (rc != HS_OK) {
			res->outcome = VDB_UP_NOT_CERT;
			setp(res->problem, sizeof(res->problem), "不是学时证明："
			    "%s", cs->err);
			rc = HS_OK;
			goto out;
		}
	}
	if (cs->text[0] == '\0') {
		res->outcome = VDB_UP_NOT_CERT;
		if (why == NULL)
			setp(res->problem, sizeof(res->problem), "不是学时证明："
			    "图像中没有找到二维码");
		else if (seen == 0 && cs->unreadable == 0)
			setp(res->problem, sizeof(res->problem), "不是学时证明："
			    "PDF 中没有签名的证书附件（%s），也没有可识别二维码的"
			    "图像", why);
		else
			setp(res->problem, sizeof(res->problem), "不是学时证明："
			    "PDF 中没有签名的证书附件，其中的 %d 幅图像里没有找到"
			    "二维码%s%s", seen + cs->unreadable,
			    cs->unreadable ? "；" : "", cs->why);
		goto out;
	}
	rc = copy_answer(v, cs, res, err);
out:
	free(cs);
	return rc;
}

enum hs_err
vdb_check_upload(struct vdb *v, const void *data, size_t len,
    struct vdb_upload_result *res, char *err)
{
	return vdb_check_upload_budget(v, data, len, NULL, res, err);
}

enum hs_err
vdb_check_upload_budget(struct vdb *v, const void *data, size_t len,
    struct pdfin_budget *budget, struct vdb_upload_result *res, char *err)
{
	struct pdfin pf;
	struct cert c;
	struct checkpoint rcp;
	const char *note;
	size_t nlen;
	bool is_pdf;
	uint8_t h[32];
	char e2[HS_ERRLEN];
	enum hs_err rc;

	memset(res, 0, sizeof(*res));
	memset(&pf, 0, sizeof(pf));
	memset(&c, 0, sizeof(c));
	sha256(data, len, h);
	hex_encode(h, 32, res->sha256);
	is_pdf = pdfin_looks_like_pdf(data, len);
	if ((rc = refresh_checkpoint(v, err)) != HS_OK)
		return rc;
	if (!v->have_ckpt)
		return cannot_verify(v, err);
	if (!is_pdf && scan_kind(data, len) != SCAN_NONE)
		return upload_copy(v, data, len, budget, NULL, res, err);
	if (is_pdf) {
		rc = pdfin_read_budget(data, len, budget, &pf, e2);
		if (rc == HS_ERR_NOMEM)
			return hs_fail(err, rc, "%s", e2);
		if (rc == HS_ERR_NOTFOUND)
			return upload_copy(v, data, len, budget, e2, res, err);
		if (rc != HS_OK) {
			res->outcome = VDB_UP_NOT_CERT;
			setp(res->problem, sizeof(res->problem), "%s", e2);
			return HS_OK;
		}
		note = pf.note;
		nlen = pf.note_len;
	} else {
		note = data;
		nlen = len;
	}
	rc = verify_cert_note(&v->keys, note, nlen, &c, NULL, e2);
	if (rc == HS_ERR_FORMAT) {
		res->outcome = VDB_UP_NOT_CERT;
		setp(res->problem, sizeof(res->problem), "%s", e2);
		rc = HS_OK;
		goto out;
	}
	if (rc == HS_ERR_SIGNATURE) {
		res->outcome = VDB_UP_NOT_OURS;
		setp(res->problem, sizeof(res->problem), "%s", e2);
		rc = HS_OK;
		goto out;
	}
	if (rc != HS_OK) {
		/* Our key, but outside its validity (compromised, retired). */
		res->outcome = VDB_UP_INVALID;
		setp(res->problem, sizeof(res->problem), "%s", e2);
		rc = HS_OK;
		goto out;
	}
	/* The embedded receipt, and its checkpoint against the latest. */
	if (pf.proof != NULL) {
		uint64_t idx;

		if (verify_receipt(&v->keys, c.serial, note, nlen, pf.proof,
		    pf.proof_len, &rcp, &idx, e2) == HS_OK) {
			res->receipt_ok = true;
			res->receipt_size = rcp.size;
			if (v->have_ckpt && rcp.size <= v->ckpt.size) {
				merkle_hash proof[MERKLE_MAX_PROOF];
				size_t np;

				if (vtree_prove_consistency(v->vt, rcp.size,
				    v->ckpt.size, proof, &np, e2) == HS_OK &&
				    checkpoint_verify_consistency(&rcp,
				    &v->ckpt, proof, np, e2) == HS_OK)
					res->consistent = true;
			}
		}
		if (!res->receipt_ok && receipt_vouched(v, c.serial, note,
		    nlen, pf.proof, pf.proof_len, &res->receipt_size)) {
			/* Its checkpoint's signer is retired or compromised
			 * now, but its root is one of the verified ledger's. */
			res->receipt_ok = true;
			res->consistent = true;
		}
		if (!res->receipt_ok)
			setp(res->problem, sizeof(res->problem),
			    "the embedded receipt does not verify: %s", e2);
		else if (!res->consistent)
			setp(res->problem, sizeof(res->problem),
			    "the embedded receipt's checkpoint (size %llu) is "
			    "not consistent with the latest",
			    (unsigned long long)rcp.size);
	} else if (is_pdf) {
		setp(res->problem, sizeof(res->problem),
		    "the PDF has no certificate.proof attachment");
	}
	if ((rc = vdb_check_serial(v, c.serial, &res->cert, err)) != HS_OK)
		goto out;
	switch (res->cert.status) {
	case VDB_NOTFOUND:
		/* Signed with our key, but the ledger never issued it. */
		res->outcome = VDB_UP_NOT_OURS;
		setp(res->problem, sizeof(res->problem), "serial %s is not "
		    "in the ledger", c.serial);
		goto out;
	case VDB_BADSIG:
		res->outcome = VDB_UP_INVALID;
		setp(res->problem, sizeof(res->problem), "%s",
		    res->cert.problem);
		goto out;
	case VDB_REVOKED:
		res->outcome = VDB_UP_REVOKED;
		goto out;
	case VDB_VALID:
		break;
	}
	/* The note must be the one the ledger has, byte for byte. */
	{
		struct buf entry;
		bool same;

		buf_init(&entry);
		same = leaf_issue(c.serial, note, nlen, &entry, e2) == HS_OK &&
		    in_tree(v, res->cert.leaf_index, &entry, NULL);
		buf_free(&entry);
		if (!same) {
			res->outcome = VDB_UP_INVALID;
			setp(res->problem, sizeof(res->problem), "this "
			    "note differs from the one in the ledger");
			goto out;
		}
	}
	if (pf.proof != NULL && (!res->receipt_ok || !res->consistent)) {
		res->outcome = VDB_UP_INVALID;
		goto out;
	}
	if (!is_pdf) {
		res->outcome = VDB_UP_NOTE_OK;
		goto out;
	}
	if (res->cert.pdf_sha256[0] != '\0' &&
	    strcmp(res->cert.pdf_sha256, res->sha256) == 0) {
		res->outcome = VDB_UP_AUTHENTIC;
	} else {
		res->outcome = VDB_UP_MODIFIED;
		if (res->cert.pdf_sha256[0] == '\0')
			setp(res->problem, sizeof(res->problem), "no PDF "
			    "hash recorded for this certificate");
		else
			setp(res->problem, sizeof(res->problem), "the file's "
			    "SHA-256 differs from the issued PDF's");
		if (!pf.pages_ok) {
			setp(res->problem, sizeof(res->problem), "文件与签发的 "
			    "PDF 不同，且页面内容已损坏");
		} else {
			rc = upload_compare(v, data, len, &c, note, nlen,
			    pf.proof, pf.proof_len, budget, res, err);
		}
	}
out:
	cert_free(&c);
	pdfin_free(&pf);
	return rc;
}

enum hs_err
vdb_checkpoint(struct vdb *v, struct buf *out, uint64_t *size, char *err)
{
	enum hs_err rc;

	const char *note;
	size_t len;

	if ((rc = refresh_checkpoint(v, err)) != HS_OK)
		return rc;
	if (!v->have_ckpt)
		return v->refused ? cannot_verify(v, err) :
		    hs_fail(err, HS_ERR_NOTFOUND, "%s", v->ckpt_problem);
	note = served_note(v, &len);
	buf_add(out, note, len);
	if (size != NULL)
		*size = v->ckpt.size;
	return HS_OK;
}

enum hs_err
vdb_consistency(struct vdb *v, uint64_t old_size, struct buf *out, char *err)
{
	merkle_hash proof[MERKLE_MAX_PROOF];
	const char *note;
	size_t np, len;
	enum hs_err rc;

	if ((rc = refresh_checkpoint(v, err)) != HS_OK)
		return rc;
	if (!v->have_ckpt)
		return v->refused ? cannot_verify(v, err) :
		    hs_fail(err, HS_ERR_NOTFOUND, "%s", v->ckpt_problem);
	if (old_size > v->ckpt.size)
		return hs_fail(err, HS_ERR_INVALID, "size %llu is beyond the "
		    "latest checkpoint (%llu)", (unsigned long long)old_size,
		    (unsigned long long)v->ckpt.size);
	if ((rc = vtree_prove_consistency(v->vt, old_size, v->ckpt.size,
	    proof, &np, err)) != HS_OK)
		return rc;
	note = served_note(v, &len);
	verify_newer_format(old_size, proof, np, note, len, out);
	return HS_OK;
}

enum hs_err
vdb_tile(struct vdb *v, const char *path, struct buf *out, bool *full,
    char *err)
{
	struct tile t;
	enum hs_err rc;

	*full = false;
	if ((rc = tile_path_parse(path, &t, err)) != HS_OK)
		return HS_ERR_FORMAT;
	if ((rc = refresh_checkpoint(v, err)) != HS_OK)
		return rc;
	/* Tiles come from the database: only from one that verified. */
	if (!v->have_ckpt && !v->refused)
		return hs_fail(err, HS_ERR_NOTFOUND, "%s", v->ckpt_problem);
	if (!v->have_ckpt || v->retained)
		return cannot_verify(v, err);
	if ((rc = ledger_tile(v->l, &t, v->ckpt.size, out, err)) != HS_OK)
		return rc;
	*full = t.width == TILE_WIDTH;
	return HS_OK;
}

enum vdb_health
vdb_health(struct vdb *v, uint64_t *size, char *why, size_t n)
{
	char err[HS_ERRLEN];

	*size = 0;
	if (refresh_checkpoint(v, err) != HS_OK) {
		snprintf(why, n, "%s", err);
		return VDB_UNAVAILABLE;
	}
	snprintf(why, n, "%s", v->ckpt_problem);
	if (!v->have_ckpt)
		return VDB_UNAVAILABLE;
	*size = v->ckpt.size;
	return v->retained ? VDB_RETAINED : VDB_SERVING;
}

enum hs_err
vdb_keys(struct vdb *v, struct buf *out, char *err)
{
	enum hs_err rc;

	if ((rc = refresh_checkpoint(v, err)) != HS_OK)
		return rc;
	verify_keys_format(&v->keys, out);
	return HS_OK;
}

enum hs_err
vdb_id_digest(struct vdb *v, const char *serial, char out[45], char *err)
{
	sqlite3_stmt *st = v->st_digest;
	enum hs_err rc;
	int src;

	out[0] = '\0';
	if ((rc = refresh_checkpoint(v, err)) != HS_OK)
		return rc;
	if (!v->have_ckpt || v->retained)
		return cannot_verify(v, err);
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	src = sqlite3_step(st);
	if (src == SQLITE_ROW) {
		copy_col(st, 0, out, 45);
		rc = HS_OK;
	} else if (src == SQLITE_DONE) {
		rc = hs_fail(err, HS_ERR_NOTFOUND, "no such certificate");
	} else {
		rc = store_err(v->db, err, "reading the certificate");
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}
