/*
 * checkpoint.h - c2sp.org/tlog-checkpoint note text:
 *
 *   <origin>\n<size, decimal, no leading zeroes>\n<base64 root>\n
 *
 * followed (in the signed note) by a blank line and signature lines. The
 * spec allows opaque non-empty extension lines after the root; they are
 * accepted when parsing (and ignored) but never written.
 */
#ifndef HS_CHECKPOINT_H
#define HS_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "core/hs.h"
#include "tlog/merkle.h"
#include "tlog/note.h"
#include "core/util.h"

#define CHECKPOINT_ORIGIN_MAX 255   /* bytes, without NUL */
#define CHECKPOINT_TEXT_MAX 4096    /* note text incl. extension lines */
#define CHECKPOINT_NOTE_MAX 8192    /* whole signed note */

struct checkpoint {
	char origin[CHECKPOINT_ORIGIN_MAX + 1];
	uint64_t size;
	merkle_hash root;
};

/*
 * Appends the checkpoint text for (origin, size, root) to out. The origin
 * must be non-empty UTF-8 with no control characters, at most
 * CHECKPOINT_ORIGIN_MAX bytes (HS_ERR_INVALID).
 */
enum hs_err checkpoint_format(const char *origin, uint64_t size,
    const merkle_hash root, struct buf *out, char *err);

/*
 * Parses checkpoint text text[0..len) (the note text only, ending in
 * "\n"). HS_ERR_FORMAT naming the line if malformed.
 */
enum hs_err checkpoint_parse(const char *text, size_t len,
    struct checkpoint *cp, char *err);

/*
 * Opens a signed checkpoint note: note_open with vs[0..nvs), then parses
 * the text and, if origin is not NULL, requires that origin.
 * HS_ERR_SIGNATURE if no known key verifies (or a known key's signature
 * is bad) or the origin is another log's, HS_ERR_FORMAT if malformed.
 * by (may be NULL) tells which keys verified.
 */
enum hs_err checkpoint_open(const char *note, size_t len, const char *origin,
    struct note_verifier *const *vs, size_t nvs, struct checkpoint *cp,
    struct note_verified *by, char *err);

/*
 * Parses the text of a signed checkpoint note without checking any
 * signature (for notes this program itself stored and signed).
 */
enum hs_err checkpoint_parse_note(const char *note, size_t len,
    struct checkpoint *cp, char *err);

/*
 * Checks that newer extends older: same origin, older.size <= newer.size,
 * and proof[0..n) is a valid consistency proof between their roots (an
 * empty proof from size 0). HS_ERR_SIGNATURE with the reason in err.
 */
enum hs_err checkpoint_verify_consistency(const struct checkpoint *older,
    const struct checkpoint *newer, const merkle_hash *proof, size_t n,
    char *err);

#endif
