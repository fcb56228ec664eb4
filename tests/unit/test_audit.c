/*
 * test_audit.c - the hash-chained audit log (store/audit.h) and its
 * anchors in the ledger (service.md §6): the chain's bytes, recomputed
 * here with OpenSSL alone; the audit leaf's strict form; anchoring at
 * every signed checkpoint; and audit_verify naming the first row that
 * differs after a change, a deletion or an insertion.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "t.h"
#include "cert/leaf.h"
#include "store/audit.h"
#include "store/ledger.h"
#include "store/store.h"
#include "tlog/note.h"
#include "core/util.h"

#define ORIGIN "audit.test.hourseal/fj"

static const uint8_t seed[32] = { 7, 7, 7, 1, 2, 3 };

/* One field as the chain takes it: 4-byte big-endian length, bytes. */
static void
field(EVP_MD_CTX *md, const char *s)
{
	size_t n = strlen(s);
	uint8_t len[4];

	len[0] = (uint8_t)(n >> 24);
	len[1] = (uint8_t)(n >> 16);
	len[2] = (uint8_t)(n >> 8);
	len[3] = (uint8_t)n;
	EVP_DigestUpdate(md, len, 4);
	EVP_DigestUpdate(md, s, n);
}

/* The chain by hand, from audit.h's description only. */
static void
by_hand(const uint8_t prev[32], const char *seq, const char *const f[8],
    uint8_t out[32])
{
	static const char magic[] = "hourseal/audit/v1\n";
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned int n = 32;
	int i;

	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	EVP_DigestUpdate(md, magic, sizeof(magic) - 1);
	EVP_DigestUpdate(md, prev, 32);
	field(md, seq);
	for (i = 0; i < 8; i++)
		field(md, f[i]);
	EVP_DigestFinal_ex(md, out, &n);
	EVP_MD_CTX_free(md);
}

static sqlite3 *
open_db(char *err)
{
	sqlite3 *db = NULL;

	if (store_open(":memory:", STORE_CREATE, &db, err) != HS_OK)
		return NULL;
	return db;
}

/* Appends one row in its own transaction. */
static enum hs_err
append(sqlite3 *db, const struct actor *who, const char *action,
    const char *object, const char *detail, char *err)
{
	enum hs_err rc;

	if ((rc = store_begin(db, err)) != HS_OK)
		return rc;
	if ((rc = audit_append(db, who, action, object, detail, NULL, err)) !=
	    HS_OK) {
		store_rollback(db);
		return rc;
	}
	return store_commit(db, err);
}

/* Row seq's stored fields (at and the rest) and hash. */
static int
read_row(sqlite3 *db, int64_t seq, char f[8][64], uint8_t hash[32])
{
	sqlite3_stmt *st = NULL;
	int i, ok = 0;

	sqlite3_prepare_v2(db, "SELECT at, actor, role, org, action, object, "
	    "detail, client, hash FROM audit WHERE seq = ?", -1, &st, NULL);
	sqlite3_bind_int64(st, 1, seq);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_bytes(st, 8) == 32) {
		for (i = 0; i < 8; i++)
			snprintf(f[i], 64, "%s", sqlite3_column_text(st, i));
		memcpy(hash, sqlite3_column_blob(st, 8), 32);
		ok = 1;
	}
	sqlite3_finalize(st);
	return ok;
}

