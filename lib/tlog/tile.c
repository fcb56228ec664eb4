/*
 * tile.c - c2sp.org/tlog-tiles paths and a reader over a tile directory.
 * See tile.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlog/tile.h"
#include "core/util.h"

/* Appends N as x001/x234/067 groups; returns -1 if it does not fit. */
static int
put_index(uint64_t n, char *out, size_t outsz, size_t *off)
{
	char groups[8][4];
	int ng = 0, i, w;

	do {
		snprintf(groups[ng++], sizeof(groups[0]), "%03u",
		    (unsigned)(n % 1000));
		n /= 1000;
	} while (n > 0 && ng < 8);
	for (i = ng - 1; i >= 0; i--) {
		w = snprintf(out + *off, outsz - *off, "%s%s%s",
		    i == ng - 1 ? "" : "/", i > 0 ? "x" : "", groups[i]);
		if (w < 0 || (size_t)w >= outsz - *off)
			return -1;
		*off += (size_t)w;
	}
	return 0;
}

int
tile_path_format(const struct tile *t, char *out, size_t outsz)
{
	size_t off = 0;
	int w;

	if (t->width < 1 || t->width > TILE_WIDTH ||
	    t->level > TILE_MAX_LEVEL || (t->entries && t->level != 0))
		return -1;
	if (t->entries)
		w = snprintf(out, outsz, "tile/entries/");
	else
		w = snprintf(out, outsz, "tile/%u/", t->level);
	if (w < 0 || (size_t)w >= outsz)
		return -1;
	off = (size_t)w;
	if (put_index(t->index, out, outsz, &off) != 0)
		return -1;
	if (t->width < TILE_WIDTH) {
		w = snprintf(out + off, outsz - off, ".p/%u", t->width);
		if (w < 0 || (size_t)w >= outsz - off)
			return -1;
	}
	return 0;
}

