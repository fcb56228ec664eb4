/*
 * results.h - batch answers kept for a while, so that the clerk who
 * verified 300 files can download the result as CSV, XLSX or a printable
 * report without uploading them again.
 *
 * Bounded: at most RESULTS_SLOTS answers and RESULTS_BUDGET bytes of
 * rows; the oldest goes first, and each expires RESULTS_TTL seconds after
 * it was made. A result is found by its token: 32 hex digits from 16
 * random bytes, the only thing in the download's address (no serial,
 * name or ID number). Anyone holding the token can download the result
 * until it expires, as with any link to it; it never outlives the
 * process.
 */
#ifndef HS_RESULTS_H
#define HS_RESULTS_H

#include <stddef.h>
#include <time.h>

#include "core/hs.h"
#include "render.h"

#define RESULTS_SLOTS 32
#define RESULTS_BUDGET ((size_t)48 << 20)
#define RESULTS_TTL 3600
#define RESULTS_TOKEN_LEN 32

struct results;

enum hs_err results_new(struct results **out, char *err);
void results_free(struct results *rs); /* accepts NULL */

/*
 * Keeps a copy of bt (its rows too) at time now and writes its token to
 * bt->token. HS_ERR_TOOBIG if one answer is over the budget, HS_ERR_NOMEM.
 */
enum hs_err results_put(struct results *rs, struct render_batch *bt,
    time_t now, char *err);
/*
 * The answer with token (any text: what is not a token is not found),
 * if it has not expired at now: a copy the caller frees with
 * results_release. NULL if none.
 */
struct render_batch *results_get(struct results *rs, const char *token,
    time_t now);
void results_release(struct render_batch *bt); /* accepts NULL */

#endif
