/*
 * hourseal-issuer reissue SERIAL --out DIR
 *
 * A corrected certificate from the holder's current stamped records; the
 * old one is revoked as superseded and both point at each other.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "cert/serial.h"

struct args {
	const char *out;
	char serial[SERIAL_SIZE];
};

static int
parse(const struct cmd *x, int argc, char **argv, void *args)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	struct args *a = args;
	char err[HS_ERRLEN] = "";
	enum hs_err rc;
	int ch;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'o')
			return CMD_USAGE;
		a->out = optarg;
	}
	if (optind + 1 != argc || a->out == NULL)
		return CMD_USAGE;
	if ((rc = serial_parse(argv[optind], a->serial, err)) != HS_OK)
		return cmd_fail(x, rc, err);
	return 0;
}

static int
run(struct cmd *x, void *args)
{
	const struct args *a = args;
	char fresh[SERIAL_SIZE], err[HS_ERRLEN] = "";
	struct issue_opts o;
	enum hs_err rc;

	/* A file size limit must fail a write, not kill the process. */
	signal(SIGXFSZ, SIG_IGN);
	memset(&o, 0, sizeof(o));
	o.quiet = true;
	rc = issue_reissue(x->is, a->serial, a->out, &o, fresh, err);
	if (rc != HS_OK)
		return cmd_fail(x, rc, err);
	printf("%s replaces %s (revoked as superseded)\n", fresh, a->serial);
	return 0;
}

const struct cmd_ops cmd_reissue_ops = { sizeof(struct args), parse, run };