static void
test_chain_vector(void)
{
	static const char *const r1[8] = { "2026-01-02T03:04:05Z", "cli",
		"operator", "福建省人社厅", "record.submit", "records.csv",
		"records 3 new, 0 duplicate, 0 rejected", "" };
	static const char *const r2[8] = { "2026-01-02T03:04:06Z",
		"token:import-bot", "hr", "厦门市", "cert.issue",
		"2024-7K3M-9Q2D-XW8P-4HJN", "2024 annual", "192.0.2.7" };
	struct actor op = audit_operator("福建省人社厅");
	uint8_t zero[32] = { 0 }, h1[32], h2[32], lib[32], stored[32], head[32];
	char f[8][64], err[HS_ERRLEN] = "";
	const char *fp[8];
	int64_t count = -1;
	sqlite3 *db;
	int i;

	/* Fixed rows: audit_row_hash against the hand computation. */
	by_hand(zero, "1", r1, h1);
	by_hand(h1, "2", r2, h2);
	audit_row_hash(zero, 1, r1[0], r1[1], r1[2], r1[3], r1[4], r1[5],
	    r1[6], r1[7], lib);
	T_OK(memcmp(lib, h1, 32) == 0, "row 1: audit_row_hash is the hand "
	    "computation (magic, zeros, length-prefixed fields)");
	audit_row_hash(h1, 2, r2[0], r2[1], r2[2], r2[3], r2[4], r2[5],
	    r2[6], r2[7], lib);
	T_OK(memcmp(lib, h2, 32) == 0, "row 2 chains on row 1's hash");
	audit_row_hash(zero, 2, r2[0], r2[1], r2[2], r2[3], r2[4], r2[5],
	    r2[6], r2[7], lib);
	T_OK(memcmp(lib, h2, 32) != 0, "the previous hash is covered");
	audit_row_hash(h1, 2, r2[0], r2[1], r2[2], r2[3], "cert.revoke", r2[5],
	    r2[6], r2[7], lib);
	T_OK(memcmp(lib, h2, 32) != 0, "the action is covered");
	/* Length prefixes: moving a byte from one field to the next differs. */
	audit_row_hash(h1, 2, r2[0], r2[1], r2[2], r2[3], r2[4], r2[5],
	    "2024 annua", "l192.0.2.7", lib);
	T_OK(memcmp(lib, h2, 32) != 0, "field boundaries are covered");

	/* Stored rows: what audit_append wrote is the hand computation. */
	if ((db = open_db(err)) == NULL) {
		T_OK(0, "open a store: %s", err);
		return;
	}
	T_OK(audit_head(db, &count, head, err) == HS_OK && count == 0 &&
	    memcmp(head, zero, 32) == 0, "empty log: head 0, zeros");
	T_OK(audit_append(db, &op, "x", "y", "z", NULL, err) == HS_ERR_STATE,
	    "audit_append outside a transaction is refused");
	T_OK(append(db, &op, r1[4], r1[5], r1[6], err) == HS_OK,
	    "append row 1: %s", err);
	{
		struct actor tok = { "token:import-bot", "hr", "厦门市",
			"192.0.2.7" };

		T_OK(append(db, &tok, r2[4], r2[5], r2[6], err) == HS_OK,
		    "append row 2: %s", err);
	}
	T_OK(read_row(db, 1, f, stored), "row 1 stored");
	for (i = 0; i < 8; i++)
		fp[i] = f[i];
	T_OK(strcmp(f[1], "cli") == 0 && strcmp(f[2], "operator") == 0 &&
	    strcmp(f[7], "") == 0, "row 1's actor is the operator");
	by_hand(zero, "1", fp, h1);
	T_OK(memcmp(stored, h1, 32) == 0, "row 1's stored hash is the hand "
	    "computation over its stored fields");
	T_OK(read_row(db, 2, f, stored), "row 2 stored");
	by_hand(h1, "2", fp, h2);
	T_OK(memcmp(stored, h2, 32) == 0, "row 2's stored hash chains on row "
	    "1's, by hand");
	T_OK(audit_head(db, &count, head, err) == HS_OK && count == 2 &&
	    memcmp(head, h2, 32) == 0, "head: 2 rows, row 2's hash");
	T_OK(sqlite3_exec(db, "UPDATE audit SET actor = 'x' WHERE seq = 1",
	    NULL, NULL, NULL) != SQLITE_OK &&
	    sqlite3_exec(db, "DELETE FROM audit WHERE seq = 2", NULL, NULL,
	    NULL) != SQLITE_OK, "UPDATE and DELETE are refused (triggers)");
	sqlite3_close(db);
}

