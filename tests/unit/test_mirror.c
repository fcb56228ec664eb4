/*
 * test_mirror.c - lib/mirror: reading a copy of a ledger's tiles. Trees
 * are written here independently of the code under test (every tile hash
 * read from lib/mtree's perfect subtrees), then read back whole, at
 * several sizes, and damaged in every way a hostile mirror could.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tlog/checkpoint.h"
#include "tlog/merkle.h"
#include "tlog/mirror.h"
#include "tlog/mtree.h"
#include "tlog/note.h"
#include "t.h"
#include "tlib.h"
#include "tlog/tile.h"

#define ORIGIN "ledger.test/mirror"

static char top[64];
static struct note_signer *sg, *sg_other, *sg_name;
static struct note_verifier *vf;

static void
entry_text(uint64_t i, char *out, size_t outsz)
{
	/* Lengths vary so bundles are not all alike. */
	snprintf(out, outsz, "hourseal/leaf/v1 test %llu %.*s",
	    (unsigned long long)i, (int)(i % 37), "abcdefghijklmnopqrstuvwxyz0123456789");
}

static void
mkparents(const char *path)
{
	char tmp[1024];
	size_t i;

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (i = strlen(top) + 1; tmp[i] != '\0'; i++) {
		if (tmp[i] != '/')
			continue;
		tmp[i] = '\0';
		mkdir(tmp, 0755);
		tmp[i] = '/';
	}
}

static void
put(const char *dir, const char *rel, const void *data, size_t n)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	mkparents(path);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(data, 1, n, f) != n) {
		perror(path);
		exit(2);
	}
	fclose(f);
}

/* Signs and writes DIR/checkpoint for the first size leaves of t. */
static void
put_checkpoint(const char *dir, struct mtree *t, uint64_t size,
    const struct note_signer *s, const char *origin)
{
	struct buf text, note;
	merkle_hash root;
	char err[HS_ERRLEN];

	buf_init(&text);
	buf_init(&note);
	mtree_root(t, size, root, err);
	checkpoint_format(origin, size, root, &text, err);
	note_sign(s, text.data, text.len, &note, err);
	put(dir, "checkpoint", note.data, note.len);
	buf_free(&text);
	buf_free(&note);
}

/*
 * Writes the tiles of a tree of n leaves under dir (the entries of t, its
 * first n leaves) and a checkpoint for size n.
 */
static struct mtree *
write_tree(const char *dir, uint64_t n)
{
	struct mtree *t = NULL;
	struct buf b;
	struct tile tl;
	char rel[TILE_PATH_MAX], e[128], err[HS_ERRLEN];
	merkle_hash h;
	uint64_t i, count, nt, k;
	unsigned level, w, j;

	mtree_new(&t, err);
	buf_init(&b);
	mkdir(dir, 0755);
	for (i = 0; i < n; i++) {
		entry_text(i, e, sizeof(e));
		merkle_leaf_hash(e, strlen(e), h);
		mtree_append(t, h, err);
	}
	/* Entry bundles. */
	for (k = 0; k * TILE_WIDTH < n; k++) {
		w = (k + 1) * TILE_WIDTH <= n ? TILE_WIDTH :
		    (unsigned)(n % TILE_WIDTH);
		buf_reset(&b);
		for (j = 0; j < w; j++) {
			uint8_t l2[2];
			size_t el;

			entry_text(k * TILE_WIDTH + j, e, sizeof(e));
			el = strlen(e);
			l2[0] = (uint8_t)(el >> 8);
			l2[1] = (uint8_t)el;
			buf_add(&b, l2, 2);
			buf_add(&b, e, el);
		}
		tl = (struct tile){ true, 0, k, w };
		tile_path_format(&tl, rel, sizeof(rel));
		put(dir, rel, b.data, b.len);
	}
	/* Hash tiles on every level that has any. */
	for (level = 0; (count = tile_level_hashes(level, n)) > 0; level++) {
		nt = count / TILE_WIDTH + (count % TILE_WIDTH != 0);
		for (k = 0; k < nt; k++) {
			w = (k + 1) * TILE_WIDTH <= count ? TILE_WIDTH :
			    (unsigned)(count % TILE_WIDTH);
			buf_reset(&b);
			for (j = 0; j < w; j++) {
				mtree_read(t, level * TILE_HEIGHT,
				    k * TILE_WIDTH + j, h, err);
				buf_add(&b, h, MERKLE_HASH);
			}
			tl = (struct tile){ false, level, k, w };
			tile_path_format(&tl, rel, sizeof(rel));
			put(dir, rel, b.data, b.len);
		}
	}
	put_checkpoint(dir, t, n, sg, ORIGIN);
	buf_free(&b);
	return t;
}

struct seen {
	uint64_t n;
	int bad;
};

