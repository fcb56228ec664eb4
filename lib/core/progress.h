/*
 * progress.h - progress reports for long runs on stderr.
 *
 * On a terminal: one line redrawn at most ten times a second with a bar,
 * the count, the rate and the time left. Otherwise: a plain line every
 * `every` items (e.g. 1,000), so logs stay readable. Quiet: nothing.
 */
#ifndef HS_PROGRESS_H
#define HS_PROGRESS_H

#include <stdbool.h>
#include <stdio.h>

#include "core/hs.h"

struct progress;

/*
 * A progress report on f for total items (0 if unknown) named by what
 * ("certificates"). tty selects the redrawn bar. Caller frees with
 * progress_end. Returns NULL when out of memory (reports are then skipped).
 */
struct progress *progress_new(FILE *f, const char *what, long total,
    bool tty, bool quiet, long every);

/* Sets the number of items done so far and redraws if it is time. */
void progress_set(struct progress *p, long done);

/* Changes the expected total (e.g. once skipped items are known). */
void progress_total(struct progress *p, long total);

/* Prints the final line (count, elapsed time, rate) and frees p. */
void progress_end(struct progress *p);

/*
 * Formats a rate line into out: "1234/10000 certificates, 512/s, 0:17
 * left". Exposed for tests.
 */
void progress_format(char *out, size_t outsz, const char *what, long done,
    long total, double elapsed);

#endif
