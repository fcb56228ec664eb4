/*
 * test_vstate.c - the verifier never goes back (vstate.h, vtree.h, vdb.h):
 * the state file's parser on hostile input (table-driven), its file
 * checks, and a ledger rolled back under a running verifier and across a
 * restart, on real fixtures (vfix.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vdb.h"
#include "vfix.h"
#include "vstate.h"
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

/* A checkpoint note for (size 5, root of zeros), signed by a new key. */
static void
make_note(struct buf *note)
{
	struct note_signer *s = NULL;
	struct buf text;
	merkle_hash root;
	uint8_t seed[32];

	memset(root, 0, sizeof(root));
	memset(seed, 7, sizeof(seed));
	buf_init(&text);
	if (note_signer_new("example.org/log", seed, &s, NULL) != HS_OK ||
	    checkpoint_format("example.org/log", 5, root, &text, NULL) !=
	    HS_OK || note_sign(s, text.data, text.len, note, NULL) != HS_OK)
		printf("# could not make a note\n");
	note_signer_free(s);
	buf_free(&text);
}

static void
test_parse(void)
{
	struct buf note, in;
	struct checkpoint hdr;
	const char *np;
	size_t nl;
	char e[HS_ERRLEN];
	const char *zero = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
	size_t i;
	struct {
		const char *head;  /* the header ("%s" = the zero root) */
		int with_note;     /* append the note */
		enum hs_err want;
		const char *what;
	} rows[] = {
		{ "hourseal-verifier-state v1\norigin example.org/log\n"
		  "size 5\nroot %s\naccepted 2026-01-01T00:00:00Z\n\n", 1,
		  HS_OK, "a good file" },
		{ "hourseal-verifier-state v1\norigin example.org/log\n"
		  "size 5\nroot %s\n\n", 1, HS_OK, "accepted is optional" },
		{ "hourseal-verifier-state v2\norigin example.org/log\n"
		  "size 5\nroot %s\n\n", 1, HS_ERR_FORMAT, "another version" },
		{ "hourseal-verifier-state v1\norigin example.org/log\n"
		  "size 6\nroot %s\n\n", 1, HS_ERR_FORMAT,
		  "a header that says another size than the note" },
		{ "hourseal-verifier-state v1\norigin example.org/other\n"
		  "size 5\nroot %s\n\n", 1, HS_ERR_FORMAT, "another origin" },
		{ "hourseal-verifier-state v1\norigin example.org/log\n"
		  "size 05\nroot %s\n\n", 1, HS_ERR_FORMAT, "a leading zero" },
		{ "hourseal-verifier-state v1\norigin example.org/log\n"
		  "size 99999999999999999999\nroot %s\n\n", 1, HS_ERR_FORMAT,
		  "a size over 2^64" },
		{ "hourseal-verifier-state v1\norigin example.org/log\n"
		  "size -5\nroot %s\n\n", 1, HS_ERR_FORMAT, "a negative size" },
		{ "hourseal-verifier-state v1\norigin example.org/log\n"
		  "size 5\nsize 5\nroot %s\n\n", 1, HS_ERR_FORMAT,
		  "a key twice" },
		{ "hourseal-verifier-state v1\norigin example.org/log\n"
		  "size 5\nroot %s\nevil 1\n\n", 1, HS_ERR_FORMAT,
		  "an unknown key" },
		{ "hourseal-verifier-state v1\norigin example.org/log\n"
		  "size 5\nroot AAAA\n\n", 1, HS_ERR_FORMAT, "a short root" },
		{ "hourseal-verifier-state v1\norigin example.org/log\n"
		  "size 5\n\n", 1, HS_ERR_FORMAT, "no root" },
		{ "hourseal-verifier-state v1\norigin example.org/log\n"
		  "size 5\nroot %s\n\n", 0, HS_ERR_FORMAT, "no note" },
		{ "hourseal-verifier-state v1\norigin example.org/log\n"
		  "size 5\nroot %s\n", 1, HS_ERR_FORMAT, "no blank line" },
		{ "hourseal-verifier-state v1\norigin example.org/\tlog\n"
		  "size 5\nroot %s\n\n", 1, HS_ERR_FORMAT,
		  "a control character" },
		{ "hourseal-verifier-state v1\norigin example.org/log\n"
		  "size 5\nroot %s\naccepted yesterday\n\n", 1, HS_ERR_FORMAT,
		  "a bad time" },
		{ "", 0, HS_ERR_FORMAT, "empty" },
		{ "\n\n\n", 0, HS_ERR_FORMAT, "blank lines" },
	};

	buf_init(&note);
	make_note(&note);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		buf_init(&in);
		buf_printf(&in, rows[i].head, zero);
		if (rows[i].with_note)
			buf_add(&in, note.data, note.len);
		CHECK(vstate_parse(in.data ? in.data : "", in.len, &hdr, &np, &nl,
		    e) == rows[i].want, "parse: %s (%s)", rows[i].what,
		    rows[i].want == HS_OK ? "accepted" : e);
		buf_free(&in);
	}
	/* An overlong origin line. */
	buf_init(&in);
	buf_puts(&in, "hourseal-verifier-state v1\norigin ");
	for (i = 0; i < 5000; i++)
		buf_putc(&in, 'a');
	buf_puts(&in, "\n\n");
	buf_add(&in, note.data, note.len);
	CHECK(vstate_parse(in.data, in.len, &hdr, &np, &nl, e) ==
	    HS_ERR_FORMAT, "parse: a 5000-byte origin (%s)", e);
	buf_free(&in);
	buf_free(&note);
}

