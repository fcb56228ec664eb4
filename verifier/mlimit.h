/*
 * mlimit.h - the per-certificate limit on ID-match attempts: at most N a
 * day (UTC) for one serial, whoever asks. It complements the per-client
 * token bucket, which many addresses together get around.
 *
 * Counters sit in a fixed table (two rows of MLIMIT_CELLS, count-min
 * with conservative update) indexed by a keyed hash of the serial, the
 * key random per process: memory is fixed whatever serials are tried,
 * and trying other serials can never reset a serial's count. Sharing a
 * cell can only overestimate a count; with 2^19 cells a row that takes
 * millions of attempts in one day.
 */
#ifndef HS_MLIMIT_H
#define HS_MLIMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/hs.h"

#define MLIMIT_CELLS (1u << 19)

struct mlimit;

/* A limit of per_day attempts a serial (at least 1). Caller frees with
 * mlimit_free. HS_ERR_NOMEM or HS_ERR_CRYPTO (no random key). */
enum hs_err mlimit_new(unsigned per_day, struct mlimit **out, char *err);
void mlimit_free(struct mlimit *m); /* accepts NULL */

/*
 * Takes one attempt for serial at now (Unix seconds). True if allowed;
 * *left is the attempts left today after this one (0 when refused) and
 * *reset the seconds until the count starts again (next 00:00 UTC).
 * Thread-safe.
 */
bool mlimit_take(struct mlimit *m, const char *serial, int64_t now,
    unsigned *left, unsigned *reset);

unsigned mlimit_per_day(const struct mlimit *m);

#endif