static enum hs_err
on_entry(void *ctx, uint64_t index, const char *entry, size_t len,
    const merkle_hash lh, char *err)
{
	struct seen *s = ctx;
	char e[128];
	merkle_hash h;

	entry_text(index, e, sizeof(e));
	merkle_leaf_hash(e, strlen(e), h);
	if (index != s->n || len != strlen(e) || memcmp(entry, e, len) != 0 ||
	    memcmp(lh, h, MERKLE_HASH) != 0)
		s->bad++;
	s->n++;
	return HS_OK;
}

/* mirror_checkpoint then mirror_scan; the scan's error, or the open's. */
static enum hs_err
scan(const char *dir, char *err)
{
	struct checkpoint cp;
	struct seen s = { 0, 0 };
	enum hs_err rc;

	if ((rc = mirror_checkpoint(dir, ORIGIN, &vf, 1, &cp, err)) != HS_OK)
		return rc;
	return mirror_scan(dir, &cp, NULL, 0, NULL, on_entry, &s, err);
}

static void
test_sizes(void)
{
	static const uint64_t sizes[] = { 0, 1, 255, 256, 257, 513,
	    65536 + 300 };
	char dir[128], err[HS_ERRLEN];
	struct checkpoint cp;
	struct mtree *t;
	struct seen s;
	uint64_t at[4];
	merkle_hash root_at[4], want;
	size_t i, k;
	enum hs_err rc;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		snprintf(dir, sizeof(dir), "%s/size%zu", top, i);
		t = write_tree(dir, sizes[i]);
		rc = mirror_checkpoint(dir, ORIGIN, &vf, 1, &cp, err);
		T_OK(rc == HS_OK && cp.size == sizes[i], "checkpoint of a tree "
		    "of %llu opens: %s", (unsigned long long)sizes[i],
		    rc ? err : "");
		at[0] = 0;
		at[1] = sizes[i] / 2;
		at[2] = sizes[i] > 0 ? sizes[i] - 1 : 0;
		at[3] = sizes[i] + 1; /* beyond: left alone */
		memset(root_at, 0xAA, sizeof(root_at));
		memset(&s, 0, sizeof(s));
		rc = mirror_scan(dir, &cp, at, 4, root_at, on_entry, &s, err);
		T_OK(rc == HS_OK, "tree of %llu verifies: %s",
		    (unsigned long long)sizes[i], rc ? err : "");
		T_OK(s.n == sizes[i] && s.bad == 0, "all %llu entries handed "
		    "out in order (%llu, %d wrong)",
		    (unsigned long long)sizes[i], (unsigned long long)s.n,
		    s.bad);
		for (k = 0; k < 3; k++) {
			mtree_root(t, at[k], want, err);
			T_OK(memcmp(root_at[k], want, MERKLE_HASH) == 0,
			    "root at %llu of %llu", (unsigned long long)at[k],
			    (unsigned long long)sizes[i]);
		}
		T_OK(root_at[3][0] == 0xAA && root_at[3][31] == 0xAA,
		    "no root beyond the tree's size");
		mtree_free(t);
	}
}

static void
cmd(const char *fmt, ...)
{
	char c[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c, sizeof(c), fmt, ap);
	va_end(ap);
	if (system(c) != 0) {
		fprintf(stderr, "failed: %s\n", c);
		exit(2);
	}
}

/* Flips one byte of dir/rel at off. */
static void
flip(const char *dir, const char *rel, long off)
{
	char path[1024];
	FILE *f;
	int c;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "r+b");
	fseek(f, off, SEEK_SET);
	c = fgetc(f);
	fseek(f, off, SEEK_SET);
	fputc(c ^ 0x01, f);
	fclose(f);
}

/* A fresh copy of the good tree in dir/name; returns its path. */
static const char *
copy(const char *good, const char *name)
{
	static char d[256];

	snprintf(d, sizeof(d), "%s/%s", top, name);
	if (t_rmtree(d) != 0) {
		fprintf(stderr, "failed: removing %s\n", d);
		exit(2);
	}
	cmd("cp -a '%s' '%s'", good, d);
	return d;
}

/*
 * Replaces leaf i's entry in its bundle and its level-0 hash with those
 * of another entry of the same length, so bundle and tile agree and only
 * the tiles above or the root can tell.
 */