static int
write_file(const char *path, const char *s, size_t n, int mode)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	fwrite(s, 1, n, f);
	fclose(f);
	return chmod(path, (mode_t)mode);
}

static void
test_files(void)
{
	struct vstate *vs = NULL;
	struct buf big;
	char p[256], l[256], e[HS_ERRLEN];
	size_t i;

	snprintf(p, sizeof(p), "%s/none.state", dir);
	CHECK(vstate_open(p, &vs, e) == HS_OK, "no file: opens (first use)");
	vstate_free(vs);
	vs = NULL;
	snprintf(p, sizeof(p), "%s/gw.state", dir);
	write_file(p, "x", 1, 0664);
	CHECK(vstate_open(p, &vs, e) == HS_ERR_STATE && strstr(e, "0600"),
	    "group-writable file refused (%s)", e);
	snprintf(l, sizeof(l), "%s/link.state", dir);
	CHECK(symlink(p, l) == 0 && vstate_open(l, &vs, e) == HS_ERR_IO &&
	    strstr(e, "symbolic link"), "symlink refused (%s)", e);
	snprintf(p, sizeof(p), "%s/dir.state", dir);
	CHECK(mkdir(p, 0700) == 0 && vstate_open(p, &vs, e) != HS_OK,
	    "directory refused (%s)", e);
	snprintf(p, sizeof(p), "%s/big.state", dir);
	buf_init(&big);
	for (i = 0; i < VSTATE_FILE_MAX + 10; i++)
		buf_putc(&big, 'x');
	write_file(p, big.data, big.len, 0600);
	buf_free(&big);
	CHECK(vstate_open(p, &vs, e) == HS_ERR_TOOBIG, "oversized file "
	    "refused (%s)", e);
	CHECK(vs == NULL, "nothing returned on failure");
}

static int
sh(const char *fmt, const char *a, const char *b)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), fmt, a, b);
	return system(cmd);
}

/*
 * A ledger of size 2, then 3 (a revocation); the old file comes back
 * under a running verifier, then a verifier restarts on it.
 */
