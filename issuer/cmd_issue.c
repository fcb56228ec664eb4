/*
 * hourseal-issuer issue --year Y [--id ID | --all] [--kind annual|course]
 *     --out DIR [--only-complete] [--reissue] [--quiet] [--batch N]
 *     [--workers N]
 *
 * Issues certificates in crash-safe batches (lib/issue.h): PDFs in
 * DIR/<year>/<serial>.pdf and DIR/<year>/manifest.csv.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "certcmd.h"
#include "cmd.h"
#include "app/issue.h"
#include "store/store.h"

static int
usage(const char *prog)
{
	fprintf(stderr, "usage: %s issue --year Y [--id ID | --all] "
	    "[--kind annual|course] --out DIR [--only-complete] [--reissue] "
	    "[--quiet] [--batch N] [--workers N]\n", prog);
	return 1;
}

static int
number(const char *prog, const char *flag, const char *s, long lo, long hi,
    long *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < lo || v > hi) {
		fprintf(stderr, "%s: %s: '%s' is not a number from %ld to "
		    "%ld\n", prog, flag, s, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

int
cmd_issue(const struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "year", required_argument, NULL, 'y' },
		{ "id", required_argument, NULL, 'i' },
		{ "all", no_argument, NULL, 'a' },
		{ "kind", required_argument, NULL, 'k' },
		{ "out", required_argument, NULL, 'o' },
		{ "only-complete", no_argument, NULL, 'c' },
		{ "reissue", no_argument, NULL, 'r' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "batch", required_argument, NULL, 'b' },
		{ "workers", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	struct issue_opts o;
	struct issue_stats st;
	struct issue *is = NULL;
	struct config c;
	sqlite3 *db = NULL;
	char err[HS_ERRLEN] = "";
	bool all = false;
	enum hs_err rc;
	long v;
	int ch, ret;

	memset(&o, 0, sizeof(o));
	memset(&st, 0, sizeof(st));
	o.kind = CERT_ANNUAL;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'y':
			if (certcmd_year(cli->prog, optarg, &o.year) != 0)
				return 1;
			break;
		case 'i':
			o.id_number = optarg;
			break;
		case 'a':
			all = true;
			break;
		case 'k':
			if (strcmp(optarg, "annual") == 0)
				o.kind = CERT_ANNUAL;
			else if (strcmp(optarg, "course") == 0)
				o.kind = CERT_COURSE;
			else {
				fprintf(stderr, "%s: --kind must be annual or "
				    "course, not '%s'\n", cli->prog, optarg);
				return 1;
			}
			break;
		case 'o':
			o.out_dir = optarg;
			break;
		case 'c':
			o.only_complete = true;
			break;
		case 'r':
			o.reissue = true;
			break;
		case 'q':
			o.quiet = true;
			break;
		case 'b':
			if (number(cli->prog, "--batch", optarg, 1,
			    ISSUE_BATCH_MAX, &v) != 0)
				return 1;
			o.batch = (size_t)v;
			break;
		case 'w':
			if (number(cli->prog, "--workers", optarg, 0,
			    ISSUE_MAX_WORKERS, &v) != 0)
				return 1;
			o.workers = (int)v;
			break;
		default:
			return usage(cli->prog);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: issue: unexpected argument '%s'\n",
		    cli->prog, argv[optind]);
		return usage(cli->prog);
	}
	if (o.year == 0 || o.out_dir == NULL)
		return usage(cli->prog);
	if (all == (o.id_number != NULL)) {
		fprintf(stderr, "%s: issue: give either --id ID or --all\n",
		    cli->prog);
		return usage(cli->prog);
	}
	o.progress = stderr;
	o.tty = isatty(STDERR_FILENO);
	/* A file size limit must fail a write, not kill the batch midway. */
	signal(SIGXFSZ, SIG_IGN);
	if ((ret = certcmd_open(cli->prog, cli->data_dir, &c, &db)) != 0)
		return ret;
	/* No key, templates or policy: could not run (2). */
	if ((rc = issue_open(&c, db, ISSUE_SIGN | ISSUE_RENDER, &is, err)) !=
	    HS_OK) {
		store_close(db);
		config_wipe(&c);
		certcmd_fail(cli->prog, rc, err);
		return 2;
	}
	rc = issue_run(is, &o, &st, err);
	issue_close(is);
	store_close(db);
	config_wipe(&c);
	if (st.repaired > 0)
		fprintf(stderr, "repaired %ld PDF%s of certificates committed "
		    "earlier\n", st.repaired, st.repaired == 1 ? "" : "s");
	if (st.holders > 0 || rc == HS_OK)
		printf("%ld issued, %ld superseded, %ld unchanged, %ld "
		    "revoked and not reissued, %ld skipped as incomplete, "
		    "%ld failed; %ld batch%s, ledger size %llu\n", st.issued,
		    st.superseded, st.unchanged, st.revoked, st.incomplete,
		    st.failed, st.batches,
		    st.batches == 1 ? "" : "es",
		    (unsigned long long)st.ledger_size);
	if (st.manifest[0] != '\0')
		printf("manifest: %s\n", st.manifest);
	if (rc != HS_OK)
		return certcmd_fail(cli->prog, rc, err);
	return 0;
}
