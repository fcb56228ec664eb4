/*
 * hourseal-issuer export --year Y --format csv|json [--full-id]
 *
 * The yearly report for the provincial system on stdout (see
 * lib/store/report.h): per practitioner, the hours, the status and the
 * serials.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "core/i18n.h"
#include "store/report.h"

struct args {
	enum report_format fmt;
	bool full, have_fmt;
	int year;
};

static int
parse(const struct cmd *x, int argc, char **argv, void *args)
{
	static const struct option opts[] = {
		{ "year", required_argument, NULL, 'y' },
		{ "format", required_argument, NULL, 'f' },
		{ "full-id", no_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	struct args *a = args;
	int ch;

	a->fmt = REPORT_CSV;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'y':
			if (cmd_year(x, optarg, &a->year) != 0)
				return 1;
			break;
		case 'f':
			a->have_fmt = true;
			if (strcmp(optarg, "csv") == 0)
				a->fmt = REPORT_CSV;
			else if (strcmp(optarg, "json") == 0)
				a->fmt = REPORT_JSON;
			else {
				cmd_say(x, "--format must be csv or json, not "
				    "'%s'", optarg);
				return 1;
			}
			break;
		case 'F':
			a->full = true;
			break;
		default:
			return CMD_USAGE;
		}
	}
	if (optind < argc || a->year == 0 || !a->have_fmt)
		return CMD_USAGE;
	return 0;
}

static int
run(struct cmd *x, void *args)
{
	const struct args *a = args;
	char err[HS_ERRLEN] = "";
	enum hs_err rc;
	long n = 0;

	rc = report_export(x->db, a->year, a->fmt, a->full, stdout, &n, err);
	if (rc != HS_OK)
		return cmd_fail(x, rc, err);
	fprintf(stderr, _("%ld practitioner%s with certificates for %d\n"), n,
	    n == 1 ? "" : "s", a->year);
	return 0;
}

const struct cmd_ops cmd_export_ops = { sizeof(struct args), parse, run };
