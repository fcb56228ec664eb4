/*
 * receipt.h - c2sp.org/tlog-proof@v1 receipts (docs/formats.md §4):
 *
 *   c2sp.org/tlog-proof@v1\n
 *   [extra <base64>\n]           optional, unauthenticated; never written
 *   index <i>\n                  decimal, no leading zeroes
 *   <base64 hash>\n ...          inclusion proof, leaf's sibling first
 *   \n
 *   <signed checkpoint note>     verbatim (lib/checkpoint.h)
 *
 * Used by the issuer (which builds receipts with ledger_receipt), the
 * verification service and the offline check.
 */
#ifndef HS_RECEIPT_H
#define HS_RECEIPT_H

#include <stddef.h>
#include <stdint.h>

#include "tlog/checkpoint.h"
#include "core/hs.h"
#include "tlog/merkle.h"
#include "tlog/note.h"
#include "core/util.h"

#define RECEIPT_HEADER "c2sp.org/tlog-proof@v1"
#define RECEIPT_MAX 16384     /* whole receipt, bytes */
#define RECEIPT_EXTRA_MAX 1024 /* decoded extra data, bytes */

struct receipt;

/*
 * Appends the receipt for index with inclusion proof[0..n) and the signed
 * checkpoint note[0..len) to out. The note must end in "\n".
 */
enum hs_err receipt_format(uint64_t index, const merkle_hash *proof,
    size_t n, const char *checkpoint, size_t len, struct buf *out,
    char *err);

/*
 * Parses a receipt strictly (bounded by RECEIPT_MAX; every hash exactly
 * 32 bytes; at most MERKLE_MAX_PROOF of them; the checkpoint part is
 * checked for form but not signature). Caller frees with receipt_free.
 * HS_ERR_FORMAT naming the line on error.
 */
enum hs_err receipt_parse(const char *s, size_t len, struct receipt **r,
    char *err);
void receipt_free(struct receipt *r); /* accepts NULL */

uint64_t receipt_index(const struct receipt *r);
/* The inclusion proof; *n is its length. Owned by r. */
const merkle_hash *receipt_proof(const struct receipt *r, size_t *n);
/* The embedded signed checkpoint note (NUL-terminated). Owned by r. */
const char *receipt_checkpoint(const struct receipt *r, size_t *len);
/* The checkpoint as parsed (signature not checked). */
const struct checkpoint *receipt_checkpoint_parsed(const struct receipt *r);

/*
 * Verifies that entry[0..n) is leaf receipt_index(r) of the log whose
 * checkpoint is embedded: the checkpoint must open with vs[0..nvs) and
 * have the given origin (if not NULL), and the inclusion proof must lead
 * from the entry's leaf hash to its root. On success *cp (may be NULL) is
 * the verified checkpoint and by (may be NULL) says which keys signed.
 * HS_ERR_SIGNATURE if anything does not verify, with the reason in err.
 */
enum hs_err receipt_verify(const struct receipt *r, const void *entry,
    size_t n, const char *origin, struct note_verifier *const *vs,
    size_t nvs, struct checkpoint *cp, struct note_verified *by, char *err);

#endif