static void
test_leaf_form(void)
{
	static const char *const bad[] = {
		"hourseal/leaf/v1 audit 0 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"hourseal/leaf/v1 audit 01 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"hourseal/leaf/v1 audit -1 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"hourseal/leaf/v1 audit +1 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"hourseal/leaf/v1 audit 1e3 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"hourseal/leaf/v1 audit 9223372036854775808 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"hourseal/leaf/v1 audit 99999999999999999999 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"hourseal/leaf/v1 audit 7 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==",
		"hourseal/leaf/v1 audit 7 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"hourseal/leaf/v1 audit 7 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB=",
		"hourseal/leaf/v1 audit 7 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA*=",
		"hourseal/leaf/v1 audit 7",
		"hourseal/leaf/v1 audit 7 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= x",
		"hourseal/leaf/v1 audit  7 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"hourseal/leaf/v1 audit 7 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= ",
		"hourseal/leaf/v1 audit\t7 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"hourseal/leaf/v1 audit 7 <script>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"hourseal/leaf/v1 audit '7' AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"hourseal/leaf/v1 audit \xe4\xb8\x83 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"hourseal/leaf/v1 audit 7 \xff\xfe",
		"hourseal/leaf/v1 Audit 7 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
	};
	uint8_t head[32];
	char err[HS_ERRLEN] = "";
	struct leaf lf;
	struct buf b;
	size_t i;
	enum hs_err rc;

	for (i = 0; i < 32; i++)
		head[i] = (uint8_t)(0xa0 + i);
	buf_init(&b);
	rc = leaf_audit(52, head, &b, err);
	T_STREQ(rc == HS_OK ? b.data : NULL, "hourseal/leaf/v1 audit 52 "
	    "oKGio6SlpqeoqaqrrK2ur7CxsrO0tba3uLm6u7y9vr8=", "leaf_audit's form");
	T_OK(leaf_parse(b.data, b.len, &lf, err) == HS_OK &&
	    lf.kind == LEAF_AUDIT && lf.count == 52 &&
	    memcmp(lf.head, head, 32) == 0 && lf.serial[0] == '\0',
	    "it parses back: count 52 and the head");
	T_OK(!leaf_is_key_kind(b.data, b.len), "an audit entry is no key kind");
	buf_reset(&b);
	T_OK(leaf_audit(0, head, &b, err) == HS_ERR_INVALID && b.len == 0,
	    "a count of 0 is refused: %s", err);
	T_OK(leaf_audit(-3, head, &b, err) == HS_ERR_INVALID, "a negative "
	    "count is refused");
	rc = leaf_audit(INT64_MAX, head, &b, err);
	T_OK(rc == HS_OK && leaf_parse(b.data, b.len, &lf, err) == HS_OK &&
	    lf.count == INT64_MAX, "the largest count round-trips");
	buf_free(&b);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		rc = leaf_parse(bad[i], strlen(bad[i]), &lf, err);
		T_OK(rc == HS_ERR_FORMAT && err[0] != '\0', "refused: bad "
		    "audit entry %zu: %s", i, err);
	}
}

/* Appends n rows and signs a checkpoint; the new size in *size. */
static enum hs_err
rows_and_sign(sqlite3 *db, struct ledger *l, struct note_signer *sg, int n,
    uint64_t *size, char *err)
{
	struct actor op = audit_operator("发证机构");
	char obj[32];
	enum hs_err rc;
	int i;

	for (i = 0; i < n; i++) {
		snprintf(obj, sizeof(obj), "obj-%d", i);
		if ((rc = append(db, &op, "cert.issue", obj, "", err)) != HS_OK)
			return rc;
	}
	return ledger_sign_checkpoint(l, sg, NULL, size, err);
}

static int
entry_is(struct ledger *l, uint64_t idx, const char *prefix)
{
	struct buf b;
	int ok;

	buf_init(&b);
	ok = ledger_entry(l, idx, &b, NULL) == HS_OK && b.len >= strlen(prefix)
	    && memcmp(b.data, prefix, strlen(prefix)) == 0;
	buf_free(&b);
	return ok;
}

