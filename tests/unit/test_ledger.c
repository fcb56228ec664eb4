/*
 * Unit tests for ledger.c, checkpoint.c, receipt.c, tile.c and leaf.c on
 * an in-memory database: every root and proof for every tree size 1..300
 * equals the naive RFC definitions and verifies; checkpoints are signed
 * only over a consistent tree; receipts verify and tampering fails;
 * tiles are the perfect-subtree hashes; audit finds altered rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/file.h"
#include "tlog/checkpoint.h"
#include "cert/leaf.h"
#include "store/ledger.h"
#include "tlog/note.h"
#include "tlog/receipt.h"
#include "cert/serial.h"
#include "store/store.h"
#include "tlog/tile.h"
#include "core/util.h"
#include "t.h"
#include "tlib.h"

#include "naive_merkle.h"

#define ORIGIN "ledger.hourseal.example.cn/fj"

static const uint8_t seed1[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
static const uint8_t seed2[32] = { 42 };

static int
entry_of(uint64_t i, char *out, size_t outsz)
{
	return snprintf(out, outsz, "hourseal/leaf/v1 test %llu",
	    (unsigned long long)i);
}

/* Appends leaves [from, to) in one transaction; returns 0 on success. */
static int
append_range(sqlite3 *db, struct ledger *l, struct naive *nv, uint64_t from,
    uint64_t to)
{
	char e[64], err[HS_ERRLEN];
	uint64_t i, idx;
	int n;

	if (store_begin(db, err) != HS_OK)
		return -1;
	for (i = from; i < to; i++) {
		n = entry_of(i, e, sizeof(e));
		if (ledger_append(l, e, (size_t)n, &idx, err) != HS_OK ||
		    idx != i) {
			printf("# append %llu: %s\n", (unsigned long long)i,
			    err);
			store_rollback(db);
			return -1;
		}
		if (nv != NULL)
			merkle_leaf_hash(e, (size_t)n, nv->leaves[i]);
	}
	return store_commit(db, err) == HS_OK ? 0 : -1;
}

static void
test_proofs(sqlite3 *db, struct ledger *l, struct naive *nv)
{
	merkle_hash proof[MERKLE_MAX_PROOF], want[MERKLE_MAX_PROOF];
	merkle_hash root, r1, nroot;
	size_t n, wn;
	uint64_t size, m, got;
	int bad_root = 0, bad_incl = 0, bad_cons = 0, nincl = 0, ncons = 0;
	char err[HS_ERRLEN];
	enum hs_err rc;

	rc = ledger_append(l, "x", 1, NULL, err);
	T_OK(rc == HS_ERR_STATE, "append outside a transaction is refused");
	T_OK(append_range(db, l, nv, 0, 300) == 0, "append 300 leaves in one "
	    "transaction");
	rc = ledger_size(l, &got, err);
	T_OK(rc == HS_OK && got == 300, "ledger size 300");

	for (size = 1; size <= 300; size++) {
		if (ledger_root(l, size, root, err) != HS_OK)
			bad_root++;
		naive_mth(nv, 0, size, nroot);
		bad_root += memcmp(root, nroot, 32) != 0;
		for (m = 0; m < size; m++, nincl++) {
			wn = 0;
			naive_path(nv, m, 0, size, want, &wn);
			if (ledger_prove_inclusion(l, m, size, proof, &n,
			    err) != HS_OK || n != wn ||
			    memcmp(proof, want, n * 32) != 0 ||
			    merkle_verify_inclusion(m, size, nv->leaves[m], 32,
			    proof, n, root, 32, err) != HS_OK) {
				if (bad_incl++ == 0)
					printf("# inclusion %llu in %llu: %s\n",
					    (unsigned long long)m,
					    (unsigned long long)size, err);
			}
		}
		for (m = 1; m <= size; m++, ncons++) {
			wn = 0;
			if (m < size)
				naive_subproof(nv, m, 0, size, 1, want, &wn);
			naive_mth(nv, 0, m, r1);
			if (ledger_prove_consistency(l, m, size, proof, &n,
			    err) != HS_OK || n != wn ||
			    memcmp(proof, want, n * 32) != 0 ||
			    merkle_verify_consistency(m, size, r1, 32, root, 32,
			    proof, n, err) != HS_OK) {
				if (bad_cons++ == 0)
					printf("# consistency %llu -> %llu: "
					    "%s\n", (unsigned long long)m,
					    (unsigned long long)size, err);
			}
		}
	}
	T_OK(bad_root == 0, "stored-tree roots of sizes 1..300 equal the "
	    "naive MTH (%d bad)", bad_root);
	T_OK(bad_incl == 0, "%d inclusion proofs from the store equal PATH "
	    "and verify (%d bad)", nincl, bad_incl);
	T_OK(bad_cons == 0, "%d consistency proofs from the store equal "
	    "PROOF and verify (%d bad)", ncons, bad_cons);
	rc = ledger_root(l, 301, root, err);
	T_OK(rc == HS_ERR_INVALID, "root beyond the ledger refused");
	rc = ledger_prove_inclusion(l, 300, 300, proof, &n, err);
	T_OK(rc == HS_ERR_INVALID, "inclusion of index 300 in 300 refused");
	{
		struct buf b;

		buf_init(&b);
		rc = ledger_entry(l, 7, &b, err);
		T_OK(rc == HS_OK && b.len == 23 &&
		    memcmp(b.data, "hourseal/leaf/v1 test 7", 23) == 0,
		    "entry 7 reads back");
		rc = ledger_entry(l, 300, &b, err);
		T_OK(rc == HS_ERR_NOTFOUND, "entry 300 not found");
		buf_free(&b);
	}
}

