/*
 * sharereport.c - a share code's verification report (sharereport.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/sharereport.h"
#include "cert/cert.h"
#include "cert/leaf.h"
#include "store/certs.h"
#include "store/keys.h"
#include "store/ledger.h"
#include "tlog/checkpoint.h"
#include "tlog/merkle.h"
#include "tlog/note.h"

#define MAXKEYS 32

/* The issuer's keys as verifiers, with their windows. */
struct trust {
	struct note_verifier *v[MAXKEYS];
	time_t not_before[MAXKEYS], retired[MAXKEYS], compromised[MAXKEYS];
	size_t n;
	struct note_verifier *ckpt[MAXKEYS]; /* not marked compromised */
	size_t nckpt;
};

struct ctx {
	sqlite3 *db;
	struct certs *certs;
	struct ledger *ledger;
	struct trust t;
	struct checkpoint cp;
	struct sharereport *r;
};

static time_t
when(const char *s)
{
	time_t t = 0;

	if (s == NULL || s[0] == '\0' || time_parse_rfc3339(s, &t) != 0)
		return 0;
	return t;
}

static enum hs_err
trust_load(sqlite3 *db, struct trust *t, char *err)
{
	struct keys_info *k = NULL;
	size_t nk = 0, i;
	enum hs_err rc;
	char e2[HS_ERRLEN];

	memset(t, 0, sizeof(*t));
	if ((rc = keys_list(db, &k, &nk, err)) != HS_OK)
		return rc;
	for (i = 0; i < nk && t->n < MAXKEYS; i++) {
		struct note_verifier *v = NULL;

		/* A key row that does not parse verifies nothing. */
		if (note_verifier_parse(k[i].vkey, &v, e2) != HS_OK)
			continue;
		t->v[t->n] = v;
		t->not_before[t->n] = when(k[i].not_before);
		t->retired[t->n] = when(k[i].retired);
		t->compromised[t->n] = when(k[i].compromised_since);
		if (t->compromised[t->n] == 0)
			t->ckpt[t->nckpt++] = v;
		t->n++;
	}
	free(k);
	return HS_OK;
}

static void
trust_free(struct trust *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		note_verifier_free(t->v[i]);
	memset(t, 0, sizeof(*t));
}

/* Checks that entry is leaf index of the checkpoint's tree. */
static enum sharereport_check
prove(struct ctx *x, const void *entry, size_t len, uint64_t index,
    char msg[SHAREREPORT_MSG])
{
	merkle_hash leaf, proof[MERKLE_MAX_PROOF];
	size_t n = 0;
	char e2[HS_ERRLEN];

	if (!x->r->have_checkpoint) {
		snprintf(msg, SHAREREPORT_MSG, "no verified checkpoint");
		return SR_FAILED;
	}
	if (index >= x->cp.size) {
		snprintf(msg, SHAREREPORT_MSG, "leaf %llu is not yet in the "
		    "signed checkpoint of size %llu", (unsigned long long)index,
		    (unsigned long long)x->cp.size);
		return SR_PENDING;
	}
	if (merkle_leaf_hash(entry, len, leaf) != HS_OK) {
		snprintf(msg, SHAREREPORT_MSG, "cannot hash the leaf");
		return SR_FAILED;
	}
	if (ledger_prove_inclusion(x->ledger, index, x->cp.size, proof, &n,
	    e2) != HS_OK) {
		snprintf(msg, SHAREREPORT_MSG, "no inclusion proof: %.150s",
		    e2);
		return SR_FAILED;
	}
	if (merkle_verify_inclusion(index, x->cp.size, leaf, MERKLE_HASH,
	    proof, n, x->cp.root, MERKLE_HASH, e2) != HS_OK) {
		snprintf(msg, SHAREREPORT_MSG, "inclusion proof of leaf %llu "
		    "does not lead to the checkpoint's root",
		    (unsigned long long)index);
		return SR_FAILED;
	}
	snprintf(msg, SHAREREPORT_MSG, "leaf %llu in checkpoint %llu",
	    (unsigned long long)index, (unsigned long long)x->cp.size);
	return SR_OK;
}

/* The signature check: fills the hours from the verified note. */
static void
check_note(struct ctx *x, const struct certs_row *row,
    struct sharereport_cert *c)
{
	struct note_verified by;
	struct cert ct;
	time_t issued;
	size_t i;
	char e2[HS_ERRLEN];

