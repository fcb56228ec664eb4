/*
 * hourseal-issuer reissue SERIAL (--out DIR | --dry-run)
 *
 * A corrected certificate from the holder's current stamped records; the
 * old one is revoked as superseded and both point at each other. Prints
 * the new serial, then a line naming the holder, old -> new serial and
 * what changed. --dry-run prints what would change and writes nothing.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "cert/serial.h"
#include "core/i18n.h"

struct args {
	const char *out;
	bool dry_run;
	char serial[SERIAL_SIZE];
};

static int
parse(const struct cmd *x, int argc, char **argv, void *args)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct args *a = args;
	char err[HS_ERRLEN] = "";
	enum hs_err rc;
	int ch;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'o')
			a->out = optarg;
		else if (ch == 'n')
			a->dry_run = true;
		else
			return CMD_USAGE;
	}
	if (optind + 1 != argc || (a->out == NULL && !a->dry_run))
		return CMD_USAGE;
	if ((rc = serial_parse(argv[optind], a->serial, err)) != HS_OK)
		return cmd_fail(x, rc, err);
	return 0;
}

/* Keeps the supersession's line to print after the first one. */
static void
remember(void *ctx, const struct issue_change *ch)
{
	buf_printf(ctx, _("superseded %s -> %s of %s %s (%d %s): %s\n"),
	    ch->old_serial, ch->new_serial, ch->name, ch->id_masked, ch->year,
	    ch->kind, ch->reason);
}

static int
run(struct cmd *x, void *args)
{
	const struct args *a = args;
	char fresh[SERIAL_SIZE], err[HS_ERRLEN] = "";
	struct buf line;
	struct issue_opts o;
	enum hs_err rc;

	/* A file size limit must fail a write, not kill the process. */
	signal(SIGXFSZ, SIG_IGN);
	memset(&o, 0, sizeof(o));
	o.quiet = true;
	o.dry_run = a->dry_run;
	o.on_change = a->dry_run ? cmd_print_change : remember;
	o.change_ctx = &line;
	buf_init(&line);
	rc = issue_reissue(x->is, a->serial, a->out, &o, fresh, err);
	if (rc != HS_OK) {
		buf_free(&line);
		return cmd_fail(x, rc, err);
	}
	if (a->dry_run) {
		buf_free(&line);
		printf(_("dry run: nothing was written\n"));
		return 0;
	}
	/* The first line stays what scripts read: NEW replaces OLD. */
	printf(_("%s replaces %s (revoked as superseded)\n"), fresh, a->serial);
	if (line.len > 0)
		fputs(line.data, stdout);
	buf_free(&line);
	return 0;
}

const struct cmd_ops cmd_reissue_ops = { sizeof(struct args), parse, run };
