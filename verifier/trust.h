/*
 * trust.h - the verifier's trust file (serve --trust FILE, check --trust
 * FILE): the ledgers a verifier accepts, each with its origin, its trust
 * anchor key(s), its database and the issuer's name people read
 * (docs/formats.md §7, "the trust file"):
 *
 *   hourseal-verifier-trust v1
 *   # a comment
 *   ledger fj
 *     origin demo.hourseal.example/fj
 *     issuer 福建省专业技术人员继续教育中心
 *     key keys/demo.pub
 *     db site/verifier.db
 *     state site/verifier.db.state   (optional)
 *     pepper data/pepper             (optional)
 *
 * Relative paths are relative to the file's directory. Parsing is
 * bounded (TRUST_FILE_MAX bytes, TRUST_LINE_MAX a line, TRUST_MAX
 * ledgers) and every error names the line.
 */
#ifndef HS_TRUST_H
#define HS_TRUST_H

#include <stddef.h>

#include "core/hs.h"
#include "tlog/checkpoint.h"

#define TRUST_MAX 16               /* ledgers in one file */
#define TRUST_MAX_KEYS 8           /* key lines of one ledger */
#define TRUST_NAME_MAX 32          /* [a-z0-9-], starting with a letter */
#define TRUST_ISSUER_MAX 200       /* bytes of UTF-8 */
#define TRUST_PATH_MAX 1024
#define TRUST_LINE_MAX 2048
#define TRUST_FILE_MAX (64 * 1024)

struct trust_ledger {
	char name[TRUST_NAME_MAX + 1];
	char origin[CHECKPOINT_ORIGIN_MAX + 1];
	char issuer[TRUST_ISSUER_MAX + 1]; /* "" only if not from a file */
	char key[TRUST_MAX_KEYS][TRUST_PATH_MAX];
	size_t nkeys;
	char db[TRUST_PATH_MAX];
	char state[TRUST_PATH_MAX];        /* "" for db + ".state" */
	char pepper[TRUST_PATH_MAX];       /* "" for none */
	/* Where each came from (0: not from a file), for messages. */
	unsigned line, key_line[TRUST_MAX_KEYS], db_line;
};

struct trust {
	char path[TRUST_PATH_MAX];         /* the file ("" if built) */
	struct trust_ledger l[TRUST_MAX];
	size_t n;
};

/*
 * Parses a trust file's bytes data[0..len); dir ("" or NULL: as written)
 * is prefixed to relative paths; name is the file's name in messages.
 * HS_ERR_FORMAT with err "NAME:LINE: why" for a bad line, an unknown or
 * repeated keyword, a ledger without origin, issuer, key or db (when
 * need_db),
 * a repeated ledger name or origin, more than TRUST_MAX ledgers.
 */
enum hs_err trust_parse(const char *data, size_t len, const char *name,
    const char *dir, int need_db, struct trust *t, char *err);

/*
 * Reads and parses the file at path (a regular file, not a symbolic
 * link, not writable by group or others, at most TRUST_FILE_MAX bytes)
 * and checks what it names: every key file loads and names the ledger's
 * origin, and (need_db) every database is a regular file. Errors name
 * the file and line. *out is the caller's to free().
 */
enum hs_err trust_load(const char *path, int need_db, struct trust **out,
    char *err);

/* The ledger called name, or NULL. */
const struct trust_ledger *trust_find(const struct trust *t,
    const char *name);

#endif
