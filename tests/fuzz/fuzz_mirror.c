/*
 * fuzz_mirror.c - libFuzzer target for the entry-bundle reader of
 * lib/mirror (check --ledger). The first byte is the tree size W (1..255,
 * one partial tile); the rest is written as tile/entries/000.p/W in a
 * scratch directory. tile/0/000.p/W gets the leaf hashes of the entries
 * when the input holds W of them (so the scan reaches the root), zeroes
 * otherwise. The checkpoint's root is the root of those hashes half of
 * the time. Any input must be handled without a crash or a leak; a scan
 * that succeeds must have handed out exactly W entries that fill the
 * bundle.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tlog/merkle.h"
#include "tlog/mirror.h"
#include "tlog/mtree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

static void
put(const char *rel, const void *p, size_t n)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if ((f = fopen(path, "wb")) == NULL)
		abort();
	if (n > 0 && fwrite(p, 1, n, f) != n)
		abort();
	fclose(f);
}

/* Removes the scratch directories (the files go after each input). */
static void
cleanup(void)
{
	static const char *const sub[] = { "tile/0/000.p", "tile/0",
	    "tile/entries/000.p", "tile/entries", "tile", "" };
	char path[256];
	size_t i;

	for (i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, sub[i]);
		rmdir(path);
	}
}

struct count {
	size_t n, bytes;
};

static enum hs_err
on_entry(void *ctx, uint64_t index, const char *entry, size_t len,
    const merkle_hash lh, char *err)
{
	struct count *c = ctx;

	if (index != c->n)
		abort();
	c->n++;
	c->bytes += 2 + len;
	return HS_OK;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static merkle_hash hashes[255];
	char rel[64], err[HS_ERRLEN];
	struct checkpoint cp;
	struct count c = { 0, 0 };
	struct mtree *t = NULL;
	size_t off = 0, n, i;
	unsigned w;
	bool whole = true;

	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "/tmp/fuzz-mirror.XXXXXX");
		if (mkdtemp(dir) == NULL)
			abort();
		snprintf(rel, sizeof(rel), "%s/tile", dir);
		mkdir(rel, 0755);
		snprintf(rel, sizeof(rel), "%s/tile/entries", dir);
		mkdir(rel, 0755);
		snprintf(rel, sizeof(rel), "%s/tile/entries/000.p", dir);
		mkdir(rel, 0755);
		snprintf(rel, sizeof(rel), "%s/tile/0", dir);
		mkdir(rel, 0755);
		snprintf(rel, sizeof(rel), "%s/tile/0/000.p", dir);
		mkdir(rel, 0755);
		atexit(cleanup);
	}
	if (size < 1 || data[0] == 0)
		return 0;
	w = data[0];
	data++;
	size--;
	/* The hashes of the first w entries, if there are w. */
	memset(hashes, 0, sizeof(hashes));
	for (i = 0; i < w; i++) {
		if (size - off < 2) {
			whole = false;
			break;
		}
		n = (size_t)data[off] << 8 | data[off + 1];
		if (size - off - 2 < n) {
			whole = false;
			break;
		}
		merkle_leaf_hash(data + off + 2, n, hashes[i]);
		off += 2 + n;
	}
	snprintf(rel, sizeof(rel), "tile/entries/000.p/%u", w);
	put(rel, data, size);
	snprintf(rel, sizeof(rel), "tile/0/000.p/%u", w);
	put(rel, hashes, (size_t)w * MERKLE_HASH);
	memset(&cp, 0, sizeof(cp));
	cp.size = w;
	if (mtree_new(&t, err) != HS_OK)
		abort();
	for (i = 0; i < w; i++)
		mtree_append(t, hashes[i], err);
	if (size % 2 == 0)
		mtree_root(t, w, cp.root, err);
	mtree_free(t);
	if (mirror_scan(dir, &cp, NULL, 0, NULL, on_entry, &c, err) ==
	    HS_OK && (!whole || c.n != w || c.bytes != size))
		abort();
	snprintf(rel, sizeof(rel), "%s/tile/entries/000.p/%u", dir, w);
	unlink(rel);
	snprintf(rel, sizeof(rel), "%s/tile/0/000.p/%u", dir, w);
	unlink(rel);
	return 0;
}