/* A canonical decimal in [0, max] of at most 3 digits; -1 otherwise. */
static int
small_dec(const char *s, size_t n, unsigned max, unsigned *out)
{
	unsigned v = 0;
	size_t i;

	if (n == 0 || n > 3 || (n > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

enum hs_err
tile_path_parse(const char *path, struct tile *t, char *err)
{
	const char *p = path, *q;
	char again[TILE_PATH_MAX];
	uint64_t n = 0;
	unsigned w, groups = 0;
	size_t len;

	memset(t, 0, sizeof(*t));
	if (*p == '/')
		p++;
	len = strlen(p);
	if (len >= TILE_PATH_MAX)
		return hs_fail(err, HS_ERR_FORMAT, "tile path is too long");
	if (strncmp(p, "tile/", 5) != 0)
		return hs_fail(err, HS_ERR_FORMAT, "not a tile path");
	p += 5;
	if (strncmp(p, "entries/", 8) == 0) {
		t->entries = true;
		p += 8;
	} else {
		if ((q = strchr(p, '/')) == NULL ||
		    small_dec(p, (size_t)(q - p), TILE_MAX_LEVEL,
		    &t->level) != 0)
			return hs_fail(err, HS_ERR_FORMAT, "tile level is not "
			    "a number 0..63 without leading zeroes");
		p = q + 1;
	}
	/* Index groups: "xDDD/" ... then "DDD". */
	for (;;) {
		int x = *p == 'x';
		unsigned g;

		if (x)
			p++;
		if (strlen(p) < 3 || p[0] < '0' || p[0] > '9' ||
		    p[1] < '0' || p[1] > '9' || p[2] < '0' || p[2] > '9')
			return hs_fail(err, HS_ERR_FORMAT, "tile index groups "
			    "must be 3 digits");
		g = (unsigned)((p[0] - '0') * 100 + (p[1] - '0') * 10 +
		    (p[2] - '0'));
		if (++groups > 6)
			return hs_fail(err, HS_ERR_FORMAT, "tile index is too "
			    "large");
		n = n * 1000 + g;
		p += 3;
		if (x) {
			if (*p != '/')
				return hs_fail(err, HS_ERR_FORMAT, "tile index "
				    "group x%03u must be followed by '/'", g);
			p++;
			continue;
		}
		break;
	}
	t->index = n;
	t->width = TILE_WIDTH;
	if (*p != '\0') {
		if (strncmp(p, ".p/", 3) != 0 ||
		    small_dec(p + 3, strlen(p + 3), TILE_WIDTH - 1, &w) != 0 ||
		    w == 0)
			return hs_fail(err, HS_ERR_FORMAT, "partial tile suffix "
			    "must be .p/W with W in 1..255");
		t->width = w;
	}
	if (t->index > (MERKLE_MAX_SIZE >> TILE_HEIGHT))
		return hs_fail(err, HS_ERR_FORMAT, "tile index is too large");
	/* Only the canonical spelling (no x000 groups etc.). */
	if (tile_path_format(t, again, sizeof(again)) != 0 ||
	    strcmp(again, path[0] == '/' ? path + 1 : path) != 0)
		return hs_fail(err, HS_ERR_FORMAT, "tile path is not in "
		    "canonical form (expected %s)", again);
	return HS_OK;
}

uint64_t
tile_level_hashes(unsigned level, uint64_t size)
{
	if (level >= 8) /* 256^8 = 2^64: no tree is that large */
		return 0;
	return size >> (TILE_HEIGHT * level);
}

/* Sets t to tile index of (entries, level) if that level has it. */
static bool
range_at(uint64_t size, bool entries, unsigned level, uint64_t index,
    struct tile *t)
{
	uint64_t total = tile_level_hashes(level, size);

	if (index * TILE_WIDTH >= total)
		return false;
	t->entries = entries;
	t->level = level;
	t->index = index;
	t->width = (index + 1) * TILE_WIDTH <= total ? TILE_WIDTH :
	    (unsigned)(total % TILE_WIDTH);
	return true;
}

bool
tile_range_first(uint64_t size, struct tile *t)
{
	return range_at(size, true, 0, 0, t);
}

bool
tile_range_next(uint64_t size, struct tile *t)
{
	unsigned level;

	if (range_at(size, t->entries, t->level, t->index + 1, t))
		return true;
	/* The level is done: the next one (entry bundles go before level 0),
	 * as long as it has any hash at all. */
	level = t->entries ? 0 : t->level + 1;
	return level < 8 && range_at(size, false, level, 0, t);
}

bool
tile_keep(const struct tile *t, uint64_t file_size)
{
	if (t->width != TILE_WIDTH)
		return false;
	if (t->entries)
		return file_size >= (uint64_t)TILE_WIDTH * 2;
	return file_size == (uint64_t)TILE_WIDTH * MERKLE_HASH;
}

enum hs_err
tile_dir_read(void *ctx, unsigned level, uint64_t index, merkle_hash out,
    char *err)
{
	const struct tile_dir *d = ctx;
	struct tile t;
	char rel[TILE_PATH_MAX], path[4096];
	char *data = NULL;
	size_t len, i, count, off;
	unsigned tl = level / TILE_HEIGHT, sub = level % TILE_HEIGHT;
	uint64_t first, avail;
	merkle_hash *h = NULL;
	enum hs_err rc;

	/*
	 * The subtree is 2^sub consecutive hashes of tile level tl; they
	 * all lie in one tile because 2^sub divides 256.
	 */
	if (index > (MERKLE_MAX_SIZE >> level))
		return hs_fail(err, HS_ERR_INVALID, "subtree index too large");
	first = index << sub;
	count = (size_t)1 << sub;
	avail = tile_level_hashes(tl, d->size);
	if (first + count > avail)
		return hs_fail(err, HS_ERR_NOTFOUND, "subtree %u/%llu is not "
		    "in a tree of size %llu", level, (unsigned long long)index,
		    (unsigned long long)d->size);
	t.entries = false;
	t.level = tl;
	t.index = first / TILE_WIDTH;
	t.width = (t.index + 1) * TILE_WIDTH <= avail ? TILE_WIDTH :
	    (unsigned)(avail % TILE_WIDTH);
	off = (size_t)(first % TILE_WIDTH);
	if (tile_path_format(&t, rel, sizeof(rel)) != 0 ||
	    (rc = path_join(path, sizeof(path), d->dir, rel, err)) != HS_OK)
		return hs_fail(err, HS_ERR_INVALID, "tile path too long");
	if ((rc = file_read(path, TILE_WIDTH * MERKLE_HASH, &data, &len,
	    err)) != HS_OK)
		return rc;
	if (len != (size_t)t.width * MERKLE_HASH) {
		rc = hs_fail(err, HS_ERR_FORMAT, "%s: %zu bytes, expected %u",
		    rel, len, t.width * MERKLE_HASH);
		goto out;
	}
	if ((h = malloc(count * sizeof(*h))) == NULL) {
		rc = HS_ERR_NOMEM;
		goto out;
	}
	memcpy(h, data + off * MERKLE_HASH, count * MERKLE_HASH);
	/* Hash the perfect subtree up from its 2^sub bottom hashes. */
	for (; count > 1; count /= 2)
		for (i = 0; i < count / 2; i++)
			merkle_node_hash(h[2 * i], h[2 * i + 1], h[i]);
	memcpy(out, h[0], MERKLE_HASH);
	rc = HS_OK;
out:
	free(h);
	free(data);
	return rc;
}