static void
test_rollback(void)
{
	struct vfix f;
	struct vtree *vt = NULL, *vt2 = NULL;
	struct vstate *vs = NULL, *vs2 = NULL;
	struct vdb *v = NULL;
	struct vdb_result r;
	struct vstate_info in;
	struct checkpoint cp;
	struct stat sb;
	const char *note;
	size_t nlen;
	uint64_t size;
	char db[200], old[200], newer[200], st[220], a[SERIAL_SIZE];
	char b[SERIAL_SIZE], e[HS_ERRLEN], why[VSTATE_REASON_MAX];
	char k1[NOTE_VKEY_MAX];

	snprintf(db, sizeof(db), "%s/r.db", dir);
	snprintf(old, sizeof(old), "%s/r.old", dir);
	snprintf(newer, sizeof(newer), "%s/r.new", dir);
	snprintf(st, sizeof(st), "%s.state", db);
	CHECK(vfix_open(&f, db) == 0 && vfix_begin(&f) == 0 &&
	    vfix_cert(&f, 2024, "甲", 300, 640, "2024-12-31T10:00:00Z", a) ==
	    0 && vfix_cert(&f, 2024, "乙", 300, 600, "2024-12-31T10:00:00Z",
	    b) == 0 && vfix_commit(&f) == 0, "fixture (%s)", f.err);
	vfix_sql(&f, "PRAGMA wal_checkpoint(TRUNCATE)");
	CHECK(sh("cp %s %s", db, old) == 0, "old copy kept");
	CHECK(vfix_begin(&f) == 0 && vfix_revoke(&f, b, "error",
	    "2025-02-01T00:00:00Z", NULL) == 0 && vfix_commit(&f) == 0,
	    "b revoked (%s)", f.err);
	vfix_sql(&f, "PRAGMA wal_checkpoint(TRUNCATE)");
	snprintf(k1, sizeof(k1), "%s", f.anchor);
	vfix_close(&f);
	CHECK(sh("cp %s %s", db, newer) == 0, "newer copy kept");

	/* The running verifier sees size 3 and remembers it. */
	CHECK(vtree_new(&vt, e) == HS_OK && vstate_open(st, &vs, e) == HS_OK &&
	    vdb_open(db, anchor_of(k1), vt, &v, e) == HS_OK,
	    "verifier opens (%s)", e);
	vdb_set_state(v, vs);
	CHECK(vdb_verify_serial(v, b, &r, e) == HS_OK &&
	    r.status == VDB_REVOKED && r.ckpt_size == 3, "b revoked at size 3");
	vdb_result_free(&r);
	CHECK(stat(st, &sb) == 0 && (sb.st_mode & 0777) == 0600,
	    "state file written, mode 0600");
	vdb_close(v);

	/* The old file comes back: refused, answers from what was verified. */
	CHECK(sh("cp %s %s.tmp", old, db) == 0 &&
	    sh("mv %s.tmp %s", db, db) == 0, "old file installed");
	CHECK(vdb_open(db, anchor_of(k1), vt, &v, e) == HS_OK, "reopened");
	vdb_set_state(v, vs);
	CHECK(vdb_health(v, &size, why, sizeof(why)) == VDB_RETAINED &&
	    size == 3 && strstr(why, "older") != NULL, "retained, size 3 (%s)",
	    why);
	CHECK(vdb_verify_serial(v, b, &r, e) == HS_OK &&
	    r.status == VDB_REVOKED && r.ckpt_size == 3,
	    "b still revoked, never valid again (%s)", r.problem);
	vdb_result_free(&r);
	vstate_info(vs, &in);
	CHECK(in.refused == VTREE_ROLLBACK && in.retained &&
	    in.db_size == 2 && in.remembered == 3 &&
	    in.events[VTREE_ROLLBACK] == 1, "refusal recorded once");
	vdb_close(v);
	vdb_close(NULL);
	v = NULL;

	/* A restart on the old file: the floor from the file, 503. */
	CHECK(vtree_new(&vt2, e) == HS_OK && vstate_open(st, &vs2, e) ==
	    HS_OK && vdb_open(db, anchor_of(k1), vt2, &v, e) == HS_OK,
	    "restart opens (%s)", e);
	CHECK(vstate_file_note(vs2, &note, &nlen) &&
	    vdb_open_checkpoint(v, note, nlen, &cp, e) == HS_OK &&
	    cp.size == 3 && vstate_confirm(vs2, &cp, e) == HS_OK,
	    "the remembered checkpoint verifies (%s)", e);
	vtree_set_floor(vt2, cp.size, cp.root);
	vdb_set_state(v, vs2);
	CHECK(vdb_verify_serial(v, b, &r, e) == HS_ERR_STATE &&
	    strncmp(e, VDB_CANNOT_VERIFY, strlen(VDB_CANNOT_VERIFY)) == 0,
	    "cannot verify now (%s)", e);
	vdb_result_free(&r);
	CHECK(vdb_verify_serial(v, a, &r, e) == HS_ERR_STATE,
	    "not even the valid one");
	vdb_result_free(&r);
	CHECK(vdb_health(v, &size, why, sizeof(why)) == VDB_UNAVAILABLE &&
	    size == 0, "unavailable");
	vdb_close(v);

	/* The newer file: served, the refusal cleared. */
	CHECK(sh("cp %s %s.tmp", newer, db) == 0 &&
	    sh("mv %s.tmp %s", db, db) == 0, "newer file installed");
	CHECK(vdb_open(db, anchor_of(k1), vt2, &v, e) == HS_OK,
	    "reopened (%s)", e);
	vdb_set_state(v, vs2);
	CHECK(vdb_verify_serial(v, a, &r, e) == HS_OK &&
	    r.status == VDB_VALID && r.ckpt_size == 3, "a valid again at 3");
	vdb_result_free(&r);
	vstate_info(vs2, &in);
	CHECK(in.refused == VTREE_ACCEPTED && in.remembered == 3,
	    "not refused any more");
	vdb_close(v);
	vstate_free(vs);
	vstate_free(vs2);
	vtree_free(vt);
	vtree_free(vt2);
}