static void
test_checkpoints(sqlite3 *db, struct ledger *l, struct naive *nv,
    struct note_signer *sg, struct note_verifier *v)
{
	struct buf note, again, text;
	struct checkpoint cp, cp2;
	struct note_verified by;
	merkle_hash root, proof[MERKLE_MAX_PROOF];
	struct note_signer *other = NULL;
	uint64_t size;
	size_t n;
	char err[HS_ERRLEN], b64[MERKLE_B64_SIZE];
	enum hs_err rc;

	buf_init(&note);
	buf_init(&again);
	buf_init(&text);
	rc = ledger_latest_checkpoint(l, NULL, NULL, err);
	T_OK(rc == HS_ERR_NOTFOUND, "no checkpoint before the first");
	rc = ledger_sign_checkpoint(l, sg, &note, &size, err);
	T_OK(rc == HS_OK && size == 300, "sign checkpoint at 300: %s",
	    rc == HS_OK ? "ok" : err);
	ledger_root(l, 300, root, NULL);
	merkle_hash_encode(root, b64);
	buf_printf(&text, ORIGIN "\n300\n%s\n\n", b64);
	T_OK(note.len > text.len && memcmp(note.data, text.data, text.len) ==
	    0, "checkpoint text is origin, size, base64 root");
	rc = checkpoint_open(note.data, note.len, ORIGIN, &v, 1, &cp, &by,
	    err);
	T_OK(rc == HS_OK && cp.size == 300 && memcmp(cp.root, root, 32) == 0,
	    "checkpoint opens with the verifier key");

	rc = ledger_sign_checkpoint(l, sg, &again, &size, err);
	T_OK(rc == HS_OK && again.len == note.len &&
	    memcmp(again.data, note.data, note.len) == 0 && size == 300,
	    "nothing appended: the latest checkpoint is returned unchanged");
	buf_reset(&again);
	rc = ledger_latest_checkpoint(l, &again, &size, err);
	T_OK(rc == HS_OK && size == 300 && again.len == note.len,
	    "latest checkpoint row holds it");

	/* A signer not named for this origin is refused. */
	note_signer_new("someone.else/log", seed2, &other, err);
	rc = ledger_sign_checkpoint(l, other, NULL, NULL, err);
	T_OK(rc == HS_ERR_INVALID, "signer with another name refused");
	note_signer_free(other);

	/* Grow, sign again: the new checkpoint extends the old one. */
	T_OK(append_range(db, l, nv, 300, 333) == 0, "append 33 more");
	buf_reset(&again);
	rc = ledger_sign_checkpoint(l, sg, &again, &size, err);
	T_OK(rc == HS_OK && size == 333, "sign checkpoint at 333");
	rc = checkpoint_open(again.data, again.len, ORIGIN, &v, 1, &cp2, &by,
	    err);
	T_OK(rc == HS_OK, "checkpoint 333 opens");
	ledger_prove_consistency(l, 300, 333, proof, &n, err);
	rc = checkpoint_verify_consistency(&cp, &cp2, proof, n, err);
	T_OK(rc == HS_OK, "checkpoint 300 -> 333 consistent");
	rc = checkpoint_verify_consistency(&cp2, &cp, proof, n, err);
	T_OK(rc == HS_ERR_SIGNATURE, "333 -> 300 rejected");
	proof[0][0] ^= 1;
	rc = checkpoint_verify_consistency(&cp, &cp2, proof, n, err);
	T_OK(rc == HS_ERR_SIGNATURE, "altered consistency proof rejected");
	buf_reset(&again);
	rc = ledger_checkpoint_at(l, 300, &again, err);
	T_OK(rc == HS_OK && again.len == note.len, "checkpoint 300 kept");

	/* Inside the caller's transaction: rolled back with it. */
	store_begin(db, err);
	ledger_append(l, "inside", 6, NULL, err);
	rc = ledger_sign_checkpoint(l, sg, NULL, &size, err);
	T_OK(rc == HS_OK && size == 334, "sign inside a transaction");
	store_rollback(db);
	rc = ledger_latest_checkpoint(l, NULL, &size, err);
	T_OK(rc == HS_OK && size == 333, "rolled back with the caller");

	/* A latest row that does not match its note is not trusted. */
	store_begin(db, err);
	store_exec(db, "UPDATE latest_checkpoint SET size = 1 WHERE one = 1",
	    NULL);
	ledger_append(l, "cas", 3, NULL, err);
	rc = ledger_sign_checkpoint(l, sg, NULL, &size, err);
	T_OK(rc == HS_ERR_SIGNATURE, "latest row not matching its note is "
	    "refused: %s", err);
	store_rollback(db);
	buf_free(&note);
	buf_free(&again);
	buf_free(&text);
}

