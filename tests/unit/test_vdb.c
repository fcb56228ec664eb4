/*
 * Unit tests for the verifier's re-verification (vdb.c, verify.c) and
 * multipart parsing (mpart.c), on real fixtures built through the
 * library (vfix.h).
 *
 *   test_vdb                              run the tests
 *   test_vdb --make-fixture DB N [KEYOUT] build a fixture database with N
 *       valid certificates (serials on stdout, one a line), plus 1 revoked
 *       one printed as "revoked <serial>"; KEYOUT gets the verifier key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "web/mpart.h"
#include "vdb.h"
#include "verify.h"
#include "vfix.h"
#include "vtree.h"
#include "t.h"
#include "tlib.h"

#define CHECK(expr, ...) do { int c_ = (expr); T_OK(c_, __VA_ARGS__); } while (0)

static char dir[T_DIRMAX];

/* A verifier key as the verifier's --key (the trust anchor). */
static struct verify_keys *
anchor_of(const char *vkey)
{
	static struct verify_keys ks;

	verify_keys_free(&ks);
	verify_keys_init(&ks);
	if (verify_keys_add(&ks, vkey, "", NULL, NULL, NULL, NULL) != HS_OK)
		return NULL;
	return &ks;
}

#define ANCHOR(f) anchor_of((f)->anchor)

static int
make_fixture(const char *path, long n, const char *keyout)
{
	struct vfix f;
	char serial[SERIAL_SIZE], first[SERIAL_SIZE] = "", name[32];
	long i;
	const long batch = 50000;

	if (vfix_open(&f, path) != 0) {
		fprintf(stderr, "fixture: %s\n", f.err);
		return 2;
	}
	/* A throwaway fixture: no fsync per batch (a crash just means
	 * building it again). The verifier reads it in WAL mode as usual. */
	vfix_sql(&f, "PRAGMA synchronous=OFF");
	if (vfix_begin(&f) != 0) {
		fprintf(stderr, "fixture: %s\n", f.err);
		return 2;
	}
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "测试%ld", i);
		if (vfix_cert(&f, 2024, name, 300 + i % 50, 600,
		    "2024-12-31T10:00:00Z", serial) != 0) {
			fprintf(stderr, "fixture: %s\n", f.err);
			return 2;
		}
		printf("%s\n", serial);
		if (i == 0)
			snprintf(first, sizeof(first), "%s", serial);
		if ((i + 1) % batch == 0 && (vfix_commit(&f) != 0 ||
		    vfix_begin(&f) != 0)) {
			fprintf(stderr, "fixture: %s\n", f.err);
			return 2;
		}
	}
	if (vfix_cert(&f, 2024, "撤销者", 300, 600, "2024-12-31T10:00:00Z",
	    serial) != 0 || vfix_revoke(&f, serial, "error",
	    "2025-01-05T08:00:00Z", NULL) != 0 || vfix_commit(&f) != 0) {
		fprintf(stderr, "fixture: %s\n", f.err);
		return 2;
	}
	printf("revoked %s\n", serial);
	/* The first certificate's note and receipt, for `check`. */
	if (first[0] != '\0') {
		sqlite3_stmt *st = NULL;
		struct buf ck, rc;
		char p[4200];

		buf_init(&ck);
		buf_init(&rc);
		sqlite3_prepare_v2(f.db, "SELECT note, leaf_index FROM "
		    "certificates WHERE serial = ?", -1, &st, NULL);
		sqlite3_bind_text(st, 1, first, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_ROW ||
		    ledger_latest_checkpoint(f.l, &ck, NULL, f.err) != HS_OK ||
		    ledger_receipt(f.l, (uint64_t)sqlite3_column_int64(st, 1),
		    ck.data, ck.len, &rc, f.err) != HS_OK) {
			fprintf(stderr, "fixture receipt: %s\n", f.err);
			return 2;
		}
		snprintf(p, sizeof(p), "%s.first.note", path);
		file_write_atomic(p, sqlite3_column_text(st, 0),
		    (size_t)sqlite3_column_bytes(st, 0), 0644, NULL);
		snprintf(p, sizeof(p), "%s.first.proof", path);
		file_write_atomic(p, rc.data, rc.len, 0644, NULL);
		sqlite3_finalize(st);
		buf_free(&ck);
		buf_free(&rc);
	}
	if (keyout != NULL) {
		FILE *k = fopen(keyout, "w");

		if (k == NULL)
			return 2;
		fprintf(k, "%s\n", f.vkey);
		fclose(k);
	}
	vfix_close(&f);
	return 0;
}

