/*
 * tile.h - c2sp.org/tlog-tiles resource names and tile arithmetic.
 *
 *   tile/<L>/<N>[.p/<W>]          level L hashes (32 bytes each)
 *   tile/entries/<N>[.p/<W>]      entry bundle: uint16be length || entry
 *
 * Tiles are 256 wide. <N> is written as zero-padded 3-digit groups, all
 * but the last prefixed with "x": 1234067 is x001/x234/067. <W> (1..255)
 * is only present for partial tiles. The hash i of tile (L, N) is the
 * perfect subtree at Merkle level 8L with index N * 256 + i.
 */
#ifndef HS_TILE_H
#define HS_TILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/hs.h"
#include "tlog/merkle.h"

#define TILE_WIDTH 256
#define TILE_HEIGHT 8
#define TILE_MAX_LEVEL 63 /* the spec's bound; real trees stop at 7 */
#define TILE_PATH_MAX 96  /* longest path tile_path_format writes, + NUL */

struct tile {
	bool entries;    /* an entry bundle (then level is 0) */
	unsigned level;  /* L */
	uint64_t index;  /* N */
	unsigned width;  /* 1..255 partial, 256 full */
};

/*
 * Parses a tile path "tile/..." (one leading "/" allowed) strictly: only
 * the canonical spelling is accepted (no extra zeroes or groups, W in
 * 1..255, L in 0..63). HS_ERR_FORMAT with the reason in err.
 */
enum hs_err tile_path_parse(const char *path, struct tile *t, char *err);

/* Writes "tile/..." (no leading slash) for t; -1 if t is not valid. */
int tile_path_format(const struct tile *t, char *out, size_t outsz);

/*
 * For a tree of size leaves: the number of hashes a tile at level has in
 * total (floor(size / 256^level)); tiles N < count / 256 are full and
 * tile count / 256 is partial with width count % 256 (absent if 0).
 */
uint64_t tile_level_hashes(unsigned level, uint64_t size);

/*
 * The tiles a client of a tree of size leaves needs, in the order a
 * writer should produce them: every entry bundle (N = 0, 1, ...), then
 * the hash tiles of level 0, 1, ... ; within a level the full tiles, then
 * the partial one (width count % 256) if any. tile_range_first sets *t to
 * the first and tile_range_next steps *t (as the previous call left it)
 * to the next; both return false when there is none (an empty tree has
 * no tiles).
 */
bool tile_range_first(uint64_t size, struct tile *t);
bool tile_range_next(uint64_t size, struct tile *t);

/*
 * The "full tiles never change" rule: true if a regular file of
 * file_size bytes already at t's path may be kept instead of written
 * again. Only a full tile qualifies (a partial one grows with the tree),
 * and only with a size that a complete one has: exactly 256 hashes for a
 * hash tile, at least 256 two-byte length prefixes for an entry bundle.
 */
bool tile_keep(const struct tile *t, uint64_t file_size);

/*
 * A merkle_reader (merkle.h) over a directory of tiles as written by
 * `hourseal-issuer tiles`, for a tree of size leaves: lets anyone with a
 * mirror compute roots and proofs offline. Set dir and size, then pass
 * tile_dir_read with a pointer to the struct.
 */
struct tile_dir {
	const char *dir;
	uint64_t size;
};
enum hs_err tile_dir_read(void *ctx, unsigned level, uint64_t index,
    merkle_hash out, char *err);

#endif