static void
test_anchors(void)
{
	struct note_signer *sg = NULL;
	struct ledger *l = NULL;
	struct audit_check ac;
	uint8_t head[32];
	char err[HS_ERRLEN] = "", want[128], b64[B64_LEN(32)];
	int64_t count;
	uint64_t size = 0, size2 = 0;
	struct buf e;
	sqlite3 *db;
	enum hs_err rc;

	buf_init(&e);
	if ((db = open_db(err)) == NULL ||
	    note_signer_new(ORIGIN, seed, &sg, err) != HS_OK ||
	    ledger_open(db, ORIGIN, &l, err) != HS_OK) {
		T_OK(0, "set up a ledger: %s", err);
		goto out;
	}
	/* A plain leaf, no audit rows: no audit leaf. */
	store_begin(db, NULL);
	ledger_append(l, "hourseal/leaf/v1 test 0", 23, NULL, NULL);
	store_commit(db, NULL);
	rc = ledger_sign_checkpoint(l, sg, NULL, &size, err);
	T_OK(rc == HS_OK && size == 1, "no audit rows: no audit leaf (size "
	    "%llu)", (unsigned long long)size);
	T_OK(audit_verify(db, l, size, &ac, err) == HS_OK && ac.rows == 0 &&
	    ac.anchors == 0, "an empty audit log verifies");

	/* Three rows: the checkpoint covers the leaf that anchors them. */
	rc = rows_and_sign(db, l, sg, 3, &size, err);
	audit_head(db, &count, head, NULL);
	b64_encode(head, 32, b64, sizeof(b64));
	snprintf(want, sizeof(want), "hourseal/leaf/v1 audit 3 %s", b64);
	T_OK(rc == HS_OK && size == 2 && count == 3, "3 rows: the checkpoint "
	    "grows by the audit leaf (size %llu): %s",
	    (unsigned long long)size, rc == HS_OK ? "ok" : err);
	ledger_entry(l, 1, &e, NULL);
	T_OK(e.len == strlen(want) && memcmp(e.data, want, e.len) == 0,
	    "leaf 1 is 'audit 3 <base64 head>'");
	rc = ledger_sign_checkpoint(l, sg, NULL, &size2, err);
	T_OK(rc == HS_OK && size2 == 2, "no new row: no new leaf, the same "
	    "checkpoint");
	rc = rows_and_sign(db, l, sg, 2, &size, err);
	T_OK(rc == HS_OK && size == 3 && entry_is(l, 2,
	    "hourseal/leaf/v1 audit 5 "), "2 more rows: leaf 2 anchors 5");
	/* Rows after the last anchor: fine, not yet anchored. */
	append(db, NULL, "cert.revoke", "obj-x", "error", err);
	T_OK(audit_verify(db, l, size, &ac, err) == HS_OK && ac.rows == 6 &&
	    ac.anchors == 2 && ac.anchored == 5 && ac.anchor_leaf == 2,
	    "the chain verifies: 6 rows, anchored at row 5 in leaf 2: %s",
	    err);

	/* A changed row is named with the anchor that covers it. */
	sqlite3_exec(db, "DROP TRIGGER audit_no_update; UPDATE audit SET "
	    "actor = 'mallory' WHERE seq = 2", NULL, NULL, NULL);
	rc = audit_verify(db, l, size, &ac, err);
	T_OK(rc == HS_ERR_SIGNATURE && ac.bad_row == 2 && ac.bad_anchored &&
	    ac.bad_leaf == 1 && strstr(err, "audit row 2 differs from the "
	    "chain anchored in leaf 1") != NULL, "a changed row 2 is named, "
	    "anchored in leaf 1: %s", err);
	sqlite3_exec(db, "UPDATE audit SET actor = 'cli' WHERE seq = 2", NULL,
	    NULL, NULL);
	T_OK(audit_verify(db, l, size, &ac, err) == HS_OK, "put back, it "
	    "verifies again");
	/* Rewritten with recomputed hashes: the anchor still catches it. */
	{
		uint8_t prev[32], h[32];
		sqlite3_stmt *st = NULL;

		audit_hash_at(db, 3, prev, NULL);
		audit_row_hash(prev, 4, "2026-01-01T00:00:00Z", "mallory", "",
		    "", "cert.issue", "obj-0", "", "", h);
		sqlite3_prepare_v2(db, "UPDATE audit SET at = "
		    "'2026-01-01T00:00:00Z', actor = 'mallory', role = '', org = "
		    "'', object = 'obj-0', detail = '', hash = ? WHERE seq = 4",
		    -1, &st, NULL);
		sqlite3_bind_blob(st, 1, h, 32, SQLITE_STATIC);
		sqlite3_step(st);
		sqlite3_finalize(st);
		memcpy(prev, h, 32);
		/* rows 5 and 6 rehashed too */
		audit_row_hash(prev, 5, "", "", "", "", "", "", "", "", h);
		sqlite3_prepare_v2(db, "UPDATE audit SET at = '', actor = '', "
		    "role = '', org = '', action = '', object = '', detail = '', "
		    "client = '', hash = ? WHERE seq = 5", -1, &st, NULL);
		sqlite3_bind_blob(st, 1, h, 32, SQLITE_STATIC);
		sqlite3_step(st);
		sqlite3_finalize(st);
	}
	rc = audit_verify(db, l, size, &ac, err);
	T_OK(rc == HS_ERR_SIGNATURE && ac.bad_row == 5 && ac.bad_leaf == 2,
	    "rows rewritten with fresh hashes: the anchored head differs at "
	    "row 5 (leaf 2): %s", err);
	rc = rows_and_sign(db, l, sg, 1, &size2, err);
	T_OK(rc == HS_ERR_SIGNATURE && strstr(err, "audit row 5") != NULL,
	    "and no checkpoint is signed over it: %s", err);
out:
	buf_free(&e);
	ledger_close(l);
	note_signer_free(sg);
	if (db != NULL)
		sqlite3_close(db);
}

