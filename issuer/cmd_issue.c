/*
 * hourseal-issuer issue --year Y (--id ID | --all) [--kind annual|course]
 *     (--out DIR | --dry-run) [--only-complete] [--reissue] [--quiet]
 *     [--batch N] [--workers N]
 *
 * Issues certificates in crash-safe batches (lib/issue.h): PDFs in
 * DIR/<year>/<serial>.pdf and DIR/<year>/manifest.csv. Only holders
 * whose stamped records changed get a new certificate that supersedes
 * the old; each supersession prints one line naming the holder, old ->
 * new serial and why. --dry-run prints what would be superseded and
 * why, and writes nothing.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "app/issue.h"
#include "core/i18n.h"

struct args {
	struct issue_opts o;
	bool all;
};

static int
parse(const struct cmd *x, int argc, char **argv, void *args)
{
	static const struct option opts[] = {
		{ "year", required_argument, NULL, 'y' },
		{ "id", required_argument, NULL, 'i' },
		{ "all", no_argument, NULL, 'a' },
		{ "kind", required_argument, NULL, 'k' },
		{ "out", required_argument, NULL, 'o' },
		{ "only-complete", no_argument, NULL, 'c' },
		{ "reissue", no_argument, NULL, 'r' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "batch", required_argument, NULL, 'b' },
		{ "workers", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	struct args *a = args;
	struct issue_opts *o = &a->o;
	long v;
	int ch;

	o->kind = CERT_ANNUAL;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'y':
			if (cmd_year(x, optarg, &o->year) != 0)
				return 1;
			break;
		case 'i':
			o->id_number = optarg;
			break;
		case 'a':
			a->all = true;
			break;
		case 'k':
			if (strcmp(optarg, "annual") == 0)
				o->kind = CERT_ANNUAL;
			else if (strcmp(optarg, "course") == 0)
				o->kind = CERT_COURSE;
			else {
				cmd_say(x, "--kind must be annual or course, "
				    "not '%s'", optarg);
				return 1;
			}
			break;
		case 'o':
			o->out_dir = optarg;
			break;
		case 'c':
			o->only_complete = true;
			break;
		case 'r':
			o->reissue = true;
			break;
		case 'n':
			o->dry_run = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'b':
			if (cmd_number(x, "--batch", optarg, 1,
			    ISSUE_BATCH_MAX, &v) != 0)
				return 1;
			o->batch = (size_t)v;
			break;
		case 'w':
			if (cmd_number(x, "--workers", optarg, 0,
			    ISSUE_MAX_WORKERS, &v) != 0)
				return 1;
			o->workers = (int)v;
			break;
		default:
			return CMD_USAGE;
		}
	}
	if (optind < argc) {
		cmd_say(x, "unexpected argument '%s'", argv[optind]);
		return CMD_USAGE;
	}
	if (o->year == 0 || (o->out_dir == NULL && !o->dry_run))
		return CMD_USAGE;
	if (a->all == (o->id_number != NULL)) {
		cmd_say(x, "give either --id ID or --all");
		return CMD_USAGE;
	}
	return 0;
}

/* One line per supersession, on stdout (the masked ID, never the full). */
void
cmd_print_change(void *ctx, const struct issue_change *ch)
{
	(void)ctx;
	if (ch->new_serial[0] == '\0')
		printf(_("would supersede %s of %s %s (%d %s): %s\n"),
		    ch->old_serial, ch->name, ch->id_masked, ch->year, ch->kind,
		    ch->reason);
	else
		printf(_("superseded %s -> %s of %s %s (%d %s): %s\n"),
		    ch->old_serial, ch->new_serial, ch->name, ch->id_masked,
		    ch->year, ch->kind, ch->reason);
	fflush(stdout);
}

static int
run(struct cmd *x, void *args)
{
	struct args *a = args;
	struct issue_opts o = a->o;
	struct issue_stats st;
	char err[HS_ERRLEN] = "";
	enum hs_err rc;

	memset(&st, 0, sizeof(st));
	/* A file size limit must fail a write, not kill the batch midway. */
	signal(SIGXFSZ, SIG_IGN);
	o.progress = stderr;
	o.tty = isatty(STDERR_FILENO);
	o.on_change = cmd_print_change;
	rc = issue_run(x->is, &o, &st, err);
	if (o.dry_run) {
		if (rc != HS_OK)
			return cmd_fail(x, rc, err);
		printf(_("dry run: %ld would be superseded, %ld new certificate%s "
		    "in all, %ld unchanged, %ld revoked and not reissued, %ld "
		    "skipped as incomplete; nothing was written\n"),
		    st.superseded, st.issued, st.issued == 1 ? "" : "s",
		    st.unchanged, st.revoked, st.incomplete);
		return 0;
	}
	if (st.repaired > 0)
		fprintf(stderr, _("repaired %ld PDF%s of certificates committed "
		    "earlier\n"), st.repaired, st.repaired == 1 ? "" : "s");
	if (st.holders > 0 || rc == HS_OK)
		printf(_("%ld issued, %ld superseded, %ld unchanged, %ld "
		    "revoked and not reissued, %ld skipped as incomplete, "
		    "%ld failed; %ld batch%s, ledger size %llu\n"), st.issued,
		    st.superseded, st.unchanged, st.revoked, st.incomplete,
		    st.failed, st.batches,
		    st.batches == 1 ? "" : "es",
		    (unsigned long long)st.ledger_size);
	if (st.manifest[0] != '\0')
		printf(_("manifest: %s\n"), st.manifest);
	if (rc != HS_OK)
		return cmd_fail(x, rc, err);
	return 0;
}

const struct cmd_ops cmd_issue_ops = { sizeof(struct args), parse, run };
