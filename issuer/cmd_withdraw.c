/*
 * hourseal-issuer withdraw: takes back the current decision (stamped or
 * rejected) on a record, as an account scoped like stamping, with a
 * reason; the record then waits for a correction (app/stamp.h).
 */
#include <stdio.h>
#include <time.h>

#include "acting.h"
#include "cmd.h"
#include "app/stamp.h"
#include "core/i18n.h"

static int
parse(const struct cmd *x, int argc, char **argv, void *args)
{
	return acting_ref_args(x, argc, argv, 0, "withdrawn", args);
}

static int
run(struct cmd *x, void *args)
{
	const struct acting_ref *a = args;
	struct principal p;
	char err[HS_ERRLEN] = "", by[PRINCIPAL_ORG + PRINCIPAL_NAME + 32];
	enum hs_err rc;
	int ret;

	if ((ret = acting_principal(x, a->account, &p)) != 0)
		return ret;
	if ((rc = stamp_withdraw(x->db, &p, a->ref, a->reason,
	    (int64_t)time(NULL), err)) != HS_OK)
		return cmd_fail(x, rc, err);
	acting_who(&p, by, sizeof(by));
	printf(_("%s withdrawn by %s: %s\n"), a->ref, by, a->reason);
	return 0;
}

const struct cmd_ops cmd_withdraw_ops = { sizeof(struct acting_ref), parse,
    run };