	memset(&ct, 0, sizeof(ct));
	c->sig = SR_FAILED;
	if (x->t.n == 0) {
		snprintf(c->sig_msg, SHAREREPORT_MSG, "the issuer has no keys");
		return;
	}
	if (note_open(row->note, strlen(row->note), x->t.v, x->t.n, &by,
	    e2) != HS_OK) {
		snprintf(c->sig_msg, SHAREREPORT_MSG, "signature: %.180s", e2);
		return;
	}
	if (cert_decode(row->note, by.text_len, &ct, e2) != HS_OK) {
		snprintf(c->sig_msg, SHAREREPORT_MSG, "not a certificate "
		    "note: %.170s", e2);
		return;
	}
	if (strcmp(ct.serial, row->serial) != 0 ||
	    time_parse_rfc3339(ct.issued, &issued) != 0) {
		snprintf(c->sig_msg, SHAREREPORT_MSG, "the note is another "
		    "certificate's");
		goto out;
	}
	/* Every key that verified must have been valid when it signed. */
	for (i = 0; i < by.n; i++) {
		size_t k = by.by[i];

		if ((x->t.compromised[k] && issued >= x->t.compromised[k]) ||
		    (x->t.retired[k] && issued > x->t.retired[k]) ||
		    (x->t.not_before[k] && issued < x->t.not_before[k])) {
			snprintf(c->sig_msg, SHAREREPORT_MSG, "signed by a key "
			    "not valid at the issue time %s", ct.issued);
			goto out;
		}
	}
	c->sig = SR_OK;
	snprintf(c->sig_msg, SHAREREPORT_MSG, "signed by %s",
	    note_verifier_name(x->t.v[by.by[0]]));
	c->verified = true;
	snprintf(c->name, sizeof(c->name), "%s", ct.name);
	snprintf(c->id_masked, sizeof(c->id_masked), "%s", ct.id_masked);
	snprintf(c->issued, sizeof(c->issued), "%s", ct.issued);
	c->year = ct.year;
	snprintf(c->kind, sizeof(c->kind), "%s", ct.kind == CERT_ANNUAL ?
	    "annual" : "course");
	c->public10 = ct.public10;
	c->professional10 = ct.professional10;
	c->total10 = ct.total10;
	c->req_total10 = ct.req_total10;
	c->req_public10 = ct.req_public10;
	c->req_professional10 = ct.req_professional10;
	c->met = ct.met;
	for (i = 0; i < ct.nrecords; i++) {
		if (strcmp(ct.records[i].subject, "public/compulsory") == 0) {
			c->compulsory10 += ct.records[i].hours10;
			c->split = true;
		} else if (strcmp(ct.records[i].subject,
		    "public/elective") == 0) {
			c->elective10 += ct.records[i].hours10;
			c->split = true;
		}
	}
out:
	cert_free(&ct);
}

/* The revocation as the ledger has it (row says there is one). */
static void
check_revocation(struct ctx *x, const struct certs_row *row,
    struct sharereport_cert *c)
{
	struct buf e;
	struct leaf lf;
	char e2[HS_ERRLEN];

	buf_init(&e);
	c->rev = SR_FAILED;
	if (ledger_entry(x->ledger, (uint64_t)row->revoke_index, &e, e2) !=
	    HS_OK || e.oom) {
		snprintf(c->rev_msg, SHAREREPORT_MSG, "revocation leaf %lld "
		    "missing", row->revoke_index);
		goto out;
	}
	if (leaf_parse(e.data, e.len, &lf, e2) != HS_OK ||
	    lf.kind != LEAF_REVOKE || strcmp(lf.serial, row->serial) != 0) {
		snprintf(c->rev_msg, SHAREREPORT_MSG, "leaf %lld is not this "
		    "certificate's revocation", row->revoke_index);
		goto out;
	}
	snprintf(c->reason, sizeof(c->reason), "%s", lf.reason);
	snprintf(c->revoked_at, sizeof(c->revoked_at), "%s", lf.time);
	c->rev = prove(x, e.data, e.len, (uint64_t)row->revoke_index,
	    c->rev_msg);
out:
	buf_free(&e);
}

