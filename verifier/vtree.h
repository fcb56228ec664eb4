/*
 * vtree.h - the ledger as this verifier process has checked it, shared
 * by all serving threads.
 *
 * It holds the whole Merkle tree in memory (lib/mtree), and only ever a
 * tree whose root this process computed itself and found equal to a
 * signed checkpoint's. Leaves are read from the database, appended, and
 * the new root compared; a tree that does not match is rolled back, and
 * a database whose history disagrees with a checkpoint verified before
 * is refused (a fork), not silently adopted. So "leaf hash h is at index
 * i" is answered by one comparison with a hash that is bound to a signed
 * root: the same fact an inclusion proof would show, without reading the
 * proof from storage for every request.
 *
 * It also remembers whose signature verified on the certificate note
 * behind each issue leaf. A leaf hash binds the note's SHA-256, so a
 * request that hashes the stored note to that same leaf has the same
 * bytes, and the Ed25519 check need not be repeated; the key's validity
 * window is still checked against the current keys on every request.
 *
 * It never goes back: a checkpoint smaller than one verified before, or
 * not consistent with it, is refused, and the last verified checkpoint's
 * note is kept so that the service can go on answering from it.
 *
 * And it indexes the ledger's own entries by serial: which leaf issued a
 * serial and which revoked it (entries are read with the hashes, and
 * each must hash to its leaf). A certificate's status is then a fact of
 * the verified log, not of a database table.
 *
 * All functions are thread-safe. Memory: about 65 bytes per leaf for the
 * tree, and 64 to 128 bytes per certificate for the index (32-byte slots,
 * a power of two of them, at most half full).
 */
#ifndef HS_VTREE_H
#define HS_VTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <sqlite3.h>

#include "hs.h"
#include "merkle.h"
#include "util.h"

struct vtree;

enum hs_err vtree_new(struct vtree **out, char *err);
void vtree_free(struct vtree *vt); /* accepts NULL */

/* Why vtree_sync refused a checkpoint. */
enum vtree_refusal {
	VTREE_ACCEPTED = 0,
	VTREE_DAMAGED,       /* the stored ledger does not hash to its root */
	VTREE_ROLLBACK,      /* smaller than a size verified or remembered */
	VTREE_FORK,          /* that size was verified with another root */
	VTREE_INCONSISTENT,  /* larger, but does not extend what was verified */
	VTREE_REFUSALS,
};

/*
 * Makes the tree cover the signed checkpoint (size, root) whose note
 * note[0..note_len) the caller has verified: reads the leaves it lacks
 * from db's leaves table, appends them and compares roots. A verifier
 * never goes back: the checkpoint must be at least as large as any this
 * process verified and any remembered (vtree_set_floor), with the same
 * root at an equal size, and a larger one must extend them (the new
 * tree's root at the old size is the old root).
 *
 * HS_OK (*why VTREE_ACCEPTED) when the tree's root at size is root, and
 * the note is kept (vtree_checkpoint) if size is the largest verified.
 * HS_ERR_SIGNATURE with *why and a reason in err (one line, no paths)
 * when the checkpoint is refused: the tree is left as it was. Other
 * errors when db cannot be read (*why VTREE_ACCEPTED).
 */
enum hs_err vtree_sync(struct vtree *vt, sqlite3 *db, const char *note,
    size_t note_len, uint64_t size, const merkle_hash root,
    enum vtree_refusal *why, char *err);

/*
 * The checkpoint this verifier remembers from an earlier run (its state
 * file, verified by the caller): vtree_sync accepts nothing smaller or
 * inconsistent with it. Call before the first vtree_sync.
 */
void vtree_set_floor(struct vtree *vt, uint64_t size, const merkle_hash root);

/* The largest size verified by this process or remembered (floor). */
uint64_t vtree_known_size(struct vtree *vt);

/*
 * The signed note of the largest checkpoint this process verified (the
 * tree covers it), appended to out, and its size: the last good state,
 * kept while a database is refused. False if none.
 */
bool vtree_checkpoint(struct vtree *vt, struct buf *out, uint64_t *size);

/* Leaves this process has verified. */
uint64_t vtree_size(struct vtree *vt);

/* True if leaf hash lh is at index, and index < size (a verified size). */
bool vtree_has(struct vtree *vt, uint64_t index, uint64_t size,
    const merkle_hash lh);

/*
 * Copies out the key (a note verifier key string) whose signature on the
 * note behind issue leaf index verified, and the note's issued time, if
 * they were recorded.
 */
bool vtree_signer(struct vtree *vt, uint64_t index, char *vkey, size_t n,
    time_t *issued);
/* Records them; the caller has checked that the note's leaf is at index. */
void vtree_set_signer(struct vtree *vt, uint64_t index, const char *vkey,
    time_t issued);

/* What the verified ledger says about one serial. */
struct vtree_cert {
	bool issued;              /* an issue leaf below size */
	bool conflict;            /* more than one issue leaf: never valid */
	uint64_t issue_index;
	bool revoked;             /* a revoke leaf below size (the first) */
	uint64_t revoke_index;
	char reason[16];
	char time[21];
};

/* Fills out for serial (canonical), counting only leaves below size. */
void vtree_lookup(struct vtree *vt, const char *serial, uint64_t size,
    struct vtree_cert *out);

/* The leaf hash at index (< the verified size) into out; false if none. */
bool vtree_leaf(struct vtree *vt, uint64_t index, uint8_t out[32]);

/* A consistency proof between two verified sizes, from memory. */
enum hs_err vtree_prove_consistency(struct vtree *vt, uint64_t size1,
    uint64_t size2, merkle_hash *proof, size_t *n, char *err);

#endif