static void
test_receipts(struct ledger *l, struct note_verifier *v,
    struct note_verifier *unknown, struct note_signer *sg2)
{
	struct buf cpn, rcpt, bad, e, other;
	struct receipt *r = NULL;
	struct checkpoint cp;
	char err[HS_ERRLEN];
	enum hs_err rc;
	size_t i;
	int flips = 0, nflips = 0;

	buf_init(&cpn);
	buf_init(&rcpt);
	buf_init(&bad);
	buf_init(&e);
	buf_init(&other);
	ledger_latest_checkpoint(l, &cpn, NULL, err);
	rc = ledger_receipt(l, 123, cpn.data, cpn.len, &rcpt, err);
	T_OK(rc == HS_OK, "receipt for leaf 123");
	T_OK(strncmp(rcpt.data, "c2sp.org/tlog-proof@v1\nindex 123\n", 33) ==
	    0, "receipt starts with the header and index");
	T_OK(strstr(rcpt.data, "\n\n" ORIGIN "\n333\n") != NULL,
	    "receipt ends with the checkpoint after an empty line");
	ledger_entry(l, 123, &e, err);
	rc = receipt_parse(rcpt.data, rcpt.len, &r, err);
	T_OK(rc == HS_OK && receipt_index(r) == 123, "receipt parses");
	if (r == NULL)
		goto out;
	rc = receipt_verify(r, e.data, e.len, ORIGIN, &v, 1, &cp, NULL, err);
	T_OK(rc == HS_OK && cp.size == 333, "receipt verifies for its entry");
	rc = receipt_verify(r, "hourseal/leaf/v1 test 124", 25, ORIGIN, &v, 1,
	    NULL, NULL, err);
	T_OK(rc == HS_ERR_SIGNATURE, "receipt for the wrong entry fails");
	rc = receipt_verify(r, e.data, e.len, ORIGIN, &unknown, 1, NULL,
	    NULL, err);
	T_OK(rc == HS_ERR_SIGNATURE, "receipt with only an unknown key fails: "
	    "%s", err);
	rc = receipt_verify(r, e.data, e.len, "other.example/log", &v, 1,
	    NULL, NULL, err);
	T_OK(rc == HS_ERR_SIGNATURE, "receipt for another origin fails");
	receipt_free(r);
	r = NULL;

	/* A checkpoint signed by a key the verifier does not know. */
	{
		struct buf text, signed_note;
		struct checkpoint pc;

		buf_init(&text);
		buf_init(&signed_note);
		checkpoint_parse_note(cpn.data, cpn.len, &pc, err);
		checkpoint_format(ORIGIN, pc.size, pc.root, &text, err);
		note_sign(sg2, text.data, text.len, &signed_note, err);
		ledger_receipt(l, 123, signed_note.data, signed_note.len,
		    &other, err);
		rc = receipt_parse(other.data, other.len, &r, err);
		if (rc == HS_OK)
			rc = receipt_verify(r, e.data, e.len, ORIGIN, &v, 1,
			    NULL, NULL, err);
		T_OK(rc == HS_ERR_SIGNATURE, "receipt whose checkpoint was "
		    "signed by an unknown key fails: %s", err);
		receipt_free(r);
		r = NULL;
		buf_free(&text);
		buf_free(&signed_note);
	}

	/* Every single-bit flip in the receipt fails to parse or verify. */
	for (i = 0; i < rcpt.len; i++) {
		int bit = (int)(i % 8);

		buf_reset(&bad);
		buf_add(&bad, rcpt.data, rcpt.len);
		bad.data[i] ^= (char)(1 << bit);
		nflips++;
		if (receipt_parse(bad.data, bad.len, &r, NULL) == HS_OK &&
		    receipt_verify(r, e.data, e.len, ORIGIN, &v, 1, NULL,
		    NULL, NULL) == HS_OK)
			flips++;
		receipt_free(r);
		r = NULL;
	}
	T_OK(flips == 0, "%d receipts with one flipped bit: none verifies "
	    "(%d did)", nflips, flips);

