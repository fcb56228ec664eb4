/*
 * hourseal-issuer revoke SERIAL --reason superseded|error|fraud|withdrawn
 *     [--note TEXT]
 *
 * Appends a revoke leaf and signs a new checkpoint (lib/app/issue.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "core/i18n.h"
#include "store/certs.h"
#include "cert/serial.h"

struct args {
	const char *reason, *note;
	char serial[SERIAL_SIZE];
};

static int
parse(const struct cmd *x, int argc, char **argv, void *args)
{
	static const struct option opts[] = {
		{ "reason", required_argument, NULL, 'r' },
		{ "note", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct args *a = args;
	char err[HS_ERRLEN] = "";
	enum hs_err rc;
	int ch;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'r': a->reason = optarg; break;
		case 'n': a->note = optarg; break;
		default: return CMD_USAGE;
		}
	}
	if (optind + 1 != argc || a->reason == NULL)
		return CMD_USAGE;
	if ((rc = serial_parse(argv[optind], a->serial, err)) != HS_OK)
		return cmd_fail(x, rc, err);
	if (!certs_reason_valid(a->reason)) {
		cmd_say(x, "--reason must be one of %s, not '%s'",
		    CERTS_REASONS, a->reason);
		return 1;
	}
	return 0;
}

static int
run(struct cmd *x, void *args)
{
	const struct args *a = args;
	char err[HS_ERRLEN] = "";
	uint64_t index = 0, size = 0;
	enum hs_err rc;

	rc = issue_revoke(x->is, a->serial, a->reason, a->note, &index, &size,
	    err);
	if (rc != HS_OK)
		return cmd_fail(x, rc, err);
	printf(_("revoked %s (%s): ledger index %llu, checkpoint size %llu\n"),
	    a->serial, a->reason, (unsigned long long)index,
	    (unsigned long long)size);
	return 0;
}

const struct cmd_ops cmd_revoke_ops = { sizeof(struct args), parse, run };
