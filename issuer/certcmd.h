/*
 * certcmd.h - what the certificate commands (issue, revoke, reissue, list,
 * show, export, publish) share: opening the data directory and turning
 * error codes into exit statuses.
 */
#ifndef HS_ISSUER_CERTCMD_H
#define HS_ISSUER_CERTCMD_H

#include <sqlite3.h>

#include "store/config.h"
#include "core/hs.h"

/*
 * Loads the configuration of data_dir into c and opens its database
 * (read-write, migrated). On failure prints "prog: message" and returns
 * the exit status to use (2); on success returns 0.
 */
int certcmd_open(const char *prog, const char *data_dir, struct config *c,
    sqlite3 **db);

/*
 * The same, read-only (list, show, export): no write lock is taken, so
 * these work while an issuer holds the database for a batch.
 */
int certcmd_open_ro(const char *prog, const char *data_dir, struct config *c,
    sqlite3 **db);

/* The exit status for rc: 0 ok, 1 invalid input or refused, 2 could not run. */
int certcmd_exit(enum hs_err rc);

/* Prints "prog: err" (or the generic text for rc) and returns certcmd_exit(rc). */
int certcmd_fail(const char *prog, enum hs_err rc, const char *err);

/*
 * Parses a year argument 1900..2999 into *year; prints an error and
 * returns -1 if it is not one.
 */
int certcmd_year(const char *prog, const char *s, int *year);

/*
 * The id-digest of a full ID number given on the command line (18
 * characters, 17 digits and a check character; a lower-case x is read as
 * X). HS_ERR_INVALID with the reason in err if it is not one.
 */
enum hs_err certcmd_id_digest(const struct config *c, const char *id,
    char out[45], char *err);

#endif
