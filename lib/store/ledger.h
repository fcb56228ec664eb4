/*
 * ledger.h - the public RFC 6962 log of docs/formats.md §4, kept in SQLite.
 *
 * Tables (schema in store.c, owned by this module):
 *   leaves(idx, entry, hash)    one row per leaf; hash = leaf hash
 *   tree(id, hash)              perfect-subtree hashes of level >= 1, id =
 *                               the "stored hash index" of Go's
 *                               golang.org/x/mod/sumdb/tlog layout, so rows
 *                               only ever append at the end
 *   checkpoints(size, root, note, created)   every signed checkpoint
 *   latest_checkpoint(one = 1, size, note)   compare-and-swap row
 *
 * Appending a leaf writes the leaf and the (on average one, at most
 * log2 n) subtree hashes it completes; a root or a proof at any size up
 * to the current one reads O(log n) stored hashes and never rehashes the
 * tree.
 *
 * A struct ledger holds prepared statements on the caller's sqlite3
 * handle; it must be closed before the handle. Not thread-safe: one
 * ledger per connection per thread.
 */
#ifndef HS_LEDGER_H
#define HS_LEDGER_H

#include <sqlite3.h>
#include <stdint.h>

#include "core/hs.h"
#include "tlog/merkle.h"
#include "tlog/note.h"
#include "tlog/tile.h"
#include "core/util.h"

/* Tile entry bundles use a uint16 length, so no entry can be longer. */
#define LEDGER_ENTRY_MAX 65535

struct ledger;

/*
 * Opens the ledger on db (read-write or read-only) for origin, the
 * checkpoint origin line (= signer name). Caller closes with ledger_close.
 */
enum hs_err ledger_open(sqlite3 *db, const char *origin, struct ledger **l,
    char *err);
void ledger_close(struct ledger *l); /* accepts NULL */
const char *ledger_origin(const struct ledger *l);

/* The number of leaves stored (checkpointed or not). */
enum hs_err ledger_size(struct ledger *l, uint64_t *size, char *err);

/*
 * Appends entry[0..n) (1..LEDGER_ENTRY_MAX bytes) as the next leaf and
 * stores the subtree hashes it completes; *index (may be NULL) is its
 * leaf index. Must run inside the caller's transaction (store_begin):
 * HS_ERR_STATE otherwise. On any error the caller must roll back, so a
 * batch of leaves is all-or-nothing.
 */
enum hs_err ledger_append(struct ledger *l, const void *entry, size_t n,
    uint64_t *index, char *err);

/* Appends the entry of leaf index to out. HS_ERR_NOTFOUND past the end. */
enum hs_err ledger_entry(struct ledger *l, uint64_t index, struct buf *out,
    char *err);

/* What ledger_scan_prefix calls for each matching entry. */
typedef enum hs_err (*ledger_entry_fn)(void *ctx, uint64_t index,
    const void *entry, size_t len, char *err);

/*
 * Calls fn for every entry among the first size leaves whose bytes start
 * with prefix[0..plen), in index order; the first non-HS_OK answer stops
 * the scan and is returned. One table scan (what audit runs, not a hot
 * path).
 */
enum hs_err ledger_scan_prefix(struct ledger *l, const void *prefix,
    size_t plen, uint64_t size, ledger_entry_fn fn, void *ctx, char *err);

/*
 * The last stored entry starting with prefix[0..plen): *index and the
 * entry appended to out. Scans from the end, so it is cheap when such an
 * entry is near the end. HS_ERR_NOTFOUND if there is none.
 */
enum hs_err ledger_last_prefix(struct ledger *l, const void *prefix,
    size_t plen, uint64_t *index, struct buf *out, char *err);

/* The root of the tree of the first size leaves (size <= ledger size). */
enum hs_err ledger_root(struct ledger *l, uint64_t size, merkle_hash root,
    char *err);

/*
 * Inclusion proof of leaf index in the tree of the first size leaves
 * (proof: MERKLE_MAX_PROOF hashes, *n set). HS_ERR_INVALID if index >=
 * size or size > ledger size.
 */
enum hs_err ledger_prove_inclusion(struct ledger *l, uint64_t index,
    uint64_t size, merkle_hash *proof, size_t *n, char *err);