	/* Strict parsing. */
	{
		static const char *bads[] = {
			"",
			"c2sp.org/tlog-proof@v2\nindex 1\n\n",
			"c2sp.org/tlog-proof@v1\nindex 01\n\n",
			"c2sp.org/tlog-proof@v1\nindex -1\n\n",
			"c2sp.org/tlog-proof@v1\nindex 1\nAAAA\n\n",
			"c2sp.org/tlog-proof@v1\nindex 1\n",
			"c2sp.org/tlog-proof@v1\nindex 1\n\nno checkpoint",
		};
		for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
			rc = receipt_parse(bads[i], strlen(bads[i]), &r, err);
			T_OK(rc == HS_ERR_FORMAT && r == NULL,
			    "malformed receipt %zu rejected: %s", i, err);
		}
	}
	buf_reset(&bad);
	buf_add(&bad, rcpt.data, rcpt.len - 1);
	rc = receipt_parse(bad.data, bad.len, &r, err);
	T_OK(rc == HS_ERR_FORMAT && r == NULL, "receipt whose checkpoint lacks "
	    "its final newline rejected: %s", err);
	/* The spec's optional extra line is accepted and ignored. */
	buf_reset(&bad);
	buf_puts(&bad, "c2sp.org/tlog-proof@v1\nextra aGVsbG8=\n");
	buf_puts(&bad, rcpt.data + 23);
	rc = receipt_parse(bad.data, bad.len, &r, err);
	if (rc == HS_OK)
		rc = receipt_verify(r, e.data, e.len, ORIGIN, &v, 1, NULL,
		    NULL, err);
	T_OK(rc == HS_OK, "receipt with an extra line verifies");
	receipt_free(r);
	r = NULL;
out:
	buf_free(&cpn);
	buf_free(&rcpt);
	buf_free(&bad);
	buf_free(&e);
	buf_free(&other);
}

static void
test_note_tamper(struct ledger *l, struct note_verifier *v)
{
	struct buf cpn;
	struct checkpoint cp;
	size_t i, text_end;
	int accepted = 0, n = 0;
	char err[HS_ERRLEN];

	buf_init(&cpn);
	ledger_latest_checkpoint(l, &cpn, NULL, err);
	text_end = (size_t)(strstr(cpn.data, "\n\n") - cpn.data) + 1;
	/* Flip each bit of the signed text and of the signature line. */
	for (i = 0; i < cpn.len * 8; i++) {
		cpn.data[i / 8] ^= (char)(1 << (i % 8));
		if (checkpoint_open(cpn.data, cpn.len, ORIGIN, &v, 1, &cp, NULL,
		    NULL) == HS_OK)
			accepted++;
		cpn.data[i / 8] ^= (char)(1 << (i % 8));
		n++;
	}
	T_OK(accepted == 0, "checkpoint note: %d single-bit flips, %d "
	    "accepted (text is %zu bytes)", n, accepted, text_end);
	T_OK(checkpoint_open(cpn.data, cpn.len, ORIGIN, &v, 1, &cp, NULL,
	    err) == HS_OK, "unflipped note still opens");
	buf_free(&cpn);
}