static void
test_mpart(void)
{
	static const char body[] =
	    "--XyZ\r\nContent-Disposition: form-data; name=\"format\"\r\n\r\n"
	    "html\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
	    "filename=\"a b.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
	    "%PDF-1.4\r\nbinary\0data\r\n--XyZ--\r\n";
	struct mpart parts[4];
	size_t n;
	char b[71];

	CHECK(mpart_boundary("multipart/form-data; boundary=XyZ", b) == 0 &&
	    strcmp(b, "XyZ") == 0, "mpart_boundary token");
	CHECK(mpart_boundary("multipart/form-data; boundary=\"a b\"", b) == 0 &&
	    strcmp(b, "a b") == 0, "mpart_boundary quoted");
	CHECK(mpart_boundary("text/plain; boundary=x", b) != 0,
	    "mpart_boundary refuses other types");
	CHECK(mpart_parse("XyZ", body, sizeof(body) - 1, parts, 4, &n, NULL) ==
	    HS_OK && n == 2, "mpart_parse: two parts");
	CHECK(strcmp(parts[0].name, "format") == 0 && parts[0].len == 4 &&
	    memcmp(parts[0].data, "html", 4) == 0, "part 1 field");
	CHECK(strcmp(parts[1].filename, "a b.pdf") == 0 &&
	    strcmp(parts[1].ctype, "application/pdf") == 0 &&
	    parts[1].len == 21, "part 2 file with a NUL byte");
	CHECK(mpart_parse("XyZ", body, sizeof(body) - 20, parts, 4, &n,
	    NULL) == HS_ERR_FORMAT, "truncated multipart refused");
	CHECK(mpart_parse("XyZ", body, sizeof(body) - 1, parts, 1, &n,
	    NULL) == HS_ERR_TOOBIG, "part count bounded");
	CHECK(mpart_parse("XyZ", "junk", 4, parts, 4, &n, NULL) ==
	    HS_ERR_FORMAT, "no boundary refused");
}

static void
test_keys(void)
{
	struct verify_keys ks;
	char path[128], e[HS_ERRLEN];
	FILE *f;

	snprintf(path, sizeof(path), "%s/keys.txt", dir);
	f = fopen(path, "w");
	fprintf(f, "# trusted\nPeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiB"
	    "fsVkmqq/LDE4izWy10TW not-before=2020-01-01T00:00:00Z "
	    "compromised=2024-06-01T00:00:00Z\n");
	fclose(f);
	verify_keys_init(&ks);
	CHECK(verify_keys_load(&ks, path, e) == HS_OK && ks.n == 1 &&
	    ks.nckpt == 0 && ks.k[0].compromised != 0,
	    "key file with validity fields");
	verify_keys_free(&ks);
	f = fopen(path, "w");
	fprintf(f, "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4"
	    "izWy10TW retired=yesterday\n");
	fclose(f);
	verify_keys_init(&ks);
	CHECK(verify_keys_load(&ks, path, e) == HS_ERR_FORMAT &&
	    strstr(e, "line 1") != NULL, "bad time named with its line");
	verify_keys_free(&ks);
}

/*
 * Two readers sharing one verified tree (as the server's threads do):
 * the second look at a note skips the signature check and the decoding,
 * but not the key window, the leaf, or a change of the stored bytes;
 * and a database whose history contradicts what was verified is refused.
 */
