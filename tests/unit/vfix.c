/*
 * vfix.c - this module builds real verifier fixtures through the library
 * (see vfix.h): compiled once, linked into the unit tests that use it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cert/cert.h"
#include "store/certs.h"
#include "store/config.h"
#include "cert/leaf.h"
#include "store/ledger.h"
#include "tlog/note.h"
#include "cert/serial.h"
#include "store/store.h"
#include "core/util.h"
#include "vfix.h"

int
vfix_sql(struct vfix *f, const char *s)
{
	char *msg = NULL;

	if (sqlite3_exec(f->db, s, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(f->err, sizeof(f->err), "sql: %s", msg ? msg : "?");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

const uint8_t *vfix_next_seed;

/* Appends "hourseal/leaf/v1 <kind> <vkey> <t>". In a transaction. */
static int
vfix_key_leaf(struct vfix *f, const char *kind, const char *vkey,
    const char *t)
{
	struct buf entry;
	int rc;

	buf_init(&entry);
	buf_printf(&entry, "hourseal/leaf/v1 %s %s %s", kind, vkey, t);
	rc = entry.oom || ledger_append(f->l, entry.data, entry.len, NULL,
	    f->err) != HS_OK ? -1 : 0;
	buf_free(&entry);
	return rc;
}

/*
 * Logs a key-retire or key-compromise entry for vkey under a new
 * checkpoint (signed by the checkpoint key), in its own transaction.
 */
int
vfix_mark(struct vfix *f, const char *kind, const char *vkey, const char *t)
{
	if (vfix_begin(f) != 0)
		return -1;
	if (vfix_key_leaf(f, kind, vkey, t) != 0) {
		store_rollback(f->db);
		return -1;
	}
	return vfix_commit(f);
}

/* From now on the current signing key signs checkpoints too. */
void
vfix_handover(struct vfix *f)
{
	if (f->signer == f->ckpt || f->nold == 8)
		return;
	f->old[f->nold++] = f->ckpt;
	f->ckpt = f->signer;
}

/*
 * Adds a signing key row; the new key signs what follows. The first key
 * is the trust anchor (f->anchor); a later one is announced in the log
 * (its key leaf, and key-retire / key-compromise leaves for the given
 * times) under a checkpoint signed by the checkpoint key, in its own
 * transaction, as the issuer does.
 */
