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
 * And it follows the ledger's key history (lib/keylog.h), rooted in the
 * configured trust anchors: which keys may sign a checkpoint, and each
 * key's window for certificates, from key, key-retire and key-compromise
 * entries only, never from the database's keys table.
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

#include "core/hs.h"
#include "tlog/checkpoint.h"
#include "tlog/merkle.h"
#include "core/util.h"
#include "verify.h"

struct vtree;

enum hs_err vtree_new(struct vtree **out, char *err);
void vtree_free(struct vtree *vt); /* accepts NULL */

/* Why vtree_advance refused a checkpoint. */
enum vtree_refusal {
	VTREE_ACCEPTED = 0,
	VTREE_DAMAGED,       /* it does not verify, or the stored ledger does
	                        not hash to its root */
	VTREE_ROLLBACK,      /* smaller than a size verified or remembered */
	VTREE_FORK,          /* that size was verified with another root */
	VTREE_INCONSISTENT,  /* larger, but does not extend what was verified */
	VTREE_REFUSALS,
};

/*
 * The trust anchors (the configured verifier keys), set once before the
 * first vtree_advance; the ledger's key history is rooted in them
 * (lib/keylog.h). A shared tree accepts the same anchors again and
 * refuses others (HS_ERR_INVALID); none at all is HS_ERR_INVALID.
 */
enum hs_err vtree_set_anchors(struct vtree *vt,
    const struct verify_keys *anchors, char *err);

/*
 * Makes the tree cover the signed checkpoint note[0..len) (*cp gets it):
 * it must be signed by a key that the verified ledger's key history
 * trusts for a checkpoint of its size. When it is signed by a key that
 * only the newer, not yet verified part of the ledger announces, the
 * stored checkpoint covering that key entry (db's checkpoints table),
 * signed by a key trusted now, is verified first, and so on, key change
 * after key change. Leaves are read from db's leaves table, each must
 * hash to its stored hash, and the roots must match the signed ones.
 *
 * A verifier never goes back: the checkpoint must be at least as large
 * as any this process verified and any remembered (vtree_set_floor),
 * with the same root at an equal size, and a larger one must extend them
 * (the new tree's root at the old size is the old root).
 *
 * HS_OK (*why VTREE_ACCEPTED): the tree's root at cp->size is cp->root,
 * and the note is kept (vtree_checkpoint). HS_ERR_SIGNATURE with *why
 * and the reason in err (one line, no paths): refused; all or nothing,
 * the tree and its key history are left exactly as they were, even when
 * key changes on the way were verified. Other errors when db cannot be
 * read (*why VTREE_ACCEPTED; nothing changes either).
 */
enum hs_err vtree_advance(struct vtree *vt, sqlite3 *db, const char *note,
    size_t len, struct checkpoint *cp, enum vtree_refusal *why, char *err);

/*
 * Checks only the signature of a checkpoint note against the verified
 * key history (keylog_signed): HS_OK if a key that may sign a checkpoint
 * of its size signed it (*cp filled). Its root is the caller's to check.
 */
enum hs_err vtree_check_note(struct vtree *vt, const char *note, size_t len,
    struct checkpoint *cp, char *err);

/*
 * The checkpoint this verifier remembers from an earlier run (its state
 * file, verified by the caller): vtree_advance accepts nothing smaller
 * or inconsistent with it. Call before the first vtree_advance of the
 * database's checkpoint.
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

/*
 * The keys the verified ledger trusts, with their windows (verify.h
 * form; labels "configured" or "ledger leaf N"), replacing *out; *gen is
 * the key history's generation (it changes when a key's state changes).
 */
enum hs_err vtree_keys(struct vtree *vt, struct verify_keys *out,
    uint64_t *gen, char *err);

/* The root of the verified tree at size (<= the verified size). */
enum hs_err vtree_root(struct vtree *vt, uint64_t size, merkle_hash root,
    char *err);

/* The key history's generation alone (cheap). */
uint64_t vtree_key_generation(struct vtree *vt);

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