static void
test_shared_tree(void)
{
	struct vfix f;
	struct vtree *vt = NULL;
	struct vdb *v1 = NULL, *v2 = NULL;
	struct vdb_result r;
	char db[160], a[SERIAL_SIZE], b2[SERIAL_SIZE], e[HS_ERRLEN];
	char sqlbuf[600], anchor1[NOTE_VKEY_MAX];
	uint8_t seed1[32];

	snprintf(db, sizeof(db), "%s/shared.db", dir);
	CHECK(vfix_open(&f, db) == 0 && vfix_begin(&f) == 0 &&
	    vfix_cert(&f, 2024, "甲", 300, 640, "2024-12-31T10:00:00Z", a) ==
	    0 && vfix_cert(&f, 2024, "乙", 300, 600, "2024-12-31T10:00:00Z",
	    b2) == 0 && vfix_commit(&f) == 0, "shared fixture (%s)", f.err);
	CHECK(vtree_new(&vt, e) == HS_OK && vdb_open(db, ANCHOR(&f), vt, &v1, e) ==
	    HS_OK && vdb_open(db, ANCHOR(&f), vt, &v2, e) == HS_OK,
	    "two readers, one tree (%s)", e);
	CHECK(vdb_verify_serial(v1, a, &r, e) == HS_OK &&
	    r.status == VDB_VALID && r.have_cert, "first look: signature "
	    "checked, note decoded (%s)", r.problem);
	vdb_result_free(&r);
	CHECK(vtree_size(vt) == 2, "the tree holds the ledger's 2 leaves "
	    "(%llu)", (unsigned long long)vtree_size(vt));
	CHECK(vdb_verify_serial(v2, a, &r, e) == HS_OK &&
	    r.status == VDB_VALID && !r.have_cert && r.has_note &&
	    r.key_vkey[0] != '\0', "other reader: remembered signature, "
	    "not decoded (%s)", r.problem);
	CHECK(vdb_result_decode(&r, e) == HS_OK && r.have_cert &&
	    strcmp(r.cert.name, "甲") == 0, "decoded on demand");
	vdb_result_free(&r);

	/* The stored note changes: the remembered signature does not apply. */
	vfix_sql(&f, "DROP TRIGGER certificates_no_update");
	snprintf(sqlbuf, sizeof(sqlbuf), "UPDATE certificates SET note = "
	    "replace(note, 'professional: 64', 'professional: 69') WHERE "
	    "serial = '%s'", a);
	vfix_sql(&f, sqlbuf);
	vdb_close(v2);
	/* The ledger holds another note for that serial: the database's
	 * copy is damaged, which is no verdict on the certificate (503). */
	CHECK(vdb_open(db, ANCHOR(&f), vt, &v2, e) == HS_OK &&
	    vdb_verify_serial(v2, a, &r, e) == HS_ERR_STATE &&
	    strncmp(e, VDB_CANNOT_VERIFY, strlen(VDB_CANNOT_VERIFY)) == 0 &&
	    strstr(e, "damaged") != NULL && r.status != VDB_VALID &&
	    !r.has_note && !r.have_cert,
	    "rewritten note: cannot verify now (damaged copy), never valid "
	    "although its leaf was verified (%s)", e);
	vdb_result_free(&r);

	/* The quick answer (no database): only for what was verified. */
	CHECK(vdb_quick(v1, b2, &r) == false, "no quick answer for a "
	    "certificate this process never verified");
	vdb_result_free(&r);
	CHECK(vdb_verify_serial(v1, b2, &r, e) == HS_OK &&
	    r.status == VDB_VALID, "verified once");
	vdb_result_free(&r);
	CHECK(vdb_quick(v2, b2, &r) && r.status == VDB_VALID &&
	    r.leaf_index == 1 && r.key_vkey[0] != '\0' && !r.has_note,
	    "then answered from the verified ledger alone");
	vdb_result_free(&r);

	/* Revoked in the ledger, the database's record deleted. */
	CHECK(vfix_begin(&f) == 0 && vfix_revoke(&f, b2, "error",
	    "2025-02-01T00:00:00Z", NULL) == 0 && vfix_commit(&f) == 0,
	    "b2 revoked (%s)", f.err);
	vfix_sql(&f, "DROP TRIGGER revocations_no_delete");
	vfix_sql(&f, "DELETE FROM revocations");
	vdb_close(v2);
	CHECK(vdb_open(db, ANCHOR(&f), vt, &v2, e) == HS_OK &&
	    vdb_quick(v2, b2, &r) == false, "no quick answer once revoked");
	vdb_result_free(&r);
	CHECK(vdb_verify_serial(v2, b2, &r, e) == HS_OK &&
	    r.status == VDB_REVOKED && strcmp(r.reason, "error") == 0 &&
	    strcmp(r.revoked_at, "2025-02-01T00:00:00Z") == 0 &&
	    strstr(r.problem, "no record") != NULL, "revocation taken from "
	    "the ledger when the database lost it (%s)", r.problem);
	vdb_result_free(&r);

	/* The sweep, in a process that has looked at nothing yet. */
	{
		struct vtree *vt2 = NULL;
		struct vdb *v3 = NULL;
		struct vdb_sweep sw;
		char c3[SERIAL_SIZE];
		int stop = 0;

		memset(&sw, 0, sizeof(sw));
		CHECK(vfix_begin(&f) == 0 && vfix_cert(&f, 2024, "丁", 300,
		    600, "2024-12-31T10:00:00Z", c3) == 0 &&
		    vfix_commit(&f) == 0, "a third certificate (%s)", f.err);
		CHECK(vtree_new(&vt2, e) == HS_OK &&
		    vdb_open(db, ANCHOR(&f), vt2, &v3, e) == HS_OK &&
		    vdb_quick(v3, c3, &r) == false, "fresh process: no quick "
		    "answer yet");
		vdb_result_free(&r);
		CHECK(vdb_sweep(v3, &stop, &sw, e) == HS_OK && sw.finished &&
		    sw.total == 3 && sw.done == 3 && sw.good == 2 &&
		    sw.bad == 1, "sweep: 3 notes, only the rewritten one fails "
		    "(%llu good, %llu bad, %s)", (unsigned long long)sw.good,
		    (unsigned long long)sw.bad, e);
		CHECK(vdb_quick(v3, c3, &r) && r.status == VDB_VALID,
		    "after the sweep: answered without a signature check");
		vdb_result_free(&r);
		CHECK(vdb_quick(v3, a, &r) == false, "but not the rewritten "
		    "note's certificate");
		vdb_result_free(&r);
		stop = 1;
		memset(&sw, 0, sizeof(sw));
		CHECK(vdb_sweep(v3, &stop, &sw, e) == HS_OK && !sw.finished &&
		    sw.done == 0, "a stopped sweep does nothing");
		vdb_close(v3);
		vtree_free(vt2);
	}

	/* The key is marked compromised: the remembered signature is no
	 * longer enough. b2 was verified through v1 first. */
	{
		char k1[NOTE_VKEY_MAX];

		snprintf(k1, sizeof(k1), "%s", f.anchor);
		/* k2 announced under k1, takes over, logs k1's compromise. */
		CHECK(vfix_key(&f, "k2", "2024-01-01T00:00:00Z", NULL, NULL) ==
		    0 && (vfix_handover(&f), vfix_mark(&f, "key-compromise", k1,
		    "2024-06-01T00:00:00Z")) == 0, "k1 compromised in the log "
		    "(%s)", f.err);
	}
	vdb_close(v2);
	CHECK(vdb_open(db, ANCHOR(&f), vt, &v2, e) == HS_OK &&
	    vdb_verify_serial(v2, b2, &r, e) == HS_OK &&
	    r.status == VDB_BADSIG && strstr(r.problem, "compromised") != NULL,
	    "key compromised before the issue time: invalid from memory too "
	    "(%s)", r.problem);
	vdb_result_free(&r);
	vdb_close(v1);
	vdb_close(v2);
	snprintf(anchor1, sizeof(anchor1), "%s", f.anchor);
	memcpy(seed1, f.anchor_seed, 32);
	vfix_close(&f);

	/* Another ledger of the same name under the same path: a fork. */
	snprintf(sqlbuf, sizeof(sqlbuf), "rm -f %s %s-wal %s-shm", db, db, db);
	CHECK(system(sqlbuf) == 0, "old database removed");
	vfix_next_seed = seed1; /* the same k1 signs another history */
	CHECK(vfix_open(&f, db) == 0 && vfix_begin(&f) == 0 &&
	    vfix_cert(&f, 2024, "丙", 300, 600, "2024-05-01T10:00:00Z", a) ==
	    0 && vfix_commit(&f) == 0, "a different ledger (%s)", f.err);
	CHECK(vdb_open(db, anchor_of(anchor1), vt, &v1, e) == HS_OK &&
	    vdb_verify_serial(v1, a, &r, e) == HS_ERR_STATE &&
	    strstr(e, "contradicts") != NULL && r.status != VDB_VALID &&
	    !r.has_note, "a history contradicting the verified one is "
	    "refused: cannot verify now (%s)", e);
	vdb_result_free(&r);
	vdb_close(v1);
	vfix_close(&f);
	vtree_free(vt);
}