static void
test_tiles(struct ledger *l, struct naive *nv)
{
	static const struct {
		const char *path;
		int ok;
		unsigned level;
		uint64_t index;
		unsigned width;
		bool entries;
	} rows[] = {
		{ "tile/0/000", 1, 0, 0, 256, false },
		{ "tile/0/001.p/77", 1, 0, 1, 77, false },
		{ "/tile/2/x001/x234/067", 1, 2, 1234067, 256, false },
		{ "tile/entries/x001/x234/067.p/255", 1, 0, 1234067, 255,
		    true },
		{ "tile/entries/000.p/1", 1, 0, 0, 1, true },
		{ "tile/63/999", 1, 63, 999, 256, false },
		{ "tile/64/000", 0, 0, 0, 0, false },
		{ "tile/01/000", 0, 0, 0, 0, false },
		{ "tile/0/0", 0, 0, 0, 0, false },
		{ "tile/0/x000/001", 0, 0, 0, 0, false },
		{ "tile/0/001/002", 0, 0, 0, 0, false },
		{ "tile/0/000.p/0", 0, 0, 0, 0, false },
		{ "tile/0/000.p/256", 0, 0, 0, 0, false },
		{ "tile/0/000.p/05", 0, 0, 0, 0, false },
		{ "tile/0/000.p/", 0, 0, 0, 0, false },
		{ "tile/0/000/", 0, 0, 0, 0, false },
		{ "tile/0/x1/000", 0, 0, 0, 0, false },
		{ "tile/entries/", 0, 0, 0, 0, false },
		{ "tile/8/data/000", 0, 0, 0, 0, false },
		{ "tile/0/x999/x999/x999/x999/x999/x999/999", 0, 0, 0, 0,
		    false },
		{ "checkpoint", 0, 0, 0, 0, false },
	};
	struct tile t;
	struct buf b;
	char out[TILE_PATH_MAX], err[HS_ERRLEN];
	merkle_hash h;
	size_t i;
	uint64_t k;
	enum hs_err rc;
	int bad = 0;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		rc = tile_path_parse(rows[i].path, &t, err);
		if (!rows[i].ok) {
			T_OK(rc == HS_ERR_FORMAT, "tile path \"%s\" rejected",
			    rows[i].path);
			continue;
		}
		T_OK(rc == HS_OK && t.level == rows[i].level &&
		    t.index == rows[i].index && t.width == rows[i].width &&
		    t.entries == rows[i].entries, "tile path \"%s\" parses",
		    rows[i].path);
		T_OK(tile_path_format(&t, out, sizeof(out)) == 0 &&
		    strcmp(out, rows[i].path + (rows[i].path[0] == '/')) == 0,
		    "tile path \"%s\" formats back", rows[i].path);
	}

	/* Size 333: level 0 has tile 0 full and 1.p/77; level 1 0.p/1. */
	T_OK(tile_level_hashes(0, 333) == 333 && tile_level_hashes(1, 333) ==
	    1 && tile_level_hashes(2, 333) == 0, "tile_level_hashes");
	T_OK(tile_level_hashes(1, 70000) == 273 &&
	    tile_level_hashes(2, 70000) == 1, "70000 leaves: 273 level-1 "
	    "hashes (tile 1 of width 17), 1 level-2 hash");
	buf_init(&b);
	t = (struct tile){ false, 0, 0, 256 };
	rc = ledger_tile(l, &t, 333, &b, err);
	for (k = 0; k < 256 && rc == HS_OK; k++)
		bad += memcmp(b.data + 32 * k, nv->leaves[k], 32) != 0;
	T_OK(rc == HS_OK && b.len == 8192 && bad == 0, "tile/0/000 is the "
	    "first 256 leaf hashes");
	buf_reset(&b);
	t = (struct tile){ false, 0, 1, 77 };
	rc = ledger_tile(l, &t, 333, &b, err);
	T_OK(rc == HS_OK && b.len == 77 * 32 &&
	    memcmp(b.data, nv->leaves[256], 32) == 0 &&
	    memcmp(b.data + 76 * 32, nv->leaves[332], 32) == 0,
	    "tile/0/001.p/77 is leaves 256..332");
	buf_reset(&b);
	t = (struct tile){ false, 0, 1, 76 };
	rc = ledger_tile(l, &t, 333, &b, err);
	T_OK(rc == HS_OK && b.len == 76 * 32, "an earlier partial tile "
	    "(001.p/76) is still served");
	buf_reset(&b);
	t = (struct tile){ false, 0, 1, 78 };
	rc = ledger_tile(l, &t, 333, &b, err);
	T_OK(rc == HS_ERR_NOTFOUND, "tile/0/001.p/78 beyond size 333 not found");
	t = (struct tile){ false, 0, 1, 256 };
	rc = ledger_tile(l, &t, 333, &b, err);
	T_OK(rc == HS_ERR_NOTFOUND, "full tile/0/001 not found at 333");
	buf_reset(&b);
	t = (struct tile){ false, 1, 0, 1 };
	rc = ledger_tile(l, &t, 333, &b, err);
	naive_mth(nv, 0, 256, h);
	T_OK(rc == HS_OK && b.len == 32 && memcmp(b.data, h, 32) == 0,
	    "tile/1/000.p/1 is MTH of leaves 0..255");
	buf_reset(&b);
	t = (struct tile){ true, 0, 1, 77 };
	rc = ledger_tile(l, &t, 333, &b, err);
	{
		char e[64];
		int n = entry_of(256, e, sizeof(e));

		T_OK(rc == HS_OK && (uint8_t)b.data[0] == 0 &&
		    (uint8_t)b.data[1] == n &&
		    memcmp(b.data + 2, e, (size_t)n) == 0,
		    "entry bundle 001.p/77 starts with uint16be length || "
		    "entry 256");
	}
	buf_free(&b);
}

/* Writes tiles for size into dir and checks proofs computed from them. */
static void
test_tile_dir(struct ledger *l, uint64_t size)
{
	char dir[T_DIRMAX], path[4096], rel[TILE_PATH_MAX];
	struct tile_dir td;
	struct tile t;
	struct buf b;
	merkle_hash a[MERKLE_MAX_PROOF], c[MERKLE_MAX_PROOF], ra, rb;
	size_t na, nc;
	uint64_t lv, k, total, m;
	int bad = 0;
	char err[HS_ERRLEN];

	if (t_tmpdir("tiles", dir, sizeof(dir)) != 0) {
		T_OK(0, "mkdtemp");
		return;
	}
	buf_init(&b);
	for (lv = 0; (total = tile_level_hashes((unsigned)lv, size)) > 0;
	    lv++)
		for (k = 0; k * 256 < total; k++) {
			t = (struct tile){ false, (unsigned)lv, k,
			    (k + 1) * 256 <= total ? 256 :
			    (unsigned)(total % 256) };
			buf_reset(&b);
			tile_path_format(&t, rel, sizeof(rel));
			snprintf(path, sizeof(path), "%s/%s", dir, rel);
			*strrchr(path, '/') = '\0';
			if (file_mkdirs(path, 0755, err) != HS_OK)
				bad++;
			snprintf(path, sizeof(path), "%s/%s", dir, rel);
			{
				FILE *f = fopen(path, "wb");

				if (ledger_tile(l, &t, size, &b, err) != HS_OK ||
				    f == NULL || fwrite(b.data, 1, b.len, f) !=
				    b.len)
					bad++;
				if (f != NULL && fclose(f) != 0)
					bad++;
			}
		}
	td.dir = dir;
	td.size = size;
	merkle_tree_hash(size, tile_dir_read, &td, ra, err);
	ledger_root(l, size, rb, err);
	T_OK(bad == 0 && memcmp(ra, rb, 32) == 0, "root from the tile "
	    "directory equals the stored root (size %llu)",
	    (unsigned long long)size);
	for (m = 0; m < size; m += 7) {
		if (merkle_prove_inclusion(m, size, tile_dir_read, &td, a, &na,
		    err) != HS_OK || ledger_prove_inclusion(l, m, size, c, &nc,
		    err) != HS_OK || na != nc || memcmp(a, c, na * 32) != 0)
			bad++;
		if (m > 0 && (merkle_prove_consistency(m, size, tile_dir_read,
		    &td, a, &na, err) != HS_OK || ledger_prove_consistency(l,
		    m, size, c, &nc, err) != HS_OK || na != nc ||
		    memcmp(a, c, na * 32) != 0))
			bad++;
	}
	T_OK(bad == 0, "proofs from tiles equal proofs from the store");
	if (t_rmtree(dir) != 0)
		T_OK(0, "rm tile dir");
	buf_free(&b);
}

