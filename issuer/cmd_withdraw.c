/*
 * hourseal-issuer withdraw: takes back the current decision (stamped or
 * rejected) on a record, as an account scoped like stamping, with a
 * reason; the record then waits for a correction (app/stamp.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <time.h>

#include "acting.h"
#include "cmd.h"
#include "app/stamp.h"

struct args {
	const char *account, *ref, *reason;
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
	if (optind != argc || a->account == NULL || a->ref == NULL)
		return CMD_USAGE;
	if (a->reason == NULL) {
		cmd_say(x, "--reason TEXT: why it is withdrawn (required)");
		return CMD_USAGE;
	}
	return 0;
}

static int
run(struct cmd *x, void *args)
{
	const struct args *a = args;
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
	printf("%s withdrawn by %s: %s\n", a->ref, by, a->reason);
	return 0;
}

const struct cmd_ops cmd_withdraw_ops = { sizeof(struct args), parse, run };