/*
 * A restart as site_open does it: the state file's checkpoint verified
 * with keys derived from the anchor k1 (vdb_verify_remembered), the
 * floor set. Returns the vdb_verify_remembered result, err in e.
 */
static enum hs_err
restart(const char *db, const char *st, const char *k1, struct vtree **vt,
    struct vstate **vs, struct vdb **v, char *e)
{
	struct checkpoint cp;
	const char *note;
	size_t nlen;
	enum hs_err rc;

	*vt = NULL;
	*vs = NULL;
	*v = NULL;
	if ((rc = vtree_new(vt, e)) != HS_OK ||
	    (rc = vstate_open(st, vs, e)) != HS_OK ||
	    (rc = vdb_open(db, anchor_of(k1), *vt, v, e)) != HS_OK)
		return rc;
	if (!vstate_file_note(*vs, &note, &nlen))
		return hs_fail(e, HS_ERR_NOTFOUND, "no state file");
	if ((rc = vdb_verify_remembered(*v, anchor_of(k1), note, nlen, &cp,
	    e)) != HS_OK || (rc = vstate_confirm(*vs, &cp, e)) != HS_OK)
		return rc;
	vtree_set_floor(*vt, cp.size, cp.root);
	vdb_set_state(*v, *vs);
	return HS_OK;
}

static void
restart_free(struct vtree *vt, struct vstate *vs, struct vdb *v)
{
	vdb_close(v);
	vstate_free(vs);
	vtree_free(vt);
}

/*
 * The remembered checkpoint is signed by a key rotated in after the
 * anchor (k1 -> k2): at start it verifies through the database's key
 * history; a copy that went back but still announces k2 is refused
 * (503); a copy from before k2 cannot verify it, and says so. And a
 * refused checkpoint moves neither the tree nor its key history, even
 * when the way to it crossed a key change.
 */
