/*
 * verify.h - what both `serve` and `check` do to a certificate: the
 * trusted keys with their validity windows, opening a certificate note,
 * and checking a receipt and consistency. No database, no network.
 *
 * Key validity (docs/formats.md §5): a certificate note counts only if a trusted
 * key verifies it and the certificate's `issued` time is inside that key's
 * window: at or after not-before, not after retirement, and before the
 * time it was marked compromised. A checkpoint counts only if a trusted
 * key that is not marked compromised signed it.
 */
#ifndef HS_VERIFY_H
#define HS_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "cert/cert.h"
#include "tlog/checkpoint.h"
#include "core/hs.h"
#include "tlog/note.h"
#include "core/util.h"

#define VERIFY_MAX_KEYS 32

struct verify_key {
	char vkey[NOTE_VKEY_MAX];
	char label[128];         /* "" if unknown (key files) */
	time_t not_before;       /* 0: always */
	time_t retired;          /* 0: not retired */
	time_t compromised;      /* 0: not compromised */
};

struct verify_keys {
	struct verify_key k[VERIFY_MAX_KEYS];
	struct note_verifier *v[VERIFY_MAX_KEYS];
	size_t n;
	/* Verifiers of keys not marked compromised, for checkpoints. */
	struct note_verifier *ckpt[VERIFY_MAX_KEYS];
	size_t nckpt;
	char origin[CHECKPOINT_ORIGIN_MAX + 1]; /* the keys' (shared) name */
};

void verify_keys_init(struct verify_keys *ks);
void verify_keys_free(struct verify_keys *ks); /* accepts NULL */

/*
 * Adds a key. Times are RFC 3339 or NULL/"" for none. HS_ERR_FORMAT if
 * the key line or a time is malformed, HS_ERR_INVALID if its name differs
 * from the keys already added (one ledger, one origin), HS_ERR_TOOBIG
 * past VERIFY_MAX_KEYS. A key already present is not added twice.
 */
enum hs_err verify_keys_add(struct verify_keys *ks, const char *vkey,
    const char *label, const char *not_before, const char *retired,
    const char *compromised, char *err);

/*
 * Reads a key file: one key a line, as written by `hourseal-issuer
 * keygen` (LABEL.pub: the bare verifier key) or served by GET /keys:
 *   <verifier key> [not-before=<T>] [retired=<T>] [compromised=<T>]
 * Blank lines and lines starting with '#' are skipped. err names the
 * line on failure.
 */
enum hs_err verify_keys_load(struct verify_keys *ks, const char *path,
    char *err);

/* True if ks holds a key equal to vkey. */
bool verify_keys_has(const struct verify_keys *ks, const char *vkey);

/* Writes the keys in the /keys text form above (one a line) to out. */
void verify_keys_format(const struct verify_keys *ks, struct buf *out);

/*
 * HS_OK if key k of ks was valid at the issue time (what: the same time as
 * text for the message, or NULL to format it); else HS_ERR_STATE saying whether it was
 * compromised, retired or not yet valid then.
 */
enum hs_err verify_key_window(const struct verify_keys *ks, size_t k,
    const char *what, time_t issued, char *err);

/*
 * Opens a signed certificate note note[0..len): a trusted key must verify
 * it, the text must decode (cert_decode) and the key must have been valid
 * at the certificate's issued time. On success c is filled (cert_free it)
 * and *key (may be NULL) is the index of the key that verified.
 * HS_ERR_FORMAT: not a certificate note; HS_ERR_SIGNATURE: no trusted key
 * verifies it (a bad signature or an unknown key); HS_ERR_STATE: the key
 * was retired or compromised at that time or not yet valid. err says
 * which.
 */
enum hs_err verify_cert_note(const struct verify_keys *ks, const char *note,
    size_t len, struct cert *c, size_t *key, char *err);

/*
 * Checks a receipt (c2sp.org/tlog-proof@v1, receipt[0..rlen)) for the
 * signed certificate note: the entry is the note's issue leaf, the
 * embedded checkpoint is signed by an uncompromised trusted key with the
 * keys' origin, and the inclusion proof leads to its root. *cp (may be
 * NULL) is that checkpoint and *index (may be NULL) the leaf index.
 * HS_ERR_FORMAT if the receipt is malformed, HS_ERR_SIGNATURE otherwise.
 */
enum hs_err verify_receipt(const struct verify_keys *ks, const char *serial,
    const char *note, size_t nlen, const char *receipt, size_t rlen,
    struct checkpoint *cp, uint64_t *index, char *err);

/*
 * A checkpoint the user trusts for the offline check, with the proof
 * that it extends an older one. The file form (`check --checkpoint`) is
 * a signed checkpoint note, optionally preceded by a consistency proof:
 *
 *   c2sp.org/hourseal-consistency@v1\n
 *   old <size>\n
 *   <base64 hash>\n ...        consistency proof from <size> to this one
 *   \n
 *   <signed checkpoint note>
 *
 * `hourseal-verifier check` prints what a file for a given receipt needs,
 * and GET /checkpoint?consistency-from=<size> on the service answers in
 * this form.
 */
#define VERIFY_CONSISTENCY_HEADER "c2sp.org/hourseal-consistency@v1"

struct verify_newer {
	bool has_proof;
	uint64_t old_size;
	merkle_hash proof[MERKLE_MAX_PROOF];
	size_t nproof;
	const char *note;   /* points into the parsed text */
	size_t note_len;
};

/* Parses the form above (text must stay alive). HS_ERR_FORMAT naming the line. */
enum hs_err verify_newer_parse(const char *text, size_t len,
    struct verify_newer *nw, char *err);

/* Appends the form above for a proof from old_size and a signed note. */
void verify_newer_format(uint64_t old_size, const merkle_hash *proof,
    size_t n, const char *note, size_t note_len, struct buf *out);

#endif
