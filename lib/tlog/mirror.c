/*
 * mirror.c - reading and verifying a copy of a ledger's tiles. See
 * mirror.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tlog/mirror.h"
#include "tlog/tile.h"

#define LEVELS 8 /* tile levels; level 8 would hold 2^64 leaves */
#define BUNDLE_MAX ((size_t)TILE_WIDTH * (2 + MIRROR_ENTRY_MAX))

/*
 * Why rel[0..n) below DIR (the whole path or the directory part that
 * failed) could not be opened, as an hs_err with err.
 */
static enum hs_err
open_fail(const char *rel, size_t n, int e, char *err)
{
	if (e == ENOENT)
		return hs_fail(err, HS_ERR_NOTFOUND, "%.*s is missing", (int)n,
		    rel);
	if (e == ELOOP || e == ENOTDIR)
		return hs_fail(err, HS_ERR_FORMAT, "%.*s is a symbolic link%s "
		    "(a ledger copy is plain files and directories; no link "
		    "is followed)", (int)n, rel, rel[n] == '/' ? " or not a "
		    "directory" : "");
	return hs_fail(err, HS_ERR_IO, "%.*s: %s", (int)n, rel, strerror(e));
}

/*
 * Opens rel (a relative path with no "." or ".." parts, as tile paths
 * are) below the directory dfd, one component at a time, following no
 * symbolic link; the file must be regular. *fd is -1 on failure.
 */
