/*
 * tlib.h - helpers shared by the unit tests in tests/unit/, compiled once
 * (tests/unit/tlib.c) and linked into every test program: temporary
 * directories and the shipped policies. The check harness itself is t.h.
 *
 * Failures print a "# ..." line (a comment to tests/run.sh) and return an
 * error; the caller decides whether that is a failed check.
 */
#ifndef TLIB_H
#define TLIB_H

#include <stddef.h>

#include <sqlite3.h>

#include "core/hs.h"

struct config;
struct policy;

/*
 * The size of a buffer for a directory from t_tmpdir: short, so that a
 * test's 128-byte path buffer holds a file name under it.
 */
#define T_DIRMAX 100

/*
 * Creates a fresh directory "$TMPDIR/hs-<name>.XXXXXX" (/tmp when TMPDIR
 * is unset or empty) with mkdtemp, mode 0700; its path goes to dir
 * (n bytes). Returns 0, or -1 if the path does not fit or mkdtemp fails.
 */
int t_tmpdir(const char *name, char *dir, size_t n);

/*
 * Removes path and everything below it, like rm -rf: nftw with
 * FTW_DEPTH | FTW_PHYS, so a symbolic link is removed, never followed.
 * A path that does not exist is not an error. Returns 0, or -1 if
 * something could not be removed.
 */
int t_rmtree(const char *path);

/*
 * Loads the shipped policy templates/policy/<name>.json (the source
 * tree's templates, HS_TEMPLATES_DIR). Returns it (free with
 * policy_free), or NULL with the reason in err (HS_ERRLEN bytes).
 */
struct policy *t_policy(const char *name, char *err);

/*
 * Makes a data directory <dir>/data (config_init), loads its config into
 * cfg and opens its database read-write into *db (the caller closes it
 * with store_close and wipes cfg with config_wipe, also on failure).
 * Returns HS_OK, or the error with the reason in err.
 */
enum hs_err t_datadir(const char *dir, struct config *cfg, sqlite3 **db,
    char *err);

/* The integer a one-value query on db gives, or -1 (no row, an error). */
long long t_q(sqlite3 *db, const char *sql);

/*
 * The text a one-value query on db gives ("" for no row, NULL or an
 * error), in a static buffer of 1024 bytes the next call overwrites.
 */
const char *t_qs(sqlite3 *db, const char *sql);

/* Appends a classic one-page PDF as libharu writes it (one xref
 * section), the smallest file pades_sign takes. */
struct buf;
void t_tiny_pdf(struct buf *b);

#endif