static void
forge_leaf(const char *dir, uint64_t n, uint64_t i)
{
	char rel[TILE_PATH_MAX], path[1024], e[128];
	struct tile tl;
	uint64_t k = i / TILE_WIDTH;
	unsigned w = (k + 1) * TILE_WIDTH <= n ? TILE_WIDTH :
	    (unsigned)(n % TILE_WIDTH);
	long off = 0;
	uint64_t j;
	merkle_hash h;
	FILE *f;

	for (j = k * TILE_WIDTH; j < i; j++) {
		entry_text(j, e, sizeof(e));
		off += 2 + (long)strlen(e);
	}
	entry_text(i, e, sizeof(e));
	e[strlen(e) - 1] ^= 0x01; /* same length, other bytes */
	tl = (struct tile){ true, 0, k, w };
	tile_path_format(&tl, rel, sizeof(rel));
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "r+b");
	fseek(f, off + 2, SEEK_SET);
	fwrite(e, 1, strlen(e), f);
	fclose(f);
	merkle_leaf_hash(e, strlen(e), h);
	tl = (struct tile){ false, 0, k, w };
	tile_path_format(&tl, rel, sizeof(rel));
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "r+b");
	fseek(f, (long)(i % TILE_WIDTH) * MERKLE_HASH, SEEK_SET);
	fwrite(h, 1, MERKLE_HASH, f);
	fclose(f);
}