/* Deleting the last anchored row, inserting one in the middle. */
static void
test_delete_insert(void)
{
	struct note_signer *sg = NULL;
	struct ledger *l = NULL;
	struct audit_check ac;
	char err[HS_ERRLEN] = "";
	uint64_t size = 0;
	sqlite3 *db;
	enum hs_err rc;

	if ((db = open_db(err)) == NULL ||
	    note_signer_new(ORIGIN, seed, &sg, err) != HS_OK ||
	    ledger_open(db, ORIGIN, &l, err) != HS_OK ||
	    rows_and_sign(db, l, sg, 4, &size, err) != HS_OK ||
	    rows_and_sign(db, l, sg, 3, &size, err) != HS_OK) {
		T_OK(0, "set up: %s", err);
		goto out;
	}
	T_OK(size == 2 && audit_verify(db, l, size, &ac, err) == HS_OK &&
	    ac.anchored == 7 && ac.anchor_leaf == 1, "7 rows anchored in leaf "
	    "1 (4 in leaf 0)");
	sqlite3_exec(db, "DROP TRIGGER audit_no_delete; DROP TRIGGER "
	    "audit_no_update; DELETE FROM audit WHERE seq = 7", NULL, NULL,
	    NULL);
	rc = audit_verify(db, l, size, &ac, err);
	T_OK(rc == HS_ERR_SIGNATURE && ac.bad_row == 7 && ac.bad_leaf == 1 &&
	    strstr(err, "missing") != NULL, "the last anchored row deleted: "
	    "row 7 named: %s", err);
	rc = rows_and_sign(db, l, sg, 0, NULL, err);
	T_OK(rc == HS_ERR_SIGNATURE, "no checkpoint over it: %s", err);
	/* Insert a row between 2 and 3: renumber 3..6, insert a new 3. */
	sqlite3_exec(db, "UPDATE audit SET seq = -seq WHERE seq > 2; "
	    "UPDATE audit SET seq = 1 - seq WHERE seq < 0; "
	    "INSERT INTO audit (seq, at, actor, role, org, action, object, "
	    "hash) VALUES (3, '2026-01-01T00:00:00Z', 'mallory', 'hr', '', "
	    "'record.stamp', 'r', zeroblob(32))", NULL, NULL, NULL);
	rc = audit_verify(db, l, size, &ac, err);
	T_OK(rc == HS_ERR_SIGNATURE && ac.bad_row == 3 && ac.bad_leaf == 0,
	    "a row inserted at 3: row 3 named, anchored in leaf 0: %s", err);
out:
	ledger_close(l);
	note_signer_free(sg);
	if (db != NULL)
		sqlite3_close(db);
}

int
main(void)
{
	test_chain_vector();
	test_leaf_form();
	test_anchors();
	test_delete_insert();
	return t_done();
}