/*
 * Keys come from the verified log only, rooted in the configured key: a
 * key that is only a row of the keys table is not trusted; a checkpoint
 * signed by a key nothing vouches for is not accepted; a fresh process
 * follows the key changes from the start; no anchor, no verifier.
 */
static void
test_log_keys(void)
{
	struct vfix f;
	struct vdb *v = NULL;
	struct vtree *vt = NULL;
	struct vdb_result r;
	struct buf b;
	char db[160], a[SERIAL_SIZE], c[SERIAL_SIZE], d[SERIAL_SIZE];
	char e[HS_ERRLEN], k1[NOTE_VKEY_MAX];
	struct note_signer *rogue = NULL, *keep;
	uint8_t seed[32] = { 7, 7, 7 };

	snprintf(db, sizeof(db), "%s/logkeys.db", dir);
	CHECK(vfix_open(&f, db) == 0 && vfix_begin(&f) == 0 &&
	    vfix_cert(&f, 2024, "甲", 300, 600, "2024-03-01T10:00:00Z", a) ==
	    0 && vfix_commit(&f) == 0, "log-keys fixture (%s)", f.err);
	snprintf(k1, sizeof(k1), "%s", f.anchor);
	CHECK(vdb_open(db, NULL, NULL, &v, e) == HS_ERR_INVALID &&
	    strstr(e, "--key") != NULL, "no trust anchor: refused (%s)", e);
	CHECK(vdb_open(db, ANCHOR(&f), NULL, &v, e) == HS_OK, "open");
	buf_init(&b);
	CHECK(vdb_keys(v, &b, e) == HS_OK && b.len > 0 &&
	    strncmp(b.data, k1, strlen(k1)) == 0 && memchr(b.data, '\n',
	    b.len) == b.data + b.len - 1, "/keys: only the anchor");
	vdb_close(v);

	/* A key added only to the keys table (as anyone who can write the
	 * published file could) signs a certificate: not trusted. */
	keep = f.signer;
	note_signer_new(VFIX_ORIGIN, seed, &rogue, e);
	f.signer = rogue;
	{
		char vk[NOTE_VKEY_MAX], sql[1200];

		note_signer_vkey(rogue, vk, sizeof(vk));
		snprintf(sql, sizeof(sql), "INSERT INTO keys (label, vkey, "
		    "created, not_before) VALUES ('rogue', '%s', "
		    "'2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z')", vk);
		CHECK(vfix_sql(&f, sql) == 0, "rogue key row inserted");
	}
	CHECK(vfix_begin(&f) == 0 && vfix_cert(&f, 2024, "乙", 300, 600,
	    "2024-04-01T10:00:00Z", c) == 0 && vfix_commit(&f) == 0,
	    "a certificate signed by the table-only key (%s)", f.err);
	f.signer = keep;
	CHECK(vdb_open(db, ANCHOR(&f), NULL, &v, e) == HS_OK &&
	    vdb_check_serial(v, c, &r, e) == HS_OK && r.status == VDB_BADSIG,
	    "a key only in the keys table is not trusted (%s)", r.problem);
	vdb_result_free(&r);
	buf_reset(&b);
	CHECK(vdb_keys(v, &b, e) == HS_OK && strstr(b.data, "rogue") ==
	    NULL && memchr(b.data, '\n', b.len) == b.data + b.len - 1,
	    "/keys does not list it");
	CHECK(vdb_check_serial(v, a, &r, e) == HS_OK &&
	    r.status == VDB_VALID, "the anchor's certificate stays valid");
	vdb_result_free(&r);
	vdb_close(v);

	/* The rogue key signs the latest checkpoint: not accepted. */
	f.ckpt = rogue;
	CHECK(vfix_begin(&f) == 0 && vfix_cert(&f, 2024, "丙", 300, 600,
	    "2024-04-02T10:00:00Z", d) == 0 && vfix_commit(&f) == 0,
	    "a checkpoint signed by the table-only key (%s)", f.err);
	f.ckpt = keep;
	/* Not accepted; no verdict on the certificate either: the
	 * database cannot be trusted now (503, "cannot verify now"). */
	CHECK(vdb_open(db, ANCHOR(&f), NULL, &v, e) == HS_OK &&
	    vdb_check_serial(v, a, &r, e) == HS_ERR_STATE &&
	    strncmp(e, VDB_CANNOT_VERIFY, strlen(VDB_CANNOT_VERIFY)) == 0 &&
	    strstr(e, "checkpoint") != NULL && r.status != VDB_VALID,
	    "a checkpoint by an untrusted key is not accepted: cannot verify "
	    "now (%s)", e);
	vdb_result_free(&r);
	vdb_close(v);
	note_signer_free(rogue);

	/* Rotation k1 -> k2, then k1 compromised under k2, then a fresh
	 * process with only k1 configured follows it all from leaf 0. */
	CHECK(vfix_begin(&f) == 0 && vfix_commit(&f) == 0, "k1 signs again");
	CHECK(vfix_key(&f, "k2", "2024-05-01T00:00:00Z", NULL, NULL) == 0,
	    "k2 announced by k1 (%s)", f.err);
	vfix_handover(&f);
	CHECK(vfix_mark(&f, "key-retire", k1, "2024-05-01T00:00:00Z") == 0 &&
	    vfix_mark(&f, "key-compromise", k1, "2024-03-15T00:00:00Z") == 0,
	    "k1 retired and compromised, logged under k2 (%s)", f.err);
	CHECK(vtree_new(&vt, e) == HS_OK &&
	    vdb_open(db, ANCHOR(&f), vt, &v, e) == HS_OK &&
	    vdb_check_serial(v, a, &r, e) == HS_OK && r.status == VDB_VALID,
	    "a fresh process: k1's certificate before the compromise is "
	    "valid (%s)", r.problem);
	vdb_result_free(&r);
	buf_reset(&b);
	CHECK(vdb_keys(v, &b, e) == HS_OK && strstr(b.data,
	    "compromised=2024-03-15T00:00:00Z") != NULL && strstr(b.data,
	    f.vkey) != NULL && strstr(b.data, "retired=2024-05-01T00:00:00Z")
	    != NULL, "/keys: k1 retired and compromised, k2 trusted");
	vdb_close(v);
	vtree_free(vt);
	buf_free(&b);
	vfix_close(&f);
}

