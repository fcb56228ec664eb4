/*
 * hourseal-issuer correct: a corrected version of a withdrawn, rejected
 * or waiting record, from FILE (one CSV or JSON Lines row in import's
 * format, checked by import's rules); the old version is kept in the
 * record's history and the new one waits for its stamp (app/stamp.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "acting.h"
#include "cmd.h"
#include "app/stamp.h"
#include "core/i18n.h"

static int
parse(const struct cmd *x, int argc, char **argv, void *args)
{
	return acting_ref_args(x, argc, argv, 1, "corrected", args);
}

static int
run(struct cmd *x, void *args)
{
	const struct acting_ref *a = args;
	struct import_fields *row;
	struct principal p;
	char err[HS_ERRLEN] = "";
	long today;
	enum hs_err rc;
	int ret;

	if ((ret = acting_principal(x, a->account, &p)) != 0)
		return ret;
	if ((today = cmd_today()) < 0) {
		cmd_say(x, "HOURSEAL_TODAY: not a date (YYYY-MM-DD)");
		return 2;
	}
	if ((row = malloc(sizeof(*row))) == NULL)
		return cmd_fail(x, HS_ERR_NOMEM, "out of memory");
	rc = import_read_one(a->operand, NULL, row, err);
	if (rc == HS_OK && (rc = record_correct(x->db, x->pol, &p, a->ref,
	    row->f, a->reason, today, (int64_t)time(NULL), err)) ==
	    HS_ERR_INVALID)
		hs_errprefix(err, "%s:%zu", a->operand, row->line);
	free(row);
	if (rc != HS_OK)
		return cmd_fail(x, rc, err);
	printf(_("%s corrected by %s (account %s): the new version waits for "
	    "its stamp\n"), a->ref, p.org, p.name);
	return 0;
}

const struct cmd_ops cmd_correct_ops = { sizeof(struct acting_ref), parse,
    run };
