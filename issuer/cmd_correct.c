/*
 * hourseal-issuer correct: a corrected version of a withdrawn, rejected
 * or waiting record, from FILE (one CSV or JSON Lines row in import's
 * format, checked by import's rules); the old version is kept in the
 * record's history and the new one waits for its stamp (app/stamp.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "acting.h"
#include "cmd.h"
#include "app/stamp.h"

struct args {
	const char *account, *ref, *reason, *file;
};

static int
parse(const struct cmd *x, int argc, char **argv, void *args)
{
	static const struct option opts[] = {
		{ "account", required_argument, NULL, 'A' },
		{ "ref", required_argument, NULL, 'r' },
		{ "reason", required_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	struct args *a = args;
	int ch;

	if (acting_gone_flags(x, argc, argv) != 0)
		return CMD_USAGE;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'A': a->account = optarg; break;
		case 'r': a->ref = optarg; break;
		case 'R': a->reason = optarg; break;
		default: return CMD_USAGE;
		}
	}
	if (optind + 1 != argc || a->account == NULL || a->ref == NULL)
		return CMD_USAGE;
	if (a->reason == NULL) {
		cmd_say(x, "--reason TEXT: why it is corrected (required)");
		return CMD_USAGE;
	}
	a->file = argv[optind];
	return 0;
}

static int
run(struct cmd *x, void *args)
{
	const struct args *a = args;
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
	rc = import_read_one(a->file, NULL, row, err);
	if (rc == HS_OK && (rc = record_correct(x->db, x->pol, &p, a->ref,
	    row->f, a->reason, today, (int64_t)time(NULL), err)) ==
	    HS_ERR_INVALID)
		hs_errprefix(err, "%s:%zu", a->file, row->line);
	free(row);
	if (rc != HS_OK)
		return cmd_fail(x, rc, err);
	printf("%s corrected by %s (account %s): the new version waits for "
	    "its stamp\n", a->ref, p.org, p.name);
	return 0;
}

const struct cmd_ops cmd_correct_ops = { sizeof(struct args), parse, run };
