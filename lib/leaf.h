/*
 * leaf.h - ledger leaf entries (design.md §4). One line, single spaces,
 * no trailing newline, no personal data:
 *
 *   hourseal/leaf/v1 issue <serial> <base64 SHA-256 of the signed note>
 *   hourseal/leaf/v1 revoke <serial> <reason> <RFC 3339 time>
 *   hourseal/leaf/v1 key <verifier key> <RFC 3339 not-before>
 *
 * <reason> is superseded, error, fraud or withdrawn.
 */
#ifndef HS_LEAF_H
#define HS_LEAF_H

#include <stdbool.h>
#include <stddef.h>

#include "hs.h"
#include "note.h"
#include "serial.h"
#include "util.h"

#define LEAF_PREFIX "hourseal/leaf/v1"
#define LEAF_MAX 1024 /* longest entry leaf_parse accepts */

enum leaf_kind { LEAF_ISSUE, LEAF_REVOKE, LEAF_KEY };

struct leaf {
	enum leaf_kind kind;
	char serial[SERIAL_SIZE];  /* issue, revoke (canonical form) */
	char digest[45];           /* issue: base64 SHA-256 of the note */
	char reason[16];           /* revoke */
	char time[21];             /* revoke: when; key: not-before */
	char vkey[NOTE_VKEY_MAX];  /* key */
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

/* Parses an entry strictly. HS_ERR_FORMAT with the reason in err. */
enum hs_err leaf_parse(const char *entry, size_t len, struct leaf *lf,
    char *err);

#endif