/* Consistency proof from size1 to size2 (size1 <= size2 <= ledger size). */
enum hs_err ledger_prove_consistency(struct ledger *l, uint64_t size1,
    uint64_t size2, merkle_hash *proof, size_t *n, char *err);

/*
 * Signs a checkpoint (c2sp.org/tlog-checkpoint: "origin\nsize\nroot\n")
 * for the current size with s, whose name must be the origin. Before
 * signing it checks that the stored tree is consistent with the latest
 * signed checkpoint (the root at that size must equal the signed root)
 * and refuses (HS_ERR_SIGNATURE) if not. The note goes into checkpoints
 * and latest_checkpoint; the latter is a compare-and-swap on the previous
 * size, so two writers cannot both move it (HS_ERR_BUSY for the loser).
 * Runs in the caller's transaction if there is one, else in its own.
 * Before signing it anchors the audit log (store/audit.h, service.md
 * §6): if the audit head moved since the last audit leaf, it appends
 * "hourseal/leaf/v1 audit <count> <head>" so the checkpoint covers it; if
 * the rows that leaf anchored are gone or changed it refuses
 * (HS_ERR_SIGNATURE: run `hourseal-issuer audit`).
 * If nothing was appended since the latest checkpoint, returns that one
 * unchanged. Appends the signed note to note (may be NULL); *size (may be
 * NULL) is its tree size.
 */
enum hs_err ledger_sign_checkpoint(struct ledger *l,
    const struct note_signer *s, struct buf *note, uint64_t *size,
    char *err);

/*
 * Appends the latest signed checkpoint note to note (may be NULL) and sets
 * *size (may be NULL). HS_ERR_NOTFOUND if none was signed yet.
 */
enum hs_err ledger_latest_checkpoint(struct ledger *l, struct buf *note,
    uint64_t *size, char *err);

/*
 * The size of the first stored checkpoint that covers leaf index (the
 * smallest size > index) in *size; HS_ERR_NOTFOUND if none does yet.
 */
enum hs_err ledger_checkpoint_covering(struct ledger *l, uint64_t index,
    uint64_t *size, char *err);

/* The stored checkpoint of exactly that size; HS_ERR_NOTFOUND if none. */
enum hs_err ledger_checkpoint_at(struct ledger *l, uint64_t size,
    struct buf *note, char *err);

/*
 * Builds the c2sp.org/tlog-proof@v1 receipt for leaf index against the
 * signed checkpoint note[0..len) (which must be this ledger's: origin
 * and root are checked against the store, not the signature) and
 * appends it to out.
 */
enum hs_err ledger_receipt(struct ledger *l, uint64_t index,
    const char *checkpoint, size_t len, struct buf *out, char *err);

/*
 * Appends the bytes of tile t (lib/tile.h) for a tree of size leaves to
 * out: 32-byte hashes for level tiles, uint16be length || entry for entry
 * bundles. HS_ERR_NOTFOUND if the tile does not exist at that size: a
 * full tile must lie within size, a partial one of width W must end
 * within size (so any partial tile some smaller checkpoint needed is
 * still served). size must be <= the ledger size.
 */
enum hs_err ledger_tile(struct ledger *l, const struct tile *t,
    uint64_t size, struct buf *out, char *err);

struct ledger_audit_result {
	uint64_t leaves;      /* leaves checked */
	uint64_t checkpoints; /* checkpoints checked */
	uint64_t bad;         /* first bad leaf index, or checkpoint size */
	int bad_checkpoint;   /* 1 if bad is a checkpoint size */
};

/*
 * Recomputes every leaf hash from its entry and every stored subtree
 * hash from its children, checks that the tree has exactly the rows its
 * size implies, and for every stored checkpoint in size order: it opens
 * with one of vs[0..nvs) (note_open), its origin is this ledger's, its
 * size and root match the row and the recomputed tree, it is consistent
 * with the one before, and latest_checkpoint is the last one.
 * HS_OK if all is well; HS_ERR_SIGNATURE if anything was altered, with
 * res->bad the first bad leaf index (or checkpoint size) and err naming
 * it; other errors if the audit could not run. res may be NULL.
 */
enum hs_err ledger_audit(struct ledger *l, struct note_verifier *const *vs,
    size_t nvs, struct ledger_audit_result *res, char *err);

#endif
