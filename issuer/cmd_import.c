/*
 * hourseal-issuer import FILE: hour records in (docs/formats.md §2b):
 * CSV, JSON Lines, or an .xlsx workbook (its first sheet, or --sheet).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "app/import.h"
#include "core/i18n.h"

struct out {
	bool quiet;
};

struct args {
	struct import_options o;
	struct out out;
};

static void
print_report(void *ctx, enum import_level level, const char *msg)
{
	struct out *o = ctx;

	if (o->quiet && level == IMPORT_NOTE)
		return;
	fprintf(stderr, "%s\n", msg);
}

static int
parse(const struct cmd *x, int argc, char **argv, void *args)
{
	static const struct option opts[] = {
		{ "encoding", required_argument, NULL, 'e' },
		{ "sheet", required_argument, NULL, 'S' },
		{ "skip-invalid", required_argument, NULL, 's' },
		{ "accept-renames", no_argument, NULL, 'r' },
		{ "max-errors", required_argument, NULL, 'm' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	struct args *a = args;
	struct import_options *o = &a->o;
	int ch;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'e': o->encoding = optarg; break;
		case 'S': o->sheet = optarg; break;
		case 's': o->rejects_path = optarg; break;
		case 'r': o->accept_renames = true; break;
		case 'm':
			if (sscanf(optarg, "%zu", &o->max_errors) != 1)
				return CMD_USAGE;
			break;
		case 'q': a->out.quiet = true; break;
		default: return CMD_USAGE;
		}
	}
	if (optind + 1 != argc)
		return CMD_USAGE;
	o->path = argv[optind];
	if ((o->today = cmd_today()) < 0) {
		cmd_say(x, "HOURSEAL_TODAY must be YYYY-MM-DD");
		return 2;
	}
	return 0;
}

static int
run(struct cmd *x, void *args)
{
	struct args *a = args;
	struct import_options o = a->o;
	struct import_stats st;
	char err[HS_ERRLEN] = "";
	enum hs_err rc;

	o.report = print_report;
	o.ctx = &a->out;
	rc = import_file(x->db, &x->cfg, x->pol, &o, &st, err);
	if (rc != HS_OK) {
		fprintf(stderr, "%s\n", err);
		return rc == HS_ERR_INVALID || rc == HS_ERR_FORMAT ||
		    rc == HS_ERR_TOOBIG ? 1 : 2;
	}
	printf(_("%s: %zu rows: %zu imported, %zu already there, %zu rejected, "
	    "%zu warnings; %zu new practitioners, %zu changed; %zu stamped "
	    "automatically\n"), o.path, st.rows, st.inserted, st.duplicates,
	    st.rejected, st.warnings, st.people_new, st.people_changed,
	    st.auto_stamped);
	if (st.rejected > 0)
		printf(_("rejected rows, with their reasons: %s\n"), o.rejects_path);
	return 0;
}

const struct cmd_ops cmd_import_ops = { sizeof(struct args), parse, run };