static enum hs_err
open_below(int dfd, const char *rel, int *fd, char *err)
{
	char path[TILE_PATH_MAX + 16], *comp, *slash;
	struct stat st;
	int cur = dfd, next, e;
	size_t n = strlen(rel);

	*fd = -1;
	if (n == 0 || n >= sizeof(path) || rel[0] == '/')
		return hs_fail(err, HS_ERR_INVALID, "bad path in the ledger");
	memcpy(path, rel, n + 1);
	comp = path;
	while ((slash = strchr(comp, '/')) != NULL) {
		*slash = '\0';
		next = openat(cur, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		e = errno;
		if (cur != dfd)
			close(cur);
		if (next < 0)
			return open_fail(rel, (size_t)(slash - path), e, err);
		cur = next;
		comp = slash + 1;
	}
	/* Look before opening: a device or FIFO is never opened at all. */
	if (fstatat(cur, comp, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		e = errno;
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		if (cur != dfd)
			close(cur);
		if (S_ISLNK(st.st_mode))
			return open_fail(rel, n, ELOOP, err);
		return hs_fail(err, HS_ERR_FORMAT, "%s is not a regular file",
		    rel);
	}
	next = openat(cur, comp, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	e = errno;
	if (next < 0)
		goto fail;
	if (cur != dfd)
		close(cur);
	*fd = next;
	return HS_OK;
fail:
	if (cur != dfd)
		close(cur);
	return open_fail(rel, n, e, err);
}

/*
 * Reads the regular file rel below dfd into buf (cap bytes, cap > max):
 * at most max bytes, else HS_ERR_TOOBIG. *len is its length.
 */
static enum hs_err
read_below(int dfd, const char *rel, size_t max, uint8_t *buf, size_t cap,
    size_t *len, char *err)
{
	struct stat st;
	size_t got = 0;
	ssize_t r;
	int fd;
	enum hs_err rc;

	*len = 0;
	if ((rc = open_below(dfd, rel, &fd, err)) != HS_OK)
		return rc;
	/* Checked again on the open file: it may have been swapped. */
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = hs_fail(err, HS_ERR_FORMAT, "%s is not a regular file",
		    rel);
		goto out;
	}
	if ((uint64_t)st.st_size > max) {
		rc = hs_fail(err, HS_ERR_TOOBIG, "%s: %lld bytes, more than "
		    "the %zu it can have", rel, (long long)st.st_size, max);
		goto out;
	}
	/* Read one byte past max to notice a file that grew meanwhile. */
	while (got <= max && got < cap) {
		r = read(fd, buf + got, cap - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = hs_fail(err, HS_ERR_IO, "%s: %s", rel,
			    strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	if (got > max) {
		rc = hs_fail(err, HS_ERR_TOOBIG, "%s: more than %zu bytes",
		    rel, max);
		goto out;
	}
	*len = got;
	rc = HS_OK;
out:
	close(fd);
	return rc;
}

static enum hs_err
open_dir(const char *dir, int *dfd, char *err)
{
	/* DIR itself is the user's choice and may be a link. */
	*dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*dfd < 0)
		return hs_fail(err, errno == ENOENT ? HS_ERR_NOTFOUND :
		    HS_ERR_IO, "%s: %s", dir, strerror(errno));
	return HS_OK;
}

enum hs_err
mirror_read_checkpoint(const char *dir, char *note, size_t *len, char *err)
{
	int dfd;
	enum hs_err rc;

	*len = 0;
	note[0] = '\0';
	if ((rc = open_dir(dir, &dfd, err)) != HS_OK)
		return rc;
	rc = read_below(dfd, "checkpoint", CHECKPOINT_NOTE_MAX,
	    (uint8_t *)note, CHECKPOINT_NOTE_MAX + 1, len, err);
	close(dfd);
	if (rc != HS_OK)
		return rc;
	note[*len] = '\0';
	if (memchr(note, '\0', *len) != NULL)
		return hs_fail(err, HS_ERR_FORMAT, "checkpoint: has a NUL byte");
	return HS_OK;
}

enum hs_err
mirror_checkpoint(const char *dir, const char *origin,
    struct note_verifier *const *vs, size_t nvs, struct checkpoint *cp,
    char *err)
{
	char note[CHECKPOINT_NOTE_MAX + 1];
	size_t len;
	enum hs_err rc;

	memset(cp, 0, sizeof(*cp));
	if ((rc = mirror_read_checkpoint(dir, note, &len, err)) != HS_OK)
		return rc;
	return checkpoint_open(note, len, origin, vs, nvs, cp, NULL, err);
}

struct scan {
	int dfd;
	uint8_t *file;                  /* BUNDLE_MAX + 1 bytes */
	merkle_hash (*lv)[TILE_WIDTH];  /* LEVELS rows: the tile being filled */
	unsigned nlv[LEVELS];           /* hashes in it */
	uint64_t tidx[LEVELS];          /* its index */
	merkle_hash fr[64];             /* frontier: fr[k] if bit k of count */
	uint64_t count;                 /* leaves so far */
};

/* The Merkle Tree Hash of the leaves so far, from the frontier. */
static void
frontier_root(const struct scan *s, merkle_hash out)
{
	bool first = true;
	unsigned k;

	merkle_empty_root(out);
	for (k = 0; k < 64; k++) {
		if (((s->count >> k) & 1) == 0)
			continue;
		if (first)
			memcpy(out, s->fr[k], MERKLE_HASH);
		else
			merkle_node_hash(s->fr[k], out, out);
		first = false;
	}
}

static void
frontier_push(struct scan *s, const merkle_hash leaf)
{
	merkle_hash h;
	unsigned k = 0;

	memcpy(h, leaf, MERKLE_HASH);
	while ((s->count >> k) & 1) {
		merkle_node_hash(s->fr[k], h, h);
		k++;
	}
	memcpy(s->fr[k], h, MERKLE_HASH);
	s->count++;
}

/* Root of the perfect subtree over 256 hashes (h is not changed). */
static void
subtree_root(const merkle_hash *h, merkle_hash out)
{
	merkle_hash t[TILE_WIDTH / 2];
	size_t n, i;

	for (i = 0; i < TILE_WIDTH / 2; i++)
		merkle_node_hash(h[2 * i], h[2 * i + 1], t[i]);
	for (n = TILE_WIDTH / 2; n > 1; n /= 2)
		for (i = 0; i < n / 2; i++)
			merkle_node_hash(t[2 * i], t[2 * i + 1], t[i]);
	memcpy(out, t[0], MERKLE_HASH);
}

/*
 * Reads tile t (a bundle or a hash tile) into s->file; a partial tile
 * that is missing is read from the full one (*full says so). max is the
 * bound for the tile as asked, fmax for the full one.
 */
static enum hs_err
read_tile(struct scan *s, const struct tile *t, size_t max, size_t fmax,
    size_t *len, bool *full, char *rel, char *err)
{
	struct tile ft = *t;
	enum hs_err rc;

	*full = false;
	if (tile_path_format(t, rel, TILE_PATH_MAX) != 0)
		return hs_fail(err, HS_ERR_INVALID, "tile index too large");
	rc = read_below(s->dfd, rel, max, s->file, BUNDLE_MAX + 1, len, err);
	if (rc != HS_ERR_NOTFOUND || t->width == TILE_WIDTH)
		return rc;
	ft.width = TILE_WIDTH;
	if (tile_path_format(&ft, rel, TILE_PATH_MAX) != 0)
		return rc;
	if (read_below(s->dfd, rel, fmax, s->file, BUNDLE_MAX + 1, len,
	    NULL) != HS_OK) {
		tile_path_format(t, rel, TILE_PATH_MAX);
		return rc; /* the first message: the partial tile is missing */
	}
	*full = true;
	return HS_OK;
}

/* Requires hash tile (level, index) of width to hold want[0..width). */
static enum hs_err
check_tile(struct scan *s, unsigned level, uint64_t index, unsigned width,
    const merkle_hash *want, char *err)
{
	struct tile t = { false, level, index, width };
	char rel[TILE_PATH_MAX];
	size_t len, expect = (size_t)width * MERKLE_HASH;
	unsigned i;
	bool full;
	enum hs_err rc;

	if ((rc = read_tile(s, &t, expect, TILE_WIDTH * MERKLE_HASH, &len,
	    &full, rel, err)) != HS_OK)
		return rc;
	if (len != (full ? TILE_WIDTH * MERKLE_HASH : expect))
		return hs_fail(err, HS_ERR_FORMAT, "%s: %zu bytes, expected "
		    "%zu", rel, len, full ? (size_t)TILE_WIDTH * MERKLE_HASH :
		    expect);
	for (i = 0; i < width; i++)
		if (memcmp(s->file + (size_t)i * MERKLE_HASH, want[i],
		    MERKLE_HASH) != 0)
			return hs_fail(err, HS_ERR_SIGNATURE, "%s: hash %u does "
			    "not match %s", rel, i, level == 0 ? "its entry "
			    "in the entry bundle" : "the tiles below it");
	return HS_OK;
}

/*
 * Adds the root of a full tile at level - 1 to the tile being filled at
 * level, checking and carrying up each tile that becomes full.
 */
static enum hs_err
carry(struct scan *s, unsigned level, const merkle_hash h, char *err)
{
	merkle_hash up;
	enum hs_err rc;

	memcpy(up, h, MERKLE_HASH);
	for (; level < LEVELS; level++) {
		memcpy(s->lv[level][s->nlv[level]++], up, MERKLE_HASH);
		if (s->nlv[level] < TILE_WIDTH)
			return HS_OK;
		if ((rc = check_tile(s, level, s->tidx[level], TILE_WIDTH,
		    s->lv[level], err)) != HS_OK)
			return rc;
		subtree_root(s->lv[level], up);
		s->nlv[level] = 0;
		s->tidx[level]++;
	}
	return hs_fail(err, HS_ERR_TOOBIG, "tree too large");
}

/* Reads entry bundle index (width entries) and checks its level-0 tile. */
static enum hs_err
scan_bundle(struct scan *s, uint64_t index, unsigned width,
    const uint64_t *at, size_t nat, merkle_hash *root_at, mirror_entry_fn fn,
    void *ctx, char *err)
{
	struct tile t = { true, 0, index, width };
	char rel[TILE_PATH_MAX];
	size_t len, off = 0, elen, i;
	unsigned k;
	bool full;
	enum hs_err rc;

	if ((rc = read_tile(s, &t, (size_t)width * (2 + MIRROR_ENTRY_MAX),
	    BUNDLE_MAX, &len, &full, rel, err)) != HS_OK)
		return rc;
	for (k = 0; k < width; k++) {
		if (len - off < 2)
			return hs_fail(err, HS_ERR_FORMAT, "%s: ends after %u "
			    "of %u entries", rel, k, width);
		elen = (size_t)s->file[off] << 8 | s->file[off + 1];
		off += 2;
		if (elen > MIRROR_ENTRY_MAX)
			return hs_fail(err, HS_ERR_TOOBIG, "%s: entry %u is %zu "
			    "bytes, more than %d", rel, k, elen,
			    MIRROR_ENTRY_MAX);
		if (len - off < elen)
			return hs_fail(err, HS_ERR_FORMAT, "%s: entry %u is "
			    "cut short", rel, k);
		if ((rc = merkle_leaf_hash(s->file + off, elen,
		    s->lv[0][k])) != HS_OK)
			return hs_fail(err, rc, "cannot hash an entry");
		frontier_push(s, s->lv[0][k]);
		for (i = 0; i < nat; i++)
			if (at[i] == s->count)
				frontier_root(s, root_at[i]);
		if (fn != NULL && (rc = fn(ctx, s->count - 1,
		    (const char *)s->file + off, elen, s->lv[0][k], err)) !=
		    HS_OK)
			return rc;
		off += elen;
	}
	if (off != len && !full)
		return hs_fail(err, HS_ERR_FORMAT, "%s: %zu bytes after its %u "
		    "entries", rel, len - off, width);
	if ((rc = check_tile(s, 0, index, width, s->lv[0], err)) != HS_OK)
		return rc;
	if (width == TILE_WIDTH) {
		merkle_hash h;

		subtree_root(s->lv[0], h);
		if ((rc = carry(s, 1, h, err)) != HS_OK)
			return rc;
	}
	return HS_OK;
}

enum hs_err
mirror_scan(const char *dir, const struct checkpoint *cp, const uint64_t *at,
    size_t nat, merkle_hash *root_at, mirror_entry_fn fn, void *ctx,
    char *err)
{
	struct scan s;
	uint64_t nb, b;
	merkle_hash root;
	char r1[MERKLE_B64_SIZE], r2[MERKLE_B64_SIZE];
	unsigned level, width;
	size_t i;
	enum hs_err rc;

	memset(&s, 0, sizeof(s));
	s.dfd = -1;
	if (nat > MIRROR_MAX_AT)
		return hs_fail(err, HS_ERR_INVALID, "too many sizes");
	if (cp->size > MERKLE_MAX_SIZE)
		return hs_fail(err, HS_ERR_TOOBIG, "checkpoint size too large");
	if ((rc = open_dir(dir, &s.dfd, err)) != HS_OK)
		return rc;
	s.file = malloc(BUNDLE_MAX + 1);
	s.lv = malloc(LEVELS * sizeof(*s.lv));
	if (s.file == NULL || s.lv == NULL) {
		rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < nat; i++)
		if (at[i] == 0)
			merkle_empty_root(root_at[i]);
	/* Entry bundles in order; full tiles carry their roots upward. */
	nb = cp->size / TILE_WIDTH + (cp->size % TILE_WIDTH != 0);
	for (b = 0; b < nb; b++) {
		width = b + 1 < nb || cp->size % TILE_WIDTH == 0 ? TILE_WIDTH :
		    (unsigned)(cp->size % TILE_WIDTH);
		if ((rc = scan_bundle(&s, b, width, at, nat, root_at, fn, ctx,
		    err)) != HS_OK)
			goto out;
	}
	/* The partial tiles left on each level above 0. */
	for (level = 1; level < LEVELS; level++)
		if (s.nlv[level] > 0 && (rc = check_tile(&s, level,
		    s.tidx[level], s.nlv[level], s.lv[level], err)) != HS_OK)
			goto out;
	frontier_root(&s, root);
	if (memcmp(root, cp->root, MERKLE_HASH) != 0) {
		merkle_hash_encode(root, r1);
		merkle_hash_encode(cp->root, r2);
		rc = hs_fail(err, HS_ERR_SIGNATURE, "the %llu entries hash to "
		    "root %s, not the checkpoint's %s",
		    (unsigned long long)cp->size, r1, r2);
		goto out;
	}
	rc = HS_OK;
out:
	if (s.dfd >= 0)
		close(s.dfd);
	free(s.lv);
	free(s.file);
	return rc;
}
