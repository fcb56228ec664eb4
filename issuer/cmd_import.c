/*
 * hourseal-issuer import FILE: hour records in (design §2b).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "app/import.h"

static int
usage(void)
{
	fprintf(stderr, "usage: hourseal-issuer import FILE [--encoding gbk] "
	    "[--skip-invalid REJECTS_FILE] [--accept-renames] "
	    "[--max-errors N] [--quiet]\n");
	return 2;
}

struct out {
	bool quiet;
};

static void
print_report(void *ctx, enum import_level level, const char *msg)
{
	struct out *o = ctx;

	if (o->quiet && level == IMPORT_NOTE)
		return;
	fprintf(stderr, "%s\n", msg);
}

int
cmd_import(const struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "encoding", required_argument, NULL, 'e' },
		{ "skip-invalid", required_argument, NULL, 's' },
		{ "accept-renames", no_argument, NULL, 'r' },
		{ "max-errors", required_argument, NULL, 'm' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	struct import_options o;
	struct import_stats st;
	struct issuer_ctx x;
	struct out out = { false };
	char err[HS_ERRLEN] = "";
	enum hs_err rc;
	int ch;

	memset(&o, 0, sizeof(o));
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'e': o.encoding = optarg; break;
		case 's': o.rejects_path = optarg; break;
		case 'r': o.accept_renames = true; break;
		case 'm':
			if (sscanf(optarg, "%zu", &o.max_errors) != 1)
				return usage();
			break;
		case 'q': out.quiet = true; break;
		default: return usage();
		}
	}
	if (optind + 1 != argc)
		return usage();
	o.path = argv[optind];
	if ((o.today = issuer_today()) < 0) {
		fprintf(stderr, "hourseal-issuer import: HOURSEAL_TODAY must be "
		    "YYYY-MM-DD\n");
		return 2;
	}
	o.report = print_report;
	o.ctx = &out;
	if (issuer_open(cli, "import", &x) != 0)
		return 2;
	rc = import_file(x.db, &x.cfg, x.pol, &o, &st, err);
	issuer_close(&x);
	if (rc != HS_OK) {
		fprintf(stderr, "%s\n", err);
		return rc == HS_ERR_INVALID || rc == HS_ERR_FORMAT ||
		    rc == HS_ERR_TOOBIG ? 1 : 2;
	}
	printf("%s: %zu rows: %zu imported, %zu already there, %zu rejected, "
	    "%zu warnings; %zu new practitioners, %zu changed; %zu stamped "
	    "automatically\n", o.path, st.rows, st.inserted, st.duplicates,
	    st.rejected, st.warnings, st.people_new, st.people_changed,
	    st.auto_stamped);
	if (st.rejected > 0)
		printf("rejected rows, with their reasons: %s\n", o.rejects_path);
	return 0;
}