static void
test_leaf(void)
{
	static const char *good[] = {
		"hourseal/leaf/v1 issue 2024-7K3M-9Q2D-XW8P-4HJN "
		    "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
		"hourseal/leaf/v1 revoke 2024-7K3M-9Q2D-XW8P-4HJN error "
		    "2025-01-02T03:04:05Z",
	};
	static const char *bad[] = {
		"hourseal/leaf/v1 issue 2024-7k3m-9Q2D-XW8P-4HJN "
		    "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
		"hourseal/leaf/v1 issue 2024-7K3M-9Q2D-XW8P-4HJN "
		    "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU= ",
		"hourseal/leaf/v1  issue 2024-7K3M-9Q2D-XW8P-4HJN "
		    "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
		"hourseal/leaf/v1 issue 2024-7K3M-9Q2D-XW8P-4HJN AAAA",
		"hourseal/leaf/v1 revoke 2024-7K3M-9Q2D-XW8P-4HJN lost "
		    "2025-01-02T03:04:05Z",
		"hourseal/leaf/v1 revoke 2024-7K3M-9Q2D-XW8P-4HJN error "
		    "2025-02-30T03:04:05Z",
		"hourseal/leaf/v2 revoke 2024-7K3M-9Q2D-XW8P-4HJN error "
		    "2025-01-02T03:04:05Z",
		"hourseal/leaf/v1 key nonsense 2025-01-02T03:04:05Z",
		"hourseal/leaf/v1 issue 2024-7K3M-9Q2D-XW8P-4HJN "
		    "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
	};
	struct leaf lf;
	struct buf b;
	struct note_signer *sg = NULL;
	char vkey[NOTE_VKEY_MAX], err[HS_ERRLEN];
	size_t i;
	enum hs_err rc;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		rc = leaf_parse(good[i], strlen(good[i]), &lf, err);
		T_OK(rc == HS_OK, "leaf entry %zu parses: %s", i, err);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rc = leaf_parse(bad[i], strlen(bad[i]), &lf, err);
		T_OK(rc == HS_ERR_FORMAT, "bad leaf entry %zu rejected: %s", i,
		    err);
	}
	buf_init(&b);
	rc = leaf_issue("2024-7K3M-9Q2D-XW8P-4HJN", "", 0, &b, err);
	T_STREQ(b.data, good[0], "issue entry of an empty note");
	buf_reset(&b);
	leaf_revoke("2024-7K3M-9Q2D-XW8P-4HJN", "error",
	    "2025-01-02T03:04:05Z", &b, err);
	T_STREQ(b.data, good[1], "revoke entry");
	note_signer_new(ORIGIN, seed1, &sg, err);
	note_signer_vkey(sg, vkey, sizeof(vkey));
	buf_reset(&b);
	rc = leaf_key(vkey, "2025-01-01T00:00:00Z", &b, err);
	T_OK(rc == HS_OK && leaf_parse(b.data, b.len, &lf, err) == HS_OK &&
	    lf.kind == LEAF_KEY && strcmp(lf.vkey, vkey) == 0,
	    "key entry round trip: %s", b.data);
	buf_reset(&b);
	leaf_issue("2024-7K3M-9Q2D-XW8P-4HJN", "x", 1, &b, err);
	T_OK(strcmp(b.data, good[0]) != 0, "another note, another issue entry");
	note_signer_free(sg);
	buf_free(&b);
}

/* Alters stored rows with the triggers dropped; audit must say where. */
static void
test_audit(sqlite3 *db, struct ledger *l, struct note_verifier *v,
    struct note_verifier *unknown)
{
	struct ledger_audit_result res;
	char err[HS_ERRLEN];
	enum hs_err rc;

	rc = ledger_audit(l, &v, 1, &res, err);
	T_OK(rc == HS_OK && res.leaves == 333 && res.checkpoints == 2,
	    "audit of the untouched ledger passes (%llu leaves, %llu "
	    "checkpoints) %s", (unsigned long long)res.leaves,
	    (unsigned long long)res.checkpoints, rc == HS_OK ? "" : err);
	rc = ledger_audit(l, &unknown, 1, &res, err);
	T_OK(rc == HS_ERR_SIGNATURE && res.bad_checkpoint && res.bad == 300,
	    "audit without the signing key fails at checkpoint 300");