int
vfix_key(struct vfix *f, const char *label, const char *not_before,
    const char *retired, const char *compromised)
{
	uint8_t seed[32];
	sqlite3_stmt *st = NULL;
	int ok;

	if (f->signer != f->ckpt)
		note_signer_free(f->signer);
	f->signer = NULL;
	if (vfix_next_seed != NULL) {
		memcpy(seed, vfix_next_seed, 32);
		vfix_next_seed = NULL;
	} else if (random_bytes(seed, 32) != HS_OK)
		return -1;
	if (note_signer_new(VFIX_ORIGIN, seed, &f->signer, f->err) != HS_OK ||
	    note_signer_vkey(f->signer, f->vkey, sizeof(f->vkey)) != HS_OK)
		return -1;
	snprintf(f->label, sizeof(f->label), "%s", label);
	if (sqlite3_prepare_v2(f->db, "INSERT INTO keys (label, vkey, created,"
	    " not_before, retired, compromised_since) VALUES (?,?,?,?,?,?)",
	    -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, label, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, f->vkey, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, not_before, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, not_before, -1, SQLITE_STATIC);
	if (retired)
		sqlite3_bind_text(st, 5, retired, -1, SQLITE_STATIC);
	if (compromised)
		sqlite3_bind_text(st, 6, compromised, -1, SQLITE_STATIC);
	ok = sqlite3_step(st) == SQLITE_DONE;
	if (f->ckpt == NULL) {
		f->ckpt = f->signer;
		snprintf(f->anchor, sizeof(f->anchor), "%s", f->vkey);
		memcpy(f->anchor_seed, seed, 32);
	} else if (ok) {
		ok = vfix_begin(f) == 0 &&
		    vfix_key_leaf(f, "key", f->vkey, not_before) == 0 &&
		    (retired == NULL || vfix_key_leaf(f, "key-retire", f->vkey,
		    retired) == 0) &&
		    (compromised == NULL || vfix_key_leaf(f, "key-compromise",
		    f->vkey, compromised) == 0) && vfix_commit(f) == 0;
		if (!ok && sqlite3_get_autocommit(f->db) == 0)
			store_rollback(f->db);
		sqlite3_finalize(st);
		return ok ? 0 : -1;
	}
	if (!ok)
		snprintf(f->err, sizeof(f->err), "keys: %s",
		    sqlite3_errmsg(f->db));
	sqlite3_finalize(st);
	return ok ? 0 : -1;
}

int
vfix_open(struct vfix *f, const char *path)
{
	memset(f, 0, sizeof(*f));
	remove(path);
	if (store_open(path, STORE_CREATE, &f->db, f->err) != HS_OK)
		return -1;
	if (vfix_key(f, "k1", "2020-01-01T00:00:00Z", NULL, NULL) != 0)
		return -1;
	if (ledger_open(f->db, VFIX_ORIGIN, &f->l, f->err) != HS_OK ||
	    certs_open(f->db, &f->cs, f->err) != HS_OK)
		return -1;
	return 0;
}

void
vfix_close(struct vfix *f)
{
	certs_close(f->cs);
	ledger_close(f->l);
	if (f->signer != f->ckpt)
		note_signer_free(f->signer);
	note_signer_free(f->ckpt);
	while (f->nold > 0)
		note_signer_free(f->old[--f->nold]);
	store_close(f->db);
	memset(f, 0, sizeof(*f));
}

/*
 * Signs and records one annual certificate for year with name and hours
 * (tenths); serial_out gets its serial. Must run in a transaction.
 */
int
vfix_cert(struct vfix *f, int year, const char *name, long pub10,
    long prof10, const char *issued, char serial_out[SERIAL_SIZE])
{
	struct cert c;
	struct cert_record recs[2];
	struct buf text, note, entry;
	struct certs_new cn;
	uint64_t idx;
	int rc = -1;

	memset(&c, 0, sizeof(c));
	memset(recs, 0, sizeof(recs));
	buf_init(&text);
	buf_init(&note);
	buf_init(&entry);
	if (serial_new(year, c.serial) != HS_OK)
		goto out;
	c.kind = CERT_ANNUAL;
	snprintf(c.issuer, sizeof(c.issuer), "福建省专业技术人员继续教育中心");
	c.year = year;
	snprintf(c.name, sizeof(c.name), "%s", name);
	snprintf(c.id_masked, sizeof(c.id_masked), "3501**********1233");
	/* The test holder's ID under the all-zero test pepper. */
	{
		struct config *cfg = calloc(1, sizeof(*cfg));

		if (cfg == NULL)
			goto out;
		config_id_digest(cfg, VFIX_ID, c.id_digest);
		free(cfg);
	}
	snprintf(c.unit, sizeof(c.unit), "福州市第一医院");
	c.public10 = pub10;
	c.professional10 = prof10;
	c.total10 = pub10 + prof10;
	c.req_total10 = 900;
	c.req_public10 = 300;
	c.req_professional10 = 600;
	c.met = pub10 >= 300 && prof10 >= 600;
	snprintf(recs[0].subject, sizeof(recs[0].subject), "public");
	snprintf(recs[0].form, sizeof(recs[0].form), "online");
	snprintf(recs[0].start, sizeof(recs[0].start), "%d-03-01", year);
	snprintf(recs[0].end, sizeof(recs[0].end), "%d-03-03", year);
	recs[0].hours10 = pub10;
	snprintf(recs[0].title, sizeof(recs[0].title), "新时代政绩观树立 <b>&");
	snprintf(recs[0].provider, sizeof(recs[0].provider), "福建省继续教育基地");
	snprintf(recs[1].subject, sizeof(recs[1].subject), "professional");
	snprintf(recs[1].form, sizeof(recs[1].form), "achievement");
	snprintf(recs[1].start, sizeof(recs[1].start), "%d-06-30", year);
	snprintf(recs[1].end, sizeof(recs[1].end), "%d-06-30", year);
	recs[1].hours10 = prof10;
	snprintf(recs[1].title, sizeof(recs[1].title), "论文：基层医疗质量");
	snprintf(recs[1].provider, sizeof(recs[1].provider), "福州市卫健委");
	c.records = recs;
	c.nrecords = 2;
	snprintf(c.issued, sizeof(c.issued), "%s", issued);
	if (cert_encode(&c, &text, f->err) != HS_OK ||
	    note_sign(f->signer, text.data, text.len, &note, f->err) != HS_OK ||
	    leaf_issue(c.serial, note.data, note.len, &entry, f->err) !=
	    HS_OK ||
	    ledger_append(f->l, entry.data, entry.len, &idx, f->err) != HS_OK)
		goto out;
	memset(&cn, 0, sizeof(cn));
	cn.serial = c.serial;
	cn.year = year;
	cn.kind = "annual";
	cn.name = c.name;
	cn.id_masked = c.id_masked;
	cn.id_digest = c.id_digest;
	cn.unit = c.unit;
	cn.total10 = c.total10;
	cn.status = c.met ? "met" : "unmet";
	cn.record_set = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
	cn.note = note.data;
	cn.leaf_index = (long long)idx;
	cn.key_label = f->label;
	cn.issued = c.issued;
	if (certs_insert(f->cs, &cn, f->err) != HS_OK)
		goto out;
	snprintf(serial_out, SERIAL_SIZE, "%s", c.serial);
	rc = 0;
out:
	buf_free(&text);
	buf_free(&note);
	buf_free(&entry);
	return rc;
}

/* Revokes serial (revoke leaf + row). Must run in a transaction. */
int
vfix_revoke(struct vfix *f, const char *serial, const char *reason,
    const char *at, const char *replaced_by)
{
	struct buf entry;
	uint64_t idx;
	int rc = -1;

	buf_init(&entry);
	if (leaf_revoke(serial, reason, at, &entry, f->err) == HS_OK &&
	    ledger_append(f->l, entry.data, entry.len, &idx, f->err) ==
	    HS_OK &&
	    certs_revoke(f->cs, serial, reason, NULL, at, (long long)idx,
	    replaced_by, f->err) == HS_OK)
		rc = 0;
	buf_free(&entry);
	return rc;
}

int
vfix_begin(struct vfix *f)
{
	return store_begin(f->db, f->err) == HS_OK ? 0 : -1;
}

/* Signs a checkpoint and commits. */
int
vfix_commit(struct vfix *f)
{
	if (ledger_sign_checkpoint(f->l, f->ckpt, NULL, NULL, f->err) !=
	    HS_OK)
		return -1;
	return store_commit(f->db, f->err) == HS_OK ? 0 : -1;
}
