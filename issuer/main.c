/*
 * hourseal-issuer: records in, signed certificates out.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "store/config.h"

/*
 * Subcommands are weak so that each can land on its own; a missing one
 * says so instead of failing to link.
 */
#pragma weak cmd_init
#pragma weak cmd_import
#pragma weak cmd_stamp
#pragma weak cmd_summary
#pragma weak cmd_keygen
#pragma weak cmd_key
#pragma weak cmd_issue
#pragma weak cmd_revoke
#pragma weak cmd_reissue
#pragma weak cmd_list
#pragma weak cmd_show
#pragma weak cmd_export
#pragma weak cmd_publish
#pragma weak cmd_audit
#pragma weak cmd_tiles

static const struct {
	const char *name;
	int (*fn)(const struct cli *, int, char **);
	const char *usage;
} cmds[] = {
	{ "init", cmd_init, "init DIR [--issuer NAME] [--origin ORIGIN] "
	    "[--base-url URL] [--policy NAME|FILE] [--keys DIR]" },
	{ "import", cmd_import, "import FILE [--encoding gbk] "
	    "[--skip-invalid REJECTS_FILE]" },
	{ "stamp", cmd_stamp, "stamp --list | --all --by NAME | --ref REF "
	    "--by NAME | --reject REF --reason TEXT --by NAME "
	    "[--as hr|industry]" },
	{ "summary", cmd_summary, "summary --year Y [--id ID] [--json]" },
	{ "keygen", cmd_keygen, "keygen [LABEL] [--passphrase-file FILE]" },
	{ "key", cmd_key, "key rotate | key retire LABEL | "
	    "key compromised LABEL --since TIME | key list" },
	{ "issue", cmd_issue, "issue --year Y [--id ID | --all] "
	    "[--kind annual|course] --out DIR [--only-complete] [--reissue] "
	    "[--quiet]" },
	{ "revoke", cmd_revoke, "revoke SERIAL --reason "
	    "superseded|error|fraud|withdrawn [--note TEXT]" },
	{ "reissue", cmd_reissue, "reissue SERIAL --out DIR" },
	{ "list", cmd_list, "list [--year Y] [--id ID] "
	    "[--status valid|revoked]" },
	{ "show", cmd_show, "show SERIAL" },
	{ "export", cmd_export, "export --year Y --format csv|json" },
	{ "publish", cmd_publish, "publish DIR" },
	{ "audit", cmd_audit, "audit" },
	{ "tiles", cmd_tiles, "tiles DIR" },
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: hourseal-issuer [--data DIR] COMMAND [ARGS]\n"
	    "  --data DIR   the data directory (default $HOURSEAL_DATA, "
	    "else ./data)\ncommands:\n");
	for (i = 0; i < NCMDS; i++)
		fprintf(f, "  %s\n", cmds[i].usage);
}

int
main(int argc, char **argv)
{
	struct cli cli = { NULL, "hourseal-issuer" };
	char *args[256];
	const char *data = NULL;
	int n = 0, i;
	size_t k;

	/* --data may come before or after the command; take it out. */
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--data") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, "hourseal-issuer: --data needs "
				    "a directory\n");
				return 2;
			}
			data = argv[++i];
		} else if (strncmp(argv[i], "--data=", 7) == 0)
			data = argv[i] + 7;
		else if (n < (int)(sizeof(args) / sizeof(args[0])) - 1)
			args[n++] = argv[i];
		else {
			fprintf(stderr, "hourseal-issuer: too many "
			    "arguments\n");
			return 2;
		}
	}
	args[n] = NULL;
	if (n == 0 || strcmp(args[0], "help") == 0 ||
	    strcmp(args[0], "--help") == 0 || strcmp(args[0], "-h") == 0) {
		usage(n == 0 ? stderr : stdout);
		return n == 0 ? 2 : 0;
	}
	cli.data_dir = config_data_dir(data);
	for (k = 0; k < NCMDS; k++) {
		if (strcmp(args[0], cmds[k].name) != 0)
			continue;
		if (cmds[k].fn == NULL) {
			fprintf(stderr, "hourseal-issuer: '%s' is not built "
			    "into this program yet\n", args[0]);
			return 2;
		}
		optind = 0;
		return cmds[k].fn(&cli, n, args);
	}
	fprintf(stderr, "hourseal-issuer: unknown command '%s'\n", args[0]);
	usage(stderr);
	return 2;
}
