/*
 * hourseal-issuer export --year Y --format csv|json [--full-id]
 *
 * The yearly report for the provincial system on stdout (see
 * lib/report.h): per practitioner, the hours, the status and the serials.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "certcmd.h"
#include "cmd.h"
#include "store/report.h"
#include "store/store.h"

int
cmd_export(const struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "year", required_argument, NULL, 'y' },
		{ "format", required_argument, NULL, 'f' },
		{ "full-id", no_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	enum report_format fmt = REPORT_CSV;
	struct config c;
	sqlite3 *db = NULL;
	char err[HS_ERRLEN] = "";
	bool full = false, have_fmt = false;
	enum hs_err rc;
	long n = 0;
	int ch, ret, year = 0;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'y':
			if (certcmd_year(cli->prog, optarg, &year) != 0)
				return 1;
			break;
		case 'f':
			have_fmt = true;
			if (strcmp(optarg, "csv") == 0)
				fmt = REPORT_CSV;
			else if (strcmp(optarg, "json") == 0)
				fmt = REPORT_JSON;
			else {
				fprintf(stderr, "%s: --format must be csv or "
				    "json, not '%s'\n", cli->prog, optarg);
				return 1;
			}
			break;
		case 'F':
			full = true;
			break;
		default:
			goto usage;
		}
	}
	if (optind < argc || year == 0 || !have_fmt)
		goto usage;
	if ((ret = certcmd_open_ro(cli->prog, cli->data_dir, &c, &db)) != 0)
		return ret;
	rc = report_export(db, year, fmt, full, stdout, &n, err);
	store_close(db);
	config_wipe(&c);
	if (rc != HS_OK)
		return certcmd_fail(cli->prog, rc, err);
	fprintf(stderr, "%ld practitioner%s with certificates for %d\n", n,
	    n == 1 ? "" : "s", year);
	return 0;
usage:
	fprintf(stderr, "usage: %s export --year Y --format csv|json "
	    "[--full-id]\n", cli->prog);
	return 1;
}
