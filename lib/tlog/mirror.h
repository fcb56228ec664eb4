/*
 * mirror.h - a copy of a ledger's static tiles, read and verified with no
 * network: what `hourseal-issuer tiles DIR` writes and anyone can mirror
 * (c2sp.org/tlog-tiles):
 *
 *   DIR/checkpoint                   the signed checkpoint
 *   DIR/tile/<L>/<N>[.p/<W>]         hash tiles
 *   DIR/tile/entries/<N>[.p/<W>]     entry bundles (uint16be length || entry)
 *
 * The copy is hostile input. Every file is opened below DIR one path
 * component at a time without following symbolic links (a link anywhere
 * below DIR is refused, so nothing outside DIR is read), must be a regular
 * file (a FIFO or device is refused without blocking) and must have the
 * exact size its place in the tree implies: a hash tile W * 32 bytes, an
 * entry bundle at most W * (2 + MIRROR_ENTRY_MAX) bytes holding exactly W
 * entries. Which files are read follows from the signed checkpoint's size
 * alone; nothing is listed, and no file outside that set is opened. A
 * partial tile that is missing is read from the full tile of the same
 * index when there is one (the spec lets mirrors drop partial tiles).
 *
 * A scan hashes every entry into its leaf hash, requires the level-0 tile
 * to hold exactly those hashes, every higher tile to hold the roots of the
 * full tiles below it, and the Merkle Tree Hash of all the leaves to be
 * the signed root. Only then are the entries it handed out verified.
 * Memory does not grow with the tree: one bundle and 8 tiles of 256
 * hashes at a time.
 */
#ifndef HS_MIRROR_H
#define HS_MIRROR_H

#include <stddef.h>
#include <stdint.h>

#include "tlog/checkpoint.h"
#include "core/hs.h"
#include "tlog/merkle.h"
#include "tlog/note.h"

/* Longest entry a bundle may hold (hourseal's own are at most 1024). */
#define MIRROR_ENTRY_MAX 4096
/* Most sizes mirror_scan reports a root at. */
#define MIRROR_MAX_AT 4

/*
 * Reads DIR/checkpoint, at most CHECKPOINT_NOTE_MAX bytes, as it is: into
 * note (CHECKPOINT_NOTE_MAX + 1 bytes, NUL-terminated), *len its length.
 * Nothing is checked but the file (see mirror_checkpoint for the errors)
 * and that it has no NUL byte; for callers that verify the signature in
 * their own way (lib/keylog).
 */
enum hs_err mirror_read_checkpoint(const char *dir, char *note, size_t *len,
    char *err);

/*
 * Reads DIR/checkpoint (mirror_read_checkpoint) and opens it
 * with vs[0..nvs) (checkpoint_open: origin, if not NULL, is required).
 * HS_ERR_NOTFOUND if there is no checkpoint, HS_ERR_SIGNATURE if no key
 * verifies it, HS_ERR_FORMAT / HS_ERR_TOOBIG / HS_ERR_IO for a file that
 * is malformed, too large, a link or not a regular file. err says which.
 */
enum hs_err mirror_checkpoint(const char *dir, const char *origin,
    struct note_verifier *const *vs, size_t nvs, struct checkpoint *cp,
    char *err);

/*
 * Called for entry index (entry[0..len), not NUL-terminated, leaf hash
 * lh) in order, from 0 to the checkpoint's size - 1. The leaf hash has
 * been checked against its level-0 tile, but the tree's root only at the
 * end:
 * use what the callback gathered only if mirror_scan returns HS_OK. A
 * return other than HS_OK stops the scan and is returned.
 */
typedef enum hs_err (*mirror_entry_fn)(void *ctx, uint64_t index,
    const char *entry, size_t len, const merkle_hash lh, char *err);

/*
 * Reads and verifies the whole tree of checkpoint cp (opened with
 * mirror_checkpoint) from DIR as described above, calling fn (may be NULL)
 * for each entry. For each at[i] <= cp->size (nat <= MIRROR_MAX_AT),
 * root_at[i] is the Merkle Tree Hash of the first at[i] leaves (for a
 * consistency check with another checkpoint, computed from the same
 * leaves); entries of root_at for larger sizes are left alone.
 * HS_OK: every file is present, well formed and consistent, and the root
 * is cp->root. HS_ERR_SIGNATURE if a hash or the root does not match,
 * HS_ERR_NOTFOUND if a file is missing, HS_ERR_FORMAT / HS_ERR_TOOBIG /
 * HS_ERR_IO as for mirror_checkpoint; err names the file.
 */
enum hs_err mirror_scan(const char *dir, const struct checkpoint *cp,
    const uint64_t *at, size_t nat, merkle_hash *root_at, mirror_entry_fn fn,
    void *ctx, char *err);

#endif
