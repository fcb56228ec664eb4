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

#define CHECK(expr, ...) do { int c_ = (expr); T_OK(c_, __VA_ARGS__); } while (0)

static char dir[] = "/tmp/hs-test-vstate.XXXXXX";

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
	vfix_close(&f);
	CHECK(sh("cp %s %s", db, newer) == 0, "newer copy kept");

	/* The running verifier sees size 3 and remembers it. */
	CHECK(vtree_new(&vt, e) == HS_OK && vstate_open(st, &vs, e) == HS_OK &&
	    vdb_open(db, NULL, vt, &v, e) == HS_OK, "verifier opens (%s)", e);
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
	CHECK(vdb_open(db, NULL, vt, &v, e) == HS_OK, "reopened");
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
	    HS_OK && vdb_open(db, NULL, vt2, &v, e) == HS_OK,
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
	CHECK(vdb_open(db, NULL, vt2, &v, e) == HS_OK, "reopened (%s)", e);
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

int
main(void)
{
	char cmd[200];

	if (mkdtemp(dir) == NULL)
		return 2;
	test_parse();
	test_files();
	test_rollback();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return t_done();
}