int
main(int argc, char **argv)
{
	struct vfix f;
	struct vdb *v = NULL;
	struct vdb_result r;
	struct vdb_upload_result u;
	char db[128], good[SERIAL_SIZE], rev[SERIAL_SIZE], repl[SERIAL_SIZE];
	char late[SERIAL_SIZE], bad[SERIAL_SIZE], e[HS_ERRLEN];
	struct buf b;

	if (argc >= 4 && strcmp(argv[1], "--make-fixture") == 0)
		return make_fixture(argv[2], atol(argv[3]), argc > 4 ?
		    argv[4] : NULL);
	if (t_tmpdir("test-vdb", dir, sizeof(dir)) != 0)
		return 2;
	test_mpart();
	test_keys();
	test_shared_tree();
	test_log_keys();
	snprintf(db, sizeof(db), "%s/v.db", dir);
	CHECK(vfix_open(&f, db) == 0, "fixture opens (%s)", f.err);
	CHECK(vfix_begin(&f) == 0 &&
	    vfix_cert(&f, 2024, "张三", 300, 640, "2024-12-31T10:00:00Z",
	    good) == 0 &&
	    vfix_cert(&f, 2024, "李四", 300, 600, "2024-12-31T10:00:00Z",
	    rev) == 0 &&
	    vfix_commit(&f) == 0, "first batch (%s)", f.err);
	CHECK(vfix_begin(&f) == 0 &&
	    vfix_cert(&f, 2024, "李四", 300, 610, "2025-01-05T08:00:00Z",
	    repl) == 0 &&
	    vfix_revoke(&f, rev, "superseded", "2025-01-05T08:00:00Z",
	    repl) == 0 && vfix_commit(&f) == 0, "revocation batch (%s)",
	    f.err);

	CHECK(vdb_open(db, ANCHOR(&f), NULL, &v, e) == HS_OK, "vdb_open (%s)", e);
	CHECK(vdb_check_serial(v, good, &r, e) == HS_OK &&
	    r.status == VDB_VALID && r.have_cert &&
	    strcmp(r.cert.name, "张三") == 0 && r.ckpt_size == 4,
	    "valid certificate re-verified (%s)", r.problem);
	vdb_result_free(&r);
	CHECK(vdb_check_serial(v, good, &r, e) == HS_OK &&
	    r.status == VDB_VALID && r.have_cert, "second look (cached)");
	vdb_result_free(&r);
	CHECK(vdb_check_serial(v, rev, &r, e) == HS_OK &&
	    r.status == VDB_REVOKED && strcmp(r.reason, "superseded") == 0 &&
	    strcmp(r.replaced_by, repl) == 0 && r.problem[0] == '\0',
	    "revoked certificate with reason and replacement (%s)", r.problem);
	vdb_result_free(&r);
	CHECK(vdb_check_serial(v, "2024-0000-0000-0000-0000", &r, e) ==
	    HS_OK && r.status == VDB_NOTFOUND, "unknown serial not found");
	vdb_result_free(&r);

	/* A certificate appended but not yet under a checkpoint. */
	CHECK(vfix_begin(&f) == 0 &&
	    vfix_cert(&f, 2024, "王五", 300, 600, "2025-01-06T08:00:00Z",
	    late) == 0 && store_commit(f.db, e) == HS_OK, "late cert");
	CHECK(vdb_check_serial(v, late, &r, e) == HS_OK &&
	    r.status == VDB_BADSIG && strstr(r.problem, "not yet") != NULL,
	    "leaf not in the latest checkpoint is not valid (%s)", r.problem);
	vdb_result_free(&r);

	/* A key marked compromised before the issue time. */
	CHECK(vfix_key(&f, "k2", "2020-01-01T00:00:00Z", NULL,
	    "2024-01-01T00:00:00Z") == 0 && vfix_begin(&f) == 0 &&
	    vfix_cert(&f, 2024, "赵六", 300, 600, "2024-12-31T10:00:00Z",
	    bad) == 0 && vfix_commit(&f) == 0,
	    "certificate signed by a compromised key (%s)", f.err);
	vdb_close(v);
	v = NULL;
	CHECK(vdb_open(db, ANCHOR(&f), NULL, &v, e) == HS_OK, "vdb_open again (%s)", e);
	CHECK(vdb_check_serial(v, bad, &r, e) == HS_OK &&
	    r.status == VDB_BADSIG && strstr(r.problem, "compromised") !=
	    NULL, "compromised key: invalid (%s)", r.problem);
	vdb_result_free(&r);
	CHECK(vdb_check_serial(v, good, &r, e) == HS_OK &&
	    r.status == VDB_VALID, "earlier certificate still valid (%s)",
	    r.problem);
	vdb_result_free(&r);

	/* Someone rewrites a stored note behind the triggers' back. */
	vfix_sql(&f, "DROP TRIGGER certificates_no_update");
	{
		char sqlbuf[400];

		snprintf(sqlbuf, sizeof(sqlbuf), "UPDATE certificates SET note = "
		    "replace(note, 'professional: 64', 'professional: 69') "
		    "WHERE serial = '%s'", good);
		vfix_sql(&f, sqlbuf);
	}
	CHECK(vdb_check_serial(v, good, &r, e) == HS_ERR_STATE &&
	    strstr(e, "damaged") != NULL && r.status != VDB_VALID &&
	    !r.have_cert, "rewritten stored note: cannot verify now (the "
	    "database's copy is damaged), nothing shown (%s)", e);
	vdb_result_free(&r);

	/* Uploads: a bare note, garbage, an untrusted signer. */
	{
		sqlite3_stmt *st;
		char *note = NULL;

		sqlite3_prepare_v2(f.db, "SELECT note FROM certificates WHERE "
		    "serial = ?", -1, &st, NULL);
		sqlite3_bind_text(st, 1, repl, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			note = strdup((const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
		CHECK(note != NULL && vdb_check_upload(v, note, strlen(note),
		    &u, e) == HS_OK && u.outcome == VDB_UP_NOTE_OK,
		    "uploaded note is authentic (%s)", u.problem);
		vdb_upload_free(&u);
		if (note != NULL)
			note[20] ^= 1;
		CHECK(note != NULL && vdb_check_upload(v, note, strlen(note),
		    &u, e) == HS_OK && (u.outcome == VDB_UP_NOT_OURS ||
		    u.outcome == VDB_UP_NOT_CERT), "changed note rejected (%s)",
		    u.problem);
		vdb_upload_free(&u);
		free(note);
	}
	CHECK(vdb_check_upload(v, "hello", 5, &u, e) == HS_OK &&
	    u.outcome == VDB_UP_NOT_CERT, "garbage is not a certificate");
	vdb_upload_free(&u);
	CHECK(vdb_check_upload(v, "%PDF-1.4\nnot really", 19, &u, e) ==
	    HS_OK && u.outcome == VDB_UP_NOT_CERT, "broken PDF is not a "
	    "certificate (%s)", u.problem);
	vdb_upload_free(&u);

	/* Ledger views. */
	buf_init(&b);
	CHECK(vdb_checkpoint(v, &b, NULL, e) == HS_OK &&
	    strncmp(b.data, VFIX_ORIGIN "\n", strlen(VFIX_ORIGIN) + 1) == 0,
	    "checkpoint served");
	buf_reset(&b);
	{
		struct verify_newer nw;

		CHECK(vdb_consistency(v, 2, &b, e) == HS_OK &&
		    verify_newer_parse(b.data, b.len, &nw, e) == HS_OK &&
		    nw.has_proof && nw.old_size == 2 && nw.nproof > 0,
		    "consistency form round-trips (%s)", e);
	}
	buf_reset(&b);
	{
		bool full;

		CHECK(vdb_tile(v, "tile/0/000.p/6", &b, &full, e) == HS_OK &&
		    b.len == 6 * 32 && !full, "partial level-0 tile (%s)", e);
		buf_reset(&b);
		CHECK(vdb_tile(v, "tile/0/000", &b, &full, e) ==
		    HS_ERR_NOTFOUND, "full tile beyond the tree is not found");
		buf_reset(&b);
		CHECK(vdb_tile(v, "tile/0/0", &b, &full, e) == HS_ERR_FORMAT,
		    "non-canonical tile path refused");
	}
	buf_reset(&b);
	CHECK(vdb_keys(v, &b, e) == HS_OK && strstr(b.data, "compromised=") !=
	    NULL, "keys listed with validity");
	{
		char d[45];

		CHECK(vdb_id_digest(v, repl, d, e) == HS_OK && strlen(d) == 44,
		    "id digest read");
	}
	buf_free(&b);
	vdb_close(v);
	vfix_close(&f);
	if (t_rmtree(dir) != 0)
		printf("# could not remove %s\n", dir);
	return t_done();
}
