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

#include "core/hs.h"

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

#endif