	store_exec(db, "DROP TRIGGER leaves_no_update; DROP TRIGGER "
	    "tree_no_update; DROP TRIGGER checkpoints_no_update", err);
	store_exec(db, "SAVEPOINT t1", err);
	rc = store_exec(db, "UPDATE leaves SET entry = "
	    "CAST('hourseal/leaf/v1 test 2O0' AS BLOB) WHERE idx = 200", err);
	T_OK(rc == HS_OK, "changed one byte of leaf 200 (triggers dropped)");
	rc = ledger_audit(l, &v, 1, &res, err);
	T_OK(rc == HS_ERR_SIGNATURE && res.bad == 200 && !res.bad_checkpoint,
	    "audit names leaf 200: %s", err);
	store_exec(db, "ROLLBACK TO t1", err);

	/* Entry and leaf hash changed together: the subtree catches it. */
	store_exec(db, "UPDATE leaves SET entry = CAST('forged' AS BLOB) "
	    "WHERE idx = 5", err);
	{
		merkle_hash h;
		sqlite3_stmt *s;

		merkle_leaf_hash("forged", 6, h);
		sqlite3_prepare_v2(db, "UPDATE leaves SET hash = ? WHERE "
		    "idx = 5", -1, &s, NULL);
		sqlite3_bind_blob(s, 1, h, 32, SQLITE_STATIC);
		sqlite3_step(s);
		sqlite3_finalize(s);
	}
	rc = ledger_audit(l, &v, 1, &res, err);
	T_OK(rc == HS_ERR_SIGNATURE && res.bad == 4, "audit finds a "
	    "consistently rehashed leaf 5 through its subtree (first bad "
	    "index 4): %s", err);
	store_exec(db, "ROLLBACK TO t1", err);

	store_exec(db, "UPDATE tree SET hash = zeroblob(32) WHERE id = "
	    "(SELECT max(id) FROM tree)", err);
	rc = ledger_audit(l, &v, 1, &res, err);
	T_OK(rc == HS_ERR_SIGNATURE, "audit finds an altered subtree hash: %s",
	    err);
	store_exec(db, "ROLLBACK TO t1", err);

	store_exec(db, "UPDATE checkpoints SET note = replace(note, '333', "
	    "'332') WHERE size = 333", err);
	rc = ledger_audit(l, &v, 1, &res, err);
	T_OK(rc == HS_ERR_SIGNATURE && res.bad_checkpoint && res.bad == 333,
	    "audit finds an altered checkpoint note: %s", err);
	store_exec(db, "ROLLBACK TO t1; RELEASE t1", err);
	rc = ledger_audit(l, &v, 1, &res, err);
	T_OK(rc == HS_OK, "audit passes again after the rollback");

	/* Signing refuses to extend a tree that no longer matches. */
	rc = store_exec(db, "SAVEPOINT t2", err);
	if (rc == HS_OK)
		rc = store_exec(db, "UPDATE leaves SET hash = zeroblob(32) "
		    "WHERE idx = 332", err);
	if (rc == HS_OK)
		rc = ledger_append(l, "x", 1, NULL, err);
	T_OK(rc == HS_OK, "altered leaf hash 332 and appended a leaf: %s",
	    rc == HS_OK ? "ok" : err);
	{
		struct note_signer *sg = NULL;

		note_signer_new(ORIGIN, seed1, &sg, err);
		rc = ledger_sign_checkpoint(l, sg, NULL, NULL, err);
		T_OK(rc == HS_ERR_SIGNATURE, "no checkpoint is signed over an "
		    "altered tree: %s", err);
		note_signer_free(sg);
	}
	store_exec(db, "ROLLBACK TO t2; RELEASE t2", err);
}

/*
 * test_ledger --fill DB ORIGIN N BATCH: a tool for the end-to-end tests.
 * Adds the test key (seed1) to the keys table if missing, appends N issue
 * leaves (random serials, digests of random notes) in transactions of
 * BATCH, signing a checkpoint after each, and prints the verifier key.
 */
