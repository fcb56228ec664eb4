/*
 * hourseal-issuer export --year Y --format csv|json|xlsx [--output FILE]
 *     [--full-id]
 *
 * The yearly report for the provincial system (see lib/store/report.h):
 * per practitioner, the hours, the status and the serials; on stdout or
 * into FILE. --full-id (the internal exchange that matches people by
 * their ID number) writes only into a FILE it creates itself, 0600,
 * never over an existing one nor to stdout, and appends an audit row
 * (report.export_full_id).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "core/i18n.h"
#include "store/audit.h"
#include "store/report.h"
#include "store/store.h"

struct args {
	enum report_format fmt;
	bool full, have_fmt;
	int year;
	const char *output;
};

static int
parse(const struct cmd *x, int argc, char **argv, void *args)
{
	static const struct option opts[] = {
		{ "year", required_argument, NULL, 'y' },
		{ "format", required_argument, NULL, 'f' },
		{ "full-id", no_argument, NULL, 'F' },
		{ "output", required_argument, NULL, 'o' },
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
			else if (strcmp(optarg, "xlsx") == 0)
				a->fmt = REPORT_XLSX;
			else {
				cmd_say(x, "--format must be csv, json or xlsx, "
				    "not '%s'", optarg);
				return 1;
			}
			break;
		case 'F':
			a->full = true;
			break;
		case 'o':
			a->output = optarg;
			break;
		default:
			return CMD_USAGE;
		}
	}
	if (optind < argc || a->year == 0 || !a->have_fmt)
		return CMD_USAGE;
	if (a->full && (a->output == NULL || strcmp(a->output, "-") == 0)) {
		cmd_say(x, "--full-id writes whole ID numbers: only into a new "
		    "file, with --output FILE (created 0600), never to "
		    "standard output");
		return 1;
	}
	if (a->output == NULL && a->fmt == REPORT_XLSX && isatty(1)) {
		cmd_say(x, "--format xlsx is a binary file: give --output FILE "
		    "or redirect standard output");
		return 1;
	}
	return 0;
}

static int
run(struct cmd *x, void *args)
{
	const struct args *a = args;
	char err[HS_ERRLEN] = "", detail[160], object[16];
	struct actor op;
	enum hs_err rc;
	FILE *out = stdout;
	long n = 0;
	int fd;

	if (a->output != NULL && strcmp(a->output, "-") != 0) {
		/* A new file only: with whole ID numbers it must not land
		 * in a file someone else made (or can read). */
		fd = open(a->output, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
		if (fd < 0) {
			cmd_say(x, "%s: %s%s", a->output, strerror(errno),
			    errno == EEXIST ? _(" (export writes only a new "
			    "file; remove it or choose another name)") : "");
			return 1;
		}
		if (fchmod(fd, 0600) != 0 || (out = fdopen(fd, "w")) == NULL) {
			cmd_say(x, "%s: %s", a->output, strerror(errno));
			close(fd);
			unlink(a->output);
			return 2;
		}
	}
	rc = report_export(x->db, a->year, a->fmt, a->full, out, &n, err);
	if (out != stdout) {
		if (rc == HS_OK && (fflush(out) != 0 || fsync(fileno(out)) != 0))
			rc = hs_fail(err, HS_ERR_IO, "%s: %s", a->output,
			    strerror(errno));
		if (fclose(out) != 0 && rc == HS_OK)
			rc = hs_fail(err, HS_ERR_IO, "%s: %s", a->output,
			    strerror(errno));
	}
	/* Whole ID numbers left the database: one audit row says so. */
	if (rc == HS_OK && a->full) {
		op = audit_operator(x->cfg.issuer);
		snprintf(object, sizeof(object), "%d", a->year);
		snprintf(detail, sizeof(detail), "full ID numbers, %s, %ld "
		    "practitioners", a->fmt == REPORT_XLSX ? "xlsx" :
		    a->fmt == REPORT_JSON ? "json" : "csv", n);
		if ((rc = store_begin(x->db, err)) == HS_OK) {
			if ((rc = audit_append(x->db, &op, "report.export_full_id",
			    object, detail, NULL, err)) == HS_OK)
				rc = store_commit(x->db, err);
			if (rc != HS_OK)
				store_rollback(x->db);
		}
	}
	if (rc != HS_OK) {
		if (out != stdout)
			unlink(a->output);
		return cmd_fail(x, rc, err);
	}
	fprintf(stderr, _("%ld practitioner%s with certificates for %d%s%s\n"), n,
	    n == 1 ? "" : "s", a->year, out != stdout ? _(" written to ") : "",
	    out != stdout ? a->output : "");
	return 0;
}

const struct cmd_ops cmd_export_ops = { sizeof(struct args), parse, run };
