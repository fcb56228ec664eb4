/*
 * leaf.h - ledger leaf entries (docs/formats.md §4). One line, single spaces,
 * no trailing newline, no personal data:
 *
 *   hourseal/leaf/v1 issue <serial> <base64 SHA-256 of the signed note>
 *   hourseal/leaf/v1 revoke <serial> <reason> <RFC 3339 time>
 *   hourseal/leaf/v1 key <verifier key> <RFC 3339 not-before>
 *   hourseal/leaf/v1 key-retire <verifier key> <RFC 3339 time>
 *   hourseal/leaf/v1 key-compromise <verifier key> <RFC 3339 since>
 *   hourseal/leaf/v1 audit <audit row count> <base64 SHA-256 audit head>
 *   hourseal/leaf/v1 doc-cert <base64 SHA-256 of a PAdES certificate>
 *
 * <reason> is superseded, error, fraud or withdrawn. key-retire: the key
 * signs nothing after that time (what it signed before stays valid);
 * key-compromise: everything it signed at or after since fails. What the
 * key entries mean for a verifier is lib/keylog.h. audit anchors the
 * audit log's head (store/audit.h): the row count (decimal, no leading
 * zeros, >= 1) and the hash of that row (canonical base64 of 32 bytes).
 */
#ifndef HS_LEAF_H
#define HS_LEAF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/hs.h"
#include "tlog/note.h"
#include "cert/serial.h"
#include "core/util.h"

#define LEAF_PREFIX "hourseal/leaf/v1"
#define LEAF_MAX 1024 /* longest entry leaf_parse accepts */
#define LEAF_AUDIT_PREFIX LEAF_PREFIX " audit " /* how audit entries start */

enum leaf_kind {
	LEAF_ISSUE, LEAF_REVOKE, LEAF_KEY, LEAF_KEY_RETIRE, LEAF_KEY_COMPROMISE,
	LEAF_AUDIT, LEAF_DOC_CERT
};

/* The largest audit row count an audit entry may carry (SQLite's int64). */
#define LEAF_AUDIT_MAX_COUNT INT64_MAX

struct leaf {
	enum leaf_kind kind;
	char serial[SERIAL_SIZE];  /* issue, revoke (canonical form) */
	char digest[45];           /* issue: base64 SHA-256 of the note;
	                              audit: base64 of the audit head;
	                              doc-cert: base64 of the certificate's
	                              SHA-256 */
	char reason[16];           /* revoke */
	char time[21];             /* revoke: when; key: not-before;
	                              key-retire: when; key-compromise: since */
	char vkey[NOTE_VKEY_MAX];  /* key, key-retire, key-compromise */
	int64_t count;             /* audit: rows in the audit log */
	uint8_t head[32];          /* audit: the last row's hash;
	                              doc-cert: the certificate's SHA-256 */
};

/* Appends the issue entry for the whole signed note[0..len) to out. */
enum hs_err leaf_issue(const char *serial, const char *note, size_t len,
    struct buf *out, char *err);
/* Appends a revoke entry; time is RFC 3339 "YYYY-MM-DDTHH:MM:SSZ". */
enum hs_err leaf_revoke(const char *serial, const char *reason,
    const char *time, struct buf *out, char *err);
/* Appends a key entry for verifier key vkey valid from not_before. */
enum hs_err leaf_key(const char *vkey, const char *not_before,
    struct buf *out, char *err);
/* Appends a key-retire entry: vkey signs nothing after time. */
enum hs_err leaf_key_retire(const char *vkey, const char *time,
    struct buf *out, char *err);
/* Appends a key-compromise entry: what vkey signed from since on fails. */
enum hs_err leaf_key_compromise(const char *vkey, const char *since,
    struct buf *out, char *err);

/* Appends an audit entry: count (>= 1) rows, the last one's hash head. */
enum hs_err leaf_audit(int64_t count, const uint8_t head[32], struct buf *out,
    char *err);

/*
 * Appends a doc-cert entry: the SHA-256 of the DER of the certificate
 * that signs the certificate PDFs (PAdES, pdf/pades.h), logged before the
 * first certificate it signs, so a verifier ties a PDF signature to the
 * ledger.
 */
enum hs_err leaf_doc_cert(const uint8_t sha[32], struct buf *out, char *err);

/*
 * True if entry[0..len) claims to be a key, key-retire or key-compromise
 * entry (its first two fields), whether or not it parses: a reader that
 * follows keys must not skip a malformed one.
 */
bool leaf_is_key_kind(const char *entry, size_t len);

/* Parses an entry strictly. HS_ERR_FORMAT with the reason in err. */
enum hs_err leaf_parse(const char *entry, size_t len, struct leaf *lf,
    char *err);

#endif