static int
fill(const char *path, const char *origin, long n, long batch)
{
	sqlite3 *db = NULL;
	struct ledger *l = NULL;
	struct note_signer *sg = NULL;
	sqlite3_stmt *st = NULL;
	struct buf e;
	char err[HS_ERRLEN] = "", vkey[NOTE_VKEY_MAX], serial[SERIAL_SIZE];
	char now[21];
	uint8_t rnd[16];
	long i, k;
	int ret = 2;

	buf_init(&e);
	if (store_open(path, STORE_RW, &db, err) != HS_OK ||
	    ledger_open(db, origin, &l, err) != HS_OK ||
	    note_signer_new(origin, seed1, &sg, err) != HS_OK ||
	    note_signer_vkey(sg, vkey, sizeof(vkey)) != HS_OK)
		goto out;
	time_now_rfc3339(now);
	if (sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO keys(label, vkey, "
	    "created, not_before) VALUES ('test-ledger', ?, ?, ?)", -1, &st,
	    NULL) != SQLITE_OK) {
		store_err(db, err, "keys");
		goto out;
	}
	sqlite3_bind_text(st, 1, vkey, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		store_err(db, err, "keys");
		goto out;
	}
	for (i = 0; i < n; i += batch) {
		if (store_begin(db, err) != HS_OK)
			goto out;
		for (k = i; k < n && k < i + batch; k++) {
			buf_reset(&e);
			if (serial_new(2024, serial) != HS_OK ||
			    random_bytes(rnd, sizeof(rnd)) != HS_OK ||
			    leaf_issue(serial, (const char *)rnd, sizeof(rnd),
			    &e, err) != HS_OK ||
			    ledger_append(l, e.data, e.len, NULL, err) !=
			    HS_OK) {
				store_rollback(db);
				goto out;
			}
		}
		if (ledger_sign_checkpoint(l, sg, NULL, NULL, err) != HS_OK ||
		    store_commit(db, err) != HS_OK) {
			store_rollback(db);
			goto out;
		}
	}
	printf("%s\n", vkey);
	ret = 0;
out:
	if (ret != 0)
		fprintf(stderr, "test_ledger --fill: %s\n", err);
	sqlite3_finalize(st);
	buf_free(&e);
	note_signer_free(sg);
	ledger_close(l);
	store_close(db);
	return ret;
}

/*
 * test_ledger --receipt DB ORIGIN INDEX RECEIPT ENTRY: writes the receipt
 * of leaf INDEX against the latest checkpoint, and the leaf's entry.
 */
static int
receipt_tool(const char *path, const char *origin, long index,
    const char *rpath, const char *epath)
{
	sqlite3 *db = NULL;
	struct ledger *l = NULL;
	struct buf cp, r, e;
	char err[HS_ERRLEN] = "";
	int ret = 2;

	buf_init(&cp);
	buf_init(&r);
	buf_init(&e);
	if (store_open(path, STORE_RO, &db, err) != HS_OK ||
	    ledger_open(db, origin, &l, err) != HS_OK ||
	    ledger_latest_checkpoint(l, &cp, NULL, err) != HS_OK ||
	    ledger_receipt(l, (uint64_t)index, cp.data, cp.len, &r, err) !=
	    HS_OK ||
	    ledger_entry(l, (uint64_t)index, &e, err) != HS_OK ||
	    file_write_atomic(rpath, r.data, r.len, 0644, err) != HS_OK ||
	    file_write_atomic(epath, e.data, e.len, 0644, err) != HS_OK)
		goto out;
	ret = 0;
out:
	if (ret != 0)
		fprintf(stderr, "test_ledger --receipt: %s\n", err);
	buf_free(&cp);
	buf_free(&r);
	buf_free(&e);
	ledger_close(l);
	store_close(db);
	return ret;
}

int
main(int argc, char **argv)
{
	sqlite3 *db = NULL;
	struct ledger *l = NULL;
	struct naive nv;
	struct note_signer *sg = NULL, *sg2 = NULL;
	struct note_verifier *v = NULL, *unknown = NULL;
	char err[HS_ERRLEN], vkey[NOTE_VKEY_MAX];
	enum hs_err rc;

	if (argc == 6 && strcmp(argv[1], "--fill") == 0)
		return fill(argv[2], argv[3], atol(argv[4]), atol(argv[5]));
	if (argc == 7 && strcmp(argv[1], "--receipt") == 0)
		return receipt_tool(argv[2], argv[3], atol(argv[4]), argv[5],
		    argv[6]);
	if (argc != 1) {
		fprintf(stderr, "usage: test_ledger [--fill DB ORIGIN N "
		    "BATCH | --receipt DB ORIGIN INDEX RECEIPT ENTRY]\n");
		return 2;
	}
	rc = store_open(":memory:", STORE_CREATE, &db, err);
	T_OK(rc == HS_OK, "in-memory store: %s", rc == HS_OK ? "ok" : err);
	if (rc != HS_OK)
		return t_done();
	rc = ledger_open(db, "bad origin", &l, err);
	T_OK(rc != HS_OK, "origin with a space refused");
	rc = ledger_open(db, ORIGIN, &l, err);
	T_OK(rc == HS_OK, "ledger opens");
	note_signer_new(ORIGIN, seed1, &sg, err);
	note_signer_new(ORIGIN, seed2, &sg2, err);
	note_signer_vkey(sg, vkey, sizeof(vkey));
	note_verifier_parse(vkey, &v, err);
	note_signer_vkey(sg2, vkey, sizeof(vkey));
	note_verifier_parse(vkey, &unknown, err);

	naive_init(&nv, 340);
	test_proofs(db, l, &nv);
	test_checkpoints(db, l, &nv, sg, v);
	test_receipts(l, v, unknown, sg2);
	test_note_tamper(l, v);
	test_tiles(l, &nv);
	test_tile_dir(l, 333);
	test_leaf();
	test_audit(db, l, v, unknown);

	naive_free(&nv);
	note_signer_free(sg);
	note_signer_free(sg2);
	note_verifier_free(v);
	note_verifier_free(unknown);
	ledger_close(l);
	store_close(db);
	return t_done();
}