static void
test_hostile(void)
{
	char good[128], outside[128], err[HS_ERRLEN];
	const char *d;
	struct checkpoint cp;
	struct mtree *t;
	enum hs_err rc;
	uint64_t n = 600; /* tiles 0/000, 0/001 full, 0/002.p/88, 1/000.p/2 */

	snprintf(good, sizeof(good), "%s/good", top);
	t = write_tree(good, n);
	T_OK(scan(good, err) == HS_OK, "the good copy verifies: %s", err);
	snprintf(outside, sizeof(outside), "%s/outside", top);
	cmd("cp -a '%s' '%s'", good, outside);

	d = copy(good, "flip-entry");
	flip(d, "tile/entries/001", 100);
	rc = scan(d, err);
	T_OK(rc == HS_ERR_SIGNATURE, "a changed entry byte is caught: %s", err);

	d = copy(good, "forge-full");
	forge_leaf(d, n, 300);
	rc = scan(d, err);
	T_OK(rc == HS_ERR_SIGNATURE && strstr(err, "tile/1/000.p/2") != NULL,
	    "an entry changed with its level-0 hash is caught by level 1: %s",
	    err);
	d = copy(good, "forge-partial");
	forge_leaf(d, n, 590);
	rc = scan(d, err);
	T_OK(rc == HS_ERR_SIGNATURE && strstr(err, "root") != NULL,
	    "an entry in the partial tile changed with its hash is caught by "
	    "the signed root: %s", err);

	d = copy(good, "flip-l1");
	flip(d, "tile/1/000.p/2", 40);
	T_OK(scan(d, err) == HS_ERR_SIGNATURE, "a changed level-1 hash: %s",
	    err);

	d = copy(good, "trunc");
	cmd("truncate -s 8000 '%s/tile/0/001'", d);
	T_OK(scan(d, err) == HS_ERR_FORMAT, "a truncated tile: %s", err);
	d = copy(good, "trunc-bundle");
	cmd("truncate -s 3000 '%s/tile/entries/001'", d);
	T_OK(scan(d, err) == HS_ERR_FORMAT, "a truncated bundle: %s", err);
	d = copy(good, "extra-bundle");
	cmd("printf 'xx' >>'%s/tile/entries/002.p/88'", d);
	T_OK(scan(d, err) == HS_ERR_FORMAT, "bytes after a bundle's entries: "
	    "%s", err);
	d = copy(good, "huge");
	cmd("truncate -s 3000000000 '%s/tile/entries/000'", d);
	T_OK(scan(d, err) == HS_ERR_TOOBIG, "a 3 GB bundle is refused by its "
	    "size: %s", err);
	d = copy(good, "huge-cp");
	cmd("truncate -s 100000 '%s/checkpoint'", d);
	T_OK(scan(d, err) == HS_ERR_TOOBIG, "a 100 KB checkpoint: %s", err);
	d = copy(good, "long-entry");
	cmd("printf '\\377\\377' | dd of='%s/tile/entries/002.p/88' bs=1 "
	    "seek=0 conv=notrunc status=none", d);
	T_OK(scan(d, err) == HS_ERR_TOOBIG, "an entry longer than %d bytes: "
	    "%s", MIRROR_ENTRY_MAX, err);
	d = copy(good, "missing");
	cmd("rm '%s/tile/0/002.p/88'", d);
	T_OK(scan(d, err) == HS_ERR_NOTFOUND, "a missing tile: %s", err);
	d = copy(good, "no-cp");
	cmd("rm '%s/checkpoint'", d);
	T_OK(scan(d, err) == HS_ERR_NOTFOUND, "no checkpoint: %s", err);

	/* Links: refused even when what they point at is genuine. */
	d = copy(good, "link-file");
	cmd("rm '%s/tile/entries/000' && ln -s '%s/tile/entries/000' "
	    "'%s/tile/entries/000'", d, outside, d);
	T_OK(scan(d, err) == HS_ERR_FORMAT, "a tile linked out of the copy: %s",
	    err);
	d = copy(good, "link-dir");
	cmd("rm -r '%s/tile/0' && ln -s ../../outside/tile/0 '%s/tile/0'", d,
	    d);
	T_OK(scan(d, err) == HS_ERR_FORMAT, "a tile directory linked out of "
	    "the copy (../..): %s", err);
	d = copy(good, "link-cp");
	cmd("rm '%s/checkpoint' && ln -s '%s/checkpoint' '%s/checkpoint'", d,
	    outside, d);
	T_OK(scan(d, err) == HS_ERR_FORMAT, "a linked checkpoint: %s", err);
	d = copy(good, "link-inside");
	cmd("mv '%s/tile/entries/001' '%s/e1' && ln -s ../../e1 "
	    "'%s/tile/entries/001'", d, d, d);
	T_OK(scan(d, err) == HS_ERR_FORMAT, "even a link inside the copy: %s",
	    err);
	d = copy(good, "fifo");
	cmd("rm '%s/tile/0/000' && mkfifo '%s/tile/0/000'", d, d);
	T_OK(scan(d, err) == HS_ERR_FORMAT, "a FIFO for a tile, without "
	    "blocking: %s", err);
	d = copy(good, "dir-for-file");
	cmd("rm '%s/tile/entries/000' && mkdir '%s/tile/entries/000'", d, d);
	T_OK(scan(d, err) == HS_ERR_FORMAT, "a directory for a tile: %s", err);
	d = copy(good, "file-for-dir");
	cmd("rm -r '%s/tile/entries' && touch '%s/tile/entries'", d, d);
	T_OK(scan(d, err) == HS_ERR_FORMAT, "a file for a directory: %s", err);
	{
		char lk[160];

		snprintf(lk, sizeof(lk), "%s/link-to-copy", top);
		if (symlink(good, lk) != 0)
			perror(lk);
		rc = scan(lk, err);
		T_OK(rc == HS_OK, "DIR itself may be a link (the user named "
		    "it)%s%s", rc ? ": " : "", rc ? err : "");
	}

	/* Checkpoints: another key, another origin, size and root. */
	d = copy(good, "other-key");
	put_checkpoint(d, t, n, sg_other, ORIGIN);
	T_OK(scan(d, err) == HS_ERR_SIGNATURE, "a checkpoint by another key: "
	    "%s", err);
	d = copy(good, "other-origin");
	put_checkpoint(d, t, n, sg_name, "ledger.test/other");
	T_OK(scan(d, err) == HS_ERR_SIGNATURE, "another log's checkpoint: %s",
	    err);
	/* A smaller signed size of the same tree: its partial tiles. */
	{
		char d300[160];
		struct mtree *t300;

		snprintf(d300, sizeof(d300), "%s/tree300", top);
		t300 = write_tree(d300, 300);
		mtree_free(t300);
		d = copy(good, "older");
		cmd("cp -a '%s/tile/1/000.p' '%s/tile/1/'", d300, d);
	}
	put_checkpoint(d, t, 300, sg, ORIGIN);
	{
		char p44[300];

		snprintf(p44, sizeof(p44), "%s/tile/entries/001.p/44", d);
		T_OK(access(p44, F_OK) != 0 && errno == ENOENT,
		    "the copy has no partial bundle 001.p/44");
	}
	rc = scan(d, err);
	T_OK(rc == HS_OK, "a missing partial tile is read from the full one: "
	    "%s", rc ? err : "");
	rc = mirror_checkpoint(d, ORIGIN, &vf, 1, &cp, err);
	T_OK(rc == HS_OK && cp.size == 300, "that checkpoint is size 300");
	mtree_free(t);
}

int
main(void)
{
	uint8_t seed1[32], seed2[32];
	char err[HS_ERRLEN], vkey[NOTE_VKEY_MAX];

	memset(seed1, 1, sizeof(seed1));
	memset(seed2, 2, sizeof(seed2));
	if (t_tmpdir("mirror", top, sizeof(top)) != 0)
		return 2;
	note_signer_new(ORIGIN, seed1, &sg, err);
	note_signer_new(ORIGIN, seed2, &sg_other, err);
	note_signer_new("ledger.test/other", seed1, &sg_name, err);
	note_signer_vkey(sg, vkey, sizeof(vkey));
	note_verifier_parse(vkey, &vf, err);
	test_sizes();
	test_hostile();
	note_signer_free(sg);
	note_signer_free(sg_other);
	note_signer_free(sg_name);
	note_verifier_free(vf);
	if (t_rmtree(top) != 0) {
		fprintf(stderr, "failed: removing %s\n", top);
		exit(2);
	}
	return t_done();
}
