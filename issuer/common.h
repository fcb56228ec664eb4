/*
 * common.h - what the issuer's record commands share: opening the data
 * directory's config, policy and database together.
 */
#ifndef HS_ISSUER_COMMON_H
#define HS_ISSUER_COMMON_H

#include <sqlite3.h>

#include "cmd.h"
#include "store/config.h"
#include "cert/policy.h"

struct issuer_ctx {
	struct config cfg;
	struct policy *pol;
	sqlite3 *db;
};

/*
 * Loads cli->data_dir's config and policy and opens its database
 * read-write. On failure prints "hourseal-issuer CMD: reason" and
 * returns 2 (could not run); 0 on success. Close with issuer_close.
 */
int issuer_open(const struct cli *cli, const char *cmd,
    struct issuer_ctx *x);
void issuer_close(struct issuer_ctx *x);

/*
 * Today as days since 1970-01-01: $HOURSEAL_TODAY (YYYY-MM-DD, for tests
 * and for replaying an import as of a date) or the UTC date. -1 if
 * $HOURSEAL_TODAY is set but not a date.
 */
long issuer_today(void);

#endif
