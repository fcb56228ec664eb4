/*
 * keylog.h - which signing keys to trust, derived only from a verified
 * ledger (formats.md §5), rooted in the configured trust anchor key(s).
 *
 * Feed it the ledger in log order: every entry (keylog_entry), and a
 * signed checkpoint (keylog_checkpoint) when exactly as many entries as
 * its size have been fed. keylog computes the Merkle root of what it was
 * fed itself (a compact range, O(log n) memory), so it trusts nothing its
 * caller says. A checkpoint is accepted only if
 *   - its root is the root of the entries fed,
 *   - it is signed by a key that may sign a checkpoint of its size
 *     (keylog_may_sign below), and
 *   - the entries it covers do not mark every such signer compromised.
 * Key entries take effect only when an accepted checkpoint covers them:
 *   key K T             K is trusted (announced by the log and vouched for
 *                       by a checkpoint signed by an already trusted key),
 *                       valid from T. The first key entry of K counts; for
 *                       an anchor, the later of its own not-before and T.
 *   key-retire K T      K signs no certificate after T (the earliest
 *                       retirement counts).
 *   key-compromise K T  every certificate K signed at or after T fails,
 *                       and K signs no checkpoint any more (the earliest
 *                       time counts).
 * A retirement or compromise of a key that is not trusted is remembered
 * (it can only make things stricter); the key stays untrusted.
 *
 * Who may sign a checkpoint of size s (keylog_may_sign): a trusted key
 * (an anchor, or one whose key entry has an index below s) that is not
 * marked compromised, and, if its retirement is logged, s is at most the
 * size of the first accepted checkpoint that covers the key-retire entry
 * (a key signs the checkpoint that logs its own retirement, as `key
 * rotate` does, and nothing after).
 *
 * Entries of other kinds only count for the root. An entry whose first
 * two fields name a key kind but that does not parse is an error: a
 * reader of the key history must not skip a compromise it cannot read.
 *
 * Bounds: KEYLOG_MAX_KEYS keys named by anchors and entries together,
 * KEYLOG_MAX_PENDING key entries between two accepted checkpoints; past
 * them the calls fail with HS_ERR_TOOBIG (fail closed).
 *
 * Not thread-safe: one owner, or a lock around it. keylog_clone copies
 * the state (to try a batch and drop it if it fails).
 */
#ifndef HS_KEYLOG_H
#define HS_KEYLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "tlog/checkpoint.h"
#include "core/hs.h"
#include "tlog/merkle.h"
#include "tlog/note.h"

#define KEYLOG_MAX_KEYS 32
#define KEYLOG_MAX_PENDING 256
#define KEYLOG_NONE UINT64_MAX   /* "no such leaf / size" */

struct keylog;

/* A key as the log says it is. Times are 0 for none. */
struct keylog_key {
	char vkey[NOTE_VKEY_MAX];
	bool trusted;            /* an anchor, or announced and vouched for */
	bool anchor;
	uint64_t key_leaf;       /* index of its first key entry, or NONE */
	uint64_t retire_leaf;    /* index of the key-retire that counts */
	uint64_t compromise_leaf;/* index of the key-compromise that counts */
	uint64_t retire_ckpt;    /* size of the checkpoint that logged the
	                            retirement, or NONE */
	time_t not_before;
	time_t retired;
	time_t compromised;
};

/* A new, empty key log. Caller frees with keylog_free. */
enum hs_err keylog_new(struct keylog **out, char *err);
void keylog_free(struct keylog *kl); /* accepts NULL */
/* A copy of kl (caller frees). */
enum hs_err keylog_clone(const struct keylog *kl, struct keylog **out,
    char *err);

/*
 * Adds a trust anchor, before any entry is fed (HS_ERR_STATE after).
 * Times (0: none) come from a trust file and can only make things
 * stricter. All anchors must have the same key name (the log's origin;
 * HS_ERR_INVALID otherwise); HS_ERR_FORMAT for a malformed key.
 */
enum hs_err keylog_anchor(struct keylog *kl, const char *vkey,
    time_t not_before, time_t retired, time_t compromised, char *err);

/* The anchors' key name (the log's origin); "" before the first anchor. */
const char *keylog_origin(const struct keylog *kl);

/*
 * Feeds the next entry (index keylog_size()). lh (may be NULL) is its
 * leaf hash when the caller has computed it from these very bytes.
 * HS_ERR_FORMAT for a key-kind entry that does not parse (err names the
 * leaf), HS_ERR_TOOBIG past the bounds above. After an error kl is
 * unusable (keep a clone to go back).
 */
enum hs_err keylog_entry(struct keylog *kl, const void *entry, size_t len,
    const uint8_t *lh, char *err);

/*
 * Feeds a signed checkpoint note whose size must equal keylog_size()
 * (HS_ERR_INVALID otherwise). HS_OK: accepted, the key entries below its
 * size are in effect, *cp (may be NULL) is the checkpoint.
 * HS_ERR_SIGNATURE: refused (a wrong root, no signature by a key that may
 * sign it, or it covers the compromise of its only signer); kl is
 * unchanged. HS_ERR_FORMAT: not a checkpoint of the anchors' log.
 */
enum hs_err keylog_checkpoint(struct keylog *kl, const char *note,
    size_t len, struct checkpoint *cp, char *err);

/*
 * Checks only the signature of a checkpoint note of any size: HS_OK if a
 * key that may sign a checkpoint of its size under the current state
 * signed it (*cp filled). Its root is the caller's to check (against a
 * tree of what was accepted). HS_ERR_SIGNATURE / HS_ERR_FORMAT otherwise.
 */
enum hs_err keylog_signed(const struct keylog *kl, const char *note,
    size_t len, struct checkpoint *cp, char *err);

/* Entries fed; the size of the last accepted checkpoint (0 if none). */
uint64_t keylog_size(const struct keylog *kl);
uint64_t keylog_accepted(const struct keylog *kl);

/*
 * The index of the first key entry fed after the last accepted
 * checkpoint that announces a key not yet trusted, or KEYLOG_NONE: the
 * place where a caller needs a checkpoint signed by a trusted key before
 * the announced key can sign anything.
 */
uint64_t keylog_pending_key(const struct keylog *kl);

/* True if vkey may sign a checkpoint of size under the current state. */
bool keylog_may_sign(const struct keylog *kl, const char *vkey,
    uint64_t size);

/*
 * Was a certificate signature by vkey at time t valid? HS_OK if vkey is
 * trusted and t is in its window: at or after not-before, not after its
 * retirement, before its compromise. HS_ERR_SIGNATURE if the log never
 * made the key trusted; HS_ERR_STATE if it is outside its window. err
 * says why, with the ledger leaf that decided it.
 */
enum hs_err keylog_check(const struct keylog *kl, const char *vkey,
    time_t t, char *err);

/* The keys (trusted or not) in the order they were first named. */
size_t keylog_count(const struct keylog *kl);
bool keylog_key(const struct keylog *kl, size_t i, struct keylog_key *out);

/*
 * A number that changes whenever the state of any key changes (an
 * accepted checkpoint that brought key entries), for caches.
 */
uint64_t keylog_generation(const struct keylog *kl);

#endif