/* Adds serial to the report and checks it; *next is its replacement. */
static enum hs_err
add_cert(struct ctx *x, const char *serial, const char *replaces,
    char next[SERIAL_SIZE], char *err)
{
	struct sharereport_cert *c = &x->r->c[x->r->n++];
	struct certs_row row;
	struct buf entry;
	enum hs_err rc;
	char e2[HS_ERRLEN];

	next[0] = '\0';
	memset(c, 0, sizeof(*c));
	memset(&row, 0, sizeof(row));
	buf_init(&entry);
	snprintf(c->serial, sizeof(c->serial), "%s", serial);
	snprintf(c->replaces, sizeof(c->replaces), "%s", replaces);
	rc = certs_get(x->certs, serial, &row, e2);
	if (rc == HS_ERR_NOTFOUND) {
		c->sig = c->incl = SR_FAILED;
		snprintf(c->sig_msg, SHAREREPORT_MSG, "no such certificate");
		snprintf(c->incl_msg, SHAREREPORT_MSG, "no such certificate");
		return HS_OK;
	}
	if (rc != HS_OK)
		return hs_fail(err, rc, "%s", e2);
	c->found = true;
	/* What the database says, until the note is verified. */
	c->year = row.year;
	snprintf(c->kind, sizeof(c->kind), "%s", row.kind);
	snprintf(c->name, sizeof(c->name), "%s", row.name);
	snprintf(c->id_masked, sizeof(c->id_masked), "%s", row.id_masked);
	snprintf(c->issued, sizeof(c->issued), "%s", row.issued);
	c->leaf_index = (uint64_t)row.leaf_index;
	check_note(x, &row, c);
	if (leaf_issue(row.serial, row.note, strlen(row.note), &entry, e2) !=
	    HS_OK || entry.oom) {
		c->incl = SR_FAILED;
		snprintf(c->incl_msg, SHAREREPORT_MSG, "no leaf entry");
	} else
		c->incl = prove(x, entry.data, entry.len, c->leaf_index,
		    c->incl_msg);
	if (row.revoked) {
		c->revoked = true;
		snprintf(c->replaced_by, sizeof(c->replaced_by), "%s",
		    row.replaced_by);
		check_revocation(x, &row, c);
		snprintf(next, SERIAL_SIZE, "%s", row.replaced_by);
	}
	buf_free(&entry);
	certs_row_free(&row);
	return HS_OK;
}

enum hs_err
sharereport_build(sqlite3 *db, const char *origin,
    const char (*serials)[SERIAL_SIZE], size_t n, int64_t now,
    struct sharereport **out, char *err)
{
	struct ctx x;
	struct buf note;
	enum hs_err rc;
	size_t i;
	uint64_t size = 0;
	char e2[HS_ERRLEN];

	*out = NULL;
	memset(&x, 0, sizeof(x));
	buf_init(&note);
	if (n > SHARE_MAX_CERTS)
		return hs_fail(err, HS_ERR_INVALID, "too many certificates");
	if ((x.r = calloc(1, sizeof(*x.r))) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	x.r->checked_at = now;
	x.db = db;
	if ((rc = trust_load(db, &x.t, err)) != HS_OK ||
	    (rc = certs_open(db, &x.certs, err)) != HS_OK ||
	    (rc = ledger_open(db, origin, &x.ledger, err)) != HS_OK)
		goto out;
	x.r->nkeys = x.t.n;
	/* The latest checkpoint, opened as a verifier opens it. */
	rc = ledger_latest_checkpoint(x.ledger, &note, &size, e2);
	if (rc == HS_ERR_NOTFOUND)
		snprintf(x.r->checkpoint_msg, SHAREREPORT_MSG, "no signed "
		    "checkpoint yet");
	else if (rc != HS_OK) {
		rc = hs_fail(err, rc, "%s", e2);
		goto out;
	} else if (x.t.nckpt == 0)
		snprintf(x.r->checkpoint_msg, SHAREREPORT_MSG, "no "
		    "uncompromised key to check the checkpoint with");
	else if (note.oom) {
		rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
		goto out;
	} else if (checkpoint_open(note.data, note.len, origin, x.t.ckpt,
	    x.t.nckpt, &x.cp, NULL, e2) != HS_OK)
		snprintf(x.r->checkpoint_msg, SHAREREPORT_MSG, "the latest "
		    "checkpoint does not verify: %.140s", e2);
	else {
		x.r->have_checkpoint = true;
		x.r->checkpoint_size = x.cp.size;
	}
	for (i = 0; i < n; i++) {
		char next[SERIAL_SIZE], cur[SERIAL_SIZE];
		int hops = 0;

		if ((rc = add_cert(&x, serials[i], "", next, err)) != HS_OK)
			goto out;
		/* A replaced one: show the newest replacement too. */
		while (next[0] != '\0' && hops++ < SHAREREPORT_CHAIN) {
			struct certs_row row;

			memset(&row, 0, sizeof(row));
			snprintf(cur, sizeof(cur), "%s", next);
			if (certs_get(x.certs, cur, &row, e2) != HS_OK)
				break;
			snprintf(next, sizeof(next), "%s", row.revoked ?
			    row.replaced_by : "");
			certs_row_free(&row);
			if (next[0] == '\0' || hops == SHAREREPORT_CHAIN) {
				if ((rc = add_cert(&x, cur, serials[i], next,
				    err)) != HS_OK)
					goto out;
				break;
			}
		}
	}
	rc = HS_OK;
out:
	buf_free(&note);
	ledger_close(x.ledger);
	certs_close(x.certs);
	trust_free(&x.t);
	if (rc != HS_OK) {
		free(x.r);
		return rc;
	}
	*out = x.r;
	return HS_OK;
}

void
sharereport_free(struct sharereport *r)
{
	free(r);
}

bool
sharereport_cert_ok(const struct sharereport_cert *c)
{
	return c->found && c->sig == SR_OK && c->incl == SR_OK &&
	    (!c->revoked || c->rev == SR_OK);
}