static void
test_rotated(void)
{
	struct vfix f;
	struct vtree *vt = NULL;
	struct vstate *vs = NULL;
	struct vdb *v = NULL;
	struct vdb_result r;
	struct vstate_info in;
	struct buf keys;
	uint64_t size, gen;
	uint8_t seed1[32];
	char db[200], pre[200], mid[200], full[200], st[220], e[HS_ERRLEN];
	char a[SERIAL_SIZE], c[SERIAL_SIZE], d[SERIAL_SIZE], k1[NOTE_VKEY_MAX];
	char why[VSTATE_REASON_MAX], st2[220];

	snprintf(db, sizeof(db), "%s/k.db", dir);
	snprintf(pre, sizeof(pre), "%s/k.pre", dir);
	snprintf(mid, sizeof(mid), "%s/k.mid", dir);
	snprintf(full, sizeof(full), "%s/k.full", dir);
	snprintf(st, sizeof(st), "%s.state", db);
	CHECK(vfix_open(&f, db) == 0 && vfix_begin(&f) == 0 &&
	    vfix_cert(&f, 2024, "甲", 300, 640, "2024-03-01T10:00:00Z", a) ==
	    0 && vfix_commit(&f) == 0, "k1 fixture (%s)", f.err);
	snprintf(k1, sizeof(k1), "%s", f.anchor);
	memcpy(seed1, f.anchor_seed, 32);
	vfix_sql(&f, "PRAGMA wal_checkpoint(TRUNCATE)");
	CHECK(sh("cp %s %s", db, pre) == 0, "copy before the rotation");
	CHECK(vfix_key(&f, "k2", "2024-04-01T00:00:00Z", NULL, NULL) == 0,
	    "k2 announced under k1 (%s)", f.err);
	vfix_handover(&f);
	CHECK(vfix_mark(&f, "key-retire", k1, "2024-04-01T00:00:00Z") == 0,
	    "k1 retired, logged under k2 (%s)", f.err);
	CHECK(vfix_begin(&f) == 0 && vfix_cert(&f, 2024, "乙", 300, 600,
	    "2024-05-01T10:00:00Z", c) == 0 && vfix_commit(&f) == 0,
	    "k2 signs a certificate and the checkpoint (%s)", f.err);
	vfix_sql(&f, "PRAGMA wal_checkpoint(TRUNCATE)");
	CHECK(sh("cp %s %s", db, mid) == 0, "copy after the rotation");
	CHECK(vfix_begin(&f) == 0 && vfix_cert(&f, 2024, "丙", 300, 600,
	    "2024-06-01T10:00:00Z", d) == 0 && vfix_commit(&f) == 0,
	    "one more under k2 (%s)", f.err);
	vfix_sql(&f, "PRAGMA wal_checkpoint(TRUNCATE)");
	vfix_close(&f);
	CHECK(sh("cp %s %s", db, full) == 0, "newest copy kept");

	/* First run: the newest checkpoint (signed by k2) is remembered. */
	CHECK(vtree_new(&vt, e) == HS_OK && vstate_open(st, &vs, e) == HS_OK &&
	    vdb_open(db, anchor_of(k1), vt, &v, e) == HS_OK, "opens (%s)", e);
	vdb_set_state(v, vs);
	CHECK(vdb_verify_serial(v, d, &r, e) == HS_OK &&
	    r.status == VDB_VALID, "k2's certificate valid (%s)", e);
	vdb_result_free(&r);
	vstate_info(vs, &in);
	size = in.remembered;
	CHECK(in.have_file && size > 3, "the k2 checkpoint remembered "
	    "(size %llu)", (unsigned long long)size);
	restart_free(vt, vs, v);

	/* Restart on the same file: verified through the key history. */
	CHECK(restart(db, st, k1, &vt, &vs, &v, e) == HS_OK,
	    "restart: the k2-signed remembered checkpoint verifies through "
	    "the log's key history (%s)", e);
	CHECK(vdb_verify_serial(v, d, &r, e) == HS_OK &&
	    r.status == VDB_VALID && r.ckpt_size == size, "served at the "
	    "remembered size (%s)", e);
	vdb_result_free(&r);
	restart_free(vt, vs, v);

	/* Restart on a copy that went back but announces k2: 503. */
	CHECK(sh("cp %s %s.tmp", mid, db) == 0 &&
	    sh("mv %s.tmp %s", db, db) == 0, "the older copy installed");
	CHECK(restart(db, st, k1, &vt, &vs, &v, e) == HS_OK,
	    "restart on the older copy: the remembered checkpoint still "
	    "verifies (k2 from that copy's verified history) (%s)", e);
	CHECK(vdb_verify_serial(v, c, &r, e) == HS_ERR_STATE &&
	    strstr(e, "older") != NULL, "cannot verify now: older (%s)", e);
	vdb_result_free(&r);
	CHECK(vdb_health(v, &size, why, sizeof(why)) == VDB_UNAVAILABLE,
	    "unavailable");
	CHECK(vtree_size(vt) == 0, "the refused copy moved nothing");
	restart_free(vt, vs, v);

	/* Restart on a copy from before k2: cannot verify, and says why. */
	CHECK(sh("cp %s %s.tmp", pre, db) == 0 &&
	    sh("mv %s.tmp %s", db, db) == 0, "the pre-rotation copy installed");
	CHECK(restart(db, st, k1, &vt, &vs, &v, e) == HS_ERR_SIGNATURE &&
	    strstr(e, "key history") != NULL && strstr(e, "--key") != NULL,
	    "restart on a copy without k2: the remembered checkpoint cannot "
	    "be verified, said clearly (%s)", e);
	restart_free(vt, vs, v);

	/*
	 * Another history signed by the same k1 with the same rotation, not
	 * extending the remembered one: refused, and the key change on the
	 * way to it (k2) is not taken into the key state.
	 */
	snprintf(st2, sizeof(st2), "%s/k2.state", dir);
	CHECK(sh("cp %s %s.tmp", pre, db) == 0 &&
	    sh("mv %s.tmp %s", db, db) == 0, "pre-rotation copy again");
	CHECK(vtree_new(&vt, e) == HS_OK && vstate_open(st2, &vs, e) ==
	    HS_OK && vdb_open(db, anchor_of(k1), vt, &v, e) == HS_OK &&
	    (vdb_set_state(v, vs), vdb_verify_serial(v, a, &r, e)) == HS_OK &&
	    r.status == VDB_VALID, "a fresh state remembers the k1 copy (%s)",
	    e);
	vdb_result_free(&r);
	restart_free(vt, vs, v);
	CHECK(sh("rm -f %s %s-wal", db, db) == 0 && sh("rm -f %s-shm%s",
	    db, "") == 0, "removed");
	vfix_next_seed = seed1;
	CHECK(vfix_open(&f, db) == 0 && vfix_begin(&f) == 0 &&
	    vfix_cert(&f, 2024, "丁", 300, 640, "2024-03-01T10:00:00Z", a) ==
	    0 && vfix_commit(&f) == 0 && vfix_key(&f, "k2",
	    "2024-04-01T00:00:00Z", NULL, NULL) == 0 && (vfix_handover(&f),
	    vfix_begin(&f)) == 0 && vfix_cert(&f, 2024, "戊", 300, 600,
	    "2024-05-01T10:00:00Z", c) == 0 && vfix_commit(&f) == 0,
	    "a forked history with a rotation (%s)", f.err);
	vfix_sql(&f, "PRAGMA wal_checkpoint(TRUNCATE)");
	vfix_close(&f);
	CHECK(restart(db, st2, k1, &vt, &vs, &v, e) == HS_OK,
	    "restart with the k1 floor (%s)", e);
	gen = vtree_key_generation(vt);
	CHECK(vdb_verify_serial(v, c, &r, e) == HS_ERR_STATE &&
	    strncmp(e, VDB_CANNOT_VERIFY, strlen(VDB_CANNOT_VERIFY)) == 0,
	    "the forked history is refused (%s)", e);
	vdb_result_free(&r);
	vstate_info(vs, &in);
	CHECK(in.refused == VTREE_FORK || in.refused == VTREE_INCONSISTENT,
	    "refused as %s", vstate_refusal_name(in.refused));
	buf_init(&keys);
	CHECK(vtree_size(vt) == 0 && vtree_key_generation(vt) == gen &&
	    vdb_keys(v, &keys, e) == HS_OK && memchr(keys.data, '\n',
	    keys.len) == keys.data + keys.len - 1, "neither the tree nor the "
	    "key state moved: only the anchor is trusted");
	buf_free(&keys);
	restart_free(vt, vs, v);
}

int
main(void)
{
	if (t_tmpdir("test-vstate", dir, sizeof(dir)) != 0)
		return 2;
	test_parse();
	test_files();
	test_rollback();
	test_rotated();
	if (t_rmtree(dir) != 0)
		printf("# could not remove %s\n", dir);
	return t_done();
}
